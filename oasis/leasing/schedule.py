"""Rent schedules as pure functions: lease terms in, bills out. No ORM, no Django.

Conventions (the ones a Chinese park's leasing office uses):
- Bills follow natural calendar periods (month / quarter / half-year / year) and are paid
  in advance, due on the first day of the period; the first and last periods are partial
  and charged by days.
- Rent is either 元/㎡/天 (per square metre per day, charged per calendar day) or a
  monthly total (a full calendar month costs the total; part of a month costs
  total × days / days-in-that-month). The property fee is 元/㎡/月, prorated the same way.
- Escalation applies on each anniversary of the start date: year n costs
  rate × (1 + p)^n. Free-rent days cost no rent; the property fee is still due.
- Amounts are rounded to the fen by cumulative rounding: each bill is the rounded running
  total minus the previous rounded running total, so the bills add up exactly to the
  rounded exact total (no fen lost or invented, whatever the number of periods).
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FEN = Decimal("0.01")
ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
CYCLES = (1, 3, 6, 12)
PER_SQM_DAY = "sqm_day"
MONTHLY_TOTAL = "monthly"
# Enough digits that every product below is exact (escalation adds up to 4 digits a
# year), so no rounding happens before the one to the fen.
_CTX = decimal.Context(prec=120, rounding=ROUND_HALF_UP)
# Amounts are accumulated multiplied by the least common multiple of the month lengths
# 28–31, so a day's share of a month (1/28 … 1/31) is an exact integer multiple and the
# running totals stay exact: a total that is exactly x.xx5 rounds up, never by luck.
_L = 377580
_SHARE = {n: _L // n for n in (28, 29, 30, 31)}


@dataclass(frozen=True)
class Period:
    """Inclusive date range."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Terms:
    start: dt.date
    end: dt.date  # inclusive
    area: Decimal  # ㎡
    rent_basis: str  # PER_SQM_DAY or MONTHLY_TOTAL
    rent_rate: Decimal  # 元/㎡/天, or 元 per month for the whole lease
    property_fee_rate: Decimal = ZERO  # 元/㎡/月
    cycle_months: int = 3
    escalation_pct: Decimal = ZERO  # yearly, e.g. Decimal("3") for 3 %
    free_rent: tuple[Period, ...] = ()


@dataclass(frozen=True)
class BillLine:
    seq: int
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    rent: Decimal
    property_fee: Decimal

    @property
    def amount(self) -> Decimal:
        return self.rent + self.property_fee


@dataclass(frozen=True)
class Schedule:
    bills: tuple[BillLine, ...]
    rent_total: Decimal
    property_fee_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.rent_total + self.property_fee_total


class TermsError(ValueError):
    """Terms no schedule can be built from (the service reports them as field errors)."""


def terms_errors(terms: Terms) -> dict[str, str]:
    errors: dict[str, str] = {}
    if terms.end < terms.start:
        errors["end_date"] = "end before start"
    if terms.area <= 0:
        errors["area"] = "area must be positive"
    if terms.rent_rate < 0:
        errors["rent_rate"] = "negative rent"
    if terms.property_fee_rate < 0:
        errors["property_fee_rate"] = "negative property fee"
    if terms.cycle_months not in CYCLES:
        errors["cycle_months"] = "unknown payment cycle"
    if terms.rent_basis not in (PER_SQM_DAY, MONTHLY_TOTAL):
        errors["rent_basis"] = "unknown rent basis"
    if terms.escalation_pct < 0 or terms.escalation_pct > 100:
        errors["escalation_pct"] = "escalation must be between 0 and 100 %"
    for p in terms.free_rent:
        if p.end < p.start:
            errors["free_rent"] = "free-rent period ends before it starts"
    return errors


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def billing_periods(start: dt.date, end: dt.date, cycle_months: int) -> list[Period]:
    """Natural calendar periods cut to [start, end]: the first and last may be partial."""
    periods: list[Period] = []
    # The calendar period containing `start`: months 1, 1+c, 1+2c, … begin a period.
    month0 = ((start.month - 1) // cycle_months) * cycle_months + 1
    boundary = dt.date(start.year, month0, 1)
    cursor = start
    while cursor <= end:
        boundary = add_months(boundary, cycle_months)
        period_end = min(boundary - ONE_DAY, end)
        periods.append(Period(cursor, period_end))
        cursor = period_end + ONE_DAY
    return periods


def _anniversaries(terms: Terms) -> list[dt.date]:
    """Start of lease year 1, 2, … within the term."""
    out = []
    n = 1
    while True:
        day = add_months(terms.start, 12 * n)
        if day > terms.end:
            return out
        out.append(day)
        n += 1


def _segments(period: Period, cuts: list[dt.date]) -> list[Period]:
    """Split a period at every cut date (a cut starts a new segment)."""
    out = []
    cursor = period.start
    for cut in cuts:
        if cursor < cut <= period.end:
            out.append(Period(cursor, cut - ONE_DAY))
            cursor = cut
    out.append(Period(cursor, period.end))
    return out


def _month_starts(period: Period) -> list[dt.date]:
    out = []
    day = dt.date(period.start.year, period.start.month, 1)
    while True:
        day = add_months(day, 1)
        if day > period.end:
            return out
        out.append(day)


def _free_days(segment: Period, free: tuple[Period, ...]) -> int:
    days = 0
    for p in free:
        lo = max(p.start, segment.start)
        hi = min(p.end, segment.end)
        if hi >= lo:
            days += (hi - lo).days + 1
    return days


def _round_scaled(value: Decimal) -> Decimal:
    """value / _L to the fen, half up, exactly (value ≥ 0): floor((200·v + L) / 2L)."""
    return _CTX.divide_int(_CTX.add(_CTX.multiply(value, 200), _L), 2 * _L).scaleb(-2)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return _DIM[month]


_DIM = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def build_schedule(terms: Terms) -> Schedule:
    """The bills of a lease, one per billing period, in order.

    Walks the term month by month (a billing period is a run of whole calendar months,
    cut at the term's ends), splitting a month where a lease anniversary falls in it."""
    errors = terms_errors(terms)
    if errors:
        raise TermsError(errors)
    ctx = _CTX
    mul, add, div = ctx.multiply, ctx.add, ctx.divide
    anniversaries = _anniversaries(terms)
    growth = add(1, div(terms.escalation_pct, 100))
    factors = [Decimal(1)]
    for _a in anniversaries:
        factors.append(mul(factors[-1], growth))
    # Free-rent periods clipped to the term and merged, so a day is never free twice.
    free = _merge(tuple(
        Period(max(p.start, terms.start), min(p.end, terms.end))
        for p in terms.free_rent if p.end >= terms.start and p.start <= terms.end
    ))
    monthly = terms.rent_basis == MONTHLY_TOTAL
    fee_per_month = mul(terms.property_fee_rate, terms.area)
    daily_rent = ZERO if monthly else mul(terms.rent_rate, terms.area)
    rates = [mul(terms.rent_rate if monthly else daily_rent, f) for f in factors]
    cycle = terms.cycle_months

    bills: list[BillLine] = []
    exact_rent = exact_fee = ZERO
    billed_rent = billed_fee = ZERO
    period_start = terms.start
    year, month = terms.start.year, terms.start.month
    next_anniv = 0  # index into anniversaries of the next one not yet passed
    while True:
        month_days = _days_in_month(year, month)
        first = dt.date(year, month, 1)
        last = dt.date(year, month, month_days)
        seg_start = max(first, terms.start)
        seg_end = min(last, terms.end)
        # At most one anniversary falls in a month: split there.
        pieces = []
        if next_anniv < len(anniversaries) and anniversaries[next_anniv] <= seg_end:
            cut = anniversaries[next_anniv]
            if cut > seg_start:
                pieces.append((seg_start, cut - ONE_DAY, next_anniv))
                seg_start = cut
            next_anniv += 1
        pieces.append((seg_start, seg_end, next_anniv))
        share = _SHARE[month_days]
        for a, b, index in pieces:
            days = (b - a).days + 1
            charged = days - _free_days(Period(a, b), free) if free else days
            if charged:
                if monthly:
                    exact_rent = add(exact_rent, mul(rates[index], charged * share))
                else:
                    exact_rent = add(exact_rent, mul(rates[index], charged * _L))
            exact_fee = add(exact_fee, mul(fee_per_month, days * share))
        done = seg_end == terms.end
        if done or month % cycle == 0:
            rent_now = _round_scaled(exact_rent) - billed_rent
            fee_now = _round_scaled(exact_fee) - billed_fee
            billed_rent += rent_now
            billed_fee += fee_now
            bills.append(BillLine(len(bills) + 1, period_start, seg_end, period_start, rent_now, fee_now))
            period_start = seg_end + ONE_DAY
        if done:
            return Schedule(tuple(bills), billed_rent, billed_fee)
        month += 1
        if month > 12:
            year, month = year + 1, 1


def _merge(periods: tuple[Period, ...]) -> tuple[Period, ...]:
    out: list[Period] = []
    for p in sorted(periods, key=lambda p: p.start):
        if out and p.start <= out[-1].end + ONE_DAY:
            last = out[-1]
            out[-1] = Period(last.start, max(last.end, p.end))
        else:
            out.append(p)
    return tuple(out)


def exact_totals(terms: Terms) -> tuple[Decimal, Decimal]:
    """Rent and property fee of the whole term computed day by day in exact fractions
    (slow; the reference the tests hold the schedule to, to the fen)."""
    anniversaries = _anniversaries(terms)
    growth = 1 + Fraction(terms.escalation_pct) / 100
    free = _merge(tuple(terms.free_rent))
    rent = fee = Fraction(0)
    day = terms.start
    while day <= terms.end:
        month_days = _days_in_month(day.year, day.month)
        factor = growth ** sum(1 for a in anniversaries if a <= day)
        if not any(p.start <= day <= p.end for p in free):
            if terms.rent_basis == MONTHLY_TOTAL:
                rent += Fraction(terms.rent_rate) * factor / month_days
            else:
                rent += Fraction(terms.rent_rate) * Fraction(terms.area) * factor
        fee += Fraction(terms.property_fee_rate) * Fraction(terms.area) / month_days
        day += ONE_DAY

    def fen(x: Fraction) -> Decimal:
        return Decimal(math.floor(x * 100 + Fraction(1, 2))).scaleb(-2)

    return fen(rent), fen(fee)


@dataclass(frozen=True)
class AgeingBuckets:
    """Outstanding amounts by days past due. Not-yet-due amounts are not receivables."""

    d0_30: Decimal = ZERO
    d31_90: Decimal = ZERO
    d91_180: Decimal = ZERO
    over_180: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.d0_30 + self.d31_90 + self.d91_180 + self.over_180


# Bucket edges in days past due: (label, lowest, highest) — used by the DB aggregate.
AGEING_BUCKETS = (("d0_30", 0, 30), ("d31_90", 31, 90), ("d91_180", 91, 180), ("over_180", 181, None))
