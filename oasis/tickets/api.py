"""/api/v1/tickets/: the service desk, same scoping as the pages. Files are attached
through the page (multipart); the API lists them with their access-checked URL."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.sharing.models import Offering

from . import selectors, services
from .filters import TicketFilter
from .models import Category, Ticket

router = Router(tags=["tickets"])


class TicketIn(Schema):
    category: Category
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=5000)
    # A catalogue service (category "catalogue"): which offering, how much.
    offering_id: int | None = None
    quantity: Decimal | None = Field(None, gt=0, le=9999, decimal_places=2)


class TicketOut(Schema):
    id: int
    enterprise_id: int
    category: Category
    title: str
    body: str
    status: Ticket.Status
    assignee_id: int | None
    opened_at: dt.datetime
    response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    response_breached: bool
    resolution_breached: bool
    escalated_at: dt.datetime | None
    rating: int | None
    rating_comment: str
    # Computed when read, on the park's working calendar.
    late: bool
    working_hours_left: float | None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    kind: str
    from_staff: bool
    author: str | None
    body: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]


class ReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=5000)


class AssignIn(Schema):
    assignee_id: int


class ConfirmIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


def _detail(ticket: Ticket) -> dict:
    def att(a) -> dict:
        return {
            "id": a.pk,
            "name": a.original_name,
            "size": a.size,
            "url": reverse(
                "tickets:ticket-attachment", kwargs={"ticket_id": ticket.pk, "attachment_id": a.pk}
            ),
        }

    data = TicketOut.from_orm(ticket).dict()
    data["messages"] = [
        {
            "id": m.pk,
            "kind": m.kind,
            "from_staff": m.from_staff,
            "author": str(m.author) if m.author else None,
            "body": m.body,
            "created_at": m.created_at,
            "attachments": [att(a) for a in m.attachments.all()],
        }
        for m in selectors.ticket_thread(ticket=ticket)
    ]
    return data


@router.get("", response=list[TicketOut])
@paginate(LimitOffsetPagination)
def ticket_list(request: AuthedHttpRequest, filters: Query[TicketFilter]):
    return selectors.ticket_list(user=request.user, filters=filters)


@router.post("", response={201: TicketDetailOut})
def ticket_open(request: AuthedHttpRequest, payload: TicketIn):
    data = payload.dict()
    offering_id = data.pop("offering_id")
    offering = None
    if offering_id is not None:
        # Only an offering of the member's own park: anything else is "not found".
        firm = request.user.enterprise
        offering = (
            Offering.objects.filter(pk=offering_id, park_id=firm.park_id).first() if firm else None
        )
        if offering is None:
            raise ValidationError({"offering_id": [_("没有这个共享服务。")]})
    ticket = services.ticket_open(actor=request.user, offering=offering, **data)
    return Status(201, _detail(ticket))


@router.get("/{ticket_id}", response=TicketDetailOut)
def ticket_detail(request: AuthedHttpRequest, ticket_id: int):
    return _detail(selectors.ticket_get_for_user(user=request.user, pk=ticket_id))


@router.post("/{ticket_id}/replies", response={201: TicketDetailOut})
def ticket_reply(request: AuthedHttpRequest, ticket_id: int, payload: ReplyIn):
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    services.ticket_reply(actor=request.user, ticket=ticket, body=payload.body)
    return Status(201, _detail(selectors.ticket_get_for_user(user=request.user, pk=ticket_id)))


@router.post("/{ticket_id}/assign", response=TicketDetailOut)
def ticket_assign(request: AuthedHttpRequest, ticket_id: int, payload: AssignIn):
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    if not selectors.ticket_can_handle(user=request.user, ticket=ticket):
        raise PermissionDenied(_("没有处理该工单的权限。"))
    assignee = (
        selectors.handlers_for_park(park_id=ticket.park_id, category=ticket.category)
        .filter(pk=payload.assignee_id)
        .first()
    )
    if assignee is None:
        raise ValidationError({"assignee_id": [services.assignee_invalid()]})
    services.ticket_assign(actor=request.user, ticket=ticket, assignee=assignee)
    return _detail(selectors.ticket_get_for_user(user=request.user, pk=ticket_id))


@router.post("/{ticket_id}/resolve", response=TicketDetailOut)
def ticket_resolve(request: AuthedHttpRequest, ticket_id: int, payload: ReplyIn):
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    services.ticket_resolve(actor=request.user, ticket=ticket, body=payload.body)
    return _detail(selectors.ticket_get_for_user(user=request.user, pk=ticket_id))


@router.post("/{ticket_id}/confirm", response=TicketDetailOut)
def ticket_confirm(request: AuthedHttpRequest, ticket_id: int, payload: ConfirmIn):
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    services.ticket_confirm(
        actor=request.user, ticket=ticket, rating=payload.rating, comment=payload.comment
    )
    return _detail(selectors.ticket_get_for_user(user=request.user, pk=ticket_id))
