"""Every write to parks and space: validated, in a transaction, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import is_superuser, user_can
from oasis.core.writes import record, record_bulk_create, snapshot

from .models import Building, Floor, Park, Unit

PARK_FIELDS = (
    "name",
    "short_name",
    "city",
    "address",
    "opened_on",
    "description",
    "land_mu",
    "planned_floor_area",
    "target_enterprises",
    "target_jobs_min",
    "target_jobs_max",
    "target_output",
    "target_residents",
    "lease_day_count",
    "lease_billing_alignment",
)
BUILDING_FIELDS = (
    "name",
    "code",
    "phase",
    "use",
    "floors_above",
    "gross_area",
    "status",
    "completed_on",
)
UNIT_FIELDS = ("code", "use", "area", "status", "occupants")


def _require(actor: User, park_id: int, capability: str) -> None:
    if getattr(actor, "is_member", False) or not user_can(actor, park_id, capability):
        raise PermissionDenied(_("没有执行该操作的权限。"))


def _apply(instance: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key, value in data.items():
        if key not in allowed:
            raise PermissionDenied(f"field {key} cannot be set")
        setattr(instance, key, value)


def _write(
    actor: User, instance: models.Model, before: dict[str, Any] | None, park_id: int | None
) -> None:
    instance.full_clean()
    instance.save()
    record(actor=actor, instance=instance, before=before, park_id=park_id)


@transaction.atomic
def park_create(*, actor: User, data: dict[str, Any]) -> Park:
    if not is_superuser(actor):
        raise PermissionDenied(_("只有平台管理员可以新建园区。"))
    park = Park()
    _apply(park, data, PARK_FIELDS)
    park.full_clean()
    park.save()
    record(actor=actor, instance=park, park_id=park.pk)  # its staff then see its history
    return park


@transaction.atomic
def park_update(*, actor: User, park: Park, data: dict[str, Any]) -> Park:
    _require(actor, park.pk, roles.PARK_CHANGE)
    park = Park.objects.select_for_update().get(pk=park.pk)
    before = snapshot(park)
    _apply(park, data, PARK_FIELDS)
    _write(actor, park, before, park.pk)
    return park


@transaction.atomic
def building_create(*, actor: User, park: Park, data: dict[str, Any]) -> Building:
    """Create a building and its floors 1..floors_above."""
    _require(actor, park.pk, roles.SPACE_CHANGE)
    building = Building(park=park)
    _apply(building, data, BUILDING_FIELDS)
    _write(actor, building, None, park.pk)
    Floor.objects.bulk_create(
        [Floor(building=building, number=n) for n in range(1, building.floors_above + 1)]
    )
    return building


@transaction.atomic
def building_update(*, actor: User, building: Building, data: dict[str, Any]) -> Building:
    _require(actor, building.park_id, roles.SPACE_CHANGE)
    building = Building.objects.select_for_update().get(pk=building.pk)
    before = snapshot(building)
    _apply(building, data, BUILDING_FIELDS)
    _write(actor, building, before, building.park_id)
    existing = set(building.floors.values_list("number", flat=True))
    Floor.objects.bulk_create(
        [
            Floor(building=building, number=n)
            for n in range(1, building.floors_above + 1)
            if n not in existing
        ]
    )
    return building


@transaction.atomic
def unit_create(*, actor: User, floor: Floor, data: dict[str, Any]) -> Unit:
    building = floor.building
    _require(actor, building.park_id, roles.SPACE_CHANGE)
    unit = Unit(building=building, floor=floor)
    _apply(unit, data, UNIT_FIELDS)
    _write(actor, unit, None, building.park_id)
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit: Unit, data: dict[str, Any]) -> Unit:
    park_id = unit.building.park_id
    _require(actor, park_id, roles.SPACE_CHANGE)
    unit = Unit.objects.select_for_update().select_related("building").get(pk=unit.pk)
    before = snapshot(unit)
    _apply(unit, data, UNIT_FIELDS)
    _write(actor, unit, before, park_id)
    return unit


@transaction.atomic
def units_create_many(*, actor: User, park: Park, units: list[Unit]) -> list[Unit]:
    """Create many new units of `park` at once (an import): each validated, written in
    bulk, one audit row each."""
    _require(actor, park.pk, roles.SPACE_CHANGE)
    for unit in units:
        if unit.building.park_id != park.pk:
            raise PermissionDenied(_("没有执行该操作的权限。"))
        unit.full_clean()
    created = Unit.objects.bulk_create(units, batch_size=500)
    record_bulk_create(actor=actor, instances=created, park_id=park.pk)
    return created
