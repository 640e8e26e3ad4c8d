"""Working time on the park calendar: which days are worked (Chinese public holidays and
调休 make-up working days, kept as data per year in core/data/holidays/<year>.toml, one
file per State Council notice) and the park's working hours. A service deadline of "16
working hours" is counted on this calendar, so it never runs through a weekend or 春节.

A year without a file counts Monday to Friday as working days (`known_years` says which
years are loaded: add next year's file when the State Council publishes it, usually in
November)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

DATA = Path(__file__).parent / "data" / "holidays"

# The park's working hours (local time): morning and afternoon, lunch not counted.
# Overridable in settings as WORKING_HOURS = [("09:00", "12:00"), ("13:00", "18:00")].
DEFAULT_HOURS = (("09:00", "12:00"), ("13:00", "18:00"))


@dataclass(frozen=True)
class Calendar:
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)  # 调休上班
    years: frozenset[int] = frozenset()
    hours: tuple[tuple[dt.time, dt.time], ...] = ()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def day_hours(self) -> float:
        return sum(_minutes(a, b) for a, b in self.hours) / 60

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of `day` as aware local datetimes (none on a day off)."""
        if not self.is_workday(day):
            return []
        tz = timezone.get_current_timezone()
        return [
            (
                timezone.make_aware(dt.datetime.combine(day, a), tz),
                timezone.make_aware(dt.datetime.combine(day, b), tz),
            )
            for a, b in self.hours
        ]

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours after `start` (a request filed on Friday
        evening with 4 working hours is due on Monday at 13:00)."""
        left = dt.timedelta(hours=hours)
        day = timezone.localtime(start).date()
        for _ in range(800):  # two years of days: ends far sooner on any real calendar
            for a, b in self.periods(day):
                begin = max(a, start)
                if begin >= b:
                    continue
                if begin + left <= b:
                    return begin + left
                left -= b - begin
            day += dt.timedelta(days=1)
        raise ValueError("no working time in two years")

    def working_hours_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working hours from `a` to `b` (negative when `b` is earlier)."""
        if b < a:
            return -self.working_hours_between(b, a)
        total = dt.timedelta()
        day = timezone.localtime(a).date()
        last = timezone.localtime(b).date()
        while day <= last:
            for p, q in self.periods(day):
                lo, hi = max(p, a), min(q, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600


def _minutes(a: dt.time, b: dt.time) -> int:
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def _time(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


@cache
def _national() -> tuple[dict[dt.date, str], dict[dt.date, str], frozenset[int]]:
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    years: set[int] = set()
    for path in sorted(DATA.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        years.add(int(data["year"]))
        for h in data.get("holidays", []):
            day = h["from"]
            while day <= h["to"]:
                holidays[day] = h["name"]
                day += dt.timedelta(days=1)
        for w in data.get("workdays", []):
            workdays[w["date"]] = w["name"]
    return holidays, workdays, frozenset(years)


def park_calendar() -> Calendar:
    """The calendar service deadlines are counted on."""
    holidays, workdays, years = _national()
    spans = getattr(settings, "WORKING_HOURS", DEFAULT_HOURS)
    return Calendar(
        holidays=holidays,
        workdays=workdays,
        years=years,
        hours=tuple((_time(a), _time(b)) for a, b in spans),
    )


def known_years() -> frozenset[int]:
    return _national()[2]
