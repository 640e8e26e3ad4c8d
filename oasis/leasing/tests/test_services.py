"""Lease lifecycle, bills, payments, ageing and unit status through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from oasis.core.models import AuditEntry
from oasis.leasing import selectors, services
from oasis.leasing.models import Bill, ExpiryReminder, Lease, LeaseAmendment, Payment
from oasis.parks.models import Unit
from oasis.parks.tests.factories import UnitFactory

from .conftest import TODAY, lease_data

D = Decimal


def errors(exc):
    return exc.value.message_dict


def test_sign_issues_bills_and_leases_the_unit(lease, unit):
    unit.refresh_from_db()
    assert unit.status == Unit.Status.LEASED
    assert (
        lease.status == Lease.Status.ACTIVE
        and lease.number == "ZL2026-0001"
        and lease.area == D("500.00")
    )
    bills = list(lease.bills.filter(kind="rent").order_by("seq"))
    assert len(bills) == 8
    # Q1 2026: 90 days × 500 ㎡ × 1.2 = 54,000 rent; 3 months × 500 × 5 = 7,500 fee.
    assert (bills[0].rent, bills[0].property_fee, bills[0].due_date) == (
        D("54000.00"),
        D("7500.00"),
        dt.date(2026, 1, 1),
    )
    # The deposit is a bill of its own, due at signing.
    deposit = lease.bills.get(kind="deposit")
    assert (deposit.seq, deposit.amount, deposit.rent, deposit.due_date) == (
        0,
        D("30000.00"),
        D("0.00"),
        TODAY,
    )
    assert AuditEntry.objects.filter(model="leasing.lease", object_id=str(lease.pk)).count() == 2


def test_draft_does_not_touch_the_unit(staff, enterprise, unit):
    lease = services.lease_create(
        actor=staff, tenant=enterprise, unit_ids=[unit.pk], data=lease_data()
    )
    unit.refresh_from_db()
    assert (lease.status, unit.status, lease.bills.count()) == (
        Lease.Status.DRAFT,
        Unit.Status.VACANT,
        0,
    )


def test_future_lease_reserves_the_unit(staff, enterprise, unit):
    services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        activate=True,
        data=lease_data(start_date=dt.date(2026, 6, 1), end_date=dt.date(2027, 5, 31)),
    )
    unit.refresh_from_db()
    assert unit.status == Unit.Status.RESERVED


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"end_date": dt.date(2025, 12, 1)}, "end_date", "到期日不能早于起租日。"),
        ({"rent_rate": D("-1")}, "rent_rate", "租金不能为负数。"),
        ({"escalation_pct": D("150")}, "escalation_pct", "年递增率应在 0 到 100 之间。"),
    ],
)
def test_bad_terms_give_a_clear_error_and_save_nothing(
    staff, enterprise, unit, over, field, message
):
    with pytest.raises(ValidationError) as exc:
        services.lease_create(
            actor=staff,
            tenant=enterprise,
            unit_ids=[unit.pk],
            data=lease_data(**over),
            activate=True,
        )
    assert errors(exc) == {field: [message]}
    assert Lease.objects.count() == 0


def test_bad_terms_are_explained_in_the_users_language(staff, enterprise, unit):
    """The messages are translated when raised, not when the module was imported."""
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.lease_create(
            actor=staff,
            tenant=enterprise,
            unit_ids=[unit.pk],
            data=lease_data(end_date=dt.date(2025, 12, 1), rent_rate=D("-1")),
            activate=True,
        )
    assert errors(exc) == {
        "end_date": ["The expiry date cannot be before the start date."],
        "rent_rate": ["The rent cannot be negative."],
    }


def test_unknown_unit_and_unit_of_another_park(staff, enterprise, other_park):
    from oasis.parks.tests.factories import BuildingFactory, FloorFactory

    foreign = UnitFactory(floor=FloorFactory(building=BuildingFactory(park=other_park)))
    for ids in ([999999], [foreign.pk], []):
        with pytest.raises(ValidationError) as exc:
            services.lease_create(actor=staff, tenant=enterprise, unit_ids=ids, data=lease_data())
        assert list(errors(exc)) == ["units"]
    assert Lease.objects.count() == 0


def test_overlap_refused_and_nothing_saved(lease, staff, enterprise, unit):
    with pytest.raises(ValidationError) as exc:
        services.lease_create(
            actor=staff,
            tenant=enterprise,
            unit_ids=[unit.pk],
            activate=True,
            data=lease_data(start_date=dt.date(2027, 12, 31), end_date=dt.date(2028, 12, 31)),
        )
    assert errors(exc) == {
        "units": ["单元 F1-101 在 2026-01-01 至 2027-12-31 已由合同 ZL2026-0001 出租。"]
    }
    assert Lease.objects.count() == 1 and Bill.objects.exclude(lease=lease).count() == 0


def test_adjacent_lease_is_fine(lease, staff, enterprise, unit):
    services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        activate=True,
        data=lease_data(start_date=dt.date(2028, 1, 1), end_date=dt.date(2028, 12, 31)),
    )
    assert Lease.objects.filter(status=Lease.Status.ACTIVE).count() == 2


def test_viewer_and_member_cannot_write(viewer, member, enterprise, unit):
    for actor in (viewer, member):
        with pytest.raises(PermissionDenied):
            services.lease_create(
                actor=actor, tenant=enterprise, unit_ids=[unit.pk], data=lease_data()
            )
    assert Lease.objects.count() == 0


def test_payment_allocates_oldest_first_and_refuses_overpayment(lease, staff):
    first = lease.bills.get(seq=1)
    # Due by 15 March: only the first quarter (61,500).
    with pytest.raises(ValidationError) as exc:
        services.payment_record(actor=staff, lease=lease, amount=D("70000"), paid_on=TODAY)
    assert errors(exc) == {
        "amount": ["收款 70000 元超过应收 61500.00 元；如为预收款，请勾选“允许预收”。"]
    }
    assert Payment.objects.count() == 0
    services.payment_record(actor=staff, lease=lease, amount=D("60000"), paid_on=TODAY)
    first.refresh_from_db()
    assert first.paid == D("60000.00")
    p = services.payment_record(
        actor=staff, lease=lease, amount=D("70000"), paid_on=TODAY, allow_prepayment=True
    )
    assert lease.bills.get(seq=1).paid == D("61500.00")
    # 1,500 finishes Q1, 62,100 (91 d × 600 + 7,500) pays Q2, the last 6,400 goes to Q3.
    assert [lease.bills.get(seq=n).paid for n in (2, 3)] == [D("62100.00"), D("6400.00")]
    assert p.unallocated == D("0.00")


def test_prepayment_beyond_every_bill_stays_as_credit(staff, enterprise, unit):
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        activate=True,
        data=lease_data(end_date=dt.date(2026, 1, 31), cycle=1, escalation_pct=D("0")),
    )
    # January: 31 d × 600 = 18,600 rent + 2,500 fee = 21,100; the rest is credit.
    p = services.payment_record(
        actor=staff, lease=lease, amount=D("25000"), paid_on=TODAY, allow_prepayment=True
    )
    assert p.unallocated == D("3900.00")
    assert selectors.lease_balance(lease=lease)["credit"] == D("3900.00")


def test_payment_to_a_named_bill_and_bad_amounts(lease, staff):
    second = lease.bills.get(seq=2)
    with pytest.raises(ValidationError) as exc:
        services.payment_record(
            actor=staff, lease=lease, amount=D("62100.01"), paid_on=TODAY, bill=second
        )
    assert list(errors(exc)) == ["amount"]
    services.payment_record(actor=staff, lease=lease, amount=D("62100"), paid_on=TODAY, bill=second)
    with pytest.raises(ValidationError) as exc:
        services.payment_record(actor=staff, lease=lease, amount=D("1"), paid_on=TODAY, bill=second)
    assert errors(exc) == {"bill": ["该账单已结清。"]}
    for amount in (D("0"), D("-5"), D("1.001")):
        with pytest.raises(ValidationError):
            services.payment_record(actor=staff, lease=lease, amount=amount, paid_on=TODAY)
    assert Payment.objects.count() == 1


def test_ageing_buckets_in_the_db(staff, enterprise, unit):
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        activate=True,
        data=lease_data(
            start_date=dt.date(2025, 1, 1), cycle=1, escalation_pct=D("0"), property_fee_rate=D("0")
        ),
    )
    total, rows = selectors.receivables_ageing(user=staff)
    # Monthly bills due on the 1st; on 15 March 2026 the March bill is 14 days past due,
    # Feb/Jan 42/73 days, Dec–Oct 104–165 days, Sep 2025 and before over 180.
    # 500 ㎡ × 1.2 = 600 a day. The deposit (30,000) is due today, at signing.
    assert total.d0_30 == D("18600.00") + D("30000.00")
    assert total.d31_90 == D(600 * (28 + 31))
    assert total.d91_180 == D(600 * (31 + 30 + 31))
    assert total.over_180 == D(600 * 273)
    assert rows[0]["tenant__name"] == enterprise.name and rows[0]["total"] == total.total
    services.payment_record(actor=staff, lease=lease, amount=total.over_180, paid_on=TODAY)
    after, _rows = selectors.receivables_ageing(user=staff)
    assert (after.over_180, after.d0_30) == (D("0.00"), total.d0_30)
    Bill.objects.update(paid=0)
    assert services.receivables_rebuild(park_id=lease.park_id) == lease.bills.count()
    assert selectors.receivables_ageing(user=staff)[0] == after


def test_renew_links_successor_and_keeps_unit_leased(lease, staff, unit):
    successor = services.lease_renew(
        actor=staff,
        lease=lease,
        end_date=dt.date(2029, 12, 31),
        data={"rent_rate": D("1.3")},
        deposit="carry",
    )
    lease.refresh_from_db()
    unit.refresh_from_db()
    assert (lease.status, successor.status, successor.predecessor_id) == (
        Lease.Status.RENEWED,
        Lease.Status.ACTIVE,
        lease.pk,
    )
    assert successor.start_date == dt.date(2028, 1, 1) and successor.rent_rate == D("1.3")
    assert unit.status == Unit.Status.LEASED
    with pytest.raises(ValidationError):
        services.lease_renew(
            actor=staff, lease=lease, end_date=dt.date(2030, 12, 31), deposit="carry"
        )


def test_terminate_withdraws_later_bills_and_frees_the_unit(lease, staff, unit):
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 3, 14), reason="企业迁出")
    lease.refresh_from_db()
    unit.refresh_from_db()
    assert (lease.status, lease.terminated_on, lease.bills.filter(kind="rent").count()) == (
        Lease.Status.TERMINATED,
        dt.date(2026, 3, 14),
        1,
    )
    assert unit.status == Unit.Status.VACANT
    assert LeaseAmendment.objects.filter(lease=lease).count() == 1
    # The unit can be let again from the day after.
    services.lease_create(
        actor=staff,
        tenant=lease.tenant,
        unit_ids=[unit.pk],
        activate=True,
        data=lease_data(start_date=dt.date(2026, 3, 15), end_date=dt.date(2026, 12, 31)),
    )


def test_amend_reissues_unpaid_bills_and_keeps_history(lease, staff):
    services.payment_record(actor=staff, lease=lease, amount=D("61500"), paid_on=TODAY)
    services.lease_amend(
        actor=staff,
        lease=lease,
        data={"rent_rate": D("1.0")},
        effective_on=dt.date(2026, 4, 1),
        reason="降价",
    )
    bills = list(lease.bills.filter(kind="rent").order_by("due_date"))
    assert bills[0].rent == D("54000.00") and bills[1].rent == D("45500.00")  # 91 d × 500
    a = LeaseAmendment.objects.get(lease=lease)
    assert a.changes == {"rent_rate": ["1.2000", "1.0000"]}
    with pytest.raises(ValidationError):
        services.lease_amend(
            actor=staff,
            lease=lease,
            data={"rent_rate": D("-1")},
            effective_on=dt.date(2026, 4, 1),
            reason="x",
        )


def test_daily_command_expires_and_reminds_idempotently(staff, enterprise, units):
    ending = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[0].pk],
        activate=True,
        data=lease_data(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 4, 10)),
    )
    ended = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[1].pk],
        activate=True,
        data=lease_data(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 3, 1)),
    )
    for _ in range(2):
        call_command("leasing-daily", "--date", "2026-03-15")
    ended.refresh_from_db()
    units[1].refresh_from_db()
    assert ended.status == Lease.Status.EXPIRED and units[1].status == Unit.Status.VACANT
    assert sorted(ExpiryReminder.objects.filter(lease=ending).values_list("days", flat=True)) == [
        30,
        60,
        90,
    ]
    assert ExpiryReminder.objects.count() == 3


def test_bulk_issue_matches_the_one_by_one_path(staff, enterprise, units):
    one = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[0].pk],
        activate=True,
        data=lease_data(),
        free_periods=[(dt.date(2026, 1, 1), dt.date(2026, 2, 15))],
    )
    expected = list(
        one.bills.order_by("seq").values_list(
            "seq", "period_start", "due_date", "rent", "property_fee", "amount"
        )
    )
    one.bills.all().delete()
    assert services.bills_generate_many(leases=[one]) == len(expected)
    got = list(
        one.bills.order_by("seq").values_list(
            "seq", "period_start", "due_date", "rent", "property_fee", "amount"
        )
    )
    assert got == expected
