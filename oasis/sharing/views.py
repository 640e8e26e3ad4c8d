"""Shared-service pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.models import User
from oasis.core.filters import parse_filters
from oasis.core.forms import add_service_errors
from oasis.core.views import act, act_form, render_page
from oasis.enterprises.selectors import enterprise_get_for_user, enterprise_queryset_for_user

from . import booking_rules, selectors, services
from .filters import BookingPageFilter, MonthFilter, StatementFilter
from .forms import (
    BookingForm,
    CertificationForm,
    OfferingForm,
    ResourceForm,
    StaffBookingForm,
    UsageForm,
)
from .models import (
    Booking,
    Offering,
    Resource,
    Share,
)
from .pages import ctx as _ctx
from .pages import edit_target as _edit_target
from .pages import form_page as _form_page
from .pages import park_from_request as _park
from .pages import park_page as _park_page


@dataclass(frozen=True)
class BookingRow:
    """A booking on the list page with what the reader may do to it."""

    booking: Booking
    member_may_cancel: bool
    manageable: bool


def _month(request: AuthedHttpRequest) -> dt.date:
    """The month a page shows: ?month=YYYY-MM, else this month."""
    filters, _errors = parse_filters(MonthFilter, request.GET)
    return selectors.parse_month(filters.month)


def _months(month: dt.date) -> dict[str, Any]:
    return {
        "month": month,
        "prev_month": selectors.prev_month(month),
        "next_month": selectors.next_month(month),
    }


# ------------------------------------------------------------------ catalogue


@login_required
def catalogue(request: AuthedHttpRequest) -> HttpResponse:
    return _park_page(
        request,
        "sharing/catalogue.html",
        lambda park: {"sections": selectors.catalogue(user=request.user, park=park)},
    )


def _resource_url(resource: Resource) -> str:
    return reverse("sharing:resource", args=[resource.pk])


def _offering_url(offering: Offering) -> str:
    return f"{reverse('sharing:catalogue')}?park={offering.park_id}#offering-{offering.pk}"


@login_required
def offering_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None, in ?park=) or change a catalogue entry."""
    user = request.user
    offering, park, instance = _edit_target(request, pk, selectors.offering_get_for_user)
    return _form_page(
        request,
        OfferingForm(request.POST or None, instance=instance),
        lambda data: services.offering_save(actor=user, park=park, data=data, offering=offering),
        title=_("修改共享服务：%(name)s") % {"name": offering.name}
        if offering
        else _("新增共享服务"),
        next=_offering_url,
        back_url=f"{reverse('sharing:catalogue')}?park={park.pk}",
    )


@login_required
def resource_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A new bookable resource under the catalogue entry `pk`."""
    offering = selectors.offering_get_for_user(user=request.user, pk=pk)
    selectors.require_manage(user=request.user, park_id=offering.park_id)
    return _form_page(
        request,
        ResourceForm(request.POST or None),
        lambda data: services.resource_save(actor=request.user, offering=offering, data=data),
        title=_("新增资源：%(name)s") % {"name": offering.name},
        next=_resource_url,
        back_url=_offering_url(offering),
    )


@login_required
def resource_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(user=request.user, pk=pk)
    month = _month(request)
    user = request.user
    can_manage = selectors.can_manage(user=user, park_id=resource.park_id)
    form: BookingForm | None = None
    if user.is_member:
        form = BookingForm(request.POST or None)
    elif can_manage:  # operators and park admins book on behalf of one of the park's firms
        form = StaffBookingForm(
            request.POST or None, firms=selectors.bookable_firms(user=user, resource=resource)
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            start, end = form.span()
            try:
                booking = services.booking_create(
                    actor=user,
                    resource=resource,
                    start=start,
                    end=end,
                    purpose=form.cleaned_data["purpose"],
                    enterprise=form.cleaned_data.get("enterprise"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("预约成功：%(r)s %(t)s。")
                    % {
                        "r": resource.name,
                        "t": f"{timezone.localtime(booking.start):%Y-%m-%d %H:%M}",
                    },
                )
                if user.is_member:
                    return redirect("sharing:booking-list")
                return redirect(
                    f"{reverse('sharing:booking-list')}?enterprise={booking.enterprise_id}"
                    f"&month={timezone.localtime(booking.start):%Y-%m}"
                )
    cert = None
    if user.is_member and resource.training_required:
        cert = selectors.certification_valid(resource=resource, user=user, on=timezone.localdate())
    context = _ctx(
        request,
        resource=resource,
        offering=resource.offering,
        form=form,
        can_manage=can_manage,
        cert=cert,
        row=selectors.resource_calendar(resource=resource, month=month),
        **_months(month),
        certifications=selectors.certification_list(resource=resource) if can_manage else [],
        cert_form=CertificationForm(users=_park_members(resource.park_id)) if can_manage else None,
    )
    status = 400 if form is not None and form.errors else 200
    return render_page(
        request, "sharing/resource_detail.html", context, partial="calendar", status=status
    )


def _park_members(park_id: int) -> Any:
    return (
        User.objects.filter(enterprise__park_id=park_id)
        .select_related("enterprise")
        .order_by("username")
    )


@login_required
def resource_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(user=request.user, pk=pk)
    selectors.require_manage(user=request.user, park_id=resource.park_id)
    return _form_page(
        request,
        ResourceForm(request.POST or None, instance=Resource.objects.get(pk=resource.pk)),
        lambda data: services.resource_save(
            actor=request.user, offering=resource.offering, data=data, resource=resource
        ),
        title=resource.name,
        next=_resource_url(resource),
        back_url=_resource_url(resource),
    )


@login_required
@require_POST
def certification_grant(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(user=request.user, pk=pk)
    selectors.require_manage(user=request.user, park_id=resource.park_id)
    return act_form(
        request,
        CertificationForm(request.POST, users=_park_members(resource.park_id)),
        lambda data: services.certification_grant(actor=request.user, resource=resource, **data),
        success=_("培训认证已登记。"),
        next=reverse("sharing:resource", args=[resource.pk]),
    )


@login_required
def park_calendar(request: AuthedHttpRequest) -> HttpResponse:
    park = _park(request)
    month = _month(request)
    rows = selectors.park_calendar(user=request.user, park=park, month=month)
    return render_page(
        request,
        "sharing/calendar.html",
        _ctx(
            request,
            park=park,
            rows=rows,
            days=selectors.month_days(month),
            **_months(month),
        ),
        partial="calendar",
    )


# ------------------------------------------------------------------ bookings


@login_required
def booking_list(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    filters, errors = parse_filters(BookingPageFilter, request.GET)
    month = selectors.parse_month(filters.month)
    enterprise = None
    if user.is_member:
        enterprise = user.enterprise
    elif filters.enterprise is not None:
        enterprise = enterprise_get_for_user(user=user, pk=filters.enterprise)
    status = filters.status
    bookings = list(
        selectors.booking_list(
            user=user,
            month=month,
            enterprise_id=enterprise.pk if enterprise else None,
            status=status,
        )
    )
    now = timezone.now()
    rows = [
        BookingRow(
            booking=b,
            member_may_cancel=b.status in (Booking.Status.PENDING, Booking.Status.CONFIRMED)
            and booking_rules.can_cancel(selectors.rules_of(b.resource), start=b.start, now=now),
            manageable=selectors.can_manage(user=user, park_id=b.resource.park_id),
        )
        for b in bookings
    ]
    return render_page(
        request,
        "sharing/booking_list.html",
        _ctx(
            request,
            bookings=rows,
            enterprise=enterprise,
            status=status,
            errors=errors,
            statuses=Booking.Status.choices,
            days=selectors.firm_calendar(user=user, enterprise=enterprise, month=month)
            if enterprise
            else None,
            **_months(month),
        ),
    )


ACTIONS = {"cancel", "approve", "reject", "no-show", "usage"}


@login_required
@require_POST
def booking_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    booking = selectors.booking_get_for_user(user=request.user, pk=pk)
    actor = request.user
    try:
        if action == "cancel":
            services.booking_cancel(actor=actor, booking=booking)
        elif action in ("approve", "reject"):
            services.booking_decide(actor=actor, booking=booking, approve=action == "approve")
        elif action == "no-show":
            services.booking_mark_no_show(actor=actor, booking=booking)
        else:
            form = UsageForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            services.booking_record_usage(
                actor=actor, booking=booking, used_minutes=form.cleaned_data["used_minutes"]
            )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("已更新预约状态。"))
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/sharing/") else "sharing:booking-list")


# ------------------------------------------------------------------ statements


@login_required
def statement(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    filters, _errors = parse_filters(StatementFilter, request.GET)
    month = selectors.parse_month(filters.month)
    if user.is_member:
        enterprise = user.enterprise
    elif filters.enterprise is not None:
        enterprise = enterprise_get_for_user(user=user, pk=filters.enterprise)
    else:
        enterprise = None
    if request.method == "POST":
        if enterprise is None:
            raise Http404
        return act(
            request,
            lambda: services.statement_issue(actor=user, enterprise=enterprise, month=month),
            success=_("账单已出具。"),
            next=f"{request.path}?enterprise={enterprise.pk}&month={month:%Y-%m}",
        )
    view = selectors.statement_build(enterprise=enterprise, month=month) if enterprise else None
    firms = [] if user.is_member else enterprise_queryset_for_user(user).order_by("name")[:500]
    return render(
        request,
        "sharing/statement.html",
        _ctx(
            request,
            view=view,
            enterprise=enterprise,
            firms=firms,
            **_months(month),
            can_issue=bool(
                enterprise and selectors.can_manage(user=user, park_id=enterprise.park_id)
            ),
        ),
    )


# ------------------------------------------------------------------ requests


# Catalogue requests are the service desk's requests now (one request, issue 14): the
# old pages send people there. Paths, not URL names: sharing sits below tickets.
REQUESTS_URL = "/tickets/"


@login_required
@require_safe
def request_list(request: AuthedHttpRequest) -> HttpResponse:
    return redirect(f"{REQUESTS_URL}?category=catalogue")


@login_required
@require_safe
def request_create(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_member:
        raise PermissionDenied
    offering = request.GET.get("offering", "")
    query = "category=catalogue" + (f"&offering={offering}" if offering.isdigit() else "")
    return redirect(f"{REQUESTS_URL}new/?{query}")


@login_required
@require_safe
def request_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.request_get_for_user(user=request.user, pk=pk)
    if item.ticket_id is None:
        raise Http404
    return redirect(f"{REQUESTS_URL}{item.ticket_id}/")


# ------------------------------------------------------------------ utilisation


@login_required
def stats(request: AuthedHttpRequest) -> HttpResponse:
    if request.user.is_member:
        raise Http404
    park = _park(request)
    month = _month(request)
    data = selectors.sharing_utilisation(park=park, month=month)
    labels = dict(Share.choices)
    chart = {
        "shares": [str(labels[s["share"]]) for s in data["shares"]],
        "booked": [s["hours_booked"] for s in data["shares"]],
        "available": [s["hours_available"] for s in data["shares"]],
        "revenue": [float(s["revenue"]) for s in data["shares"]],
        "names": {
            "booked": _("已预约（小时）"),
            "available": _("可用（小时）"),
            "revenue": _("收入（元）"),
        },
    }
    resources = {
        "names": [r["name"] for r in data["resources"]],
        "utilisation": [round(r["utilisation"] * 100, 1) for r in data["resources"]],
        "label": _("利用率（%）"),
    }
    return render(
        request,
        "sharing/stats.html",
        _ctx(
            request,
            park=park,
            data=data,
            chart=chart,
            resource_chart=resources,
            **_months(month),
        ),
    )
