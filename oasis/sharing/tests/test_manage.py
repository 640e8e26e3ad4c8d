"""Operators and park admins manage the catalogue (offerings, resources) through pages
and the API, and book on behalf of a
firm of their park. Every write goes through the services; viewers, members and staff
of another park are refused with nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from oasis.accounts.tests.access import assert_writes_refused, table_rows
from oasis.accounts.tests.factories import logged_in
from oasis.core.models import AuditEntry
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.sharing import services
from oasis.sharing.models import (
    Booking,
    Certification,
    Offering,
    Resource,
    Share,
)

pytestmark = pytest.mark.django_db

JSON = "application/json"


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


# Every model the management pages and endpoints could write.
MODELS = (Offering, Resource, Booking)


def _state() -> list:
    return table_rows(MODELS)


OFFERING = {
    "share": "shared_manufacturing",
    "name": "SMT 贴片线",
    "operator": "智造中心",
    "description": "小批量试产",
    "audience": "resident",
    "delivery": "resource",
    "request_kind": "",
    "price_unit": "hour",
    "price_resident": "300.00",
    "price_outside": "450.00",
    "free_quota": "2",
    "is_active": "on",
}
RESOURCE = {
    "name": "SMT 一号线",
    "location": "A2 栋 1 层",
    "opens_at": "08:00",
    "closes_at": "20:00",
    "open_weekdays": "12345",
    "slot_minutes": 60,
    "min_minutes": 60,
    "max_minutes": 480,
    "lead_hours": 24,
    "cancel_hours": 24,
    "is_active": "on",
}


# --- offerings ------------------------------------------------------------------------


def test_operator_creates_and_edits_an_offering_through_the_page(operator_client, operator, park):
    r = operator_client.get(f"/sharing/offerings/new/?park={park.pk}")
    assert r.status_code == 200
    r = operator_client.post(f"/sharing/offerings/new/?park={park.pk}", OFFERING)
    assert r.status_code == 302
    offering = Offering.objects.get()
    assert r["Location"] == f"/sharing/?park={park.pk}#offering-{offering.pk}"
    assert (
        offering.park,
        offering.share,
        offering.audience,
        offering.price_outside,
        offering.free_quota,
    ) == (park, Share.MANUFACTURING, "resident", Decimal("450.00"), Decimal("2.00"))
    assert AuditEntry.objects.get(model="sharing.offering", action="create").actor == operator
    r = operator_client.post(
        f"/sharing/offerings/{offering.pk}/edit/", {**OFFERING, "price_resident": "280.00"}
    )
    assert r.status_code == 302
    offering.refresh_from_db()
    assert offering.price_resident == Decimal("280.00")
    entry = AuditEntry.objects.get(model="sharing.offering", action="update")
    assert "price_resident" in entry.changes


def test_park_admin_creates_and_updates_an_offering_through_the_api(staff_client, staff, park):
    r = staff_client.post(
        "/api/v1/sharing/offerings",
        {
            "share": "shared_technology",
            "name": "EMC 检测",
            "operator": "共性技术创新中心",
            "delivery": "request",
            "request_kind": "test",
            "price_unit": "each",
            "price_resident": "800.00",
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["park_id"], body["request_kind"], body["price_resident"], body["audience"]) == (
        park.pk,
        "test",
        "800.00",
        "all_firms",
    )
    r = staff_client.patch(
        f"/api/v1/sharing/offerings/{body['id']}", {"is_active": False}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert Offering.objects.get().name == "EMC 检测"


def test_invalid_offering_gives_the_exact_field_error_and_saves_nothing(
    operator_client, park, room
):
    before = _state()
    r = operator_client.post(
        f"/sharing/offerings/new/?park={park.pk}", {**OFFERING, "delivery": "request"}
    )
    assert r.status_code == 400
    assert r.context["form"].errors["request_kind"] == ["服务申请类须选择申请类别。"]
    r = operator_client.post(
        "/api/v1/sharing/offerings",
        {"share": "shared_technology", "name": "IP 服务", "operator": "x", "delivery": "request"},
        content_type=JSON,
    )
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"request_kind": ["服务申请类须选择申请类别。"]},
    }
    # The same name twice in one park; a resource's offering cannot stop being bookable.
    r = operator_client.post(
        f"/sharing/offerings/new/?park={park.pk}", {**OFFERING, "name": "会议室"}
    )
    assert r.status_code == 400 and r.context["form"].errors["name"] == ["本园区已有同名服务。"]
    r = operator_client.patch(
        f"/api/v1/sharing/offerings/{room.offering_id}", {"delivery": "event"}, content_type=JSON
    )
    assert r.json()["fields"] == {"delivery": ["该服务下已有资源，交付方式须为“可预约资源”。"]}
    r = operator_client.patch(
        f"/api/v1/sharing/offerings/{room.offering_id}", {"price_outside": "-1"}, content_type=JSON
    )
    assert r.status_code == 400 and list(r.json()["fields"]) == ["price_outside"]
    assert _state() == before


# --- resources ------------------------------------------------------------------------


def test_operator_creates_a_resource_through_the_page_and_the_api(operator_client, room):
    offering = room.offering
    r = operator_client.post(f"/sharing/offerings/{offering.pk}/resources/new/", RESOURCE)
    assert r.status_code == 302
    line = Resource.objects.get(name="SMT 一号线")
    assert r["Location"] == f"/sharing/resources/{line.pk}/"
    assert (line.park_id, line.slot_minutes, line.opens_at) == (offering.park_id, 60, dt.time(8))
    r = operator_client.post(
        f"/api/v1/sharing/offerings/{offering.pk}/resources",
        {"name": "小会议室", "opens_at": "09:00", "closes_at": "18:00"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["closes_at"], r.json()["slot_minutes"]) == (
        "18:00:00",
        30,
    )  # model defaults apply
    r = operator_client.patch(
        f"/api/v1/sharing/resources/{r.json()['id']}",
        {"training_required": True},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["training_required"] is True
    assert AuditEntry.objects.filter(model="sharing.resource").count() == 3


def test_invalid_resource_gives_the_exact_field_error_and_saves_nothing(
    operator_client, park, room
):
    request_offering = Offering.objects.create(
        park=park,
        share=Share.TECHNOLOGY,
        name="检测",
        operator="x",
        delivery="request",
        request_kind="test",
    )
    before = _state()
    r = operator_client.post(
        f"/sharing/offerings/{room.offering_id}/resources/new/", {**RESOURCE, "open_weekdays": "89"}
    )
    assert r.status_code == 400
    assert r.context["form"].errors["open_weekdays"] == ["开放日须为 1–7 的数字，如 12345。"]
    r = operator_client.post(
        f"/api/v1/sharing/offerings/{room.offering_id}/resources",
        {"name": "x", "open_weekdays": "89"},
        content_type=JSON,
    )
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"open_weekdays": ["开放日须为 1–7 的数字，如 12345。"]},
    }
    r = operator_client.post(
        f"/api/v1/sharing/offerings/{request_offering.pk}/resources",
        {"name": "x"},
        content_type=JSON,
    )
    assert r.json()["fields"] == {"offering": ["只有“可预约资源”类服务可以添加资源。"]}
    r = operator_client.patch(
        f"/api/v1/sharing/resources/{room.pk}",
        {"opens_at": "21:00", "closes_at": "09:00"},
        content_type=JSON,
    )
    assert r.status_code == 400 and r.json()["fields"] == {
        "closes_at": ["关闭时间必须晚于开放时间。"]
    }
    assert _state() == before


# --- access ---------------------------------------------------------------------------


def _page_writes(park, room):
    return [
        (f"/sharing/offerings/new/?park={park.pk}", OFFERING),
        (f"/sharing/offerings/{room.offering_id}/edit/", OFFERING),
        (f"/sharing/offerings/{room.offering_id}/resources/new/", RESOURCE),
    ]


def _api_writes(park, room):
    return [
        (
            "post",
            "/api/v1/sharing/offerings",
            {
                "park_id": park.pk,
                "share": "shared_brand",
                "name": "x",
                "operator": "x",
                "delivery": "event",
            },
        ),
        ("patch", f"/api/v1/sharing/offerings/{room.offering_id}", {"name": "篡改"}),
        ("post", f"/api/v1/sharing/offerings/{room.offering_id}/resources", {"name": "篡改"}),
        ("patch", f"/api/v1/sharing/resources/{room.pk}", {"name": "篡改"}),
    ]


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_viewer_and_member_are_refused_everywhere_and_nothing_is_saved(
    who, viewer, member, park, room
):
    client = logged_in(viewer if who == "viewer" else member)
    before = _state()
    assert_writes_refused(
        client,
        pages=_page_writes(park, room),
        apis=_api_writes(park, room),
        status=403,
        models=MODELS,
    )
    # Without ?park= too: there is no park they may change.
    assert client.get("/sharing/offerings/new/").status_code == 403
    assert _state() == before
    assert "/new/" not in client.get("/sharing/").content.decode()


def test_outsider_gets_404_and_nothing_is_saved(outsider_client, park, room):
    assert_writes_refused(
        outsider_client,
        pages=_page_writes(park, room),
        apis=_api_writes(park, room),
        status=404,
        models=MODELS,
    )


def test_operator_sees_the_manage_links(operator_client, park, room):
    body = operator_client.get(f"/sharing/?park={park.pk}").content.decode()
    for link in (
        f"/sharing/offerings/new/?park={park.pk}",
        f"/sharing/offerings/{room.offering_id}/edit/",
        f"/sharing/offerings/{room.offering_id}/resources/new/",
    ):
        assert link in body
    for url, _data in _page_writes(park, room):
        assert operator_client.get(url).status_code == 200, url
    # Without ?park=: the first park they may change.
    assert operator_client.get("/sharing/offerings/new/").status_code == 200


# --- booking on behalf of a firm ------------------------------------------------------


def _book(client, resource, start, end, **extra):
    return client.post(
        "/api/v1/sharing/bookings",
        {"resource_id": resource.pk, "start": start.isoformat(), "end": end.isoformat(), **extra},
        content_type=JSON,
    )


def test_operator_books_on_behalf_of_a_firm_through_the_page(
    operator_client, operator, enterprise, room
):
    room.approval_required = True  # the operator is the approver: their booking is confirmed
    room.save()
    r = operator_client.get(f"/sharing/resources/{room.pk}/")
    assert list(r.context["form"].fields["enterprise"].queryset) == [enterprise]
    day = at(2, 9)
    r = operator_client.post(
        f"/sharing/resources/{room.pk}/",
        {
            "enterprise": enterprise.pk,
            "day": day.date().isoformat(),
            "start": "09:00",
            "end": "10:30",
            "purpose": "客户来访",
        },
    )
    assert r.status_code == 302
    assert r["Location"] == f"/sharing/bookings/?enterprise={enterprise.pk}&month={day:%Y-%m}"
    b = Booking.objects.get()
    assert (b.enterprise, b.booked_by, b.status, b.start, b.end) == (
        enterprise,
        operator,
        "confirmed",
        day,
        at(2, 10, 30),
    )
    assert AuditEntry.objects.get(model="sharing.booking").actor == operator
    # Overlaps are refused whoever books; the exact error shows on the form.
    r = operator_client.post(
        f"/sharing/resources/{room.pk}/",
        {
            "enterprise": enterprise.pk,
            "day": day.date().isoformat(),
            "start": "10:00",
            "end": "11:00",
        },
    )
    assert r.status_code == 400 and r.context["form"].errors["start"] == [
        "该时段已被预约，请选择其他时间。"
    ]
    r = operator_client.post(
        f"/sharing/resources/{room.pk}/",
        {"day": day.date().isoformat(), "start": "12:00", "end": "13:00"},
    )
    assert r.status_code == 400 and "enterprise" in r.context["form"].errors
    assert Booking.objects.count() == 1


def test_park_admin_books_on_behalf_through_the_api_and_overlaps_are_refused_both_ways(
    staff_client, staff, member_client, member, park, enterprise, room
):
    other_firm = EnterpriseFactory(park=park)
    assert _book(member_client, room, at(2, 9), at(2, 11)).status_code == 201
    r = _book(staff_client, room, at(2, 10), at(2, 12), enterprise_id=other_firm.pk)
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"start": ["该时段已被预约，请选择其他时间。"]},
    }
    r = _book(staff_client, room, at(2, 11), at(2, 12), enterprise_id=other_firm.pk, purpose="代约")
    assert r.status_code == 201, r.json()
    assert (r.json()["enterprise_id"], r.json()["booked_by_id"], r.json()["status"]) == (
        other_firm.pk,
        staff.pk,
        "confirmed",
    )
    r = _book(member_client, room, at(2, 11, 30), at(2, 12, 30))
    assert r.json()["fields"] == {"start": ["该时段已被预约，请选择其他时间。"]}
    # The rules still apply to staff, and a firm must be named.
    assert _book(
        staff_client, room, at(3, 9, 10), at(3, 9, 40), enterprise_id=other_firm.pk
    ).json()["fields"] == {"start": ["预约须按 30 分钟的时段对齐。"]}
    assert _book(staff_client, room, at(3, 9), at(3, 10)).json()["fields"] == {
        "enterprise": ["请选择为哪家企业预约。"]
    }
    assert Booking.objects.count() == 2


def test_staff_bookings_count_towards_the_firms_monthly_quota(
    operator_client, member_client, enterprise, room
):
    room.monthly_quota_hours = Decimal("2")
    room.save()
    day = (
        2
        if (timezone.localdate() + dt.timedelta(days=3)).month
        == (timezone.localdate() + dt.timedelta(days=2)).month
        else 1
    )
    assert (
        _book(
            operator_client, room, at(day, 9), at(day, 11), enterprise_id=enterprise.pk
        ).status_code
        == 201
    )
    r = _book(member_client, room, at(day, 14), at(day, 15))
    assert r.status_code == 400 and "超出本企业本月该资源的预约上限" in r.json()["fields"]["end"][0]


def test_training_gate_on_behalf_needs_a_certified_person_of_the_firm(
    operator_client, operator, member, enterprise, spectrometer
):
    r = _book(operator_client, spectrometer, at(2, 9), at(2, 10), enterprise_id=enterprise.pk)
    assert r.json()["fields"] == {
        "enterprise": ["该企业没有通过该设备培训认证（且在有效期内）的人员，不能预约。"]
    }
    # The operator's own certification means nothing; an expired one of the firm neither.
    today = timezone.localdate()
    Certification.objects.create(
        resource=spectrometer,
        user=operator,
        certified_on=today,
        expires_on=today + dt.timedelta(days=30),
    )
    cert = Certification.objects.create(
        resource=spectrometer, user=member, certified_on=today, expires_on=today
    )
    assert (
        _book(
            operator_client, spectrometer, at(2, 9), at(2, 10), enterprise_id=enterprise.pk
        ).status_code
        == 400
    )
    cert.expires_on = today + dt.timedelta(days=30)
    cert.save()
    assert (
        _book(
            operator_client, spectrometer, at(2, 9), at(2, 10), enterprise_id=enterprise.pk
        ).status_code
        == 201
    )
    assert Booking.objects.get().booked_by == operator


def test_booking_on_behalf_is_refused_to_viewers_members_and_outsiders(
    viewer_client, member_client, outsider_client, operator, park, other_park, enterprise, room
):
    neighbour = EnterpriseFactory(park=park)
    foreign = EnterpriseFactory(park=other_park)
    assert (
        _book(viewer_client, room, at(2, 9), at(2, 10), enterprise_id=enterprise.pk).status_code
        == 403
    )
    r = viewer_client.post(
        f"/sharing/resources/{room.pk}/",
        {
            "enterprise": enterprise.pk,
            "day": at(2, 9).date().isoformat(),
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert r.status_code == 403
    # A member books only for their own firm: another firm is not even visible to them.
    assert (
        _book(member_client, room, at(2, 9), at(2, 10), enterprise_id=neighbour.pk).status_code
        == 404
    )
    assert (
        _book(outsider_client, room, at(2, 9), at(2, 10), enterprise_id=enterprise.pk).status_code
        == 404
    )
    # An operator of this park cannot see a firm of another park; the service refuses it anyway.
    op = logged_in(operator)
    assert _book(op, room, at(2, 9), at(2, 10), enterprise_id=foreign.pk).status_code == 404
    with pytest.raises(Exception, match="只能为本园区的企业预约"):
        services.booking_create(
            actor=operator, resource=room, start=at(2, 9), end=at(2, 10), enterprise=foreign
        )
    assert Booking.objects.count() == 0


def test_request_and_booking_filters_page_and_api(operator_client):
    # The request list is the service desk's now (issue 14): the old page redirects.
    r = operator_client.get("/sharing/requests/", {"status": "bogus"})
    assert r.status_code == 302 and r.url == "/tickets/?category=catalogue"
    r = operator_client.get("/sharing/bookings/", {"status": "bogus", "month": "2026-03"})
    assert r.status_code == 200 and r.context["month"] == dt.date(2026, 3, 1)
    assert r.context["errors"] == ["筛选条件“状态”的值“bogus”无效，已忽略。"]
    for url, params in [
        ("/api/v1/sharing/requests", {"status": "bogus"}),
        ("/api/v1/sharing/bookings", {"month": "March"}),
        ("/api/v1/sharing/events", {"park_id": "x"}),
    ]:
        r = operator_client.get(url, params)
        assert r.status_code == 400 and list(r.json()["fields"]) == list(params), url
    assert operator_client.get("/api/v1/sharing/requests", {"status": ""}).status_code == 200
