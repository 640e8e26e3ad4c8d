"""Rent schedules as pure functions: lease terms in, bills out. No ORM, no Django.

Conventions (the ones a Chinese park's leasing office uses; each lease names its own):
- Billing periods of 1 / 3 / 6 / 12 months, paid in advance, due on their first day,
  aligned either to the calendar (`CALENDAR`: natural months, quarters, half-years, years;
  the first and last periods are partial) or to the lease start (`LEASE_START`: periods
  of whole "lease months" counted from the start day; only the last may be partial).
- A "rent month" is a calendar month under calendar alignment, a lease month (from the
  start day to the day before the same day a month later) under lease-start alignment.
- Day count (`day_count`) of a 元/㎡/天 rent: `ACTUAL` charges rate × area for each day;
  `MONTHLY_365` charges a month 月租金 = 日租金 × 面积 × 365 ÷ 12, and a part of a month by
  days ÷ days in that rent month. A monthly-total rent and the property fee (元/㎡/月)
  are always monthly: a part month by days ÷ days in that rent month.
- Escalation is data: either "+p % every n lease years from lease year k" (default every
  year from year 2) or a step table (阶梯租金: from lease year k the rate is X). Lease
  year y starts on the (y − 1)-th anniversary of the start; an anniversary of 29 February
  falls on 1 March in common years.
- An amendment (`RateChange`) sets the rates in force from its date; only later steps
  apply on top of it (a step on the same day comes first, the amendment overrides it); a
  changed percentage changes only later steps. Free-rent days cost no rent; the property
  fee is still due.
- Amounts are rounded to the fen by cumulative rounding: each bill is the rounded running
  total minus the previous rounded running total, so the bills add up exactly to the
  rounded exact total (no fen lost or invented, whatever the number of periods). Because
  of that the bills before a change date or a new end are the same as before the change.
- Early termination is a shorter term: the period holding the last day is charged by
  days up to and including it.
- `reconcile` brings the bills already issued in line with a new schedule: unpaid bills
  are reissued; what has been paid is never re-billed, an adjustment bill carries the
  difference (a negative one, a credit note, moves the overpaid money to the tenant's
  credit), so the bills of every period add up to the schedule's again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
CYCLES = (1, 3, 6, 12)
PER_SQM_DAY = "sqm_day"
MONTHLY_TOTAL = "monthly"
# Day-count conventions and billing-period alignments.
ACTUAL = "actual"
MONTHLY_365 = "m365"
CALENDAR = "calendar"
LEASE_START = "lease"
# Bill kinds: a period's scheduled bill, an adjustment of a period already paid (may be
# negative: a credit note), and the deposit (not part of the schedule).
RENT = "rent"
ADJUSTMENT = "adjustment"
DEPOSIT = "deposit"
RATE_FIELDS = ("rent_rate", "property_fee_rate", "escalation_pct")
# Enough digits that every product below is exact (each escalation adds up to 4 decimal
# digits), so no rounding happens before the one to the fen.
_CTX = decimal.Context(prec=400, rounding=ROUND_HALF_UP)
# Amounts are accumulated multiplied by 12 × the least common multiple of the month
# lengths 28–31, so a day's share of a month (1/28 … 1/31, and 365/12 of it) is an exact
# integer multiple and the running totals stay exact: a total that is exactly x.xx5
# rounds up, never by luck.
_L = 377580
_M = 12 * _L
_SHARE = {n: _M // n for n in (28, 29, 30, 31)}
_SHARE_365 = {n: _L // n for n in (28, 29, 30, 31)}  # × 365 (the ÷ 12 is in _M)


@dataclass(frozen=True)
class Period:
    """Inclusive date range."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Step:
    """阶梯租金: from lease year `year` (≥ 2) the rent rate is `rate`."""

    year: int
    rate: Decimal


@dataclass(frozen=True)
class RateChange:
    """From `effective_on` on, the rates given (None: unchanged) are in force. Later
    escalation steps apply on top of them; a new percentage applies to later steps only."""

    effective_on: dt.date
    rent_rate: Decimal | None = None
    property_fee_rate: Decimal | None = None
    escalation_pct: Decimal | None = None


@dataclass(frozen=True)
class Terms:
    start: dt.date
    end: dt.date  # inclusive (the termination date for a lease ended early)
    area: Decimal  # ㎡
    rent_basis: str  # PER_SQM_DAY or MONTHLY_TOTAL
    rent_rate: Decimal  # year 1: 元/㎡/天, or 元 per month for the whole lease
    property_fee_rate: Decimal = ZERO  # 元/㎡/月
    cycle_months: int = 3
    escalation_pct: Decimal = ZERO  # e.g. Decimal("3") for +3 % a step
    free_rent: tuple[Period, ...] = ()
    # Rate changes in force from their date; on a tie the one listed last wins.
    changes: tuple[RateChange, ...] = ()
    escalation_every: int = 1  # years between percentage steps
    escalation_from: int = 2  # the first lease year that is stepped up
    steps: tuple[Step, ...] = ()  # a step table instead of the percentage
    day_count: str = ACTUAL
    alignment: str = CALENDAR


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


def steps_errors(steps: Iterable[Step]) -> str | None:
    """Why a step table is not one (years from 2 on, strictly ascending, rates ≥ 0)."""
    previous = 1
    for step in steps:
        if step.year <= 1:
            return "a step starts in lease year 2 or later"
        if step.year <= previous:
            return "step years overlap or are out of order"
        if step.rate < 0:
            return "negative rent"
        previous = step.year
    return None


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
    if terms.day_count not in (ACTUAL, MONTHLY_365):
        errors["day_count"] = "unknown day count"
    if terms.alignment not in (CALENDAR, LEASE_START):
        errors["alignment"] = "unknown alignment"
    if terms.escalation_every < 1:
        errors["escalation_every"] = "steps at least a year apart"
    if terms.escalation_from < 2:
        errors["escalation_from"] = "the first step is in lease year 2 or later"
    problem = steps_errors(terms.steps)
    if problem:
        errors["steps"] = problem
    elif terms.steps and (terms.escalation_pct or any(c.escalation_pct for c in terms.changes)):
        errors["steps"] = "a step table or a percentage, not both"
    every_rates: list[Terms | RateChange] = [terms, *terms.changes]
    for rates in every_rates:
        if rates.rent_rate is not None and rates.rent_rate < 0:
            errors["rent_rate"] = "negative rent"
        if rates.property_fee_rate is not None and rates.property_fee_rate < 0:
            errors["property_fee_rate"] = "negative property fee"
        pct = rates.escalation_pct
        if pct is not None and (pct < 0 or pct > 100):
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


def months_on(day: dt.date, months: int) -> dt.date:
    """The same day `months` later or, when that month has no such day, the first day of
    the month after (29 Feb + 12 → 1 Mar in a common year): anniversaries and lease-month
    boundaries, so a lease year or month is never a day short."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return dt.date(year, month, day.day)
    return dt.date(year, month, last) + ONE_DAY


def anniversary(start: dt.date, years: int) -> dt.date:
    """The first day of lease year `years + 1`."""
    return months_on(start, 12 * years)


def lease_year(start: dt.date, day: dt.date) -> int:
    """The lease year (1, 2, …) `day` falls in."""
    n = max(day.year - start.year - 1, 0)
    while anniversary(start, n + 1) <= day:
        n += 1
    return n + 1


def billing_periods(
    start: dt.date, end: dt.date, cycle_months: int, alignment: str = CALENDAR
) -> list[Period]:
    """The billing periods of [start, end]: natural calendar periods cut to the term (the
    first and last may be partial), or runs of `cycle_months` lease months from `start`."""
    periods: list[Period] = []
    if alignment == LEASE_START:
        i = 0
        while True:
            p_start = months_on(start, i * cycle_months)
            if p_start > end:
                return periods
            periods.append(
                Period(p_start, min(months_on(start, (i + 1) * cycle_months) - ONE_DAY, end))
            )
            i += 1
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


@dataclass(frozen=True)
class RateSpan:
    """The rates in force from `start` (until the next span): rent in the lease's basis
    (元/㎡/天 or 元/月), property fee 元/㎡/月, and the lease year."""

    start: dt.date
    rent_rate: Decimal
    property_fee_rate: Decimal
    escalation_pct: Decimal
    year: int
    reason: str  # "start", "step" (escalation or step table), "change" (amendment)


def rate_timeline(terms: Terms) -> list[RateSpan]:
    """The rates in force over the term, one span per date where they change: every
    anniversary (a lease year starts; a step may apply) and every amendment date, in
    date order; on the same day the step first, then the amendment."""
    ctx = _CTX
    steps = {s.year: s.rate for s in terms.steps}
    rent, fee, pct = terms.rent_rate, terms.property_fee_rate, terms.escalation_pct
    events: list[tuple[dt.date, int, int, RateChange | None]] = []
    n = 1
    while (day := anniversary(terms.start, n)) <= terms.end:
        events.append((day, 0, n + 1, None))
        n += 1
    for i, c in enumerate(sorted(terms.changes, key=lambda c: c.effective_on)):
        if c.effective_on <= terms.end:
            events.append((max(c.effective_on, terms.start), 1, i, c))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    year = 1
    spans = [RateSpan(terms.start, rent, fee, pct, 1, "start")]
    for day, _kind, value, change in events:
        reason = "step"
        if change is None:
            year = value
            if terms.steps:
                if year in steps:
                    rent = steps[year]
            elif (
                year >= terms.escalation_from
                and (year - terms.escalation_from) % terms.escalation_every == 0
            ):
                rent = ctx.multiply(rent, ctx.add(1, ctx.divide(pct, 100)))
        else:
            reason = "change"
            rent = rent if change.rent_rate is None else change.rent_rate
            fee = fee if change.property_fee_rate is None else change.property_fee_rate
            pct = pct if change.escalation_pct is None else change.escalation_pct
        if spans[-1].start == day:  # several events on one day: the last state counts
            reason = "change" if change is not None else spans[-1].reason
            spans[-1] = RateSpan(day, rent, fee, pct, year, reason)
        else:
            spans.append(RateSpan(day, rent, fee, pct, year, reason))
    return spans


def rate_on(terms: Terms, day: dt.date) -> RateSpan:
    """The rates in force on `day` (clamped to the term)."""
    spans = rate_timeline(terms)
    current = spans[0]
    for span in spans:
        if span.start <= day:
            current = span
    return current


def year_rates(terms: Terms) -> list[RateSpan]:
    """The rent in force at the start of each lease year (amendments included): what the
    lease form and page show before and after signing."""
    out: list[RateSpan] = []
    spans = rate_timeline(terms)
    n = 0
    while (day := anniversary(terms.start, n)) <= terms.end:
        current = spans[0]
        for span in spans:
            if span.start <= day:
                current = span
        out.append(
            RateSpan(
                day,
                current.rent_rate,
                current.property_fee_rate,
                current.escalation_pct,
                n + 1,
                current.reason,
            )
        )
        n += 1
    return out


def _free_days(segment: Period, free: tuple[Period, ...]) -> int:
    days = 0
    for p in free:
        lo = max(p.start, segment.start)
        hi = min(p.end, segment.end)
        if hi >= lo:
            days += (hi - lo).days + 1
    return days


def _round_scaled(value: Decimal) -> Decimal:
    """value / _M to the fen, half up, exactly (value ≥ 0): floor((200·v + M) / 2M)."""
    return _CTX.divide_int(_CTX.add(_CTX.multiply(value, 200), _M), 2 * _M).scaleb(-2)


def rent_months(terms: Terms) -> list[Period]:
    """The term cut into rent months (calendar or lease months), the first and last
    clipped to the term; each `Period` is the clipped part, see `_month_length`."""
    out: list[Period] = []
    if terms.alignment == LEASE_START:
        i = 0
        while (a := months_on(terms.start, i)) <= terms.end:
            out.append(Period(a, min(months_on(terms.start, i + 1) - ONE_DAY, terms.end)))
            i += 1
        return out
    day = terms.start
    while day <= terms.end:
        last = dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        out.append(Period(day, min(last, terms.end)))
        day = last + ONE_DAY
    return out


def month_length(terms: Terms, i: int, month: Period) -> int:
    """Days in the whole rent month of which `month` (the i-th) is a part."""
    if terms.alignment == LEASE_START:
        return (months_on(terms.start, i + 1) - months_on(terms.start, i)).days
    return calendar.monthrange(month.start.year, month.start.month)[1]


def build_schedule(terms: Terms) -> Schedule:
    """The bills of a lease, one per billing period, in order.

    Walks the term rent month by rent month (a billing period is a run of `cycle_months`
    of them, cut at the term's ends), splitting a month where the rates change."""
    errors = terms_errors(terms)
    if errors:
        raise TermsError(errors)
    ctx = _CTX
    mul, add = ctx.multiply, ctx.add
    spans = rate_timeline(terms)
    monthly = terms.rent_basis == MONTHLY_TOTAL
    m365 = not monthly and terms.day_count == MONTHLY_365
    # Free-rent periods clipped to the term and merged, so a day is never free twice.
    free = _merge(
        tuple(
            Period(max(p.start, terms.start), min(p.end, terms.end))
            for p in terms.free_rent
            if p.end >= terms.start and p.start <= terms.end
        )
    )
    cycle = terms.cycle_months
    lease_aligned = terms.alignment == LEASE_START

    bills: list[BillLine] = []
    exact_rent = exact_fee = ZERO
    billed_rent = billed_fee = ZERO
    period_start = terms.start
    sp = 0  # index of the span in force at the cursor
    months = rent_months(terms)
    for i, month in enumerate(months):
        length = month_length(terms, i, month)
        share = _SHARE[length]
        seg_start = month.start
        while True:
            while sp + 1 < len(spans) and spans[sp + 1].start <= seg_start:
                sp += 1
            nxt = spans[sp + 1].start if sp + 1 < len(spans) else None
            seg_end = month.end if nxt is None or nxt > month.end else nxt - ONE_DAY
            span = spans[sp]
            days = (seg_end - seg_start).days + 1
            charged = days - _free_days(Period(seg_start, seg_end), free) if free else days
            if charged:
                if monthly:
                    unit, factor = span.rent_rate, share
                elif m365:
                    unit = mul(mul(span.rent_rate, terms.area), 365)
                    factor = _SHARE_365[length]
                else:
                    unit, factor = mul(span.rent_rate, terms.area), _M
                exact_rent = add(exact_rent, mul(unit, charged * factor))
            exact_fee = add(exact_fee, mul(mul(span.property_fee_rate, terms.area), days * share))
            if seg_end == month.end:
                break
            seg_start = seg_end + ONE_DAY
        done = i == len(months) - 1
        closes = (i + 1) % cycle == 0 if lease_aligned else month.end.month % cycle == 0
        if done or closes:
            rent_now = _round_scaled(exact_rent) - billed_rent
            fee_now = _round_scaled(exact_fee) - billed_fee
            billed_rent += rent_now
            billed_fee += fee_now
            bills.append(
                BillLine(len(bills) + 1, period_start, month.end, period_start, rent_now, fee_now)
            )
            period_start = month.end + ONE_DAY
    return Schedule(tuple(bills), billed_rent, billed_fee)


def _merge(periods: tuple[Period, ...]) -> tuple[Period, ...]:
    out: list[Period] = []
    for p in sorted(periods, key=lambda p: p.start):
        if out and p.start <= out[-1].end + ONE_DAY:
            last = out[-1]
            out[-1] = Period(last.start, max(last.end, p.end))
        else:
            out.append(p)
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
