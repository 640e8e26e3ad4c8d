"""Booking rules of a resource, as a pure function (no ORM): opening hours, slot size,
minimum and maximum length, lead time, monthly quota per firm, cancellation deadline.

Times are park-local and timezone-aware; the service converts before calling.
Overlap is not checked here: the database guarantees it (see models.Booking).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Rules:
    opens_at: dt.time
    closes_at: dt.time
    weekdays: frozenset[int]  # 1 = Monday … 7 = Sunday
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    lead_hours: int
    monthly_quota_minutes: int | None
    cancel_hours: int


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def check_booking(
    rules: Rules,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    used_minutes_in_month: int = 0,
) -> dict[str, list[str]]:
    """Every rule a requested booking breaks, as {field: [message]} (empty = allowed)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    if end <= start:
        add("end", _("结束时间必须晚于开始时间。"))
        return errors
    length = int((end - start).total_seconds() // 60)
    if start < now + dt.timedelta(hours=rules.lead_hours):
        if start < now:
            add("start", _("不能预约已经开始的时段。"))
        else:
            add("start", _("需至少提前 %(h)d 小时预约。") % {"h": rules.lead_hours})
    if start.isoweekday() not in rules.weekdays:
        add("start", _("该资源当天不开放。"))
    same_day = end.date() == start.date() or (
        end.date() == start.date() + dt.timedelta(days=1) and end.time() == dt.time(0)
    )
    end_min = (
        24 * 60 if end.time() == dt.time(0) and end.date() != start.date() else _minutes(end.time())
    )
    if (
        not same_day
        or _minutes(start.time()) < _minutes(rules.opens_at)
        or end_min > _minutes(rules.closes_at)
    ):
        add(
            "start",
            _("预约须在开放时间 %(o)s–%(c)s 之内。")
            % {"o": rules.opens_at.strftime("%H:%M"), "c": rules.closes_at.strftime("%H:%M")},
        )
    offset = _minutes(start.time()) - _minutes(rules.opens_at)
    if (
        start.second
        or start.microsecond
        or offset % rules.slot_minutes
        or length % rules.slot_minutes
    ):
        add("start", _("预约须按 %(m)d 分钟的时段对齐。") % {"m": rules.slot_minutes})
    if length < rules.min_minutes:
        add("end", _("预约时长不能少于 %(m)d 分钟。") % {"m": rules.min_minutes})
    if length > rules.max_minutes:
        add("end", _("预约时长不能超过 %(m)d 分钟。") % {"m": rules.max_minutes})
    if (
        rules.monthly_quota_minutes is not None
        and used_minutes_in_month + length > rules.monthly_quota_minutes
    ):
        add(
            "end",
            _("超出本企业本月该资源的预约上限（%(h)s 小时，已用 %(u)s 小时）。")
            % {"h": _hours(rules.monthly_quota_minutes), "u": _hours(used_minutes_in_month)},
        )
    return errors


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def cancel_deadline(rules: Rules, start: dt.datetime) -> dt.datetime:
    return start - dt.timedelta(hours=rules.cancel_hours)


def can_cancel(rules: Rules, *, start: dt.datetime, now: dt.datetime) -> bool:
    """A firm may cancel until the deadline; later, only the operator can."""
    return now <= cancel_deadline(rules, start)


def available_minutes(rules: Rules, first_day: dt.date, last_day: dt.date) -> int:
    """Opening minutes between two dates inclusive (the utilisation denominator)."""
    per_day = _minutes(rules.closes_at) - _minutes(rules.opens_at)
    days = 0
    day = first_day
    while day <= last_day:
        if day.isoweekday() in rules.weekdays:
            days += 1
        day += dt.timedelta(days=1)
    return days * per_day
