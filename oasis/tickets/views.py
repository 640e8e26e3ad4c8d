"""Service-desk pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.models import User
from oasis.accounts.selectors import user_is_staff
from oasis.core.filters import parse_filters
from oasis.core.views import render_page, submit

from . import selectors, services
from .filters import TicketFilter
from .forms import AssignForm, ConfirmForm, ReopenForm, ReplyForm, ResolveForm, TicketForm
from .models import Category, Ticket

PAGE_SIZE = 25


def _check_reader(user: User) -> None:
    if not (user.is_member or user_is_staff(user)):
        raise PermissionDenied


@login_required
def ticket_list(request: AuthedHttpRequest) -> HttpResponse:
    _check_reader(request.user)
    filters, errors = parse_filters(TicketFilter, request.GET)
    qs = selectors.ticket_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "tickets",
        "page": page,
        "filters": filters,
        "errors": errors,
        "statuses": Ticket.Status.choices,
        "categories": Category.choices,
        "is_member": request.user.is_member,
    }
    return render_page(request, "tickets/ticket_list.html", context)


@login_required
def ticket_create(request: AuthedHttpRequest) -> HttpResponse:
    firm = request.user.enterprise
    if firm is None:
        raise PermissionDenied
    park_id = firm.park_id
    initial = {k: v for k in ("category", "offering") if (v := request.GET.get(k, "")).isascii()}
    return submit(
        request,
        TicketForm(request.POST or None, request.FILES or None, park_id=park_id, initial=initial),
        lambda data: services.ticket_open(
            actor=request.user,
            category=data["category"],
            title=data["title"],
            body=data["body"],
            files=data["files"],
            offering=data["offering"],
            quantity=data["quantity"],
        ),
        success=_("工单已提交。"),
        next=_detail_url,
        template="tickets/ticket_form.html",
        context={"nav": "tickets"},
    )


def _detail(
    request: AuthedHttpRequest, ticket: Ticket, *, status: int = 200, **forms: Any
) -> HttpResponse:
    can_handle = selectors.ticket_can_handle(user=request.user, ticket=ticket)
    own = request.user.is_member and request.user.enterprise_id == ticket.enterprise_id
    context = {
        "nav": "tickets",
        "t": ticket,
        "thread": selectors.ticket_thread(ticket=ticket),
        "attachments_loose": [a for a in ticket.attachments.all() if a.message_id is None],
        "can_handle": can_handle,
        "own": own,
        "reply_form": forms.get("reply_form")
        or (ReplyForm() if (can_handle or own) and ticket.status != Ticket.Status.CLOSED else None),
        "assign_form": forms.get("assign_form")
        or (
            AssignForm(
                handlers=selectors.handlers_for_park(
                    park_id=ticket.park_id, category=ticket.category
                ),
                initial={"assignee": ticket.assignee_id},
            )
            if can_handle and ticket.status in Ticket.ACTIVE
            else None
        ),
        "resolve_form": forms.get("resolve_form")
        or (ResolveForm() if can_handle and ticket.status in Ticket.ACTIVE else None),
        "confirm_form": forms.get("confirm_form")
        or (ConfirmForm() if own and ticket.status == Ticket.Status.RESOLVED else None),
        "reopen_form": forms.get("reopen_form")
        or (ReopenForm() if own and ticket.status == Ticket.Status.RESOLVED else None),
    }
    return render(request, "tickets/ticket_detail.html", context, status=status)


def _detail_url(ticket: Ticket) -> str:
    return reverse("tickets:ticket-detail", args=[ticket.pk])


def _on_ticket(
    request: AuthedHttpRequest,
    ticket: Ticket,
    slot: str,
    form: Any,
    save: Any,
    success: str,
) -> HttpResponse:
    """Submit one of the ticket page's forms; on errors the page shows it in its `slot`."""
    return submit(
        request,
        form,
        save,
        success=success,
        next=_detail_url(ticket),
        page=lambda status: _detail(request, ticket, status=status, **{slot: form}),
    )


@login_required
def ticket_detail(request: AuthedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    if request.method != "POST":
        return _detail(request, ticket)
    return _on_ticket(
        request,
        ticket,
        "reply_form",
        ReplyForm(request.POST, request.FILES),
        lambda d: services.ticket_reply(
            actor=request.user, ticket=ticket, body=d["body"], files=d["files"]
        ),
        _("回复已发送。"),
    )


@login_required
@require_POST
def ticket_assign(request: AuthedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    if not selectors.ticket_can_handle(user=request.user, ticket=ticket):
        raise PermissionDenied
    return _on_ticket(
        request,
        ticket,
        "assign_form",
        AssignForm(
            request.POST,
            handlers=selectors.handlers_for_park(park_id=ticket.park_id, category=ticket.category),
        ),
        lambda d: services.ticket_assign(actor=request.user, ticket=ticket, assignee=d["assignee"]),
        _("已分派。"),
    )


@login_required
@require_POST
def ticket_resolve(request: AuthedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    if not selectors.ticket_can_handle(user=request.user, ticket=ticket):
        raise PermissionDenied
    return _on_ticket(
        request,
        ticket,
        "resolve_form",
        ResolveForm(request.POST),
        lambda d: services.ticket_resolve(
            actor=request.user, ticket=ticket, body=d["body"], quantity=d["quantity"]
        ),
        _("工单已标记为已解决。"),
    )


def _own_ticket(request: AuthedHttpRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    if not request.user.is_member:
        raise PermissionDenied
    return ticket


@login_required
@require_POST
def ticket_confirm(request: AuthedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _own_ticket(request, ticket_id)
    return _on_ticket(
        request,
        ticket,
        "confirm_form",
        ConfirmForm(request.POST),
        lambda d: services.ticket_confirm(
            actor=request.user, ticket=ticket, rating=d["rating"], comment=d["comment"]
        ),
        _("感谢您的评价。"),
    )


@login_required
@require_POST
def ticket_reopen(request: AuthedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _own_ticket(request, ticket_id)
    return _on_ticket(
        request,
        ticket,
        "reopen_form",
        ReopenForm(request.POST),
        lambda d: services.ticket_reopen(actor=request.user, ticket=ticket, body=d["body"]),
        _("工单已重新打开。"),
    )


@login_required
def attachment_download(
    request: AuthedHttpRequest, ticket_id: int, attachment_id: int
) -> FileResponse:
    """The only way to a stored file: the ticket's access helper decides, then we stream it."""
    attachment = selectors.attachment_get_for_user(
        user=request.user, ticket_id=ticket_id, pk=attachment_id
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
