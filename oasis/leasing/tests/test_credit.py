"""The tenant's credit pays bills as they fall due, oldest first, or is refunded as a
recorded action; the ageing never chases what credit would have paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from oasis.leasing import selectors, services
from oasis.leasing.models import CreditRefund, Payment

from .test_adjustments import assert_money_kept

D = Decimal


@pytest.fixture
def with_credit(lease, staff):
    """Q1 and Q2 paid (123,600); rent cut to 1.0 from 16 May: a 4,600 credit note."""
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("123600"),
        paid_on=dt.date(2026, 3, 15),
        allow_prepayment=True,
    )
    services.lease_amend(
        actor=staff,
        lease=lease,
        data={"rent_rate": D("1.0")},
        effective_on=dt.date(2026, 5, 16),
        reason="降租",
    )
    assert selectors.lease_balance(lease=lease)["credit"] == D("4600.00")
    return lease


def test_credit_pays_the_next_bill_as_it_falls_due(with_credit, staff):
    day = dt.date(2026, 7, 1)
    # Before the daily job Q3 (92 d × 500 + 7,500 = 53,500) would be chased in full.
    services.leases_daily(on=day)
    q3 = with_credit.bills.get(kind="rent", period_start=day)
    assert (q3.amount, q3.paid) == (D("53500.00"), D("4600.00"))
    assert selectors.lease_balance(lease=with_credit, on=day)["credit"] == 0
    total, _rows = selectors.receivables_ageing(user=staff, on=day)
    # The deposit (30,000, due 15 March: 108 days) and Q3 less the credit: 48,900.
    assert (total.d0_30, total.d91_180) == (D("48900.00"), D("30000.00"))
    assert services.leases_daily(on=day)["credit_applied"] == 0  # idempotent
    assert_money_kept(with_credit)


def test_credit_is_applied_oldest_bill_first_and_never_to_the_deposit(lease, staff):
    services.lease_amend(
        actor=staff,
        lease=lease,
        data={"rent_rate": D("1.0")},
        effective_on=dt.date(2026, 1, 1),
        reason="x",
    )
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("100000"),
        paid_on=dt.date(2026, 3, 15),
        allow_prepayment=True,
    )
    bills = list(lease.bills.exclude(kind="deposit").order_by("due_date"))
    # Q1 (90 d × 500 + 7,500 = 52,500) first, then Q2 (not yet due, 53,000) in advance
    # as prepayment allows: 100,000 − 52,500 = 47,500 of it. Nothing goes to the deposit.
    assert bills[0].paid == D("52500.00") and bills[1].paid == D("47500.00")
    assert lease.bills.get(kind="deposit").paid == 0


def test_credit_refund_is_recorded_and_a_double_submit_is_one_refund(with_credit, staff):
    key = "k-1"
    first = services.credit_refund(
        actor=staff,
        lease=with_credit,
        amount=D("4000"),
        on=dt.date(2026, 6, 1),
        reference="退-9",
        request_key=key,
    )
    again = services.credit_refund(
        actor=staff,
        lease=with_credit,
        amount=D("4000"),
        on=dt.date(2026, 6, 1),
        reference="退-9",
        request_key=key,
    )
    assert first.pk == again.pk and CreditRefund.objects.count() == 1
    assert (first.amount, first.reference, first.recorded_by) == (D("4000.00"), "退-9", staff)
    assert selectors.lease_balance(lease=with_credit)["credit"] == D("600.00")
    assert sum(p.unallocated for p in Payment.objects.filter(lease=with_credit)) == D("600.00")


def test_a_refund_larger_than_the_credit_is_refused_and_nothing_changes(with_credit, staff):
    with pytest.raises(ValidationError) as exc:
        services.credit_refund(
            actor=staff, lease=with_credit, amount=D("4600.01"), on=dt.date(2026, 6, 1)
        )
    assert "4600.00" in exc.value.message_dict["amount"][0]
    assert not CreditRefund.objects.exists()
    assert selectors.lease_balance(lease=with_credit)["credit"] == D("4600.00")


def test_credit_refund_page(leasing_client, with_credit, viewer_client):
    url = f"/leasing/{with_credit.pk}/credit/refund/"
    page = leasing_client.get(url).content.decode()
    assert 'name="request_key"' in page and 'name="amount" value="4600' in page
    data = {"amount": "5000", "refunded_on": "2026-06-01", "reference": "", "request_key": "abc"}
    r = leasing_client.post(url, data)
    assert r.status_code == 400 and "超过预收余额" in r.content.decode()
    r = leasing_client.post(url, {**data, "amount": "4600"})
    r2 = leasing_client.post(url, {**data, "amount": "4600"})
    assert r.status_code == 302 and r2.status_code == 302 and CreditRefund.objects.count() == 1
    assert leasing_client.post(url, {**data, "amount": "abc"}).status_code == 400
    assert viewer_client.post(url, {**data, "request_key": "v"}).status_code == 403
    detail = leasing_client.get(f"/leasing/{with_credit.pk}/").content.decode()
    assert 'id="credit-refunds"' in detail


def test_another_parks_officer_cannot_see_or_refund(with_credit, outsider_client):
    url = f"/leasing/{with_credit.pk}/credit/refund/"
    assert outsider_client.get(url).status_code == 404
    assert (
        outsider_client.post(url, {"amount": "1", "refunded_on": "2026-06-01"}).status_code == 404
    )
    assert not CreditRefund.objects.exists()
