"""The one notification service every app calls:

    notify(recipients=[user], event=Event.REQUEST_REPLY, subject=gettext_noop("…%(t)s"),
           body=gettext_noop("…"), values={"t": ticket.title}, link=url, park=ticket.park)

Each recipient gets an inbox row; those who want this event by email (and have an
address) also get an email, sent by a background task after the write commits. The
return value says who was actually reached, so a reminder count is never a guess."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oasis.accounts.models import User
from oasis.accounts.selectors import user_park_ids
from oasis.core.tasks import enqueue_with_write
from oasis.core.texts import written
from oasis.core.writes import record, record_bulk_create, snapshot
from oasis.parks.models import Park

from .models import ALWAYS_EMAILED, EmailDelivery, Event, Notification, Preference

MAX_ATTEMPTS = 3
RETRY_AFTER = (dt.timedelta(minutes=1), dt.timedelta(minutes=10))


@dataclass
class Reach:
    """Who a notification reached: user ids given an inbox row, and those emailed."""

    notified: set[int] = field(default_factory=set)
    emailed: set[int] = field(default_factory=set)

    @property
    def reached(self) -> set[int]:
        return self.notified | self.emailed


def staff_with(*, park_id: int, capability: str) -> list[User]:
    """The active staff of a park who hold `capability` (who a new request goes to)."""
    from oasis.accounts.roles import CAPABILITIES

    return list(
        User.objects.filter(
            is_active=True,
            enterprise__isnull=True,
            park_roles__park_id=park_id,
            park_roles__role__in=CAPABILITIES[capability],
        ).distinct()
    )


def email_wanted(user_ids: Iterable[int], event: str) -> set[int]:
    """Of these users, those who want `event` by email (no preference row = yes)."""
    ids = set(user_ids)
    if event in ALWAYS_EMAILED:
        return ids
    off = set(
        Preference.objects.filter(user_id__in=ids, event=event, email=False).values_list(
            "user_id", flat=True
        )
    )
    return ids - off


def notify(
    *,
    recipients: Iterable[User],
    event: str,
    subject: str,
    body: str = "",
    link: str = "",
    park: Park | int | None = None,
    values: dict[str, str | int] | None = None,
    actor: User | None = None,
    now: dt.datetime | None = None,
    inbox: bool = True,
) -> Reach:
    """Notify each active recipient once (duplicates and the actor themself left out).
    `subject` and `body` are `gettext_noop` source strings, `values` their placeholders:
    stored in the default language with their source, shown in each reader's language.
    `inbox=False` for someone who cannot log in yet (an invitation): email only."""
    if event not in Event.values:
        raise ValueError(event)
    park_id = park.pk if isinstance(park, Park) else park
    now = now or timezone.now()
    people: dict[int, User] = {}
    for user in recipients:
        if user.pk and user.pk != getattr(actor, "pk", None) and (user.is_active or not inbox):
            people.setdefault(user.pk, user)
    reach = Reach()
    if not people:
        return reach
    values = values or {}
    subject_text, subject_source = written(subject, **values)
    body_text, body_source = written(body, **values) if body else ("", None)
    rows = [
        Notification(
            recipient=user,
            park_id=park_id,
            event=event,
            subject=subject_text[:200],
            subject_source=subject_source,
            body=body_text,
            body_source=body_source,
            link=link[:300],
            created_at=now,
            read_at=None if inbox else now,
        )
        for user in people.values()
    ]
    Notification.objects.bulk_create(rows)
    if inbox:
        reach.notified = set(people)
    record_bulk_create(actor=actor, instances=rows, park_id=park_id)
    wanted = email_wanted(people, event)
    deliveries = [
        EmailDelivery(
            notification=n, park_id=park_id, to=people[n.recipient_id].email, created_at=now
        )
        for n in rows
        if n.recipient_id in wanted and people[n.recipient_id].email
    ]
    EmailDelivery.objects.bulk_create(deliveries)
    reach.emailed = {d.notification.recipient_id for d in deliveries}
    from .tasks import send_email

    for delivery in deliveries:
        enqueue_with_write(send_email, delivery.pk)
    return reach


def _email_text(notification: Notification) -> tuple[str, str]:
    body = notification.body
    if notification.link:
        base = getattr(settings, "SITE_URL", "").rstrip("/")
        body = f"{body}\n\n{base}{notification.link}" if body else f"{base}{notification.link}"
    return notification.subject, body


def email_send(*, delivery_id: int, now: dt.datetime | None = None) -> EmailDelivery | None:
    """Send one email (the task's work). Sent or failed is recorded with the attempt; a
    sent email is never sent again, so a task that runs twice sends once. Returns the
    delivery when a retry should be scheduled."""
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update()
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != EmailDelivery.Status.PENDING:
            return None
        subject, body = _email_text(delivery.notification)
        before = snapshot(delivery)
        delivery.attempts += 1
        try:
            send_mail(subject, body, None, [delivery.to], fail_silently=False)
        except Exception as exc:  # any transport error is recorded, not raised
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = EmailDelivery.Status.FAILED
        else:
            delivery.status = EmailDelivery.Status.SENT
            delivery.sent_at = now or timezone.now()
            delivery.last_error = ""
        delivery.save()
        record(actor=None, instance=delivery, before=before, park_id=delivery.park_id)
    return delivery if delivery.status == EmailDelivery.Status.PENDING else None


@transaction.atomic
def email_retry(*, actor: User, delivery: EmailDelivery) -> EmailDelivery:
    """Staff send a failed email again (a fresh round of attempts)."""
    parks = user_park_ids(actor)
    if actor.is_member or (parks is not None and delivery.park_id not in parks):
        raise PermissionDenied(_("没有处理该邮件的权限。"))
    delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != EmailDelivery.Status.FAILED:
        return delivery
    before = snapshot(delivery)
    delivery.status = EmailDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.save()
    record(actor=actor, instance=delivery, before=before, park_id=delivery.park_id)
    from .tasks import send_email

    enqueue_with_write(send_email, delivery.pk)
    return delivery


@transaction.atomic
def notification_mark_read(
    *, user: User, ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark the user's own messages read (all unread ones when `ids` is None). Only the
    reader's rows are touched; no audit row (a read receipt changes nothing)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now or timezone.now())


@transaction.atomic
def preferences_save(*, user: User, email_events: Iterable[str]) -> None:
    """The events the user wants by email; the rest stay in the inbox only."""
    chosen = set(email_events)
    if chosen - set(Event.values):
        raise ValueError(chosen - set(Event.values))
    existing = {p.event: p for p in Preference.objects.filter(user=user)}
    for event in Event.values:
        if event in ALWAYS_EMAILED:
            continue
        wanted = event in chosen
        pref = existing.get(event)
        if pref is None:
            if wanted:
                continue  # the default
            pref = Preference(user=user, event=event, email=False)
            pref.save()
            record(actor=user, instance=pref, park_id=None)
        elif pref.email != wanted:
            before = snapshot(pref)
            pref.email = wanted
            pref.save()
            record(actor=user, instance=pref, before=before, park_id=None)
