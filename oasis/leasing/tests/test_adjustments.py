"""Early termination, amendments of paid periods, and the deposit: the bills always add
up to the schedule of the effective terms, and money paid is never lost.

The lease fixture: 1 Jan 2026 – 31 Dec 2027, 500 ㎡ at 1.2 元/㎡/天 (600 a day), property
fee 5 元/㎡/月 (2,500 a month), 3 % a year, quarterly, deposit 30,000. Today is 15 March 2026.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from oasis.core.models import AuditEntry
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.leasing import schedule, selectors, services
from oasis.leasing.models import Bill, CreditRefund, DepositRefund, Payment, PaymentAllocation

from .conftest import TODAY, lease_data
from .oracle import oracle_totals

D = Decimal
API = "/api/v1/leasing"


def rent_bills(lease):
    """(kind, period, rent, fee, paid) of the schedule's bills, deposit left out."""
    return [
        (b.kind, b.period_start, b.period_end, b.rent, b.property_fee, b.paid)
        for b in lease.bills.exclude(kind="deposit").order_by("period_start", "seq")
    ]


def billed(lease):
    lease.refresh_from_db()
    return sum(b.amount for b in lease.bills.exclude(kind="deposit"))


def assert_money_kept(lease):
    """Every payment is exactly its allocations plus its credit; every bill's paid is its
    allocations; the cached figures survive a rebuild."""
    refunded: dict[str, Decimal] = {}
    for r in CreditRefund.objects.filter(lease=lease):
        for pk, part in r.parts.items():
            refunded[pk] = refunded.get(pk, D(0)) + D(part)
    for p in Payment.objects.filter(lease=lease):
        allocated = sum(a.amount for a in p.allocations.all())
        assert allocated + p.unallocated + refunded.get(str(p.pk), 0) == p.amount
    for b in lease.bills.all():
        assert sum(a.amount for a in b.allocations.all()) == b.paid
    before = list(lease.bills.order_by("pk").values_list("pk", "paid"))
    services.receivables_rebuild(park_id=lease.park_id)
    assert list(lease.bills.order_by("pk").values_list("pk", "paid")) == before


# --- 1. early termination -------------------------------------------------------------


def test_termination_rebills_the_last_period_by_days(lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="企业迁出")
    # 1 Jan–14 Feb: 45 d × 600 = 27,000; fee 2,500 for January + 14/28 × 2,500 = 3,750.
    assert rent_bills(lease) == [
        ("rent", dt.date(2026, 1, 1), dt.date(2026, 2, 14), D("27000.00"), D("3750.00"), D("0.00"))
    ]
    assert (
        billed(lease)
        == D("30750.00")
        == services.schedule.build_schedule(services.lease_terms(lease)).total
    )
    assert selectors.lease_balance(lease=lease)["credit"] == D("0.00")


def test_termination_of_paid_periods_turns_the_overpayment_into_credit(lease, staff):
    services.payment_record(actor=staff, lease=lease, amount=D("61500"), paid_on=TODAY)  # Q1
    services.payment_record(
        actor=staff, lease=lease, amount=D("62100"), paid_on=TODAY, allow_prepayment=True
    )  # Q2
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="企业迁出")
    assert rent_bills(lease) == [
        (
            "rent",
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
            D("54000.00"),
            D("7500.00"),
            D("61500.00"),
        ),
        # Q1 is re-billed by days with a credit note, settled at once.
        (
            "adjustment",
            dt.date(2026, 1, 1),
            dt.date(2026, 2, 14),
            D("-27000.00"),
            D("-3750.00"),
            D("-30750.00"),
        ),
        # Q2 was prepaid: it is after the last day, so all of it comes back.
        (
            "rent",
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
            D("54600.00"),
            D("7500.00"),
            D("62100.00"),
        ),
        (
            "adjustment",
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
            D("-54600.00"),
            D("-7500.00"),
            D("-62100.00"),
        ),
    ]
    assert billed(lease) == D("30750.00")
    balance = selectors.lease_balance(lease=lease)
    assert (balance["billed"], balance["received"], balance["credit"]) == (
        D("30750.00"),
        D("30750.00"),
        D("92850.00"),
    )
    assert [p.unallocated for p in Payment.objects.order_by("pk")] == [D("30750.00"), D("62100.00")]
    assert AuditEntry.objects.filter(model="leasing.bill").count() == 2  # the two credit notes
    assert_money_kept(lease)


def test_termination_of_a_partly_paid_period_lowers_what_is_unpaid_first(lease, staff):
    services.payment_record(actor=staff, lease=lease, amount=D("40000"), paid_on=TODAY)
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="企业迁出")
    # Owed for the days let: 30,750; paid 40,000. The 21,500 still open on Q1 is no longer
    # asked for, and the 9,250 paid beyond the 30,750 is credit.
    assert rent_bills(lease) == [
        (
            "rent",
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
            D("32500.00"),
            D("7500.00"),
            D("40000.00"),
        ),
        (
            "adjustment",
            dt.date(2026, 1, 1),
            dt.date(2026, 2, 14),
            D("-5500.00"),
            D("-3750.00"),
            D("-9250.00"),
        ),
    ]
    assert selectors.lease_balance(lease=lease)["credit"] == D("9250.00")
    assert_money_kept(lease)


# --- 3. amendments of paid periods ----------------------------------------------------


def test_rent_cut_on_a_paid_period_issues_a_credit_note(lease, staff):
    services.payment_record(
        actor=staff, lease=lease, amount=D("123600"), paid_on=TODAY, allow_prepayment=True
    )  # Q1+Q2
    services.lease_amend(
        actor=staff,
        lease=lease,
        data={"rent_rate": D("1.0")},
        effective_on=dt.date(2026, 5, 16),
        reason="降租",
    )
    rows = rent_bills(lease)
    # Q2: 1 Apr–15 May 45 d × 600 + 16 May–30 Jun 46 d × 500 = 50,000 instead of 54,600.
    assert rows[1:3] == [
        (
            "rent",
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
            D("54600.00"),
            D("7500.00"),
            D("62100.00"),
        ),
        (
            "adjustment",
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
            D("-4600.00"),
            D("0.00"),
            D("-4600.00"),
        ),
    ]
    # Unpaid Q3 is simply reissued at the new rate: 92 d × 500.
    assert rows[3] == (
        "rent",
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        D("46000.00"),
        D("7500.00"),
        D("0.00"),
    )
    assert selectors.lease_balance(lease=lease)["credit"] == D("4600.00")
    lease.refresh_from_db()
    terms = services.lease_terms(lease)
    # The lease row keeps the rent as signed; the amendment holds the rate in force.
    assert lease.rent_rate == D("1.2000")
    assert terms.changes == (schedule.RateChange(dt.date(2026, 5, 16), rent_rate=D("1.0")),)
    assert billed(lease) == sum(oracle_totals(terms))
    assert_money_kept(lease)


def test_rent_rise_on_a_paid_period_issues_an_adjustment_bill_due_now(lease, staff):
    services.payment_record(actor=staff, lease=lease, amount=D("61500"), paid_on=TODAY)
    services.lease_amend(
        actor=staff,
        lease=lease,
        data={"rent_rate": D("1.5")},
        effective_on=dt.date(2026, 2, 1),
        reason="扩租补差",
    )
    adj = lease.bills.get(kind="adjustment")
    # Q1: January 31 d × 600 + February–March 59 d × 750 = 62,850; 54,000 was billed.
    assert (adj.rent, adj.property_fee, adj.amount, adj.paid, adj.due_date) == (
        D("8850.00"),
        D("0.00"),
        D("8850.00"),
        D("0.00"),
        TODAY,
    )
    assert "2026-02-01" in adj.note
    total, _rows = selectors.receivables_ageing(user=staff)
    assert total.d0_30 == D("30000.00") + D(
        "8850.00"
    )  # the deposit and the adjustment, both due today
    # A second amendment moves the same period again: the unpaid adjustment is reissued.
    services.lease_amend(
        actor=staff,
        lease=lease,
        data={"rent_rate": D("1.2")},
        effective_on=dt.date(2026, 3, 1),
        reason="恢复原价",
    )
    adj = lease.bills.get(kind="adjustment")
    # January 18,600 + February 28 × 750 + March 31 × 600 = 58,200: 4,200 above 54,000.
    assert adj.amount == D("4200.00")
    assert billed(lease) == sum(oracle_totals(services.lease_terms(lease)))
    assert_money_kept(lease)


# --- 2. the deposit -------------------------------------------------------------------


def test_deposit_is_a_receivable_outside_the_rent_totals(lease, staff):
    deposit = lease.bills.get(kind="deposit")
    assert (deposit.seq, deposit.amount, deposit.due_date) == (0, D("30000.00"), TODAY)
    total, rows = selectors.receivables_ageing(user=staff)
    assert (total.d0_30, total.d31_90) == (
        D("30000.00"),
        D("61500.00"),
    )  # deposit due today; Q1 73 days
    assert rows[0]["total"] == D("91500.00")
    balance = selectors.lease_balance(lease=lease)
    assert balance["billed"] == services.schedule.build_schedule(services.lease_terms(lease)).total
    assert (balance["deposit"], balance["due"]) == (D("30000.00"), D("91500.00"))
    # Rent money never goes to the deposit unasked; naming the deposit bill pays it.
    services.payment_record(actor=staff, lease=lease, amount=D("61500"), paid_on=TODAY)
    deposit.refresh_from_db()
    assert deposit.paid == D("0.00")
    services.payment_record(
        actor=staff, lease=lease, amount=D("30000"), paid_on=TODAY, bill=deposit
    )
    deposit.refresh_from_db()
    assert deposit.paid == D("30000.00")
    assert selectors.receivables_ageing(user=staff)[0].total == D("0.00")


def test_deposit_refund_after_termination_records_who_and_when(lease, staff):
    deposit = lease.bills.get(kind="deposit")
    services.payment_record(
        actor=staff, lease=lease, amount=D("30000"), paid_on=TODAY, bill=deposit
    )
    with pytest.raises(ValidationError) as exc:
        services.deposit_refund(actor=staff, lease=lease, on=TODAY)
    assert exc.value.message_dict == {"status": ["只有已终止或已到期的合同可以退还保证金。"]}
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 6, 30), reason="企业迁出")
    refund = services.deposit_refund(
        actor=staff, lease=lease, on=dt.date(2026, 7, 5), reference="TK001"
    )
    assert (
        refund.amount,
        refund.cancelled,
        refund.refunded_on,
        refund.recorded_by,
        refund.reference,
    ) == (D("30000.00"), D("0.00"), dt.date(2026, 7, 5), staff, "TK001")
    assert AuditEntry.objects.filter(
        model="leasing.depositrefund", object_id=str(refund.pk)
    ).exists()
    assert selectors.lease_balance(lease=lease)["refund"] == refund
    with pytest.raises(ValidationError) as exc:
        services.deposit_refund(actor=staff, lease=lease, on=dt.date(2026, 7, 6))
    assert exc.value.message_dict == {"__all__": ["保证金已退还。"]}
    assert DepositRefund.objects.count() == 1


def test_unpaid_deposit_is_cancelled_on_refund_and_leaves_the_ageing(lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 3, 14), reason="企业迁出")
    refund = services.deposit_refund(actor=staff, lease=lease, on=TODAY)
    assert (refund.amount, refund.cancelled) == (D("0.00"), D("30000.00"))
    deposit = lease.bills.get(kind="deposit")
    assert (deposit.amount, deposit.paid) == (D("0.00"), D("0.00"))
    total, _rows = selectors.receivables_ageing(user=staff)
    assert total.d0_30 == D("0.00")


def test_deposit_refund_page(leasing_client, lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 3, 14), reason="企业迁出")
    page = leasing_client.get(f"/leasing/{lease.pk}/").content.decode()
    assert 'id="refund-deposit"' in page
    r = leasing_client.post(
        f"/leasing/{lease.pk}/deposit/refund/", {"refunded_on": "2026-03-15", "reference": "TK9"}
    )
    assert r.status_code == 302
    page = leasing_client.get(f"/leasing/{lease.pk}/").content.decode()
    assert 'id="refund-deposit"' not in page and "已于 2026-03-15 退还 0.00 元" in page
    r = leasing_client.post(
        f"/leasing/{lease.pk}/deposit/refund/", {"refunded_on": "2026-03-15", "reference": ""}
    )
    assert r.status_code == 400 and "保证金已退还。" in r.content.decode()


def test_viewer_cannot_refund_and_nothing_changes(viewer, viewer_client, lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 3, 14), reason="企业迁出")
    with pytest.raises(PermissionDenied):
        services.deposit_refund(actor=viewer, lease=lease, on=TODAY)
    assert viewer_client.get(f"/leasing/{lease.pk}/deposit/refund/").status_code == 403
    assert (
        viewer_client.post(
            f"/leasing/{lease.pk}/deposit/refund/", {"refunded_on": "2026-03-15"}
        ).status_code
        == 403
    )
    r = viewer_client.post(
        f"{API}/leases/{lease.pk}/deposit/refund",
        {"refunded_on": "2026-03-15"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert 'id="refund-deposit"' not in viewer_client.get(f"/leasing/{lease.pk}/").content.decode()
    assert DepositRefund.objects.count() == 0 and lease.bills.get(kind="deposit").amount == D(
        "30000.00"
    )


def test_member_sees_only_their_own_deposit_and_cannot_refund(
    member_client, lease, park, staff, units
):
    other = services.lease_create(
        actor=staff,
        tenant=EnterpriseFactory(park=park),
        unit_ids=[units[1].pk],
        data=lease_data(deposit=D("45678.00")),
        activate=True,
    )
    services.lease_terminate(actor=staff, lease=other, on=dt.date(2026, 3, 14), reason="x")
    bills = member_client.get(f"{API}/bills?limit=100").json()["items"]
    assert {b["lease_id"] for b in bills} == {lease.pk}
    assert [b["amount"] for b in bills if b["kind"] == "deposit"] == ["30000.00"]
    assert member_client.get(f"{API}/leases/{other.pk}/bills").status_code == 404
    assert "45,678" not in member_client.get("/leasing/my/").content.decode()
    assert member_client.get(f"/leasing/{other.pk}/").status_code == 404
    assert member_client.get(f"/leasing/{other.pk}/deposit/refund/").status_code == 404
    r = member_client.post(
        f"{API}/leases/{other.pk}/deposit/refund", {}, content_type="application/json"
    )
    assert r.status_code == 404
    r = member_client.post(
        f"{API}/leases/{lease.pk}/deposit/refund", {}, content_type="application/json"
    )
    assert r.status_code == 403
    assert DepositRefund.objects.count() == 0


def test_deposit_refund_through_the_api(leasing_client, lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 3, 14), reason="企业迁出")
    r = leasing_client.post(
        f"{API}/leases/{lease.pk}/deposit/refund",
        {"reference": "TK1"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert (r.json()["refunded_on"], r.json()["cancelled"]) == ("2026-03-15", "30000.00")


# --- the property, through the services and the database ------------------------------


@st.composite
def cases(draw):
    start = dt.date(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 400)))
    end = start + dt.timedelta(days=draw(st.integers(1, 3 * 366)))
    over = {
        "start_date": start,
        "end_date": end,
        "rent_basis": draw(st.sampled_from(["sqm_day", "monthly"])),
        "property_fee_rate": D(draw(st.integers(0, 999))) / 100,
        "escalation_pct": D(draw(st.integers(0, 1000))) / 100,
        "cycle": draw(st.sampled_from([1, 3, 6, 12])),
        "deposit": D(draw(st.integers(0, 5))) * 1000,
    }
    over["rent_rate"] = D(draw(st.integers(0, 50000))) / (
        10000 if over["rent_basis"] == "sqm_day" else 1
    )
    pay = D(draw(st.integers(1, 40_000_000))) / 100
    day = start + dt.timedelta(days=draw(st.integers(0, (end - start).days - 1)))
    if draw(st.booleans()):
        event = ("terminate", day, None)
    else:
        event = (
            "amend",
            day,
            {
                "rent_rate": D(draw(st.integers(0, 50000)))
                / (10000 if over["rent_basis"] == "sqm_day" else 1),
                "property_fee_rate": D(draw(st.integers(0, 999))) / 100,
            },
        )
    return over, pay, event


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases())
def test_bills_always_add_up_to_the_effective_schedule(staff, enterprise, unit, case):
    over, pay, (kind, day, data) = case
    assume(
        kind == "terminate"
        or (data["rent_rate"], data["property_fee_rate"])
        != (over["rent_rate"], over["property_fee_rate"])
    )
    with transaction.atomic():
        lease = services.lease_create(
            actor=staff,
            tenant=enterprise,
            unit_ids=[unit.pk],
            data=lease_data(**over),
            activate=True,
        )
        services.payment_record(
            actor=staff, lease=lease, amount=pay, paid_on=TODAY, allow_prepayment=True
        )
        base = schedule.Terms(
            start=over["start_date"],
            end=over["end_date"],
            area=D("500"),
            rent_basis=over["rent_basis"],
            rent_rate=over["rent_rate"],
            property_fee_rate=over["property_fee_rate"],
            cycle_months=over["cycle"],
            escalation_pct=over["escalation_pct"],
        )
        if kind == "terminate":
            services.lease_terminate(actor=staff, lease=lease, on=day, reason="x")
            expected = schedule.Terms(**{**base.__dict__, "end": day})
        else:
            services.lease_amend(actor=staff, lease=lease, data=data, effective_on=day, reason="x")
            expected = schedule.Terms(
                **{
                    **base.__dict__,
                    "changes": (
                        schedule.RateChange(
                            day,
                            data["rent_rate"],
                            data["property_fee_rate"],
                            over["escalation_pct"],
                        ),
                    ),
                }
            )
        rent, fee = oracle_totals(expected)
        bills = list(Bill.objects.filter(lease=lease).exclude(kind="deposit"))
        assert (sum(b.rent for b in bills), sum(b.property_fee for b in bills)) == (rent, fee)
        # Money in = allocations + credit, the deposit bill untouched by the schedule.
        p = Payment.objects.get(lease=lease)
        assert (
            sum(a.amount for a in PaymentAllocation.objects.filter(payment=p)) + p.unallocated
            == pay
        )
        assert Bill.objects.filter(lease=lease, kind="deposit").count() == (
            1 if over["deposit"] else 0
        )
        assert_money_kept(lease)
        transaction.set_rollback(True)


def test_lease_page_shows_adjustments_and_credit(leasing_client, lease, staff):
    services.payment_record(actor=staff, lease=lease, amount=D("61500"), paid_on=TODAY)
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="企业迁出")
    page = leasing_client.get(f"/leasing/{lease.pk}/").content.decode()
    assert (
        'class="bill-adjustment"' in page
        and "提前终止于 2026-02-14" in page
        and "-30,750.00" in page
    )
    assert '<dd id="credit">30,750.00</dd>' in page
    r = leasing_client.get("/leasing/bills/?export=xlsx&state=all")
    assert r.status_code == 200


def test_the_notes_the_platform_writes_read_in_each_readers_language(leasing_client, lease, staff):
    """An English officer ends the lease: the bill's note is stored in Chinese (the
    record, its exports) and each page shows it in its reader's language."""
    services.payment_record(actor=staff, lease=lease, amount=D("61500"), paid_on=TODAY)
    with translation.override("en"):
        services.lease_terminate(
            actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="企业迁出"
        )
    assert lease.bills.filter(note="提前终止于 2026-02-14").exists()
    lease.refresh_from_db()
    assert lease.notes.endswith("提前终止：企业迁出")
    assert "提前终止于 2026-02-14" in leasing_client.get(f"/leasing/{lease.pk}/").content.decode()
    leasing_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = leasing_client.get(f"/leasing/{lease.pk}/").content.decode()
    assert "Terminated early on 2026-02-14" in page
