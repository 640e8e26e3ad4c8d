"""Renewal from the rate in force at the end, old and new side by side, the deposit
carried over or refunded explicitly."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from oasis.leasing import selectors, services
from oasis.leasing.models import Bill, DepositRefund, Lease, Payment

from .conftest import lease_data

D = Decimal


@pytest.fixture
def three_years(staff, enterprise, units):
    """1,000 ㎡ at 2.00 元/㎡/天 +5 % a year, 2026–2028, deposit 60,000 (paid)."""
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[0].pk, units[1].pk],
        data=lease_data(
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2028, 12, 31),
            rent_rate=D("2.00"),
            property_fee_rate=D("0"),
            deposit=D("60000"),
            escalation_pct=D("5"),
            cycle=12,
        ),
        activate=True,
    )
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("60000"),
        paid_on=dt.date(2026, 1, 5),
        bill=lease.bills.get(kind="deposit"),
    )
    return lease


def test_renewal_on_the_old_terms_starts_from_the_rate_in_force_at_the_end(three_years, staff):
    new = services.lease_renew(
        actor=staff, lease=three_years, end_date=dt.date(2029, 12, 31), deposit="carry"
    )
    # Year 3 of the old lease: 2.00 × 1.05² = 2.2050 — not 2.00 (which lost
    # 0.205 × 1,000 × 365 = 74,825 a year); 2029 bills 2.205 × 365,000 = 804,825.
    assert (new.rent_rate, new.escalation_pct, new.start_date) == (
        D("2.2050"),
        D("5.00"),
        dt.date(2029, 1, 1),
    )
    assert [b.rent for b in new.bills.filter(kind="rent")] == [D("804825.00")]


def test_preview_shows_old_and_new_and_writes_nothing(three_years):
    p = services.renewal_preview(
        lease=three_years, end_date=dt.date(2030, 12, 31), data={"rent_rate": D("2.30")}
    )
    assert [r.rent_rate for r in p.old_years] == [D("2.00"), D("2.1"), D("2.205")]
    # New: 2.30, then 2.415 (+5 %).
    assert [r.rent_rate for r in p.new_years] == [D("2.30"), D("2.415")]
    assert p.old_end_rate == D("2.205") and p.deposit_held == D("60000.00")
    # 2.30 × 365,000 + 2.415 × 365,000 = 839,500 + 881,475.
    assert p.new_total == D("1720975.00")
    assert Lease.objects.count() == 1


def test_the_deposit_carries_over_recorded_on_both_leases(three_years, staff):
    new = services.lease_renew(
        actor=staff,
        lease=three_years,
        end_date=dt.date(2029, 12, 31),
        data={"deposit": D("50000")},
        deposit="carry",
    )
    old_refund = DepositRefund.objects.get(lease=three_years)
    assert (old_refund.amount, old_refund.carried_to_id) == (D("60000.00"), new.pk)
    deposit = new.bills.get(kind="deposit")
    assert (deposit.amount, deposit.paid) == (D("50000.00"), D("50000.00"))
    # The 10,000 above the new deposit is the tenant's credit on the new lease.
    assert selectors.lease_balance(lease=new)["credit"] == D("10000.00")
    assert Payment.objects.get(lease=new).amount == D("60000.00")


def test_the_deposit_is_refunded_explicitly(three_years, staff):
    new = services.lease_renew(
        actor=staff,
        lease=three_years,
        end_date=dt.date(2029, 12, 31),
        deposit="refund",
        reference="退-001",
        on=dt.date(2028, 12, 20),
    )
    refund = DepositRefund.objects.get(lease=three_years)
    assert (refund.amount, refund.reference, refund.refunded_on, refund.carried_to) == (
        D("60000.00"),
        "退-001",
        dt.date(2028, 12, 20),
        None,
    )
    assert new.bills.get(kind="deposit").paid == 0  # a new deposit is asked for


def test_a_renewal_must_say_what_happens_to_the_deposit(three_years, staff):
    with pytest.raises(ValidationError) as exc:
        services.lease_renew(actor=staff, lease=three_years, end_date=dt.date(2029, 12, 31))
    assert "deposit_action" in exc.value.message_dict
    assert Lease.objects.count() == 1 and not DepositRefund.objects.exists()
    assert Bill.objects.filter(lease=three_years, kind="deposit").get().amount == D("60000.00")


def test_the_renew_page_previews_then_confirms(leasing_client, three_years):
    url = f"/leasing/{three_years.pk}/renew/"
    r = leasing_client.post(url, {"end_date": "2029-12-31"})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="renewal-preview"' in page and "2.2050" in page
    r = leasing_client.post(url, {"end_date": "2029-12-31", "confirm": "1"})
    assert r.status_code == 400  # the deposit's fate is not chosen
    assert "请选择保证金转入新合同或退还" in r.content.decode()
    r = leasing_client.post(url, {"end_date": "2027-06-30"})
    assert r.status_code == 400 and "续签到期日应晚于原合同到期日" in r.content.decode()
    r = leasing_client.post(
        url, {"end_date": "2029-12-31", "deposit_action": "carry", "confirm": "1"}
    )
    assert r.status_code == 302
    assert Lease.objects.get(predecessor=three_years).rent_rate == D("2.2050")
