"""Reads of parks and space, always scoped by the user."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from oasis.accounts import roles
from oasis.accounts.http import AnyUser
from oasis.accounts.selectors import user_park_ids

from .models import Building, Floor, Park, Unit


def park_ids_for_user(user: AnyUser, capability: str) -> set[int] | None:
    """The ids of the parks where the user holds `capability` (`roles.VIEW`: may read);
    None means every park (a platform superuser). Enterprise members and anonymous
    users hold none. Every app works out which parks a user may see or change here."""
    if not user.is_authenticated or getattr(user, "is_member", False):
        return set()
    return user_park_ids(user, capability)


def park_queryset_for_user(user: AnyUser, capability: str) -> QuerySet[Park]:
    """The parks where the user holds `capability` (see `park_ids_for_user`)."""
    parks = park_ids_for_user(user, capability)
    if parks is None:
        return Park.objects.all()
    return Park.objects.filter(pk__in=parks) if parks else Park.objects.none()


def park_list(*, user: AnyUser) -> QuerySet[Park]:
    return park_queryset_for_user(user, roles.VIEW).annotate(
        building_count=Count("buildings", distinct=True)
    )


def park_get_for_user(*, user: AnyUser, pk: int, capability: str | None = None) -> Park:
    park = park_queryset_for_user(user, capability or roles.VIEW).filter(pk=pk).first()
    if park is None:
        raise Http404
    return park


def building_queryset_for_user(user: AnyUser) -> QuerySet[Building]:
    return Building.objects.filter(park__in=park_queryset_for_user(user, roles.VIEW))


def building_list(*, user: AnyUser, park_id: int | None = None) -> QuerySet[Building]:
    qs = (
        building_queryset_for_user(user)
        .select_related("park")
        .annotate(
            unit_count=Count("units", distinct=True),
            unit_area=Sum("units__area"),
        )
    )
    if park_id:
        qs = qs.filter(park_id=park_id)
    return qs.order_by("park_id", "phase", "code")


def building_get_for_user(*, user: AnyUser, pk: int) -> Building:
    building = building_queryset_for_user(user).select_related("park").filter(pk=pk).first()
    if building is None:
        raise Http404
    return building


def floor_get_for_user(*, user: AnyUser, pk: int) -> Floor:
    floor = (
        Floor.objects.filter(building__in=building_queryset_for_user(user))
        .select_related("building__park")
        .filter(pk=pk)
        .first()
    )
    if floor is None:
        raise Http404
    return floor


def unit_queryset_for_user(user: AnyUser) -> QuerySet[Unit]:
    return Unit.objects.filter(building__park__in=park_queryset_for_user(user, roles.VIEW))


def unit_get_for_user(*, user: AnyUser, pk: int) -> Unit:
    unit = (
        unit_queryset_for_user(user).select_related("building__park", "floor").filter(pk=pk).first()
    )
    if unit is None:
        raise Http404
    return unit


def unit_list(
    *,
    user: AnyUser,
    park_id: int | None = None,
    building_id: int | None = None,
    status: str | None = None,
    use: str | None = None,
) -> QuerySet[Unit]:
    qs = unit_queryset_for_user(user).select_related("building", "floor")
    if park_id:
        qs = qs.filter(building__park_id=park_id)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if status:
        qs = qs.filter(status=status)
    if use:
        qs = qs.filter(use=use)
    return qs.order_by("building__code", "-floor__number", "code")


def building_floors(*, building: Building) -> list[tuple[Floor, list[Unit]]]:
    """Floors top-down with their units: two queries whatever the building's size."""
    floors = list(building.floors.order_by("-number"))
    by_floor: dict[int, list[Unit]] = {f.pk: [] for f in floors}
    for unit in building.units.order_by("code"):
        by_floor.setdefault(unit.floor_id, []).append(unit)
    return [(f, by_floor[f.pk]) for f in floors]
