import datetime as dt
from zoneinfo import ZoneInfo

from oasis.core.workcalendar import known_years, park_calendar

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=0, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_2025_and_2026_official_schedules_are_loaded():
    cal = park_calendar()
    assert {2025, 2026} <= known_years()
    # 2026 春节: 2-15..2-23 off; Saturday 2-14 and 2-28 worked (调休).
    assert not cal.is_workday(dt.date(2026, 2, 16))  # a Monday inside 春节
    assert not cal.is_workday(dt.date(2026, 2, 23))
    assert cal.is_workday(dt.date(2026, 2, 14)) and cal.is_workday(dt.date(2026, 2, 28))
    assert cal.is_workday(dt.date(2026, 1, 4))  # Sunday worked after 元旦
    assert not cal.is_workday(dt.date(2026, 10, 7))
    assert cal.is_workday(dt.date(2026, 10, 10))  # Saturday worked after 国庆
    assert not cal.is_workday(dt.date(2025, 10, 8))
    assert cal.is_workday(dt.date(2025, 9, 28))
    assert not cal.is_workday(dt.date(2026, 12, 5))  # an ordinary Saturday
    assert cal.day_hours() == 8


def test_working_hours_skip_evenings_lunch_weekends_and_holidays():
    cal = park_calendar()
    # Friday 2026-11-27 17:00 + 4 working hours: 1 h Friday, Monday 09-12 (3 h) → 12:00.
    assert cal.add_working_hours(at(2026, 11, 27, 17), 4) == at(2026, 11, 30, 12)
    # + 5 h crosses Monday's lunch: 14:00.
    assert cal.add_working_hours(at(2026, 11, 27, 17), 5) == at(2026, 11, 30, 14)
    # Filed at night: the clock starts next working morning.
    assert cal.add_working_hours(at(2026, 12, 1, 22), 2) == at(2026, 12, 2, 11)
    # Friday 2026-02-13 16:00 + 16 h: 2 h Fri, 8 h Sat 2-14 (调休), then 春节 off until
    # Tuesday 2-24 (first day back): 6 h → 09-12, 13-16 → 16:00.
    assert cal.add_working_hours(at(2026, 2, 13, 16), 16) == at(2026, 2, 24, 16)
    # And back: the same span is 16 working hours.
    assert cal.working_hours_between(at(2026, 2, 13, 16), at(2026, 2, 24, 16)) == 16
    assert cal.working_hours_between(at(2026, 2, 24, 16), at(2026, 2, 13, 16)) == -16
