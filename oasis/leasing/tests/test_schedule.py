"""The rent schedule: pure functions, exact to the fen."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oasis.leasing.schedule import (
    MONTHLY_TOTAL,
    PER_SQM_DAY,
    Period,
    Terms,
    TermsError,
    add_months,
    billing_periods,
    build_schedule,
    exact_totals,
)

D = Decimal


def test_quarterly_calendar_periods_partial_first_and_last():
    periods = billing_periods(dt.date(2026, 2, 10), dt.date(2026, 11, 5), 3)
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2026, 2, 10), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), (dt.date(2026, 10, 1), dt.date(2026, 11, 5)),
    ]


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_per_sqm_day_by_days_with_due_dates_in_advance():
    s = build_schedule(Terms(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30), area=D("100"),
                             rent_basis=PER_SQM_DAY, rent_rate=D("1.5"), property_fee_rate=D("6"), cycle_months=3))
    assert [(b.period_start, b.due_date, b.rent, b.property_fee) for b in s.bills] == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), D("13500.00"), D("1800.00")),  # 90 days × 150
        (dt.date(2026, 4, 1), dt.date(2026, 4, 1), D("13650.00"), D("1800.00")),  # 91 days
    ]
    assert s.total == D("30750.00")


def test_monthly_total_partial_month_by_days_and_free_rent():
    s = build_schedule(Terms(start=dt.date(2026, 1, 17), end=dt.date(2026, 4, 30), area=D("200"),
                             rent_basis=MONTHLY_TOTAL, rent_rate=D("31000"), cycle_months=1,
                             free_rent=(Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),)))
    assert [b.rent for b in s.bills] == [D("15000.00"), D("0.00"), D("31000.00"), D("31000.00")]


def test_escalation_on_each_anniversary_mid_period():
    s = build_schedule(Terms(start=dt.date(2026, 2, 1), end=dt.date(2028, 1, 31), area=D("10"),
                             rent_basis=PER_SQM_DAY, rent_rate=D("1"), cycle_months=12, escalation_pct=D("10")))
    # 2026: 334 days at 10/day; 2027: 31 days at 10 then 334 at 11; 2028: 31 days at 11.
    assert [b.rent for b in s.bills] == [D("3340.00"), D("3984.00"), D("341.00")]


def test_bad_terms_are_refused():
    with pytest.raises(TermsError) as exc:
        build_schedule(Terms(start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1), area=D("10"),
                             rent_basis=PER_SQM_DAY, rent_rate=D("-1")))
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
    return Terms(start=start, end=end, area=D(draw(st.integers(1, 10_000_000))) / 100, rent_basis=basis, rent_rate=rate,
                 property_fee_rate=D(draw(st.integers(0, 3000))) / 100, cycle_months=draw(st.sampled_from([1, 3, 6, 12])),
                 escalation_pct=D(draw(st.integers(0, 1500))) / 100, free_rent=free)


@settings(max_examples=150, deadline=None)
@given(terms())
# Found by hypothesis: June 2024 is 17.45 × 27/30 = 15.705 exactly, a tie that rounds up.
@example(Terms(start=dt.date(2024, 6, 4), end=dt.date(2025, 3, 31), area=D("0.01"), rent_basis=MONTHLY_TOTAL,
               rent_rate=D("17.45"), cycle_months=1))
def test_schedule_reconciles_to_the_fen(t):
    s = build_schedule(t)
    # Periods tile the term exactly, in order, each due on its first day.
    assert s.bills[0].period_start == t.start and s.bills[-1].period_end == t.end
    for a, b in zip(s.bills, s.bills[1:]):
        assert b.period_start == a.period_end + dt.timedelta(days=1)
    assert all(b.due_date == b.period_start for b in s.bills)
    # Every amount is whole fen and never negative; bills add up to the rounded exact total.
    assert all(b.rent >= 0 and b.property_fee >= 0 and b.rent == b.rent.quantize(D("0.01")) for b in s.bills)
    assert sum(b.rent for b in s.bills) == s.rent_total
    assert sum(b.property_fee for b in s.bills) == s.property_fee_total
    assert (s.rent_total, s.property_fee_total) == exact_totals(t)
