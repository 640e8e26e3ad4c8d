"""Event and showcase pages (活动, 企业风采). Parse, one access helper, one service or
selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oasis.accounts.http import AuthedHttpRequest
from oasis.core.views import act, act_form
from oasis.sharing import selectors as sharing
from oasis.sharing.pages import ctx, edit_target, form_page, park_page

from . import selectors, services
from .forms import EventForm, RegistrationActionForm, ShowcaseForm
from .models import Registration, Showcase


@login_required
def event_list(request: AuthedHttpRequest) -> HttpResponse:
    return park_page(
        request,
        "events/event_list.html",
        lambda park: {"events": selectors.event_list(user=request.user, park=park)},
    )


@login_required
def event_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None, in ?park=) or change an event."""
    user = request.user
    event, park, instance = edit_target(request, pk, selectors.event_get_for_user)
    return form_page(
        request,
        EventForm(
            request.POST or None, instance=instance, offerings=selectors.event_offerings(park=park)
        ),
        lambda data: services.event_save(actor=user, park=park, data=data, event=event),
        title=_("修改活动：%(name)s") % {"name": event.title} if event else _("新增活动"),
        next=lambda saved: reverse("events:event", args=[saved.pk]),
        back_url=reverse("events:event", args=[event.pk])
        if event
        else f"{reverse('events:event-list')}?park={park.pk}",
    )


@login_required
def event_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    user = request.user
    can_manage = sharing.can_manage(user=user, park_id=event.park_id)
    if request.method == "POST":
        here = reverse("events:event", args=[event.pk])
        action = request.POST.get("action")
        if action == "register":
            return act(
                request,
                lambda: services.event_register(actor=user, event=event),
                success=lambda reg: (
                    _("报名成功。")
                    if reg.status == Registration.Status.REGISTERED
                    else _("名额已满，您已进入候补名单。")
                ),
                next=here,
            )
        if action in ("cancel", "check_in"):
            change = (
                services.registration_cancel
                if action == "cancel"
                else services.registration_check_in
            )
            return act_form(
                request,
                RegistrationActionForm(request.POST),
                lambda data: change(
                    actor=user,
                    registration=selectors.registration_get_for_user(
                        user=user, pk=data["registration"]
                    ),
                ),
                success=_("已更新。"),
                next=here,
            )
        raise PermissionDenied
    regs = selectors.registration_list(user=user, event=event)
    seats = sum(1 for r in event.registrations.all() if r.status == Registration.Status.REGISTERED)
    mine = next((r for r in regs if r.user_id == user.pk), None)
    return render(
        request,
        "events/event_detail.html",
        ctx(
            request,
            event=event,
            regs=regs,
            seats=seats,
            mine=mine,
            can_manage=can_manage,
            can_register=user.is_member and mine is None and event.starts_at > timezone.now(),
        ),
    )


@login_required
def showcase_list(request: AuthedHttpRequest) -> HttpResponse:
    items = (
        selectors.showcase_queryset_for_user(request.user)
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    return render(request, "events/showcase_list.html", ctx(request, items=items))


@login_required
def showcase_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    sc = selectors.showcase_get_for_user(user=request.user, pk=pk)
    can_manage = sharing.can_manage(user=request.user, park_id=sc.enterprise.park_id)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        return act(
            request,
            lambda: services.showcase_publish(
                actor=request.user, showcase=sc, published=request.POST.get("published") == "1"
            ),
            success=_("已更新。"),
            next=reverse("events:showcase", args=[sc.pk]),
        )
    return render(
        request, "events/showcase_detail.html", ctx(request, sc=sc, can_manage=can_manage)
    )


@login_required
def showcase_edit(request: AuthedHttpRequest) -> HttpResponse:
    enterprise = request.user.enterprise
    if enterprise is None:
        raise PermissionDenied
    instance = Showcase.objects.filter(enterprise=enterprise).first()
    return form_page(
        request,
        ShowcaseForm(request.POST or None, instance=instance),
        lambda data: services.showcase_save(actor=request.user, enterprise=enterprise, data=data),
        title=_("企业风采"),
        success=_("已保存，待园区发布。"),
        next=lambda sc: reverse("events:showcase", args=[sc.pk]),
    )
