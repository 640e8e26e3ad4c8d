"""Shared-service pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
from oasis.core.filters import ParkFilter, parse_filters
from oasis.core.forms import add_service_errors
from oasis.core.views import Message, Next, act, act_form, render_page, submit
from oasis.enterprises.selectors import enterprise_get_for_user, enterprise_queryset_for_user

from . import booking_rules, selectors, services
from .filters import BookingPageFilter, MonthFilter
from .forms import (
    BookingForm,
    CertificationForm,
    EventForm,
    InstitutionForm,
    NeedForm,
    OfferingForm,
    OutcomeForm,
    ProductForm,
    ResourceForm,
    ShowcaseForm,
    StaffBookingForm,
    UsageForm,
)
from .models import (
    Booking,
    FinanceProduct,
    Institution,
    Match,
    Offering,
    Registration,
    Resource,
    Share,
    Showcase,
)


@dataclass(frozen=True)
class BookingRow:
    """A booking on the list page with what the reader may do to it."""

    booking: Booking
    member_may_cancel: bool
    manageable: bool


def _ctx(request: AuthedHttpRequest, **extra: Any) -> dict[str, Any]:
    return {"nav": "sharing", **extra}


def _park(request: AuthedHttpRequest) -> Any:
    """The park a page shows: ?park= (an id the user may see), else the user's first."""
    filters, _errors = parse_filters(ParkFilter, request.GET)
    return selectors.park_for_user(user=request.user, park_id=filters.park)


def _managed_park(request: AuthedHttpRequest) -> Any:
    """The park a "new …" page creates in: ?park= (404 if unseen, 403 if read-only),
    else the first park the user may change."""
    filters, _errors = parse_filters(ParkFilter, request.GET)
    return selectors.managed_park_for_user(user=request.user, park_id=filters.park)


def _park_page(
    request: AuthedHttpRequest, template: str, rows: Callable[[Any], dict[str, Any]]
) -> HttpResponse:
    """A page of one park's (?park=, else the user's first): `rows(park)` gives what it
    lists; the page knows whether the user manages the park."""
    park = _park(request)
    return render(
        request,
        template,
        _ctx(
            request,
            park=park,
            can_manage=selectors.can_manage(user=request.user, park_id=park.pk),
            **rows(park),
        ),
    )


def _edit_target(
    request: AuthedHttpRequest, pk: int | None, get: Callable[..., Any]
) -> tuple[Any, Any, Any]:
    """What a create-or-change page works on: the object (None to create), its park (for
    a new one: ?park=, a park the user manages) and a fresh copy of it for the form (a
    form changes its instance; the service is given the object as it was)."""
    if pk is None:
        return None, _managed_park(request), None
    obj = get(user=request.user, pk=pk)
    selectors.require_manage(user=request.user, park_id=obj.park_id)
    return obj, obj.park, type(obj).objects.get(pk=obj.pk)


def _form_page(
    request: AuthedHttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    next: Next,
    back_url: str | None = None,
    success: Message | None = None,
) -> HttpResponse:
    """A sharing form on the one form page, submitted to its service."""
    return submit(
        request,
        form,
        save,
        success=success or _("已保存。"),
        next=next,
        template="sharing/form.html",
        context=_ctx(request, title=title, back_url=back_url),
    )


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
    month = _month(request)
    if user.is_member:
        enterprise = user.enterprise
    else:
        raw = request.GET.get("enterprise", "")
        enterprise = enterprise_get_for_user(user=user, pk=int(raw)) if raw.isdigit() else None
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


# ------------------------------------------------------------------ finance


@login_required
def finance(request: AuthedHttpRequest) -> HttpResponse:
    return _park_page(
        request,
        "sharing/finance.html",
        lambda park: {
            "institutions": selectors.institution_list(user=request.user, park=park),
            "needs": selectors.need_list(user=request.user)[:200],
        },
    )


@login_required
def need_create(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_member:
        raise PermissionDenied
    return _form_page(
        request,
        NeedForm(request.POST or None),
        lambda data: services.need_create(actor=request.user, data=data),
        title=_("提交融资需求"),
        success=_("融资需求已提交。"),
        next=lambda need: reverse("sharing:need", args=[need.pk]),
    )


@login_required
def need_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get_for_user(user=request.user, pk=pk)
    can_manage = selectors.can_manage(user=request.user, park_id=need.enterprise.park_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "match":
                services.need_match(actor=request.user, need=need)
            elif request.POST.get("action") == "outcome":
                match = selectors.match_get_for_user(
                    user=request.user, pk=int(request.POST.get("match", "0") or 0)
                )
                form = OutcomeForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors)
                services.match_set_outcome(actor=request.user, match=match, **form.cleaned_data)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, _("已更新。"))
        return redirect("sharing:need", pk=need.pk)
    return render(
        request,
        "sharing/need_detail.html",
        _ctx(
            request,
            need=need,
            matches=selectors.match_list(need=need),
            can_manage=can_manage,
            outcomes=Match.Outcome.choices,
        ),
    )


# ------------------------------------------------------------------ events


@login_required
def institution_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None, in ?park=) or change a partner institution."""
    user = request.user
    institution, park, instance = _edit_target(request, pk, selectors.institution_get_for_user)
    back = f"{reverse('sharing:finance')}?park={park.pk}"
    return _form_page(
        request,
        InstitutionForm(request.POST or None, instance=instance),
        lambda data: services.institution_save(
            actor=user, park=park, data=data, institution=institution
        ),
        title=_("修改合作机构：%(name)s") % {"name": institution.name}
        if institution
        else _("新增合作机构"),
        next=back,
        back_url=back,
    )


def _product_page(
    request: AuthedHttpRequest, institution: Institution, product: FinanceProduct | None
) -> HttpResponse:
    user = request.user
    selectors.require_manage(user=user, park_id=institution.park_id)
    form = ProductForm(
        request.POST or None,
        instance=FinanceProduct.objects.get(pk=product.pk) if product else None,
    )
    back = f"{reverse('sharing:finance')}?park={institution.park_id}"
    return _form_page(
        request,
        form,
        lambda data: services.product_save(
            actor=user, institution=institution, data=data, product=product
        ),
        title=_("修改金融产品：%(name)s") % {"name": product.name}
        if product
        else _("新增金融产品：%(name)s") % {"name": institution.name},
        next=back,
        back_url=back,
    )


@login_required
def product_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A new financing product of institution `pk`."""
    return _product_page(
        request, selectors.institution_get_for_user(user=request.user, pk=pk), None
    )


@login_required
def product_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get_for_user(user=request.user, pk=pk)
    return _product_page(request, product.institution, product)


@login_required
def event_list(request: AuthedHttpRequest) -> HttpResponse:
    return _park_page(
        request,
        "sharing/event_list.html",
        lambda park: {"events": selectors.event_list(user=request.user, park=park)},
    )


@login_required
def event_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None, in ?park=) or change an event."""
    user = request.user
    event, park, instance = _edit_target(request, pk, selectors.event_get_for_user)
    return _form_page(
        request,
        EventForm(
            request.POST or None, instance=instance, offerings=selectors.event_offerings(park=park)
        ),
        lambda data: services.event_save(actor=user, park=park, data=data, event=event),
        title=_("修改活动：%(name)s") % {"name": event.title} if event else _("新增活动"),
        next=lambda saved: reverse("sharing:event", args=[saved.pk]),
        back_url=reverse("sharing:event", args=[event.pk])
        if event
        else f"{reverse('sharing:event-list')}?park={park.pk}",
    )


@login_required
def event_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    user = request.user
    can_manage = selectors.can_manage(user=user, park_id=event.park_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "register":
                reg = services.event_register(actor=user, event=event)
                messages.success(
                    request,
                    _("报名成功。")
                    if reg.status == Registration.Status.REGISTERED
                    else _("名额已满，您已进入候补名单。"),
                )
            elif action in ("cancel", "check_in"):
                reg = selectors.registration_get_for_user(
                    user=user, pk=int(request.POST.get("registration", "0") or 0)
                )
                if action == "cancel":
                    services.registration_cancel(actor=user, registration=reg)
                else:
                    services.registration_check_in(actor=user, registration=reg)
                messages.success(request, _("已更新。"))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("sharing:event", pk=event.pk)
    regs = selectors.registration_list(user=user, event=event)
    seats = sum(1 for r in event.registrations.all() if r.status == Registration.Status.REGISTERED)
    mine = next((r for r in regs if r.user_id == user.pk), None)
    return render(
        request,
        "sharing/event_detail.html",
        _ctx(
            request,
            event=event,
            regs=regs,
            seats=seats,
            mine=mine,
            can_manage=can_manage,
            can_register=user.is_member and mine is None and event.starts_at > timezone.now(),
        ),
    )


# ------------------------------------------------------------------ showcase


@login_required
def showcase_list(request: AuthedHttpRequest) -> HttpResponse:
    items = (
        selectors.showcase_queryset_for_user(request.user)
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    return render(request, "sharing/showcase_list.html", _ctx(request, items=items))


@login_required
def showcase_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    sc = selectors.showcase_get_for_user(user=request.user, pk=pk)
    can_manage = selectors.can_manage(user=request.user, park_id=sc.enterprise.park_id)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        services.showcase_publish(
            actor=request.user, showcase=sc, published=request.POST.get("published") == "1"
        )
        messages.success(request, _("已更新。"))
        return redirect("sharing:showcase", pk=sc.pk)
    return render(
        request, "sharing/showcase_detail.html", _ctx(request, sc=sc, can_manage=can_manage)
    )


@login_required
def showcase_edit(request: AuthedHttpRequest) -> HttpResponse:
    enterprise = request.user.enterprise
    if enterprise is None:
        raise PermissionDenied
    instance = Showcase.objects.filter(enterprise=enterprise).first()
    return _form_page(
        request,
        ShowcaseForm(request.POST or None, instance=instance),
        lambda data: services.showcase_save(actor=request.user, enterprise=enterprise, data=data),
        title=_("企业风采"),
        success=_("已保存，待园区发布。"),
        next=lambda sc: reverse("sharing:showcase", args=[sc.pk]),
    )


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
