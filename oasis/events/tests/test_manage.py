"""Operators and park admins create and change events through pages and the API;
viewers, members and staff of another park are refused with nothing saved; every event
and showcase page answers every role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oasis.accounts.tests.access import assert_writes_refused, table_rows
from oasis.accounts.tests.factories import logged_in, make_user
from oasis.events import services
from oasis.events.models import Event, Registration
from oasis.sharing.models import Offering, Share
from oasis.sharing.tests.factories import make_offering

pytestmark = pytest.mark.django_db

JSON = "application/json"


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def room_offering(park):
    """A catalogue entry delivered as a bookable resource, not as events."""
    return make_offering(park, name="会议室")


# Every model the management pages and endpoints could write.
MODELS = (Event, Registration)


def _state() -> list:
    return table_rows(MODELS)


def _event_form(**over) -> dict:
    start = at(10, 14)
    data = {
        "title": "专精特新沙龙",
        "kind": "salon",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue": "路演厅",
        "capacity": 2,
        "description": "政策解读",
    }
    return {**data, **over}


@pytest.fixture
def event(park):
    start = at(7, 9)
    return Event.objects.create(
        park=park,
        title="品牌日",
        kind="brand_day",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=1,
    )


def test_operator_creates_and_edits_an_event_through_the_page(operator_client, park):
    brand = Offering.objects.create(
        park=park, share=Share.BRAND, name="品牌活动", operator="园区", delivery="event"
    )
    r = operator_client.post(f"/sharing/events/new/?park={park.pk}", _event_form(offering=brand.pk))
    assert r.status_code == 302
    event = Event.objects.get()
    assert r["Location"] == f"/sharing/events/{event.pk}/"
    assert (event.park, event.offering, event.capacity, event.starts_at) == (
        park,
        brand,
        2,
        at(10, 14),
    )
    r = operator_client.get(f"/sharing/events/{event.pk}/edit/")
    assert r.status_code == 200 and f'value="{at(10, 14):%Y-%m-%dT%H:%M}"' in r.content.decode()
    r = operator_client.post(
        f"/sharing/events/{event.pk}/edit/", _event_form(title="专精特新沙龙（二期）", capacity=30)
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.capacity, event.offering) == ("专精特新沙龙（二期）", 30, None)
    assert (
        f"/sharing/events/{event.pk}/edit/"
        in operator_client.get(f"/sharing/events/{event.pk}/").content.decode()
    )


def test_raising_capacity_seats_the_waitlist_in_order_and_it_cannot_drop_below_the_seated(
    staff_client, park, event, enterprise
):
    people = [make_user(f"p{i}", enterprise=enterprise) for i in range(3)]
    regs = [services.event_register(actor=p, event=event) for p in people]
    assert [r.status for r in regs] == ["registered", "waitlisted", "waitlisted"]
    r = staff_client.patch(f"/api/v1/sharing/events/{event.pk}", {"capacity": 2}, content_type=JSON)
    assert r.status_code == 200 and (r.json()["registered"], r.json()["waitlisted"]) == (2, 1)
    assert [Registration.objects.get(pk=x.pk).status for x in regs] == [
        "registered",
        "registered",
        "waitlisted",
    ]
    before = _state()
    r = staff_client.patch(f"/api/v1/sharing/events/{event.pk}", {"capacity": 1}, content_type=JSON)
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"capacity": ["名额不能少于已报名人数（2）。"]},
    }
    assert _state() == before


def test_park_admin_creates_an_event_through_the_api_and_invalid_input_saves_nothing(
    staff_client, park, room_offering
):
    start = at(5, 9)
    payload = {
        "title": "创新路演",
        "kind": "roadshow",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 50,
    }
    r = staff_client.post("/api/v1/sharing/events", payload, content_type=JSON)
    assert r.status_code == 201, r.json()
    assert (r.json()["park_id"], r.json()["capacity"], r.json()["registered"]) == (park.pk, 50, 0)
    before = _state()
    r = staff_client.post(
        "/api/v1/sharing/events", {**payload, "ends_at": start.isoformat()}, content_type=JSON
    )
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"ends_at": ["结束时间必须晚于开始时间。"]},
    }
    r = staff_client.post(
        "/api/v1/sharing/events", {**payload, "offering_id": room_offering.pk}, content_type=JSON
    )
    assert r.json()["fields"] == {"offering": ["所属服务须为本园区“活动”类服务。"]}
    r = staff_client.post(
        f"/sharing/events/new/?park={park.pk}",
        _event_form(ends_at=at(10, 14).strftime("%Y-%m-%dT%H:%M")),
    )
    assert r.status_code == 400 and r.context["form"].errors["ends_at"] == [
        "结束时间必须晚于开始时间。"
    ]
    assert _state() == before


def _page_writes(park, event):
    return [
        (f"/sharing/events/new/?park={park.pk}", _event_form()),
        (f"/sharing/events/{event.pk}/edit/", _event_form()),
    ]


def _api_writes(park, event):
    start = at(5, 9)
    return [
        (
            "post",
            "/api/v1/sharing/events",
            {
                "park_id": park.pk,
                "title": "x",
                "kind": "salon",
                "capacity": 1,
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            },
        ),
        ("patch", f"/api/v1/sharing/events/{event.pk}", {"title": "篡改"}),
    ]


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_viewer_and_member_are_refused_everywhere_and_nothing_is_saved(
    who, viewer, member, park, event
):
    client = logged_in(viewer if who == "viewer" else member)
    before = _state()
    assert_writes_refused(
        client,
        pages=_page_writes(park, event),
        apis=_api_writes(park, event),
        status=403,
        models=MODELS,
    )
    assert _state() == before
    assert "/new/" not in client.get("/sharing/events/").content.decode()
    assert "修改活动" not in client.get(f"/sharing/events/{event.pk}/").content.decode()


def test_outsider_gets_404_and_nothing_is_saved(outsider_client, park, event):
    assert_writes_refused(
        outsider_client,
        pages=_page_writes(park, event),
        apis=_api_writes(park, event),
        status=404,
        models=MODELS,
    )


def test_operator_sees_the_manage_links(operator_client, park, event):
    assert (
        f"/sharing/events/new/?park={park.pk}"
        in operator_client.get("/sharing/events/").content.decode()
    )
    for url, _data in _page_writes(park, event):
        assert operator_client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["staff", "operator", "viewer", "member"])
def test_event_and_showcase_pages_render_for_every_role(request, who, event):
    c = logged_in(request.getfixturevalue(who))
    for url in ("/sharing/events/", f"/sharing/events/{event.pk}/", "/sharing/showcases/"):
        assert c.get(url).status_code == 200, url
