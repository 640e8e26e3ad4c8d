"""Cultivation pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oasis.accounts import roles
from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.models import User
from oasis.accounts.selectors import users_with_capability
from oasis.core import excel
from oasis.core.filters import parse_filters
from oasis.core.views import render_page, submit
from oasis.enterprises.models import Enterprise
from oasis.enterprises.selectors import enterprise_get_for_user, enterprise_queryset_for_user
from oasis.parks.selectors import park_ids_for_user

from . import selectors, services
from .excel import screening_sheet
from .filters import PoolFilter, PoolPrefill, ScreeningFilter
from .forms import RECORD_KINDS, InnovationProfileForm, PoolEntryForm
from .models import PoolEntry, Tier

PAGE_SIZE = 50


@login_required
def screening(request: AuthedHttpRequest) -> HttpResponse:
    filters, errors = parse_filters(ScreeningFilter, request.GET)
    run = selectors.screening_run(user=request.user, filters=filters)
    rows = selectors.screening_rows(run, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "cultivation",
        "run": run,
        "page": page,
        "filters": filters,
        "errors": errors,
        "total": len(rows),
        "near_misses": sum(1 for r in run.rows if r.near_miss),
        "tiers": run.tiers,
        "tier_labels": dict(run.tiers),
        "statuses": list(selectors.STATUS_LABELS.items()),
        "rule_sets": [
            ("auto", _("按评估日期自动选择")),
            ("miit-2022", "miit-2022"),
            ("miit-2026", "miit-2026"),
        ],
    }
    return render_page(
        request, "cultivation/screening.html", context, status=400 if errors else 200
    )


@login_required
def screening_export(request: AuthedHttpRequest) -> HttpResponse:
    filters, errors = parse_filters(ScreeningFilter, request.GET)
    if errors:
        return HttpResponse("; ".join(errors), status=400, content_type="text/plain; charset=utf-8")
    run = selectors.screening_run(user=request.user, filters=filters)
    sheet = screening_sheet(run, selectors.screening_rows(run, filters))
    name = f"screening-{run.rule_set.name}-{run.assessment_date.isoformat()}.xlsx"
    return excel.export_response(name, [sheet])


def _changeable(request: AuthedHttpRequest, pk: int) -> Enterprise:
    enterprise = enterprise_get_for_user(user=request.user, pk=pk)
    if not selectors.cultivation_can_change(user=request.user, enterprise=enterprise):
        raise PermissionDenied
    return enterprise


@login_required
def profile_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The innovation file of one firm: profile form and the lists beside it."""
    enterprise = _changeable(request, pk)
    records = selectors.enterprise_records(enterprise=enterprise)
    return submit(
        request,
        InnovationProfileForm(request.POST or None, instance=records["profile"]),
        lambda data: services.innovation_profile_save(
            actor=request.user, enterprise=enterprise, data=data
        ),
        success=_("创新档案已保存。"),
        next=reverse("enterprises:enterprise-detail", args=[enterprise.pk]),
        template="cultivation/profile_form.html",
        context={"nav": "enterprises", "e": enterprise, **records},
    )


def _record(
    enterprise: Enterprise, kind: str, record_id: int | None
) -> tuple[type[models.Model], type[forms.ModelForm], models.Model | None]:
    if kind not in RECORD_KINDS:
        raise Http404
    model, form_class = RECORD_KINDS[kind]
    instance = None
    if record_id is not None:
        instance = model._default_manager.filter(enterprise=enterprise, pk=record_id).first()
        if instance is None:
            raise Http404
    return model, form_class, instance


@login_required
def record_edit(
    request: AuthedHttpRequest, pk: int, kind: str, record_id: int | None = None
) -> HttpResponse:
    enterprise = _changeable(request, pk)
    model, form_class, instance = _record(enterprise, kind, record_id)
    return submit(
        request,
        form_class(request.POST or None, instance=instance),
        lambda data: services.record_save(
            actor=request.user, enterprise=enterprise, model=model, data=data, instance=instance
        ),
        success=_("已保存。"),
        next=reverse("cultivation:profile", args=[enterprise.pk]),
        template="cultivation/record_form.html",
        context={"nav": "enterprises", "e": enterprise, "title": model._meta.verbose_name},
    )


@login_required
@require_POST
def record_delete(request: AuthedHttpRequest, pk: int, kind: str, record_id: int) -> HttpResponse:
    enterprise = _changeable(request, pk)
    instance = _record(enterprise, kind, record_id)[2]
    if instance is None:  # not reached: a record id was given
        raise Http404
    services.record_delete(actor=request.user, instance=instance)
    messages.success(request, _("已删除。"))
    return redirect("cultivation:profile", pk=enterprise.pk)


def _owners(user: User) -> QuerySet[User]:
    """Who may own a pool entry: the staff of the parks the user sees."""
    return users_with_capability(roles.VIEW, park_ids=park_ids_for_user(user, roles.VIEW))


@login_required
def pool(request: AuthedHttpRequest) -> HttpResponse:
    """培育库: entries, the title registry (expiring first) and open reminders."""
    filters, errors = parse_filters(PoolFilter, request.GET)
    entries = selectors.pool_entry_list(user=request.user, filters=filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    titles = selectors.title_list(user=request.user, expiring_before=today + dt.timedelta(days=365))
    changeable = park_ids_for_user(request.user, roles.ENTERPRISE_CHANGE)
    context = {
        "nav": "cultivation",
        "page": page,
        "filters": filters,
        "errors": errors,
        "tiers": Tier.choices,
        "statuses": PoolEntry.Status.choices,
        "today": today,
        "titles": titles[:100],
        "reminders": selectors.reminder_list(user=request.user)[:100],
        "can_change": changeable is None or bool(changeable),
    }
    return render_page(request, "cultivation/pool.html", context, status=400 if errors else 200)


@login_required
def pool_entry_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    entry = selectors.pool_entry_get_for_user(user=request.user, pk=pk) if pk is not None else None
    parks = park_ids_for_user(request.user, roles.ENTERPRISE_CHANGE)
    if getattr(request.user, "is_member", False) or (parks is not None and not parks):
        raise PermissionDenied
    enterprises = enterprise_queryset_for_user(request.user)
    if parks is not None:
        enterprises = enterprises.filter(park_id__in=parks)
    initial = {"target_year": timezone.localdate().year + 1}
    if (asked := parse_filters(PoolPrefill, request.GET)[0].enterprise) is not None:
        initial["enterprise"] = asked
    if entry is not None and not selectors.cultivation_can_change(
        user=request.user, enterprise=entry.enterprise
    ):
        raise PermissionDenied
    form = PoolEntryForm(
        request.POST or None,
        instance=entry,
        initial=initial,
        enterprises=enterprises.order_by("name"),
        owners=_owners(request.user),
    )
    return submit(
        request,
        form,
        lambda data: services.pool_entry_save(
            actor=request.user,
            enterprise=entry.enterprise if entry else data["enterprise"],
            data={k: v for k, v in data.items() if k != "enterprise"},
            entry=entry,
        ),
        success=_("培育库已保存。"),
        next="cultivation:pool",
        template="cultivation/pool_form.html",
        context={"nav": "cultivation", "entry": entry},
    )


@login_required
@require_POST
def reminder_done(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    reminder = selectors.reminder_list(user=request.user).filter(pk=pk).first()
    if reminder is None:
        raise Http404
    services.reminder_done(actor=request.user, reminder=reminder)
    return redirect("cultivation:pool")
