"""Every schedule held to the day-by-day oracle (tests/oracle.py), bill by bill: steps,
step tables, amendments, both day counts, both alignments, 29 February."""

import datetime as dt
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from oasis.leasing import schedule as s
from oasis.leasing.tests.oracle import oracle_bills

D = Decimal


@st.composite
def terms(draw):
    start = draw(
        st.one_of(
            st.dates(dt.date(2023, 1, 1), dt.date(2029, 12, 31)),
            st.sampled_from([dt.date(2024, 2, 29), dt.date(2028, 2, 29), dt.date(2025, 1, 31)]),
        )
    )
    end = start + dt.timedelta(days=draw(st.integers(0, 365 * 6)))
    span = (end - start).days
    monthly = draw(st.booleans())
    use_steps = draw(st.booleans())
    steps = ()
    if use_steps:
        years = sorted(draw(st.sets(st.integers(2, 7), max_size=4)))
        steps = tuple(s.Step(y, D(draw(st.integers(0, 90000))) / 10000) for y in years)
    changes = []
    for _i in range(draw(st.integers(0, 3))):
        day = start + dt.timedelta(days=draw(st.integers(0, span)))
        changes.append(
            s.RateChange(
                day,
                draw(st.none() | st.integers(0, 90000).map(lambda n: D(n) / 10000)),
                draw(st.none() | st.integers(0, 3000).map(lambda n: D(n) / 100)),
                None
                if use_steps
                else draw(st.none() | st.integers(0, 2000).map(lambda n: D(n) / 100)),
            )
        )
    free = ()
    if draw(st.booleans()):
        a = start + dt.timedelta(days=draw(st.integers(0, span)))
        free = (s.Period(a, min(end, a + dt.timedelta(days=draw(st.integers(0, 120))))),)
    return s.Terms(
        start=start,
        end=end,
        area=D(draw(st.integers(1, 500000))) / 100,
        rent_basis=s.MONTHLY_TOTAL if monthly else s.PER_SQM_DAY,
        rent_rate=D(draw(st.integers(0, 90000))) / (100 if monthly else 10000),
        property_fee_rate=D(draw(st.integers(0, 3000))) / 100,
        cycle_months=draw(st.sampled_from(s.CYCLES)),
        escalation_pct=D(0) if use_steps else D(draw(st.integers(0, 1500))) / 100,
        escalation_every=draw(st.integers(1, 3)),
        escalation_from=draw(st.integers(2, 4)),
        steps=steps,
        free_rent=free,
        changes=tuple(changes),
        day_count=draw(st.sampled_from([s.ACTUAL, s.MONTHLY_365])),
        alignment=draw(st.sampled_from([s.CALENDAR, s.LEASE_START])),
    )


LEAP = s.Terms(
    start=dt.date(2028, 2, 29),
    end=dt.date(2031, 3, 5),
    area=D("1000"),
    rent_basis=s.PER_SQM_DAY,
    rent_rate=D("2"),
    cycle_months=1,
    escalation_pct=D("5"),
)


@settings(max_examples=200, deadline=None)
@given(terms())
@example(LEAP)
@example(s.Terms(**{**LEAP.__dict__, "alignment": s.LEASE_START, "day_count": s.MONTHLY_365}))
def test_every_bill_matches_the_day_by_day_oracle(t):
    got = [
        (b.period_start, b.period_end, b.rent, b.property_fee) for b in s.build_schedule(t).bills
    ]
    assert got == oracle_bills(t)
    for b in s.build_schedule(t).bills:
        assert b.due_date == b.period_start


def test_the_oracle_itself_on_figures_worked_by_hand():
    # 100 ㎡ at 1.5 元/㎡/天 for 28 Feb – 1 Mar 2028 (leap: 3 days), +10 % from year 2:
    # 3 × 150 = 450; property fee 6 元/㎡/月: 600 × (2/29 + 1/31) = 41.3793… + 19.3548… = 60.73.
    t = s.Terms(
        start=dt.date(2028, 2, 28),
        end=dt.date(2028, 3, 1),
        area=D("100"),
        rent_basis=s.PER_SQM_DAY,
        rent_rate=D("1.5"),
        property_fee_rate=D("6"),
        cycle_months=3,
        escalation_pct=D("10"),
    )
    assert oracle_bills(t) == [(dt.date(2028, 2, 28), dt.date(2028, 3, 1), D("450.00"), D("60.73"))]


@settings(max_examples=200, deadline=None)
@given(terms(), st.data())
def test_the_rate_in_force_matches_the_oracle_on_any_day(t, data):
    """What the lease page shows as today's rate and what a renewal starts from (the rate
    in force on the last day) is the oracle's rate of that day."""
    from oasis.leasing.tests.oracle import fee_on, rent_on

    day = t.start + dt.timedelta(days=data.draw(st.integers(0, (t.end - t.start).days)))
    for d in (day, t.end):
        span = s.rate_on(t, d)
        assert (span.rent_rate, span.property_fee_rate) == (rent_on(t, d), fee_on(t, d))


@settings(max_examples=100, deadline=None)
@given(terms(), st.integers(1, 3 * 365))
def test_a_renewal_on_the_old_terms_continues_from_the_rate_in_force(t, days):
    """The successor (start the day after the end, rates in force at the end, the same
    rule) is billed by the oracle's rules, and its first day costs what the old lease's
    last day cost (nothing restarts at the year-1 rate)."""
    at_end = s.rate_on(t, t.end)
    new = s.Terms(
        start=t.end + dt.timedelta(days=1),
        end=t.end + dt.timedelta(days=days),
        area=t.area,
        rent_basis=t.rent_basis,
        rent_rate=at_end.rent_rate,
        property_fee_rate=at_end.property_fee_rate,
        cycle_months=t.cycle_months,
        escalation_pct=at_end.escalation_pct if not t.steps else D(0),
        escalation_every=t.escalation_every,
        escalation_from=t.escalation_from,
        day_count=t.day_count,
        alignment=t.alignment,
    )
    got = [
        (b.period_start, b.period_end, b.rent, b.property_fee) for b in s.build_schedule(new).bills
    ]
    assert got == oracle_bills(new)
    assert s.rate_on(new, new.start).rent_rate == at_end.rent_rate
