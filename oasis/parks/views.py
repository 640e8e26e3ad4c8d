"""Park and space pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from oasis.accounts import roles
from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.selectors import user_can
from oasis.core.audit import audit_history
from oasis.core.filters import parse_filters
from oasis.core.views import submit

from . import selectors, services
from .filters import UnitListFilter
from .forms import BuildingForm, ParkForm, UnitForm
from .models import Unit, UnitUse


def _deny_members(request: AuthedHttpRequest) -> None:
    if request.user.is_member:
        raise PermissionDenied


@login_required
def park_list(request: AuthedHttpRequest) -> HttpResponse:
    _deny_members(request)
    parks = selectors.park_list(user=request.user)
    return render(request, "parks/park_list.html", {"nav": "parks", "parks": parks})


@login_required
def park_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    park = selectors.park_get_for_user(user=request.user, pk=pk)
    buildings = selectors.building_list(user=request.user, park_id=park.pk).annotate(
        leased_area=Sum("units__area", filter=Q(units__status=Unit.Status.LEASED)),
        leased_units=Count("units", filter=Q(units__status=Unit.Status.LEASED)),
    )
    context = {
        "nav": "parks",
        "park": park,
        "buildings": buildings,
        "can_edit": user_can(request.user, park.pk, roles.PARK_CHANGE),
        "can_edit_space": user_can(request.user, park.pk, roles.SPACE_CHANGE),
        "history": audit_history(park),
    }
    return render(request, "parks/park_detail.html", context)


@login_required
def park_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    park = selectors.park_get_for_user(user=request.user, pk=pk)
    if not user_can(request.user, park.pk, roles.PARK_CHANGE):
        raise PermissionDenied
    return submit(
        request,
        ParkForm(request.POST or None, instance=park),
        lambda data: services.park_update(actor=request.user, park=park, data=data),
        success=_("已保存。"),
        next=reverse("parks:park-detail", args=[park.pk]),
        template="parks/park_form.html",
        context={"nav": "parks", "park": park},
    )


@login_required
def building_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    building = selectors.building_get_for_user(user=request.user, pk=pk)
    floors = selectors.building_floors(building=building)
    units = [u for _f, us in floors for u in us]
    total = sum((u.area for u in units), 0)
    leased = sum((u.area for u in units if u.status == Unit.Status.LEASED), 0)
    context = {
        "nav": "parks",
        "building": building,
        "floors": floors,
        "unit_total": len(units),
        "area_total": total,
        "area_leased": leased,
        "can_edit_space": user_can(request.user, building.park_id, roles.SPACE_CHANGE),
        "history": audit_history(building),
    }
    return render(request, "parks/building_detail.html", context)


@login_required
def building_create(request: AuthedHttpRequest, park_pk: int) -> HttpResponse:
    park = selectors.park_get_for_user(user=request.user, pk=park_pk)
    if not user_can(request.user, park.pk, roles.SPACE_CHANGE):
        raise PermissionDenied
    return submit(
        request,
        BuildingForm(request.POST or None),
        lambda data: services.building_create(actor=request.user, park=park, data=data),
        success=_("楼宇已创建。"),
        next=lambda building: reverse("parks:building-detail", args=[building.pk]),
        template="parks/building_form.html",
        context={"nav": "parks", "park": park},
    )


@login_required
def building_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    building = selectors.building_get_for_user(user=request.user, pk=pk)
    if not user_can(request.user, building.park_id, roles.SPACE_CHANGE):
        raise PermissionDenied
    return submit(
        request,
        BuildingForm(request.POST or None, instance=building),
        lambda data: services.building_update(actor=request.user, building=building, data=data),
        success=_("已保存。"),
        next=reverse("parks:building-detail", args=[building.pk]),
        template="parks/building_form.html",
        context={"nav": "parks", "park": building.park, "building": building},
    )


@login_required
def unit_list(request: AuthedHttpRequest) -> HttpResponse:
    _deny_members(request)
    filters, errors = parse_filters(UnitListFilter, request.GET)
    qs = selectors.unit_list(
        user=request.user,
        park_id=filters.park,
        building_id=filters.building,
        status=filters.status,
        use=filters.use,
    )
    totals = qs.aggregate(area=Sum("area"), n=Count("id"), occupants=Sum("occupants"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "nav": "parks",
        "page": page,
        "totals": totals,
        "status": filters.status,
        "use": filters.use,
        "errors": errors,
        "statuses": Unit.Status.choices,
        "uses": UnitUse.choices,
    }
    return render(request, "parks/unit_list.html", context)


def _unit_data(data: dict[str, Any]) -> dict[str, Any]:
    """The unit's own fields (its floor is passed to the service separately)."""
    return {k: v for k, v in data.items() if k != "floor"}


@login_required
def unit_create(request: AuthedHttpRequest, building_pk: int) -> HttpResponse:
    building = selectors.building_get_for_user(user=request.user, pk=building_pk)
    if not user_can(request.user, building.park_id, roles.SPACE_CHANGE):
        raise PermissionDenied
    return submit(
        request,
        UnitForm(request.POST or None, building=building),
        lambda data: services.unit_create(
            actor=request.user, floor=data["floor"], data=_unit_data(data)
        ),
        success=_("单元已创建。"),
        next=reverse("parks:building-detail", args=[building.pk]),
        template="parks/unit_form.html",
        context={"nav": "parks", "building": building},
    )


@login_required
def unit_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    building = unit.building
    if not user_can(request.user, building.park_id, roles.SPACE_CHANGE):
        raise PermissionDenied
    context = {
        "nav": "parks",
        "building": building,
        "unit": unit,
        "tenants": unit.enterprises.all(),
        "history": audit_history(unit),
    }
    return submit(
        request,
        UnitForm(request.POST or None, instance=unit, building=building),
        lambda data: services.unit_update(actor=request.user, unit=unit, data=_unit_data(data)),
        success=_("已保存。"),
        next=reverse("parks:building-detail", args=[building.pk]),
        template="parks/unit_form.html",
        context=context,
    )
