"""A day-by-day oracle for rent schedules, written from the rules (not from the engine):
each day costs what the rules say in exact fractions, bills are the cumulatively rounded
sums of their days. The property tests hold `schedule.build_schedule` to it."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from oasis.leasing.schedule import LEASE_START, MONTHLY_365, MONTHLY_TOTAL, Terms

DAY = dt.timedelta(days=1)


def same_day_later(start: dt.date, months: int) -> dt.date:
    """The rule: the same day `months` later, or the 1st of the next month if none."""
    y, m = divmod(start.year * 12 + start.month - 1 + months, 12)
    try:
        return dt.date(y, m + 1, start.day)
    except ValueError:
        return dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1)


def year_of(terms: Terms, day: dt.date) -> int:
    y = 1
    while same_day_later(terms.start, 12 * y) <= day:
        y += 1
    return y


def _changes(terms: Terms) -> list:
    # Listed order breaks ties: the last listed on a day wins.
    return sorted(
        ((max(c.effective_on, terms.start), i, c) for i, c in enumerate(terms.changes)),
        key=lambda t: (t[0], t[1]),
    )


def _last(terms: Terms, field: str, before: dt.date, *, strict: bool = False):
    """(date, value) of the latest change setting `field` on or before (or strictly
    before) `before`."""
    best = None
    for day, _i, c in _changes(terms):
        v = getattr(c, field)
        if v is not None and (day < before if strict else day <= before):
            best = (day, Fraction(v))
    return best


def rent_on(terms: Terms, day: dt.date) -> Fraction:
    base = _last(terms, "rent_rate", day) or (terms.start, Fraction(terms.rent_rate))
    since, rate = base
    anniversaries = []
    y = 2
    while (a := same_day_later(terms.start, 12 * (y - 1))) <= day:
        if a > since:
            anniversaries.append((y, a))
        y += 1
    if terms.steps:
        for year, _a in anniversaries:
            for s in terms.steps:
                if s.year == year:
                    rate = Fraction(s.rate)
        return rate
    for year, a in anniversaries:
        if (
            year >= terms.escalation_from
            and (year - terms.escalation_from) % terms.escalation_every == 0
        ):
            pct = _last(terms, "escalation_pct", a, strict=True)
            p = pct[1] if pct else Fraction(terms.escalation_pct)
            rate *= 1 + p / 100
    return rate


def fee_on(terms: Terms, day: dt.date) -> Fraction:
    last = _last(terms, "property_fee_rate", day)
    return last[1] if last else Fraction(terms.property_fee_rate)


def month_of(terms: Terms, day: dt.date) -> tuple[int, int]:
    """(index of the rent month holding `day`, its length in days)."""
    if terms.alignment == LEASE_START:
        i = 0
        while same_day_later(terms.start, i + 1) <= day:
            i += 1
        return i, (same_day_later(terms.start, i + 1) - same_day_later(terms.start, i)).days
    return day.year * 12 + day.month, calendar.monthrange(day.year, day.month)[1]


def period_key(terms: Terms, day: dt.date) -> int:
    if terms.alignment == LEASE_START:
        return month_of(terms, day)[0] // terms.cycle_months
    return day.year * 12 + (day.month - 1) // terms.cycle_months


def fen(x: Fraction) -> Decimal:
    return Decimal(math.floor(x * 100 + Fraction(1, 2))).scaleb(-2)


def oracle_bills(terms: Terms) -> list[tuple[dt.date, dt.date, Decimal, Decimal]]:
    """(period start, period end, rent, property fee) of every bill."""
    area = Fraction(terms.area)
    periods: list[list] = []
    rent = fee = Fraction(0)
    day = terms.start
    while day <= terms.end:
        key = period_key(terms, day)
        if not periods or periods[-1][0] != key:
            periods.append([key, day, day, rent, fee])
        _i, length = month_of(terms, day)
        free = any(p.start <= day <= p.end for p in terms.free_rent)
        if not free:
            r = rent_on(terms, day)
            if terms.rent_basis == MONTHLY_TOTAL:
                rent += r / length
            elif terms.day_count == MONTHLY_365:
                rent += r * area * 365 / 12 / length
            else:
                rent += r * area
        fee += fee_on(terms, day) * area / length
        periods[-1][2] = day
        periods[-1][3:] = [rent, fee]
        day += DAY
    out = []
    before_rent = before_fee = Decimal(0)
    for _key, a, b, r, f in periods:
        out.append((a, b, fen(r) - before_rent, fen(f) - before_fee))
        before_rent, before_fee = fen(r), fen(f)
    return out


def oracle_totals(terms: Terms) -> tuple[Decimal, Decimal]:
    """Rent and property fee of the whole term (the rounded exact sums)."""
    bills = oracle_bills(terms)
    return sum((b[2] for b in bills), Decimal(0)), sum((b[3] for b in bills), Decimal(0))
