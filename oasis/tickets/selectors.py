"""Reads of the service desk, always scoped by the user: a member sees their own firm's
tickets, staff their parks' tickets. `ticket_get_for_user` is the access helper."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can, users_with_capability
from oasis.core.selectors import first_or_404
from oasis.parks.selectors import park_ids_for_user

from .filters import TicketFilter
from .models import (
    ROUTES,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketQuerySet,
    handle_capability,
)


def ticket_queryset_for_user(user: User) -> TicketQuerySet:
    if not user.is_authenticated:
        return Ticket.objects.none()
    if (firm_id := user.enterprise_id) is not None:
        return Ticket.objects.filter(enterprise_id=firm_id)
    parks = park_ids_for_user(user, roles.VIEW)
    return Ticket.objects.all() if parks is None else Ticket.objects.filter(park_id__in=parks)


def ticket_get_for_user(*, user: User, pk: int) -> Ticket:
    return first_or_404(
        ticket_queryset_for_user(user)
        .select_related("enterprise", "park", "assignee", "opened_by")
        .filter(pk=pk)
    )


def ticket_can_handle(*, user: User, ticket: Ticket) -> bool:
    return not user.is_member and user_can(user, ticket.park_id, handle_capability(ticket.category))


def routed(qs: TicketQuerySet, user: User) -> TicketQuerySet:
    """The staff queue routed by role: the requests of the types the user handles, in
    the parks where they handle them. Staff who handle nothing (viewers) see all they
    may read."""
    q = Q(pk__in=[])
    handles = False
    for capability, types in ROUTES:
        parks = park_ids_for_user(user, capability)
        if parks is None:
            q |= Q(category__in=types)
            handles = True
        elif parks:
            q |= Q(category__in=types, park_id__in=parks)
            handles = True
    return qs.filter(q) if handles else qs


def ticket_can_handle_any(user: User) -> bool:
    if user.is_member:
        return False
    parks = park_ids_for_user(user, roles.TICKET_HANDLE)
    return parks is None or bool(parks)


def ticket_list(*, user: User, filters: TicketFilter | None = None) -> QuerySet[Ticket]:
    """The queue (staff) or the firm's tickets (member), one query whatever the rows."""
    filters = filters or TicketFilter()
    qs = ticket_queryset_for_user(user).select_related(
        "enterprise", "assignee", "service_line__offering"
    )
    if not user.is_member and not filters.every:
        qs = routed(qs, user)
    if filters.status == "active":
        qs = qs.active()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.mine:
        qs = qs.filter(assignee=user)
    if filters.breached:
        qs = qs.late()
    return qs.annotate(
        reply_count=Count("messages", filter=Q(messages__kind=TicketMessage.Kind.REPLY))
    ).order_by("-opened_at", "-id")


def ticket_thread(*, ticket: Ticket) -> list[TicketMessage]:
    return list(
        ticket.messages.select_related("author").prefetch_related(
            Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id"))
        )
    )


def attachment_get_for_user(*, user: User, ticket_id: int, pk: int) -> TicketAttachment:
    ticket = ticket_get_for_user(user=user, pk=ticket_id)
    return first_or_404(ticket.attachments.filter(pk=pk))


def handlers_for_park(*, park_id: int, category: str) -> QuerySet[User]:
    """Staff who may be assigned a request of this type in this park."""
    return users_with_capability(handle_capability(category), park_ids=[park_id])


def enterprise_tickets(*, user: User, enterprise_id: int, limit: int = 5) -> list[Ticket]:
    """The latest tickets of one firm, for the portal landing (scoped like the rest)."""
    return list(ticket_queryset_for_user(user).filter(enterprise_id=enterprise_id)[:limit])
