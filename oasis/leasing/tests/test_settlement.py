"""退租结算: credit then the deposit pay the arrears; the rest is refunded with who, when
and the reference, or the shortfall stays a receivable."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from oasis.leasing import selectors, services
from oasis.leasing.models import CreditRefund, DepositRefund, Lease, Settlement

from .test_adjustments import assert_money_kept

D = Decimal
END = dt.date(2026, 3, 31)


def pay_deposit(lease, staff):
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("30000"),
        paid_on=dt.date(2026, 1, 5),
        bill=lease.bills.get(kind="deposit"),
    )


def test_early_exit_with_credit_and_an_unpaid_deposit_refunds_the_credit(lease, staff):
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("123600"),
        paid_on=dt.date(2026, 3, 1),
        allow_prepayment=True,
    )
    services.lease_terminate(actor=staff, lease=lease, on=END, reason="迁出")
    # Q2 (62,100) was paid but is no longer let: it is credit; the deposit was never paid.
    st = services.settlement_statement(lease=lease)
    assert (st.outstanding, st.credit, st.deposit_held, st.deposit_cancelled) == (
        0,
        D("62100.00"),
        0,
        D("30000.00"),
    )
    s = services.lease_settle(actor=staff, lease=lease, on=END, reference="退-1")
    assert (s.refund, s.shortfall) == (D("62100.00"), 0)
    assert CreditRefund.objects.get(lease=lease).amount == D("62100.00")
    # Nothing is chased any more: not the deposit, not the credit's bills.
    total, _rows = selectors.receivables_ageing(user=staff, on=dt.date(2026, 4, 30))
    assert total.total == 0
    assert selectors.lease_balance(lease=lease)["credit"] == 0
    assert_money_kept(lease)


def test_the_deposit_pays_the_arrears_and_the_shortfall_stays_receivable(lease, staff):
    pay_deposit(lease, staff)
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="迁出")
    # Q1 to 14 Feb: 45 d × 600 = 27,000 + 2,500 + 14/28 × 2,500 = 30,750, unpaid.
    s = services.lease_settle(actor=staff, lease=lease, on=dt.date(2026, 3, 20))
    assert (s.outstanding, s.deposit_held, s.deposit_applied, s.refund, s.shortfall) == (
        D("30750.00"),
        D("30000.00"),
        D("30000.00"),
        0,
        D("750.00"),
    )
    refund = DepositRefund.objects.get(lease=lease)
    assert (refund.applied, refund.amount) == (D("30000.00"), 0)
    q1 = lease.bills.get(kind="rent")
    assert q1.amount - q1.paid == D("750.00")  # still a receivable
    assert_money_kept(lease)


def test_the_rest_of_the_deposit_is_refunded_with_who_when_and_reference(lease, staff):
    pay_deposit(lease, staff)
    services.payment_record(
        actor=staff, lease=lease, amount=D("10000"), paid_on=dt.date(2026, 1, 5)
    )
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="迁出")
    # 30,750 − 10,000 = 20,750 owed; the deposit pays it; 9,250 goes back.
    s = services.lease_settle(actor=staff, lease=lease, on=dt.date(2026, 3, 20), reference="BK-77")
    assert (s.deposit_applied, s.refund, s.shortfall, s.recorded_by) == (
        D("20750.00"),
        D("9250.00"),
        0,
        staff,
    )
    refund = DepositRefund.objects.get(lease=lease)
    assert (refund.amount, refund.reference, refund.refunded_on) == (
        D("9250.00"),
        "BK-77",
        dt.date(2026, 3, 20),
    )
    assert lease.bills.get(kind="rent").paid == D("30750.00")
    assert_money_kept(lease)


def test_a_settlement_with_unposted_payments_is_refused_and_nothing_saved(lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=END, reason="迁出")
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("1000"),
        paid_on=dt.date(2026, 4, 10),
        allow_prepayment=True,
    )
    with pytest.raises(ValidationError) as exc:
        services.lease_settle(actor=staff, lease=lease, on=END)
    assert "settled_on" in exc.value.message_dict
    assert not Settlement.objects.exists() and not DepositRefund.objects.exists()


def test_only_an_ended_lease_is_settled_and_only_once(lease, staff):
    with pytest.raises(ValidationError) as exc:
        services.lease_settle(actor=staff, lease=lease, on=END)
    assert "status" in exc.value.message_dict
    services.lease_terminate(actor=staff, lease=lease, on=END, reason="迁出")
    first = services.lease_settle(actor=staff, lease=lease, on=END, request_key="k")
    assert services.lease_settle(actor=staff, lease=lease, on=END, request_key="k") == first
    with pytest.raises(ValidationError):
        services.lease_settle(actor=staff, lease=lease, on=END, request_key="other")
    assert Settlement.objects.count() == 1


def test_settlement_page_prints_and_exports(leasing_client, lease, staff, enterprise):
    enterprise.name = '=HYPERLINK("http://x")'
    enterprise.save()
    pay_deposit(lease, staff)
    services.lease_terminate(actor=staff, lease=lease, on=dt.date(2026, 2, 14), reason="迁出")
    url = f"/leasing/{lease.pk}/settlement/"
    page = leasing_client.get(url).content.decode()
    assert 'id="settle"' in page and "30,750.00" in page
    assert leasing_client.post(url, {"settled_on": "2026-02-01"}).status_code == 400
    data = {"settled_on": "2026-03-20", "reference": "R-1", "request_key": "abc"}
    assert leasing_client.post(url, data).status_code == 302
    assert leasing_client.post(url, data).status_code in (302, 403)
    assert Settlement.objects.count() == 1
    page = leasing_client.get(url).content.decode()
    assert 'id="print"' in page and 'id="settle"' not in page and "R-1" in page
    r = leasing_client.get(url + "?export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert cells["承租企业"] == '=HYPERLINK("http://x")'  # text, not a formula
    assert ws["B3"].value == cells["承租企业"] and ws["B3"].data_type == "s"
    assert "filename*=UTF-8''" in r["Content-Disposition"]
    bills = load_workbook(io.BytesIO(r.content))["账单"]
    assert [c.value for c in bills[1]] == ["账期", "应付日期", "应收", "已收", "未收"]
    assert cells["仍欠金额"] == 750


def test_settlement_page_scoped(outsider_client, viewer_client, lease, staff):
    services.lease_terminate(actor=staff, lease=lease, on=END, reason="迁出")
    url = f"/leasing/{lease.pk}/settlement/"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"settled_on": "2026-04-01"}).status_code == 404
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.post(url, {"settled_on": "2026-04-01"}).status_code == 403
    assert not Settlement.objects.exists()
    assert Lease.objects.get(pk=lease.pk).status == "terminated"


def test_settlement_and_credit_refund_through_the_api(
    leasing_client, outsider_client, lease, staff
):
    api = f"/api/v1/leasing/leases/{lease.pk}"
    services.payment_record(
        actor=staff,
        lease=lease,
        amount=D("123600"),
        paid_on=dt.date(2026, 3, 1),
        allow_prepayment=True,
    )
    services.lease_terminate(actor=staff, lease=lease, on=END, reason="迁出")
    r = leasing_client.post(
        f"{api}/credit/refund", {"amount": "70000"}, content_type="application/json"
    )
    assert r.status_code == 400 and "amount" in r.content.decode()
    body = {"amount": "2100", "refunded_on": "2026-04-01", "request_key": "x1"}
    r = leasing_client.post(f"{api}/credit/refund", body, content_type="application/json")
    r2 = leasing_client.post(f"{api}/credit/refund", body, content_type="application/json")
    assert r.status_code == r2.status_code == 201 and r.json()["id"] == r2.json()["id"]
    preview = leasing_client.get(f"{api}/settlement").json()
    assert (preview["id"], preview["credit"], preview["refund"]) == (None, "60000.00", "60000.00")
    assert outsider_client.get(f"{api}/settlement").status_code == 404
    assert (
        outsider_client.post(f"{api}/settlement", {}, content_type="application/json").status_code
        == 404
    )
    r = leasing_client.post(
        f"{api}/settlement",
        {"settled_on": "2026-04-01", "reference": "A-1"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["refund"] == "60000.00"
    assert leasing_client.get(f"{api}/settlement").json()["id"] == r.json()["id"]
    r = leasing_client.post(f"{api}/settlement", {}, content_type="application/json")
    assert r.status_code == 400
