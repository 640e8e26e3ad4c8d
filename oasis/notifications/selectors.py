"""Reads: a user's own inbox, and the emails of a staff member's parks."""

from __future__ import annotations

from django.db.models import QuerySet

from oasis.accounts.http import AnyUser
from oasis.accounts.models import User
from oasis.accounts.selectors import user_is_staff, user_park_ids
from oasis.core.selectors import first_or_404

from .models import ALWAYS_EMAILED, EmailDelivery, Event, Notification, Preference


def notification_list(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """The user's own messages, newest first. Nobody reads another person's inbox."""
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(*, user: AnyUser) -> int:
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_choices(*, user: User) -> list[tuple[str, str, bool]]:
    """(event, label, by email?) for each event a user may choose."""
    off = set(Preference.objects.filter(user=user, email=False).values_list("event", flat=True))
    return [
        (value, str(label), value not in off)
        for value, label in Event.choices
        if value not in ALWAYS_EMAILED
    ]


def delivery_list(*, user: User, status: str | None = None) -> QuerySet[EmailDelivery]:
    """Emails of the parks the staff member works in (platform mail without a park:
    superusers only). Members see none."""
    if user.is_member or not user_is_staff(user):
        return EmailDelivery.objects.none()
    qs = EmailDelivery.objects.select_related("notification")
    parks = user_park_ids(user)
    if parks is not None:
        qs = qs.filter(park_id__in=parks)
    return qs.filter(status=status) if status else qs


def delivery_get_for_user(*, user: User, pk: int) -> EmailDelivery:

    return first_or_404(delivery_list(user=user).filter(pk=pk))
