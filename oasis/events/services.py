"""Every write of events and showcases: events (the park's operators), registrations
with seats and a waitlist (members), check-in, showcases written by the firm and
published by the park; each in a transaction, fully validated, through the one write path."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oasis.accounts.models import User
from oasis.core.writes import apply_fields, record, save_validated, serialised, snapshot
from oasis.enterprises.models import Enterprise
from oasis.notifications.models import Event as NotificationEvent
from oasis.notifications.services import notify
from oasis.parks.models import Park
from oasis.sharing.models import Delivery
from oasis.sharing.selectors import require_manage

from .models import Event, Registration, Showcase


@transaction.atomic
def event_save(
    *, actor: User, park: Park, data: dict[str, Any], event: Event | None = None
) -> Event:
    """Create or change an event. A capacity raised hands the new seats to the waitlist
    in order; it cannot drop below the seats already taken."""
    require_manage(user=actor, park_id=park.pk)
    if event is not None:
        if event.park_id != park.pk:
            raise PermissionDenied
        # Lock the event: a registration at the same time must see the new capacity.
        event = Event.objects.select_for_update().get(pk=event.pk)
    before = snapshot(event) if event else None
    event = event or Event(park=park)
    apply_fields(
        event,
        data,
        frozenset(
            {
                "title",
                "kind",
                "starts_at",
                "ends_at",
                "venue",
                "capacity",
                "description",
                "offering",
            }
        ),
    )
    errors: dict[str, list[str]] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = [_("结束时间必须晚于开始时间。")]
    if event.offering is not None and (
        event.offering.park_id != park.pk or event.offering.delivery != Delivery.EVENT
    ):
        errors["offering"] = [_("所属服务须为本园区“活动”类服务。")]
    seated = (
        event.registrations.filter(status=Registration.Status.REGISTERED).count() if event.pk else 0
    )
    if event.capacity is not None and event.capacity < seated:
        errors["capacity"] = [_("名额不能少于已报名人数（%(n)s）。") % {"n": seated}]
    if errors:
        raise ValidationError(errors)
    save_validated(event)
    record(actor=actor, instance=event, before=before, park_id=park.pk)
    if event.pk and before is not None and event.capacity > seated and _promotable(event):
        waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
            "created_at", "id"
        )
        for reg in waiting[: event.capacity - seated]:
            _promote(actor, event, reg)
    return event


# An event's time window (issue 14): a seat is given up and handed to the waitlist only
# before the event starts; registrations are cancelled only before it ends; check-in
# opens an hour before the start and closes at the end.
CHECK_IN_OPENS = dt.timedelta(hours=1)
PROMOTED_SUBJECT = gettext_noop("候补转为正式报名：%(t)s")
PROMOTED_BODY = gettext_noop(
    "“%(t)s”有空出的名额，您已从候补转为正式报名。活动时间 %(when)s，地点 %(venue)s。"
)


def _promotable(event: Event, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) < event.starts_at


def _promote(actor: User | None, event: Event, reg: Registration) -> None:
    """Give a waitlisted person a seat, and tell them."""
    before = snapshot(reg)
    reg.status = Registration.Status.REGISTERED
    save_validated(reg)
    record(actor=actor, instance=reg, before=before, park_id=event.park_id)
    notify(
        recipients=[reg.user],
        event=NotificationEvent.WAITLIST_PROMOTED,
        subject=PROMOTED_SUBJECT,
        body=PROMOTED_BODY,
        values={
            "t": event.title,
            "when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
            "venue": event.venue or "—",
        },
        link=reverse("events:event", args=[event.pk]),
        park=event.park_id,
        actor=actor,
    )


def event_register(*, actor: User, event: Event) -> Registration:
    """Register a person: a seat while there is one, else the waitlist (in order)."""
    return serialised(partial(_event_register, actor, event))


@transaction.atomic
def _event_register(actor: User, event: Event) -> Registration:
    # Lock the event: two registrations at once must not both take the last seat.
    event = Event.objects.select_for_update().get(pk=event.pk)
    firm = actor.enterprise
    if firm is None:
        raise PermissionDenied(_("只有企业用户可以报名。"))
    if firm.park_id != event.park_id:
        raise PermissionDenied
    if timezone.now() >= event.starts_at:
        raise ValidationError({"event": [_("活动已开始，报名已截止。")]})
    if (
        event.registrations.filter(user=actor)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError({"event": [_("您已报名该活动。")]})
    taken = event.registrations.filter(status=Registration.Status.REGISTERED).count()
    status = (
        Registration.Status.REGISTERED if taken < event.capacity else Registration.Status.WAITLISTED
    )
    reg = Registration(event=event, user=actor, enterprise=actor.enterprise, status=status)
    save_validated(reg)
    record(actor=actor, instance=reg, park_id=event.park_id)
    return reg


@transaction.atomic
def registration_cancel(
    *, actor: User, registration: Registration, now: dt.datetime | None = None
) -> Registration:
    """Cancel a registration before the event ends; a seat freed before the event starts
    goes to the first on the waitlist, who is told. A checked-in person attended: their
    registration stays."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    reg = Registration.objects.select_related("user").get(pk=registration.pk)
    if reg.user_id != actor.pk:
        require_manage(user=actor, park_id=event.park_id)
    if reg.status == Registration.Status.CANCELLED:
        raise ValidationError({"status": [_("该报名已取消。")]})
    if reg.checked_in_at is not None:
        raise ValidationError({"status": [_("已签到的报名不能取消。")]})
    now = now or timezone.now()
    if now >= event.ends_at:
        raise ValidationError({"status": [_("活动已结束，不能再取消报名。")]})
    freed = reg.status == Registration.Status.REGISTERED
    before = snapshot(reg)
    reg.status = Registration.Status.CANCELLED
    save_validated(reg)
    record(actor=actor, instance=reg, before=before, park_id=event.park_id)
    if freed and _promotable(event, now):
        nxt = (
            event.registrations.filter(status=Registration.Status.WAITLISTED)
            .select_related("user")
            .order_by("created_at", "id")
            .first()
        )
        if nxt is not None:
            _promote(actor, event, nxt)
    return reg


@transaction.atomic
def registration_check_in(
    *, actor: User, registration: Registration, now: dt.datetime | None = None
) -> Registration:
    reg = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    require_manage(user=actor, park_id=reg.event.park_id)
    if reg.status != Registration.Status.REGISTERED:
        raise ValidationError({"status": [_("只有已报名（非候补）的人员可以签到。")]})
    if reg.checked_in_at:
        raise ValidationError({"status": [_("已签到。")]})
    now = now or timezone.now()
    if not reg.event.starts_at - CHECK_IN_OPENS <= now < reg.event.ends_at:
        raise ValidationError({"status": [_("签到只在活动开始前 1 小时至活动结束之间开放。")]})
    before = snapshot(reg)
    reg.checked_in_at = now
    save_validated(reg)
    record(actor=actor, instance=reg, before=before, park_id=reg.event.park_id)
    return reg


@transaction.atomic
def showcase_save(*, actor: User, enterprise: Enterprise, data: dict[str, Any]) -> Showcase:
    """The firm (or the park) writes the showcase; a firm's edit takes it offline until
    the park publishes it again."""
    if actor.is_member:
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied
    else:
        require_manage(user=actor, park_id=enterprise.park_id)
    sc = Showcase.objects.filter(enterprise=enterprise).first()
    before = snapshot(sc) if sc else None
    sc = sc or Showcase(enterprise=enterprise)
    apply_fields(sc, data, frozenset({"headline", "body", "products"}))
    if actor.is_member:
        sc.published, sc.published_at = False, None
    save_validated(sc)
    record(actor=actor, instance=sc, before=before, park_id=enterprise.park_id)
    return sc


@transaction.atomic
def showcase_publish(*, actor: User, showcase: Showcase, published: bool) -> Showcase:
    require_manage(user=actor, park_id=showcase.enterprise.park_id)
    before = snapshot(showcase)
    showcase.published = published
    showcase.published_at = timezone.now() if published else None
    save_validated(showcase)
    record(actor=actor, instance=showcase, before=before, park_id=showcase.enterprise.park_id)
    return showcase
