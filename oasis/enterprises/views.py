"""Enterprise pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from oasis.accounts import roles
from oasis.accounts.http import AuthedHttpRequest
from oasis.core.filters import parse_filters
from oasis.core.identifiers import industry_label
from oasis.core.models import AuditEntry
from oasis.core.views import render_page, submit
from oasis.parks.models import Park, Unit
from oasis.parks.selectors import park_queryset_for_user

from . import selectors, services
from .filters import EnterpriseFilter
from .forms import ContactForm, EnterpriseForm, FigureForm, MemberEnterpriseForm
from .models import AnnualFigure, Enterprise, FocusIndustry
from .panels import panels_for

PAGE_SIZE = 25


@login_required
def enterprise_list(request: AuthedHttpRequest) -> HttpResponse:
    if (firm_id := request.user.enterprise_id) is not None:
        return redirect("enterprises:enterprise-detail", pk=firm_id)
    filters, errors = parse_filters(EnterpriseFilter, request.GET)
    qs = selectors.enterprise_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "enterprises",
        "page": page,
        "filters": filters,
        "errors": errors,
        "parks": park_queryset_for_user(request.user, roles.VIEW),
        "statuses": Enterprise.Status.choices,
        "focus_industries": FocusIndustry.choices,
        "can_create": park_queryset_for_user(request.user, roles.ENTERPRISE_CHANGE).exists(),
    }
    return render_page(request, "enterprises/enterprise_list.html", context)


def _history(enterprise: Enterprise) -> list[AuditEntry]:
    figure_ids = [str(pk) for pk in enterprise.figures.values_list("pk", flat=True)]
    contact_ids = [str(pk) for pk in enterprise.contacts.values_list("pk", flat=True)]
    return list(
        AuditEntry.objects.filter(
            Q(model="enterprises.enterprise", object_id=str(enterprise.pk))
            | Q(model="enterprises.annualfigure", object_id__in=figure_ids)
            | Q(model="enterprises.contact", object_id__in=contact_ids)
        ).select_related("actor")[:100]
    )


@login_required
def enterprise_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=pk)
    context = {
        "nav": "enterprises",
        "e": enterprise,
        "industry": industry_label(enterprise.industry_code),
        "units": enterprise.units.select_related("building", "floor").order_by(
            "building__code", "code"
        ),
        "contacts": enterprise.contacts.all(),
        "figures": selectors.enterprise_figures(enterprise=enterprise),
        "members": enterprise.members.order_by("username")
        if not request.user.is_member or request.user.is_enterprise_admin
        else [],
        "history": _history(enterprise),
        "can_change": selectors.enterprise_can_change(user=request.user, enterprise=enterprise),
        "can_change_figures": selectors.figures_can_change(
            user=request.user, enterprise=enterprise
        ),
    }
    context["panels"], panel_context = panels_for(user=request.user, enterprise=enterprise)
    context.update(panel_context)
    return render(request, "enterprises/enterprise_detail.html", context)


def _detail_url(enterprise: Enterprise) -> str:
    return reverse("enterprises:enterprise-detail", args=[enterprise.pk])


def _own_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's own fields (its park and units are passed separately)."""
    return {k: v for k, v in data.items() if k not in ("park", "units")}


def _units_for(parks: QuerySet[Park]) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(building__park__in=parks)
        .select_related("building")
        .order_by("building__code", "code")
    )


@login_required
def enterprise_create(request: AuthedHttpRequest) -> HttpResponse:
    parks = park_queryset_for_user(request.user, roles.ENTERPRISE_CHANGE)
    if request.user.is_member or not parks.exists():
        raise PermissionDenied
    return submit(
        request,
        EnterpriseForm(request.POST or None, parks=parks, units=_units_for(parks)),
        lambda data: services.enterprise_create(
            actor=request.user,
            park=data["park"],
            data=_own_fields(data),
            unit_ids=[u.pk for u in data["units"]],
        ),
        success=_("企业已创建。"),
        next=_detail_url,
        template="enterprises/enterprise_form.html",
        context={"nav": "enterprises"},
    )


@login_required
def enterprise_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=pk)
    if not selectors.enterprise_can_change(user=request.user, enterprise=enterprise):
        raise PermissionDenied
    is_member = request.user.is_member
    if is_member:
        form: Any = MemberEnterpriseForm(request.POST or None, instance=enterprise)
    else:
        parks = Park.objects.filter(pk=enterprise.park_id)
        form = EnterpriseForm(
            request.POST or None,
            instance=enterprise,
            parks=parks,
            units=_units_for(parks),
            initial={"park": enterprise.park_id},
        )
    return submit(
        request,
        form,
        lambda data: services.enterprise_update(
            actor=request.user,
            enterprise=enterprise,
            data=_own_fields(data),
            unit_ids=None if is_member else [u.pk for u in data["units"]],
        ),
        success=_("已保存。"),
        next=_detail_url(enterprise),
        template="enterprises/enterprise_form.html",
        context={"nav": "enterprises", "e": enterprise},
    )


@login_required
def figure_edit(request: AuthedHttpRequest, pk: int, year: int | None = None) -> HttpResponse:
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=pk)
    if not selectors.figures_can_change(user=request.user, enterprise=enterprise):
        raise PermissionDenied
    figure = None
    if year is not None:
        figure = enterprise.figures.filter(year=year).first()
        if figure is None:
            raise Http404
    form = FigureForm(request.POST or None, instance=figure or AnnualFigure(enterprise=enterprise))
    if figure is not None:
        form.fields["year"].disabled = True

    def save(data: dict[str, Any]) -> AnnualFigure:
        year = figure.year if figure else data["year"]
        if figure is None and enterprise.figures.filter(year=year).exists():
            raise ValidationError({"year": _("该年度数据已存在，请在列表中修改。")})
        values = {k: v for k, v in data.items() if k != "year"}
        return services.annual_figure_save(
            actor=request.user, enterprise=enterprise, year=year, data=values
        )

    return submit(
        request,
        form,
        save,
        success=_("年度数据已保存。"),
        next=_detail_url(enterprise),
        template="enterprises/figure_form.html",
        context={"nav": "enterprises", "e": enterprise, "figure": figure},
    )


@login_required
def contact_edit(
    request: AuthedHttpRequest, pk: int, contact_id: int | None = None
) -> HttpResponse:
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=pk)
    if not selectors.enterprise_can_change(user=request.user, enterprise=enterprise):
        raise PermissionDenied
    contact = None
    if contact_id is not None:
        contact = enterprise.contacts.filter(pk=contact_id).first()
        if contact is None:
            raise Http404
    return submit(
        request,
        ContactForm(request.POST or None, instance=contact),
        lambda data: services.contact_save(
            actor=request.user, enterprise=enterprise, data=data, contact=contact
        ),
        success=_("联系人已保存。"),
        next=_detail_url(enterprise),
        template="enterprises/contact_form.html",
        context={"nav": "enterprises", "e": enterprise},
    )
