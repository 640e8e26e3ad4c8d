"""The rent schedule: pure functions, exact to the fen."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oasis.leasing.schedule import (
    ADJUSTMENT,
    LEASE_START,
    MONTHLY_365,
    MONTHLY_TOTAL,
    PER_SQM_DAY,
    ZERO,
    Issued,
    NewBill,
    Period,
    RateChange,
    Rebill,
    Step,
    Terms,
    TermsError,
    add_months,
    billing_periods,
    build_schedule,
    reconcile,
)
from oasis.leasing.tests.oracle import oracle_totals as exact_totals

D = Decimal


def test_quarterly_calendar_periods_partial_first_and_last():
    periods = billing_periods(dt.date(2026, 2, 10), dt.date(2026, 11, 5), 3)
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2026, 2, 10), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 1), dt.date(2026, 11, 5)),
    ]


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_per_sqm_day_by_days_with_due_dates_in_advance():
    s = build_schedule(
        Terms(
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 6, 30),
            area=D("100"),
            rent_basis=PER_SQM_DAY,
            rent_rate=D("1.5"),
            property_fee_rate=D("6"),
            cycle_months=3,
        )
    )
    assert [(b.period_start, b.due_date, b.rent, b.property_fee) for b in s.bills] == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), D("13500.00"), D("1800.00")),  # 90 days × 150
        (dt.date(2026, 4, 1), dt.date(2026, 4, 1), D("13650.00"), D("1800.00")),  # 91 days
    ]
    assert s.total == D("30750.00")


def test_monthly_total_partial_month_by_days_and_free_rent():
    s = build_schedule(
        Terms(
            start=dt.date(2026, 1, 17),
            end=dt.date(2026, 4, 30),
            area=D("200"),
            rent_basis=MONTHLY_TOTAL,
            rent_rate=D("31000"),
            cycle_months=1,
            free_rent=(Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),),
        )
    )
    assert [b.rent for b in s.bills] == [D("15000.00"), D("0.00"), D("31000.00"), D("31000.00")]


def test_escalation_on_each_anniversary_mid_period():
    s = build_schedule(
        Terms(
            start=dt.date(2026, 2, 1),
            end=dt.date(2028, 1, 31),
            area=D("10"),
            rent_basis=PER_SQM_DAY,
            rent_rate=D("1"),
            cycle_months=12,
            escalation_pct=D("10"),
        )
    )
    # 2026: 334 days at 10/day; 2027: 31 days at 10 then 334 at 11; 2028: 31 days at 11.
    assert [b.rent for b in s.bills] == [D("3340.00"), D("3984.00"), D("341.00")]


def test_bad_terms_are_refused():
    with pytest.raises(TermsError) as exc:
        build_schedule(
            Terms(
                start=dt.date(2026, 2, 1),
                end=dt.date(2026, 1, 1),
                area=D("10"),
                rent_basis=PER_SQM_DAY,
                rent_rate=D("-1"),
            )
        )
    assert set(exc.value.args[0]) == {"end_date", "rent_rate"}


@st.composite
def terms(draw):
    start = draw(st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(0, 5 * 366)))
    basis = draw(st.sampled_from([PER_SQM_DAY, MONTHLY_TOTAL]))
    rate = D(draw(st.integers(0, 5_000_000))) / (10000 if basis == PER_SQM_DAY else 100)
    free = ()
    if draw(st.booleans()):
        fs = start + dt.timedelta(days=draw(st.integers(0, (end - start).days)))
        fe = min(end, fs + dt.timedelta(days=draw(st.integers(0, 120))))
        free = (Period(fs, fe),)
    return Terms(
        start=start,
        end=end,
        area=D(draw(st.integers(1, 10_000_000))) / 100,
        rent_basis=basis,
        rent_rate=rate,
        property_fee_rate=D(draw(st.integers(0, 3000))) / 100,
        cycle_months=draw(st.sampled_from([1, 3, 6, 12])),
        escalation_pct=D(draw(st.integers(0, 1500))) / 100,
        free_rent=free,
    )


@settings(max_examples=150, deadline=None)
@given(terms())
# Found by hypothesis: June 2024 is 17.45 × 27/30 = 15.705 exactly, a tie that rounds up.
@example(
    Terms(
        start=dt.date(2024, 6, 4),
        end=dt.date(2025, 3, 31),
        area=D("0.01"),
        rent_basis=MONTHLY_TOTAL,
        rent_rate=D("17.45"),
        cycle_months=1,
    )
)
def test_schedule_reconciles_to_the_fen(t):
    s = build_schedule(t)
    # Periods tile the term exactly, in order, each due on its first day.
    assert s.bills[0].period_start == t.start and s.bills[-1].period_end == t.end
    for a, b in zip(s.bills, s.bills[1:]):
        assert b.period_start == a.period_end + dt.timedelta(days=1)
    assert all(b.due_date == b.period_start for b in s.bills)
    # Every amount is whole fen and never negative; bills add up to the rounded exact total.
    assert all(
        b.rent >= 0 and b.property_fee >= 0 and b.rent == b.rent.quantize(D("0.01"))
        for b in s.bills
    )
    assert sum(b.rent for b in s.bills) == s.rent_total
    assert sum(b.property_fee for b in s.bills) == s.property_fee_total
    assert (s.rent_total, s.property_fee_total) == exact_totals(t)


# --- amendments, early termination and reconciling issued bills ------------------------

Q = dict(
    start=dt.date(2026, 1, 1),
    end=dt.date(2027, 12, 31),
    area=D("500"),
    rent_basis=PER_SQM_DAY,
    rent_rate=D("1.2"),
    property_fee_rate=D("5"),
    cycle_months=3,
    escalation_pct=D("3"),
)


def test_termination_bills_the_last_period_by_days_up_to_and_including_the_day():
    full = build_schedule(Terms(**Q))
    short = build_schedule(Terms(**{**Q, "end": dt.date(2026, 5, 20)}))
    assert short.bills[0] == full.bills[0]
    # Q2 to 20 May: 50 days × 600 = 30,000 rent; April 2,500 + 20/31 of May's 2,500 = 1,612.90 fee.
    last = short.bills[-1]
    assert (last.period_start, last.period_end, last.rent, last.property_fee) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 20),
        D("30000.00"),
        D("4112.90"),
    )
    assert short.total == D("61500.00") + D("34112.90") == sum(b.amount for b in short.bills)


def test_a_rate_change_applies_from_its_day_and_later_anniversaries_step_it_up():
    s = build_schedule(
        Terms(**Q, changes=(RateChange(dt.date(2026, 5, 16), D("1.0"), D("6"), D("3")),))
    )
    q2 = s.bills[1]
    # 1 Apr–15 May: 45 d × 600; 16 May–30 Jun: 46 d × 500. Fee: April 2,500, May 15/31 × 2,500
    # + 16/31 × 3,000, June 3,000.
    assert q2.rent == D("50000.00")
    assert q2.property_fee == D("8258.06")  # 2,500 + 85,500 / 31 + 3,000 = 8,258.0645…
    assert s.bills[0] == build_schedule(Terms(**Q)).bills[0]  # before the change: as issued
    # Year 2 (from 1 Jan 2027) steps the new rate up: 500 × 1.03 = 515 a day.
    assert s.bills[4].rent == D(515 * 90)


def test_an_amendment_sets_the_rate_in_force_and_later_steps_apply_on_top():
    # 2.00 元/㎡/天 +5 % a year; amended to 2.50 on 1 Jan 2028 (the start of year 3).
    t = Terms(
        start=dt.date(2026, 1, 1),
        end=dt.date(2029, 12, 31),
        area=D("1000"),
        rent_basis=PER_SQM_DAY,
        rent_rate=D("2.00"),
        cycle_months=12,
        escalation_pct=D("5"),
        changes=(RateChange(dt.date(2028, 1, 1), rent_rate=D("2.50")),),
    )
    # Year 1: 2.00 × 1000 × 365 = 730,000; year 2: 2.10 × 1000 × 365 = 766,500;
    # year 3 (2028 has 29 Feb): 2.50 × 1000 × 366 = 915,000; year 4: 2.625 × 365,000 = 958,125.
    assert [b.rent for b in build_schedule(t).bills] == [
        D("730000.00"),
        D("766500.00"),
        D("915000.00"),
        D("958125.00"),
    ]
    # Lowering 5 % to 3 % in year 4 changes later steps only: the rent never falls.
    t2 = replace(
        t,
        end=dt.date(2030, 12, 31),
        changes=(*t.changes, RateChange(dt.date(2029, 6, 1), escalation_pct=D("3"))),
    )
    # Year 4 stays 958,125; year 5: 2.625 × 1.03 = 2.70375 × 365,000 = 986,868.75.
    assert [b.rent for b in build_schedule(t2).bills][3:] == [D("958125.00"), D("986868.75")]


def test_escalation_from_year_3_every_two_years_and_a_step_table():
    base = dict(
        start=dt.date(2026, 1, 1),
        end=dt.date(2030, 12, 31),
        area=D("100"),
        rent_basis=PER_SQM_DAY,
        rent_rate=D("1"),
        cycle_months=12,
    )
    pct = build_schedule(
        Terms(**base, escalation_pct=D("10"), escalation_every=2, escalation_from=3)
    )
    # Years 1–2 at 100 a day, years 3–4 at 110, year 5 at 121 (2028 has 366 days).
    assert [b.rent for b in pct.bills] == [
        D("36500.00"),
        D("36500.00"),
        D("40260.00"),
        D("40150.00"),
        D("44165.00"),
    ]
    table = build_schedule(Terms(**base, steps=(Step(3, D("1.2")), Step(5, D("1.5")))))
    assert [b.rent for b in table.bills] == [
        D("36500.00"),
        D("36500.00"),
        D("43920.00"),
        D("43800.00"),
        D("54750.00"),
    ]
    for bad in (
        (Step(3, D("1")), Step(3, D("2"))),
        (Step(4, D("1")), Step(3, D("2"))),
        (Step(1, D("1")),),
    ):
        with pytest.raises(TermsError) as exc:
            build_schedule(Terms(**base, steps=bad))
        assert "steps" in exc.value.args[0]


def test_a_29_february_start_steps_up_on_1_march_in_common_years():
    t = Terms(
        start=dt.date(2028, 2, 29),
        end=dt.date(2029, 3, 31),
        area=D("100"),
        rent_basis=PER_SQM_DAY,
        rent_rate=D("1"),
        cycle_months=1,
        escalation_pct=D("10"),
    )
    bills = build_schedule(t).bills
    # February 2029: all 28 days still year 1 (100 a day); March 2029: 31 days at 110.
    assert bills[-2].period_start == dt.date(2029, 2, 1) and bills[-2].rent == D("2800.00")
    assert bills[-1].rent == D("3410.00")


def test_the_365_over_12_convention_and_lease_start_periods():
    t = Terms(
        start=dt.date(2026, 1, 15),
        end=dt.date(2026, 4, 30),
        area=D("100"),
        rent_basis=PER_SQM_DAY,
        rent_rate=D("2"),
        property_fee_rate=D("6"),
        cycle_months=1,
        day_count=MONTHLY_365,
        alignment=LEASE_START,
    )
    bills = build_schedule(t).bills
    # 月租金 = 2 × 100 × 365 ÷ 12 = 6,083.333…; lease months 15 Jan–14 Feb, 15 Feb–14 Mar,
    # 15 Mar–14 Apr: 6,083.33, then 6,083.34 (cumulative rounding: 12,166.67), 6,083.33;
    # 15–30 Apr is 16 days of a 30-day lease month: 6,083.333… × 16/30 = 3,244.44.
    assert [(b.period_start, b.period_end) for b in bills] == [
        (dt.date(2026, 1, 15), dt.date(2026, 2, 14)),
        (dt.date(2026, 2, 15), dt.date(2026, 3, 14)),
        (dt.date(2026, 3, 15), dt.date(2026, 4, 14)),
        (dt.date(2026, 4, 15), dt.date(2026, 4, 30)),
    ]
    assert [b.rent for b in bills] == [D("6083.33"), D("6083.34"), D("6083.33"), D("3244.44")]
    assert [b.property_fee for b in bills] == [D("600.00"), D("600.00"), D("600.00"), D("320.00")]


def _issued(schedule, paid):
    return [
        Issued(i, b.period_start, b.period_end, b.rent, b.property_fee, p)
        for i, (b, p) in enumerate(zip(schedule.bills, paid))
    ]


def test_reconcile_partly_paid_period_lowers_the_unpaid_part_then_credits():
    full = build_schedule(Terms(**Q))
    short = build_schedule(Terms(**{**Q, "end": dt.date(2026, 2, 14)}))
    # Q1 (61,500) has 40,000 paid; the term now ends 14 Feb: 45 d × 600 + 2,500 + 14/28 × 2,500 = 30,750.
    plan = reconcile(short, _issued(full, [D("40000")] + [ZERO] * 7), on=dt.date(2026, 3, 15))
    assert plan.withdraw == tuple(range(1, 8))
    assert plan.rebill == (
        Rebill(0, D("32500.00"), D("7500.00")),
    )  # the unpaid 21,500 is no longer asked for
    assert plan.issue == (
        NewBill(
            ADJUSTMENT,
            dt.date(2026, 1, 1),
            dt.date(2026, 2, 14),
            dt.date(2026, 3, 15),
            D("-5500.00"),
            D("-3750.00"),
        ),
    )
    assert plan.credit == D("9250.00")  # 40,000 paid − 30,750 owed


def _apply(bills, plan):
    """The plan applied to (key → Issued) the way the service does; returns the credit."""
    for key in plan.withdraw:
        assert bills[key].paid == 0
        del bills[key]
    for r in plan.rebill:
        b = bills[r.key]
        assert (
            r.rent + r.property_fee >= b.paid
            and r.rent <= b.rent
            and r.property_fee <= b.property_fee
        )
        bills[r.key] = Issued(
            r.key, b.period_start, b.period_end, r.rent, r.property_fee, b.paid, b.kind
        )
    for n in plan.issue:
        key = ("new", len(bills), n.period_start, n.kind, object())
        bills[key] = Issued(
            key,
            n.period_start,
            n.period_end,
            n.rent,
            n.property_fee,
            n.amount if n.is_credit_note else ZERO,
            n.kind,
        )
    return plan.credit


@st.composite
def lease_events(draw):
    """Terms, then up to three amendments or a termination, with payments in between."""
    t = draw(terms())
    events = []
    for _ in range(draw(st.integers(1, 3))):
        span = (t.end - t.start).days
        if draw(st.booleans()) and span > 0:
            events.append(
                ("terminate", t.start + dt.timedelta(days=draw(st.integers(0, span - 1))))
            )
            break
        day = t.start + dt.timedelta(days=draw(st.integers(0, span)))
        events.append(
            (
                "amend",
                RateChange(
                    day,
                    D(draw(st.integers(0, 5_000_000)))
                    / (10000 if t.rent_basis == PER_SQM_DAY else 100),
                    D(draw(st.integers(0, 3000))) / 100,
                    D(draw(st.integers(0, 1500))) / 100,
                ),
            )
        )
    return t, events, draw(st.randoms(use_true_random=False))


@settings(max_examples=150, deadline=None)
@given(lease_events())
def test_after_any_amendments_and_termination_the_bills_add_up_to_the_schedule(case):
    t, events, rnd = case
    bills = {}
    _apply(bills, reconcile(build_schedule(t), [], on=t.start))
    credit = ZERO
    for kind, what in events:
        # The tenant pays some bills in full and some in part.
        for key, b in list(bills.items()):
            if b.amount > b.paid and rnd.random() < 0.5:
                part = (
                    b.amount - b.paid
                    if rnd.random() < 0.6
                    else (b.amount - b.paid) * rnd.randint(1, 99) // 100
                )
                bills[key] = Issued(
                    key, b.period_start, b.period_end, b.rent, b.property_fee, b.paid + part, b.kind
                )
        paid_before = {}
        for b in bills.values():
            paid_before[b.period_start] = paid_before.get(b.period_start, ZERO) + b.paid
        t = replace(t, end=what) if kind == "terminate" else replace(t, changes=(*t.changes, what))
        target = build_schedule(t)
        plan = reconcile(
            target, sorted(bills.values(), key=lambda b: str(b.key)), on=dt.date(2027, 1, 1)
        )
        credit += _apply(bills, plan)
        # Every period: the bills add up to the schedule's bill, rent and fee apart; the
        # tenant owes max(0, target − paid) and holds max(0, paid − target) as credit.
        lines = {line.period_start: line for line in target.bills}
        periods: dict[dt.date, list[Issued]] = {}
        for b in bills.values():
            periods.setdefault(b.period_start, []).append(b)
            assert b.kind == ADJUSTMENT or (b.rent >= 0 and b.property_fee >= 0)
            assert (0 <= b.paid <= b.amount) if b.amount >= 0 else (b.amount == b.paid)
        assert set(lines) <= set(periods)
        for start, group in periods.items():
            line = lines.get(start)
            assert sum(b.rent for b in group) == (line.rent if line else ZERO)
            assert sum(b.property_fee for b in group) == (line.property_fee if line else ZERO)
            owed = sum(b.amount - b.paid for b in group)
            want = line.amount if line else ZERO
            assert owed == max(ZERO, want - paid_before.get(start, ZERO))
        # The whole lease: exactly the schedule total of the effective terms, to the fen,
        # which is the day-by-day oracle's.
        assert sum(b.rent for b in bills.values()) == target.rent_total
        assert sum(b.property_fee for b in bills.values()) == target.property_fee_total
        assert (target.rent_total, target.property_fee_total) == exact_totals(t)
        # A second pass changes nothing.
        assert not reconcile(target, list(bills.values()), on=dt.date(2027, 1, 1))
