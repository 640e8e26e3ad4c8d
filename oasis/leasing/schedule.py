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
- An amendment changes the rates from its effective date (`RateChange`): each day is
  charged at the rates in force that day, escalated by the anniversaries passed since the
  start. Early termination is a shorter term: the period holding the last day is charged
  by days up to and including it. Because rounding is cumulative, the bills of a schedule
  before a change date or a new end are the same as before the change.
- `reconcile` brings the bills already issued in line with a new schedule: unpaid bills
  are reissued; what has been paid is never re-billed, an adjustment bill carries the
  difference (a negative one, a credit note, moves the overpaid money to the tenant's
  credit), so the bills of every period add up to the schedule's again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FEN = Decimal("0.01")
ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
CYCLES = (1, 3, 6, 12)
PER_SQM_DAY = "sqm_day"
MONTHLY_TOTAL = "monthly"
# Bill kinds: a period's scheduled bill, an adjustment of a period already paid (may be
# negative: a credit note), and the deposit (not part of the schedule).
RENT = "rent"
ADJUSTMENT = "adjustment"
DEPOSIT = "deposit"
RATE_FIELDS = ("rent_rate", "property_fee_rate", "escalation_pct")
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
class RateChange:
    """From `effective_on` on (until the next change), these rates apply. Escalation still
    counts the anniversaries from the lease's start: year n costs rent_rate × (1 + p)^n."""

    effective_on: dt.date
    rent_rate: Decimal
    property_fee_rate: Decimal
    escalation_pct: Decimal


@dataclass(frozen=True)
class Terms:
    start: dt.date
    end: dt.date  # inclusive (the termination date for a lease ended early)
    area: Decimal  # ㎡
    rent_basis: str  # PER_SQM_DAY or MONTHLY_TOTAL
    rent_rate: Decimal  # 元/㎡/天, or 元 per month for the whole lease
    property_fee_rate: Decimal = ZERO  # 元/㎡/月
    cycle_months: int = 3
    escalation_pct: Decimal = ZERO  # yearly, e.g. Decimal("3") for 3 %
    free_rent: tuple[Period, ...] = ()
    # Rates from a date on: a day is charged at the change with the latest date on or
    # before it (on a tie, the one listed last), or at the rates above before any.
    changes: tuple[RateChange, ...] = ()


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
    if terms.cycle_months not in CYCLES:
        errors["cycle_months"] = "unknown payment cycle"
    if terms.rent_basis not in (PER_SQM_DAY, MONTHLY_TOTAL):
        errors["rent_basis"] = "unknown rent basis"
    every_rates: list[Terms | RateChange] = [terms, *terms.changes]
    for rates in every_rates:
        if rates.rent_rate < 0:
            errors["rent_rate"] = "negative rent"
        if rates.property_fee_rate < 0:
            errors["property_fee_rate"] = "negative property fee"
        if rates.escalation_pct < 0 or rates.escalation_pct > 100:
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
    out: list[dt.date] = []
    n = 1
    while True:
        day = add_months(terms.start, 12 * n)
        if day > terms.end:
            return out
        out.append(day)
        n += 1


def _segments(period: Period, cuts: list[dt.date]) -> list[Period]:
    """Split a period at every cut date (a cut starts a new segment)."""
    out: list[Period] = []
    cursor = period.start
    for cut in cuts:
        if cursor < cut <= period.end:
            out.append(Period(cursor, cut - ONE_DAY))
            cursor = cut
    out.append(Period(cursor, period.end))
    return out


def _month_starts(period: Period) -> list[dt.date]:
    out: list[dt.date] = []
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


def _versions(terms: Terms) -> tuple[list[tuple[Decimal, Decimal, Decimal]], list[dt.date]]:
    """The rates in force over the term: version 0 from the start, version i from
    dates[i - 1] on (dates ascending, all inside the term after its first day)."""
    versions = [(terms.rent_rate, terms.property_fee_rate, terms.escalation_pct)]
    dates: list[dt.date] = []
    for c in sorted(terms.changes, key=lambda c: c.effective_on):  # stable: ties keep their order
        rates = (c.rent_rate, c.property_fee_rate, c.escalation_pct)
        if c.effective_on <= terms.start:
            versions[0] = rates
        elif c.effective_on <= terms.end:
            if dates and dates[-1] == c.effective_on:
                versions[-1] = rates
            else:
                dates.append(c.effective_on)
                versions.append(rates)
    return versions, dates


def build_schedule(terms: Terms) -> Schedule:
    """The bills of a lease, one per billing period, in order.

    Walks the term month by month (a billing period is a run of whole calendar months,
    cut at the term's ends), splitting a month where a lease anniversary or a rate change
    falls in it."""
    errors = terms_errors(terms)
    if errors:
        raise TermsError(errors)
    ctx = _CTX
    mul, add, div = ctx.multiply, ctx.add, ctx.divide
    anniversaries = _anniversaries(terms)
    versions, change_dates = _versions(terms)
    monthly = terms.rent_basis == MONTHLY_TOTAL
    # rates[v][n]: the rent of version v in lease year n (a month, or a day of the whole area).
    rates: list[list[Decimal]] = []
    fees: list[Decimal] = []
    for rent_rate, fee_rate, pct in versions:
        growth = add(1, div(pct, 100))
        base = rent_rate if monthly else mul(rent_rate, terms.area)
        row = [base]
        for _a in anniversaries:
            row.append(mul(row[-1], growth))
        rates.append(row)
        fees.append(mul(fee_rate, terms.area))
    # Dates where the rate steps: anniversaries (n + 1) and changes (v + 1), ascending.
    anniv_set = set(anniversaries)
    change_set = set(change_dates)
    events = sorted(anniv_set | change_set)
    # Free-rent periods clipped to the term and merged, so a day is never free twice.
    free = _merge(
        tuple(
            Period(max(p.start, terms.start), min(p.end, terms.end))
            for p in terms.free_rent
            if p.end >= terms.start and p.start <= terms.end
        )
    )
    cycle = terms.cycle_months

    bills: list[BillLine] = []
    exact_rent = exact_fee = ZERO
    billed_rent = billed_fee = ZERO
    period_start = terms.start
    year, month = terms.start.year, terms.start.month
    n = v = 0  # lease year and rate version in force at the cursor
    ev = 0  # index into events of the next step not yet passed
    while True:
        month_days = _days_in_month(year, month)
        first = dt.date(year, month, 1)
        last = dt.date(year, month, month_days)
        seg_start = max(first, terms.start)
        seg_end = min(last, terms.end)
        pieces = []
        while ev < len(events) and events[ev] <= seg_end:
            cut = events[ev]
            if cut > seg_start:
                pieces.append((seg_start, cut - ONE_DAY, n, v))
                seg_start = cut
            n += cut in anniv_set
            v += cut in change_set
            ev += 1
        pieces.append((seg_start, seg_end, n, v))
        share = _SHARE[month_days]
        for a, b, yn, ver in pieces:
            days = (b - a).days + 1
            charged = days - _free_days(Period(a, b), free) if free else days
            if charged:
                exact_rent = add(
                    exact_rent, mul(rates[ver][yn], charged * (share if monthly else _L))
                )
            exact_fee = add(exact_fee, mul(fees[ver], days * share))
        done = seg_end == terms.end
        if done or month % cycle == 0:
            rent_now = _round_scaled(exact_rent) - billed_rent
            fee_now = _round_scaled(exact_fee) - billed_fee
            billed_rent += rent_now
            billed_fee += fee_now
            bills.append(
                BillLine(len(bills) + 1, period_start, seg_end, period_start, rent_now, fee_now)
            )
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
    changes = sorted(terms.changes, key=lambda c: c.effective_on)
    free = _merge(tuple(terms.free_rent))
    rent = fee = Fraction(0)
    day = terms.start
    while day <= terms.end:
        month_days = _days_in_month(day.year, day.month)
        rates: Terms | RateChange = terms
        for c in changes:
            if c.effective_on <= day:
                rates = c
        growth = 1 + Fraction(rates.escalation_pct) / 100
        factor = growth ** sum(1 for a in anniversaries if a <= day)
        if not any(p.start <= day <= p.end for p in free):
            if terms.rent_basis == MONTHLY_TOTAL:
                rent += Fraction(rates.rent_rate) * factor / month_days
            else:
                rent += Fraction(rates.rent_rate) * Fraction(terms.area) * factor
        fee += Fraction(rates.property_fee_rate) * Fraction(terms.area) / month_days
        day += ONE_DAY

    def fen(x: Fraction) -> Decimal:
        return Decimal(math.floor(x * 100 + Fraction(1, 2))).scaleb(-2)

    return fen(rent), fen(fee)


def rate_history(
    base: dict[str, Decimal],
    amendments: Sequence[tuple[dt.date, dict[str, Decimal]]],
) -> tuple[RateChange, ...]:
    """Fold amendments (in the order they were made; each sets some of RATE_FIELDS from
    its date on) over the original rates `base` into full rate changes: on any day, each
    rate is the one set by the last amendment made whose date is on or before that day."""
    out: list[RateChange] = []
    previous = tuple(base[f] for f in RATE_FIELDS)
    for day in sorted({d for d, _c in amendments}):
        rates = dict(base)
        for effective_on, changed in amendments:
            if effective_on <= day:
                rates.update({k: v for k, v in changed.items() if k in RATE_FIELDS})
        current = tuple(rates[f] for f in RATE_FIELDS)
        if current != previous:
            out.append(RateChange(day, *current))
            previous = current
    return tuple(out)


# --- bringing issued bills in line with a schedule -------------------------------------


@dataclass(frozen=True)
class Issued:
    """A bill already issued (rent or adjustment), as `reconcile` sees it."""

    key: Hashable
    period_start: dt.date
    period_end: dt.date
    rent: Decimal
    property_fee: Decimal
    paid: Decimal
    kind: str = RENT

    @property
    def amount(self) -> Decimal:
        return self.rent + self.property_fee


@dataclass(frozen=True)
class NewBill:
    kind: str  # RENT or ADJUSTMENT
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    rent: Decimal
    property_fee: Decimal

    @property
    def amount(self) -> Decimal:
        return self.rent + self.property_fee

    @property
    def is_credit_note(self) -> bool:
        """A negative adjustment: settled when issued by moving its amount from what was
        paid for the period to the tenant's credit."""
        return self.amount < 0


@dataclass(frozen=True)
class Rebill:
    """An issued bill's unpaid remainder lowered in place (never below what was paid)."""

    key: Hashable
    rent: Decimal
    property_fee: Decimal


@dataclass(frozen=True)
class Plan:
    withdraw: tuple[Hashable, ...] = ()  # unpaid bills to delete
    rebill: tuple[Rebill, ...] = ()
    issue: tuple[NewBill, ...] = ()

    @property
    def credit(self) -> Decimal:
        """Money paid that the new schedule no longer asks for: the tenant's credit."""
        return -sum((b.amount for b in self.issue if b.is_credit_note), ZERO)

    def __bool__(self) -> bool:
        return bool(self.withdraw or self.rebill or self.issue)


def _lower(
    bill: Issued, by: Decimal, want_rent: Decimal, want_fee: Decimal
) -> tuple[Decimal, Decimal]:
    """How much of `by` to take off the bill's rent and fee: first what the target wants
    off each (want_* ≥ 0), then whatever is left, never taking a part below zero."""
    take_rent = min(by, want_rent, max(bill.rent, ZERO))
    take_fee = min(by - take_rent, want_fee, max(bill.property_fee, ZERO))
    rest = by - take_rent - take_fee
    more_rent = min(rest, max(bill.rent, ZERO) - take_rent)
    take_rent += more_rent
    take_fee += rest - more_rent
    return take_rent, take_fee


def reconcile(schedule: Schedule, issued: Iterable[Issued], *, on: dt.date) -> Plan:
    """What to change so the issued bills of each period add up to the schedule's bill for
    it (rent and property fee separately); periods the schedule no longer has add up to
    zero. Per period whose bills differ from its target:

    - unpaid bills are withdrawn; with none paid, the schedule's bill is issued again;
    - bills with a payment stay. A shortfall is a new adjustment bill, due on the
      period's due date or `on` if later. An excess first lowers the unpaid remainder of
      those bills in place; beyond that it is a credit note (a negative adjustment) that
      moves the money overpaid to the tenant's credit.

    So after the plan a period owes max(0, target − paid) and credits max(0, paid −
    target). `issued` in the order the bills were issued (the newest are lowered first)."""
    targets = {line.period_start: line for line in schedule.bills}
    by_period: dict[dt.date, list[Issued]] = {}
    for b in issued:
        if b.kind == DEPOSIT:
            continue
        by_period.setdefault(b.period_start, []).append(b)
    withdraw: list[Hashable] = []
    rebill: list[Rebill] = []
    issue: list[NewBill] = []
    for start in sorted(set(targets) | set(by_period)):
        line = targets.get(start)
        bills = by_period.get(start, [])
        want_rent = line.rent if line else ZERO
        want_fee = line.property_fee if line else ZERO
        end = line.period_end if line else max(b.period_end for b in bills)
        due = line.due_date if line else start
        if (
            sum((b.rent for b in bills), ZERO) == want_rent
            and sum((b.property_fee for b in bills), ZERO) == want_fee
            and bills
            and all(b.period_end == end for b in bills if b.paid == 0)
        ):
            continue
        kept = [b for b in bills if b.paid != 0]
        withdraw.extend(b.key for b in bills if b.paid == 0)
        if not kept:
            if line is not None:
                issue.append(NewBill(RENT, start, end, due, want_rent, want_fee))
            continue
        gap_rent = want_rent - sum((b.rent for b in kept), ZERO)
        gap_fee = want_fee - sum((b.property_fee for b in kept), ZERO)
        excess = -(gap_rent + gap_fee)
        for b in reversed(kept):
            if excess <= 0:
                break
            open_part = b.amount - b.paid
            if b.amount <= 0 or open_part <= 0:
                continue
            by = min(excess, open_part)
            off_rent, off_fee = _lower(b, by, max(-gap_rent, ZERO), max(-gap_fee, ZERO))
            rebill.append(Rebill(b.key, b.rent - off_rent, b.property_fee - off_fee))
            gap_rent += off_rent
            gap_fee += off_fee
            excess -= by
        if gap_rent or gap_fee:
            issue.append(NewBill(ADJUSTMENT, start, end, max(due, on), gap_rent, gap_fee))
    return Plan(tuple(withdraw), tuple(rebill), tuple(issue))


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
AGEING_BUCKETS = (
    ("d0_30", 0, 30),
    ("d31_90", 31, 90),
    ("d91_180", 91, 180),
    ("over_180", 181, None),
)
