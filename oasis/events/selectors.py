"""Reads of events and showcases, always scoped by the user: members see their park's
events and their own firm's registrations, published showcases and their own; staff see
their parks'. Anything out of scope is a 404. Park scope is sharing's, as before the split."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from oasis.accounts.models import User
from oasis.core.selectors import first_or_404
from oasis.parks.models import Park
from oasis.sharing.models import Delivery, Offering
from oasis.sharing.selectors import in_parks

from .models import Event, Registration, Showcase


def event_queryset_for_user(user: User) -> QuerySet[Event]:
    return in_parks(Event.objects.all(), user, "park_id")


def event_get_for_user(*, user: User, pk: int) -> Event:
    return first_or_404(event_queryset_for_user(user).select_related("park").filter(pk=pk))


def event_offerings(*, park: Park) -> QuerySet[Offering]:
    """The park's catalogue entries an event may belong to (delivered as events)."""
    return Offering.objects.filter(park=park, delivery=Delivery.EVENT).order_by("name", "id")


def event_list(*, user: User, park: Park) -> QuerySet[Event]:
    return (
        event_queryset_for_user(user)
        .filter(park=park)
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)
            ),
            waitlisted=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
        )
        .order_by("-starts_at", "id")
    )


def registration_list(*, user: User, event: Event) -> list[Registration]:
    """Staff see everyone; a member sees their own firm's registrations only."""
    qs = event.registrations.exclude(status=Registration.Status.CANCELLED).select_related(
        "user", "enterprise"
    )
    if (firm_id := user.enterprise_id) is not None:
        qs = qs.filter(enterprise_id=firm_id)
    return list(qs.order_by("created_at", "id"))


def registration_get_for_user(*, user: User, pk: int) -> Registration:
    qs = Registration.objects.filter(event__in=event_queryset_for_user(user))
    if user.is_member:
        qs = qs.filter(user=user)
    return first_or_404(qs.select_related("event").filter(pk=pk))


def showcase_queryset_for_user(user: User) -> QuerySet[Showcase]:
    qs = in_parks(Showcase.objects.all(), user, "enterprise__park_id")
    if user.is_authenticated and (firm_id := user.enterprise_id) is not None:
        qs = qs.filter(Q(published=True) | Q(enterprise_id=firm_id))
    return qs


def showcase_get_for_user(*, user: User, pk: int) -> Showcase:
    return first_or_404(showcase_queryset_for_user(user).select_related("enterprise").filter(pk=pk))
