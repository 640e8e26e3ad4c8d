"""/api/v1/parks/: parks, buildings, floors and units, scoped like the pages."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest

from . import selectors, services
from .filters import UnitFilter
from .models import Building, Unit, UnitUse

router = Router(tags=["parks"])


class ParkIn(Schema):
    name: str = Field(..., max_length=100)
    short_name: str = ""
    city: str = ""
    address: str = ""
    opened_on: dt.date | None = None
    description: str = ""
    land_mu: Decimal = Field(Decimal("0"), ge=0)
    planned_floor_area: Decimal = Field(Decimal("0"), ge=0)
    target_enterprises: int = Field(0, ge=0)
    target_jobs_min: int = Field(0, ge=0)
    target_jobs_max: int = Field(0, ge=0)
    target_output: Decimal = Field(Decimal("0"), ge=0)
    target_residents: int = Field(0, ge=0)


class ParkPatch(Schema):
    name: str | None = Field(None, max_length=100)
    short_name: str | None = None
    city: str | None = None
    address: str | None = None
    opened_on: dt.date | None = None
    description: str | None = None
    land_mu: Decimal | None = Field(None, ge=0)
    planned_floor_area: Decimal | None = Field(None, ge=0)
    target_enterprises: int | None = Field(None, ge=0)
    target_jobs_min: int | None = Field(None, ge=0)
    target_jobs_max: int | None = Field(None, ge=0)
    target_output: Decimal | None = Field(None, ge=0)
    target_residents: int | None = Field(None, ge=0)


class ParkOut(ParkIn):
    id: int


class BuildingIn(Schema):
    name: str = Field(..., max_length=100)
    code: str = Field(..., max_length=20)
    phase: int = Field(1, ge=1, le=20)
    use: UnitUse
    floors_above: int = Field(1, ge=1, le=200)
    gross_area: Decimal = Field(..., gt=0)
    status: Building.Status = Building.Status.COMPLETED
    completed_on: dt.date | None = None


class BuildingPatch(Schema):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=20)
    phase: int | None = Field(None, ge=1, le=20)
    use: UnitUse | None = None
    floors_above: int | None = Field(None, ge=1, le=200)
    gross_area: Decimal | None = Field(None, gt=0)
    status: Building.Status | None = None
    completed_on: dt.date | None = None


class BuildingOut(BuildingIn):
    id: int
    park_id: int


class UnitIn(Schema):
    floor_id: int
    code: str = Field(..., max_length=30)
    use: UnitUse
    area: Decimal = Field(..., gt=0)
    status: Unit.Status = Unit.Status.VACANT
    occupants: int = Field(0, ge=0)


class UnitPatch(Schema):
    code: str | None = Field(None, max_length=30)
    use: UnitUse | None = None
    area: Decimal | None = Field(None, gt=0)
    status: Unit.Status | None = None
    occupants: int | None = Field(None, ge=0)


class UnitOut(Schema):
    id: int
    building_id: int
    floor_id: int
    floor_number: int = Field(..., alias="floor.number")
    code: str
    use: UnitUse
    area: Decimal
    status: Unit.Status
    occupants: int


@router.get("", response=list[ParkOut])
def park_list(request: AuthedHttpRequest):
    return selectors.park_list(user=request.user)


@router.post("", response={201: ParkOut})
def park_create(request: AuthedHttpRequest, payload: ParkIn):
    return Status(201, services.park_create(actor=request.user, data=payload.dict()))


@router.get("/{park_id}", response=ParkOut)
def park_detail(request: AuthedHttpRequest, park_id: int):
    return selectors.park_get_for_user(user=request.user, pk=park_id)


@router.patch("/{park_id}", response=ParkOut)
def park_update(request: AuthedHttpRequest, park_id: int, payload: ParkPatch):
    park = selectors.park_get_for_user(user=request.user, pk=park_id)
    return services.park_update(
        actor=request.user, park=park, data=payload.dict(exclude_unset=True)
    )


@router.get("/{park_id}/buildings", response=list[BuildingOut])
@paginate(LimitOffsetPagination)
def building_list(request: AuthedHttpRequest, park_id: int):
    park = selectors.park_get_for_user(user=request.user, pk=park_id)
    return selectors.building_list(user=request.user, park_id=park.pk)


@router.post("/{park_id}/buildings", response={201: BuildingOut})
def building_create(request: AuthedHttpRequest, park_id: int, payload: BuildingIn):
    park = selectors.park_get_for_user(user=request.user, pk=park_id)
    return Status(201, services.building_create(actor=request.user, park=park, data=payload.dict()))


@router.get("/buildings/{building_id}", response=BuildingOut)
def building_detail(request: AuthedHttpRequest, building_id: int):
    return selectors.building_get_for_user(user=request.user, pk=building_id)


@router.patch("/buildings/{building_id}", response=BuildingOut)
def building_update(request: AuthedHttpRequest, building_id: int, payload: BuildingPatch):
    building = selectors.building_get_for_user(user=request.user, pk=building_id)
    return services.building_update(
        actor=request.user, building=building, data=payload.dict(exclude_unset=True)
    )


@router.get("/buildings/{building_id}/units", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def unit_list(request: AuthedHttpRequest, building_id: int, filters: Query[UnitFilter]):
    building = selectors.building_get_for_user(user=request.user, pk=building_id)
    return selectors.unit_list(
        user=request.user, building_id=building.pk, status=filters.status, use=filters.use
    )


@router.post("/buildings/{building_id}/units", response={201: UnitOut})
def unit_create(request: AuthedHttpRequest, building_id: int, payload: UnitIn):
    building = selectors.building_get_for_user(user=request.user, pk=building_id)
    floor = building.floors.filter(pk=payload.floor_id).first()
    if floor is None:
        raise ValidationError({"floor_id": [_("楼层不属于该楼宇。")]})
    data = payload.dict(exclude={"floor_id"})
    return Status(201, services.unit_create(actor=request.user, floor=floor, data=data))


@router.get("/units/{unit_id}", response=UnitOut)
def unit_detail(request: AuthedHttpRequest, unit_id: int):
    return selectors.unit_get_for_user(user=request.user, pk=unit_id)


@router.patch("/units/{unit_id}", response=UnitOut)
def unit_update(request: AuthedHttpRequest, unit_id: int, payload: UnitPatch):
    unit = selectors.unit_get_for_user(user=request.user, pk=unit_id)
    return services.unit_update(
        actor=request.user, unit=unit, data=payload.dict(exclude_unset=True)
    )
