"""/api/v1/enterprises/: the enterprise file and annual figures, same filters and
scoping as the list page."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.parks.selectors import park_get_for_user

from . import selectors, services
from .filters import EnterpriseFilter
from .models import Enterprise, FocusIndustry

router = Router(tags=["enterprises"])


class EnterpriseIn(Schema):
    park_id: int
    name: str = Field(..., min_length=2, max_length=120)
    uscc: str | None = Field(None, max_length=30)
    industry_code: str = Field(..., max_length=5)
    focus_industry: FocusIndustry = FocusIndustry.OTHER
    status: Enterprise.Status = Enterprise.Status.PROSPECT
    legal_representative: str = ""
    founded_on: dt.date | None = None
    registered_capital: Decimal | None = Field(None, ge=0)
    settled_on: dt.date | None = None
    website: str = ""
    description: str = ""
    unit_ids: list[int] | None = None


class EnterprisePatch(Schema):
    name: str | None = Field(None, min_length=2, max_length=120)
    uscc: str | None = Field(None, max_length=30)
    industry_code: str | None = Field(None, max_length=5)
    focus_industry: FocusIndustry | None = None
    status: Enterprise.Status | None = None
    legal_representative: str | None = None
    founded_on: dt.date | None = None
    registered_capital: Decimal | None = Field(None, ge=0)
    settled_on: dt.date | None = None
    website: str | None = None
    description: str | None = None
    unit_ids: list[int] | None = None


class _EnterpriseHead(Schema):
    """What every answer about a firm starts with."""

    id: int
    park_id: int
    name: str
    uscc: str | None
    industry_code: str
    focus_industry: FocusIndustry
    status: Enterprise.Status


class EnterpriseListOut(_EnterpriseHead):
    settled_on: dt.date | None
    latest_year: int | None = None
    latest_revenue: Decimal | None = None
    latest_headcount: int | None = None


class EnterpriseOut(_EnterpriseHead):
    legal_representative: str
    founded_on: dt.date | None
    registered_capital: Decimal | None
    settled_on: dt.date | None
    website: str
    description: str
    unit_ids: list[int]

    @staticmethod
    def resolve_unit_ids(obj: Enterprise) -> list[int]:
        return sorted(u.pk for u in obj.units.all())


class FigureIn(Schema):
    revenue: Decimal | None = None
    main_business_revenue: Decimal | None = None
    rd_expense: Decimal | None = None
    total_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    net_profit: Decimal | None = None
    tax_paid: Decimal | None = None
    output_value: Decimal | None = None
    headcount: int | None = None
    rd_staff: int | None = None


class FigureOut(FigureIn):
    year: int


@router.get("", response=list[EnterpriseListOut])
@paginate(LimitOffsetPagination)
def enterprise_list(request: AuthedHttpRequest, filters: Query[EnterpriseFilter]):
    return selectors.enterprise_list(user=request.user, filters=filters)


@router.post("", response={201: EnterpriseOut})
def enterprise_create(request: AuthedHttpRequest, payload: EnterpriseIn):
    park = park_get_for_user(user=request.user, pk=payload.park_id)
    data = payload.dict(exclude={"park_id", "unit_ids"})
    return Status(
        201,
        services.enterprise_create(
            actor=request.user, park=park, data=data, unit_ids=payload.unit_ids
        ),
    )


@router.get("/{enterprise_id}", response=EnterpriseOut)
def enterprise_detail(request: AuthedHttpRequest, enterprise_id: int):
    return selectors.enterprise_get_for_user(user=request.user, pk=enterprise_id)


@router.patch("/{enterprise_id}", response=EnterpriseOut)
def enterprise_update(request: AuthedHttpRequest, enterprise_id: int, payload: EnterprisePatch):
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=enterprise_id)
    data = payload.dict(exclude_unset=True, exclude={"unit_ids"})
    unit_ids = payload.unit_ids if "unit_ids" in payload.model_fields_set else None
    return services.enterprise_update(
        actor=request.user, enterprise=enterprise, data=data, unit_ids=unit_ids
    )


@router.get("/{enterprise_id}/figures", response=list[FigureOut])
def figure_list(request: AuthedHttpRequest, enterprise_id: int):
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=enterprise_id)
    return selectors.enterprise_figures(enterprise=enterprise)


@router.get("/{enterprise_id}/figures/{year}", response=FigureOut)
def figure_detail(request: AuthedHttpRequest, enterprise_id: int, year: int):
    return selectors.figure_get_for_user(user=request.user, enterprise_id=enterprise_id, year=year)


@router.put("/{enterprise_id}/figures/{year}", response=FigureOut)
def figure_save(
    request: AuthedHttpRequest,
    enterprise_id: int,
    payload: FigureIn,
    year: int = Path(..., ge=1990, le=2100),
):
    """Create or replace the figures of one year (fields left out keep their value)."""
    enterprise = selectors.enterprise_get_for_user(user=request.user, pk=enterprise_id)
    return services.annual_figure_save(
        actor=request.user, enterprise=enterprise, year=year, data=payload.dict(exclude_unset=True)
    )
