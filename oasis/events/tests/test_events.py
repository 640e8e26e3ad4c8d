"""Events with seats and a waitlist (register, cancel, promotion, check-in, the event's
time window) and showcases written by the firm and published by the park."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from oasis.accounts.tests.factories import logged_in, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.events import services
from oasis.events.models import Event, Registration, Showcase

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(park):
    start = timezone.now() + dt.timedelta(days=7)
    return Event.objects.create(
        park=park,
        title="专精特新路演日",
        kind="roadshow",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=2,
    )


def test_event_fills_up_waitlists_promotes_and_checks_in(park, event, operator_client, operator):
    users = [make_user(f"guest{i}", enterprise=EnterpriseFactory(park=park)) for i in range(4)]
    statuses = []
    for u in users:
        r = logged_in(u).post(f"/api/v1/sharing/events/{event.pk}/register")
        assert r.status_code == 201
        statuses.append(r.json()["status"])
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    r = logged_in(users[0]).post(f"/api/v1/sharing/events/{event.pk}/register")
    assert r.status_code == 400 and r.json()["fields"] == {"event": ["您已报名该活动。"]}
    first = Registration.objects.get(user=users[0])
    assert (
        logged_in(users[0])
        .post(f"/api/v1/sharing/registrations/{first.pk}/cancel")
        .json()["status"]
        == "cancelled"
    )
    assert Registration.objects.get(user=users[2]).status == "registered"
    assert Registration.objects.get(user=users[3]).status == "waitlisted"
    second = Registration.objects.get(user=users[1])
    assert (
        logged_in(users[1]).post(f"/api/v1/sharing/registrations/{second.pk}/check-in").status_code
        == 403
    )
    # A week ahead check-in is not open yet; half an hour before the start it is.
    r = operator_client.post(f"/api/v1/sharing/registrations/{second.pk}/check-in")
    assert r.json()["fields"] == {"status": ["签到只在活动开始前 1 小时至活动结束之间开放。"]}
    soon = timezone.now() + dt.timedelta(minutes=30)
    Event.objects.filter(pk=event.pk).update(starts_at=soon, ends_at=soon + dt.timedelta(hours=3))
    r = operator_client.post(f"/api/v1/sharing/registrations/{second.pk}/check-in")
    assert r.status_code == 200 and r.json()["checked_in_at"]
    waiting = Registration.objects.get(user=users[3])
    r = operator_client.post(f"/api/v1/sharing/registrations/{waiting.pk}/check-in")
    assert r.json()["fields"] == {"status": ["只有已报名（非候补）的人员可以签到。"]}
    listing = operator_client.get("/api/v1/sharing/events").json()["items"]
    assert [(e["registered"], e["waitlisted"]) for e in listing] == [(2, 1)]


def test_event_window_holds_for_cancel_promotion_and_check_in(park, event, operator):
    """Issue 14, finding 5: nothing moves 20 days after the event; a checked-in
    registration cannot be cancelled; a promoted person is told."""
    from oasis.notifications.models import Notification

    guests = [make_user(f"g{i}", enterprise=EnterpriseFactory(park=park)) for i in range(4)]
    regs = [services.event_register(actor=u, event=event) for u in guests]
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted", "waitlisted"]
    # Before the start: a cancelled seat goes to the first on the waitlist, who is told.
    services.registration_cancel(actor=guests[0], registration=regs[0])
    regs[2].refresh_from_db()
    assert regs[2].status == "registered"
    note = Notification.objects.get(recipient=guests[2])
    assert note.event == "waitlist_promoted" and "专精特新路演日" in note.subject
    # During the event: check-in works, and a checked-in seat cannot be cancelled.
    during = event.starts_at + dt.timedelta(minutes=10)
    services.registration_check_in(actor=operator, registration=regs[1], now=during)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=guests[1], registration=regs[1], now=during)
    assert exc.value.message_dict == {"status": ["已签到的报名不能取消。"]}
    # A seat given up after the start goes to nobody: the event is under way.
    services.registration_cancel(actor=guests[2], registration=regs[2], now=during)
    regs[3].refresh_from_db()
    assert regs[3].status == "waitlisted"
    # Twenty days after: no cancellation, no check-in.
    after = event.ends_at + dt.timedelta(days=20)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=guests[3], registration=regs[3], now=after)
    assert exc.value.message_dict == {"status": ["活动已结束，不能再取消报名。"]}
    regs[1].checked_in_at = None
    regs[1].save()
    with pytest.raises(ValidationError):
        services.registration_check_in(actor=operator, registration=regs[1], now=after)
    # Raising the capacity after the start promotes nobody.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    event.refresh_from_db()
    services.event_save(actor=operator, park=park, data={"capacity": 10}, event=event)
    regs[3].refresh_from_db()
    assert regs[3].status == "waitlisted"


def test_event_page_register_and_access(member_client, outsider_client, event):
    r = member_client.post(f"/sharing/events/{event.pk}/", {"action": "register"})
    assert r.status_code == 302
    assert Registration.objects.get().status == "registered"
    assert member_client.get(f"/sharing/events/{event.pk}/").status_code == 200
    assert outsider_client.get(f"/sharing/events/{event.pk}/").status_code == 404
    assert outsider_client.post(f"/api/v1/sharing/events/{event.pk}/register").status_code == 404
    assert Registration.objects.count() == 1


def test_showcase_written_by_firm_published_by_park(member_client, operator_client, member, park):
    r = member_client.post(
        "/sharing/showcases/mine/", {"headline": "车规级芯片测试专家", "body": "十年经验"}
    )
    assert r.status_code == 302
    sc = Showcase.objects.get()
    neighbour = logged_in(make_user("neighbour", enterprise=EnterpriseFactory(park=park)))
    assert neighbour.get(f"/sharing/showcases/{sc.pk}/").status_code == 404
    assert member_client.post(f"/sharing/showcases/{sc.pk}/", {"published": "1"}).status_code == 403
    assert (
        operator_client.post(f"/sharing/showcases/{sc.pk}/", {"published": "1"}).status_code == 302
    )
    assert neighbour.get(f"/sharing/showcases/{sc.pk}/").status_code == 200


def test_cancel_and_check_in_through_the_event_page(member, member_client, operator_client, event):
    url = f"/sharing/events/{event.pk}/"
    r = member_client.post(url, {"action": "register"}, follow=True)
    assert [str(x) for x in r.context["messages"]] == ["报名成功。"]
    reg = Registration.objects.get()
    # A week ahead, check-in is not open: the service's sentence is flashed.
    r = operator_client.post(url, {"action": "check_in", "registration": reg.pk}, follow=True)
    assert [str(x) for x in r.context["messages"]] == [
        "签到只在活动开始前 1 小时至活动结束之间开放。"
    ]
    assert member_client.post(url, {"action": "cancel", "registration": "x"}).status_code == 302
    assert member_client.post(url, {"action": "cancel", "registration": 99999}).status_code == 404
    r = member_client.post(url, {"action": "cancel", "registration": reg.pk})
    assert r.status_code == 302 and r["Location"] == url
    reg.refresh_from_db()
    assert reg.status == "cancelled"
