"""Requests and utilisation: each through its page or endpoint, with access for every
role. (Finance and events: oasis/finance/tests, oasis/events/tests.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from oasis.accounts.tests.factories import logged_in, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.sharing import selectors, services
from oasis.sharing.models import (
    Booking,
    Offering,
    ServiceRequest,
    Share,
)
from oasis.sharing.tests.factories import make_emc_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def emc_offering(park):
    return make_emc_offering(park)


# --- requests -----------------------------------------------------------------------


def test_request_submitted_assigned_delivered_rated_and_charged(
    member_client, operator_client, operator, member, emc_offering
):
    """A catalogue service is filed, handled and rated as a request of the service desk
    (/api/v1/tickets/); its service line here follows and is charged."""
    r = member_client.post(
        "/api/v1/tickets/",
        {
            "category": "catalogue",
            "offering_id": emc_offering.pk,
            "title": "整机辐射发射预测试",
            "body": "一台样机",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "open"
    tid = r.json()["id"]
    line = ServiceRequest.objects.get(ticket_id=tid)
    assert member_client.get(f"/api/v1/sharing/requests/{line.pk}").json()["ticket_id"] == tid
    assert (
        member_client.post(
            f"/api/v1/tickets/{tid}/assign",
            {"assignee_id": operator.pk},
            content_type="application/json",
        ).status_code
        == 403
    )
    r = operator_client.post(
        f"/api/v1/tickets/{tid}/assign", {"assignee_id": member.pk}, content_type="application/json"
    )
    assert r.status_code == 400
    r = operator_client.post(
        f"/api/v1/tickets/{tid}/assign",
        {"assignee_id": operator.pk},
        content_type="application/json",
    )
    assert r.json()["status"] == "in_progress"
    line.refresh_from_db()
    assert line.status == "assigned"
    r = operator_client.post(
        f"/api/v1/tickets/{tid}/resolve", {"body": "报告已出具"}, content_type="application/json"
    )
    assert r.json()["status"] == "resolved"
    line.refresh_from_db()
    assert line.status == "delivered"
    r = member_client.post(
        f"/api/v1/tickets/{tid}/confirm", {"rating": 6}, content_type="application/json"
    )
    assert r.status_code == 400
    r = member_client.post(
        f"/api/v1/tickets/{tid}/confirm",
        {"rating": 5, "comment": "快"},
        content_type="application/json",
    )
    assert r.json()["status"] == "closed" and r.json()["rating"] == 5
    line.refresh_from_db()
    assert (line.status, line.rating) == ("closed", 5)
    view = selectors.statement_build(
        enterprise=member.enterprise, month=timezone.localdate().replace(day=1)
    )
    assert view.total == Decimal("800.00")


def test_old_request_pages_lead_to_the_one_request(member_client, emc_offering):
    """Issue 14: 服务申请 is a type of the service desk's request; old URLs redirect."""
    r = member_client.get(f"/sharing/requests/new/?offering={emc_offering.pk}")
    assert r.url == f"/tickets/new/?category=catalogue&offering={emc_offering.pk}"
    assert member_client.get("/sharing/requests/").url == "/tickets/?category=catalogue"
    assert member_client.post("/sharing/requests/new/", {"title": "x"}).status_code == 405


def test_request_access(outsider_client, viewer_client, member, park, emc_offering):
    item = services.request_submit(actor=member, offering=emc_offering, title="专利检索")
    neighbour = logged_in(make_user("neighbour", enterprise=EnterpriseFactory(park=park)))
    for c in (outsider_client, neighbour):
        assert c.get(f"/sharing/requests/{item.pk}/").status_code == 404
        assert c.get(f"/api/v1/sharing/requests/{item.pk}").status_code == 404
        assert (
            c.post(
                f"/api/v1/sharing/requests/{item.pk}/rate",
                {"rating": 1},
                content_type="application/json",
            ).status_code
            == 404
        )
    # Filing is the service desk's (one request): no second way in here.
    assert (
        viewer_client.post(
            "/api/v1/sharing/requests",
            {"offering_id": emc_offering.pk, "title": "观察员申请"},
            content_type="application/json",
        ).status_code
        == 405
    )
    assert ServiceRequest.objects.count() == 1


# --- utilisation --------------------------------------------------------------------


def test_utilisation_numbers_and_stats_page(
    park, member, room, staff_client, member_client, outsider_client
):
    month = dt.date(2026, 3, 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime(2026, 3, 2, 9, tzinfo=tz)
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=start,
        end=start + dt.timedelta(hours=3),
    )
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=start + dt.timedelta(hours=4),
        end=start + dt.timedelta(hours=5),
        status="cancelled",
        occupies=False,
    )
    data = selectors.sharing_utilisation(park=park, month=month)
    digital = next(s for s in data["shares"] if s["share"] == "shared_digital")
    # Room open 08:00–22:00 every day: 31 × 14 h.
    assert (
        digital["hours_booked"],
        digital["hours_available"],
        digital["firms_served"],
        digital["revenue"],
    ) == (3.0, 434.0, 1, Decimal("150.00"))
    assert data["resources"][0]["utilisation"] == round(3 / 434, 4)
    r = staff_client.get("/sharing/stats/?month=2026-03")
    assert r.status_code == 200 and "sharing-stats.js" in r.content.decode()
    assert member_client.get("/sharing/stats/").status_code == 404
    assert outsider_client.get(f"/sharing/stats/?park={park.pk}").status_code == 404
    assert outsider_client.get(f"/api/v1/sharing/utilisation?park_id={park.pk}").status_code == 404
    assert (
        staff_client.get("/api/v1/sharing/utilisation?month=2026-03").json()["revenue"] == "150.00"
    )


@pytest.mark.parametrize("resources", [2, 30])
def test_utilisation_query_count_is_fixed(park, member, resources, django_assert_max_num_queries):
    offering = Offering.objects.create(
        park=park, share=Share.MANUFACTURING, name="产线", operator="x", delivery="resource"
    )
    from oasis.sharing.models import Resource

    rs = Resource.objects.bulk_create(
        [Resource(offering=offering, park=park, name=f"L{i}") for i in range(resources)]
    )
    tz = timezone.get_current_timezone()
    Booking.objects.bulk_create(
        [
            Booking(
                resource=r,
                enterprise=member.enterprise,
                booked_by=member,
                start=dt.datetime(2026, 3, 2 + k, 9, tzinfo=tz),
                end=dt.datetime(2026, 3, 2 + k, 10, tzinfo=tz),
            )
            for r in rs
            for k in range(3)
        ]
    )
    with django_assert_max_num_queries(8):
        selectors.sharing_utilisation(park=park, month=dt.date(2026, 3, 1))


# --- every page answers -------------------------------------------------------------------

PAGES = [
    "/sharing/",
    "/sharing/calendar/",
    "/sharing/bookings/",
    "/sharing/statements/",
]


@pytest.mark.parametrize("who", ["staff", "operator", "viewer", "member"])
def test_every_page_renders_for_every_role(request, who, room, park):
    c = logged_in(request.getfixturevalue(who))
    for url in PAGES + ([] if who == "member" else ["/sharing/stats/"]):
        assert c.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login():
    assert Client().get("/sharing/").status_code == 302
    assert Client().get("/api/v1/sharing/bookings").status_code == 401


def test_api_catalogue(member_client, room, spectrometer):
    data = member_client.get("/api/v1/sharing/catalogue").json()
    assert [s["share"] for s in data] == [
        "shared_digital",
        "shared_manufacturing",
        "shared_technology",
        "shared_finance",
        "shared_brand",
    ]
    assert [o["name"] for o in data[0]["offerings"]] == ["会议室"]
    assert data[2]["offerings"][0]["resources"][0]["training_required"] is True
