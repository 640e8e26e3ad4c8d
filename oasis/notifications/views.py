"""The inbox, its preferences, and staff's view of emails that failed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.selectors import user_is_staff
from oasis.core.filters import parse_filters
from oasis.core.selectors import first_or_404
from oasis.core.views import render_page

from . import selectors, services
from .filters import DeliveryFilter, InboxFilter
from .models import EmailDelivery

PAGE_SIZE = 25


@login_required
def inbox(request: AuthedHttpRequest) -> HttpResponse:
    unread = parse_filters(InboxFilter, request.GET)[0].unread
    qs = selectors.notification_list(user=request.user, unread=unread)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "notifications/inbox.html",
        {"nav": "notifications", "page": page, "unread": unread},
    )


@login_required
def notification_open(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Open one message: it is marked read and the reader goes where it points."""
    note = first_or_404(selectors.notification_list(user=request.user).filter(pk=pk))
    services.notification_mark_read(user=request.user, ids=[note.pk])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request: AuthedHttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [int(v) for v in raw if v.isdigit()] if raw else None
    n = services.notification_mark_read(user=request.user, ids=ids)
    messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": n})
    return redirect("notifications:inbox")


@login_required
def preferences(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.preferences_save(
            user=request.user,
            email_events=[
                e
                for e in request.POST.getlist("email")
                if e in {c[0] for c in selectors.email_choices(user=request.user)}
            ],
        )
        messages.success(request, _("通知偏好已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "nav": "notifications",
            "choices": selectors.email_choices(user=request.user),
            "has_email": bool(request.user.email),
        },
    )


def _check_staff(request: AuthedHttpRequest) -> None:
    if request.user.is_member or not user_is_staff(request.user):
        raise PermissionDenied


@login_required
def delivery_list(request: AuthedHttpRequest) -> HttpResponse:
    _check_staff(request)
    status = parse_filters(DeliveryFilter, request.GET)[0].status
    qs = selectors.delivery_list(user=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "notifications/delivery_list.html",
        {
            "nav": "notifications",
            "page": page,
            "status": status,
            "statuses": EmailDelivery.Status.choices,
        },
    )


@login_required
@require_POST
def delivery_retry(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _check_staff(request)
    delivery = selectors.delivery_get_for_user(user=request.user, pk=pk)
    delivery = services.email_retry(actor=request.user, delivery=delivery)
    delivery.refresh_from_db()  # the task may have run on commit already
    if delivery.status == EmailDelivery.Status.SENT:
        messages.success(request, _("邮件已发送。"))
    elif delivery.status == EmailDelivery.Status.FAILED:
        messages.error(request, _("邮件仍未发送成功：%(e)s") % {"e": delivery.last_error})
    else:
        messages.success(request, _("已重新排队发送。"))
    return redirect("notifications:delivery-list")
