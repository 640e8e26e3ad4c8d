"""Issue 14, finding 4: one service request. A catalogue service, a repair and a
question are the same request (one thread, status flow, rating, deadline), in one
"我的服务" list, handled from one queue routed by role; the old 服务申请 keep their data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from oasis.accounts.tests.factories import logged_in
from oasis.sharing import selectors as sharing_selectors
from oasis.sharing.models import ServiceRequest
from oasis.sharing.tests.factories import make_emc_offering
from oasis.tickets import services
from oasis.tickets.models import Ticket


@pytest.fixture
def emc(park):
    return make_emc_offering(park, request_kind="")


def test_a_catalogue_service_is_one_request_from_filing_to_statement(
    member, member_client, emc, operator, officer, enterprise
):
    enterprise.status = "settled"
    enterprise.save()
    r = member_client.post(
        "/tickets/new/", {"category": "catalogue", "title": "EMC 测试", "body": "两台样机"}
    )
    assert r.status_code == 400
    assert r.context["form"].errors["offering"] == ["请选择要申请的共享服务。"]
    r = member_client.post(
        "/tickets/new/",
        {
            "category": "catalogue",
            "offering": emc.pk,
            "quantity": "2",
            "title": "EMC 测试",
            "body": "两台样机",
        },
    )
    ticket = Ticket.objects.get()
    assert r.url == f"/tickets/{ticket.pk}/"
    line = ServiceRequest.objects.get()
    assert (line.ticket_id, line.offering_id, line.quantity) == (ticket.pk, emc.pk, 2)
    # The member's one list; the request's page names the service.
    assert "EMC 测试" in member_client.get("/tickets/").content.decode()
    assert "EMC 检测" in member_client.get(f"/tickets/{ticket.pk}/").content.decode()
    # Routed by role: the shared-service operator has it in the queue, the service
    # officer (questions and repairs) does not, unless asking for every type.
    assert "EMC 测试" in logged_in(operator).get("/tickets/").content.decode()
    assert "EMC 测试" not in logged_in(officer).get("/tickets/").content.decode()
    assert "EMC 测试" in logged_in(officer).get("/tickets/?every=1").content.decode()
    r = logged_in(officer).post(
        f"/tickets/{ticket.pk}/resolve/", {"body": "已完成", "quantity": "3"}
    )
    assert r.status_code == 403
    # The operator delivers 3 (what the statement charges), the firm confirms and rates.
    r = logged_in(operator).post(
        f"/tickets/{ticket.pk}/resolve/", {"body": "报告已出", "quantity": "3"}
    )
    assert r.status_code == 302
    line.refresh_from_db()
    assert line.status == "delivered" and line.quantity == 3
    assert line.delivered_on == timezone.localdate()
    view = sharing_selectors.statement_build(
        enterprise=enterprise, month=timezone.localdate().replace(day=1)
    )
    assert view.total == Decimal("2400.00")  # 3 × 800
    member_client.post(f"/tickets/{ticket.pk}/confirm/", {"rating": "5", "comment": "快"})
    ticket.refresh_from_db()
    line.refresh_from_db()
    assert (ticket.status, ticket.rating) == ("closed", 5)
    assert (line.status, line.rating) == ("closed", 5)
    # The old address of the 服务申请 leads to the request.
    assert member_client.get(f"/sharing/requests/{line.pk}/").url == f"/tickets/{ticket.pk}/"


def test_a_repair_goes_to_property_staff_not_the_shared_service_operator(
    member_client, operator, leasing
):
    member_client.post(
        "/tickets/new/", {"category": "property_repair", "title": "门禁坏了", "body": "B座"}
    )
    assert "门禁坏了" in logged_in(leasing).get("/tickets/").content.decode()
    assert "门禁坏了" not in logged_in(operator).get("/tickets/").content.decode()


def test_existing_service_requests_become_requests_with_their_history(
    member, enterprise, emc, operator
):
    delivered = ServiceRequest.objects.create(
        offering=emc,
        enterprise=enterprise,
        submitted_by=member,
        title="旧的检测申请",
        detail="三台",
        status="closed",
        assignee=operator,
        delivered_on=dt.date(2026, 10, 15),
        delivery_note="报告见附件",
        quantity=Decimal("3"),
        rating=4,
        rating_comment="不错",
    )
    waiting = ServiceRequest.objects.create(
        offering=emc, enterprise=enterprise, submitted_by=member, title="刚提交的"
    )
    assert services.service_requests_adopt() == 2
    assert services.service_requests_adopt() == 0  # once
    delivered.refresh_from_db()
    old = delivered.ticket
    assert (old.category, old.status, old.rating, old.rating_comment) == (
        "catalogue",
        "closed",
        4,
        "不错",
    )
    assert (old.enterprise_id, old.opened_by_id, old.assignee_id) == (
        enterprise.pk,
        member.pk,
        operator.pk,
    )
    assert old.body == "三台" and old.resolved_at.date() == dt.date(2026, 10, 15)
    assert list(old.messages.values_list("body", flat=True)) == ["报告见附件"]
    waiting.refresh_from_db()
    assert waiting.ticket.status == "open" and waiting.ticket.first_response_at is None
