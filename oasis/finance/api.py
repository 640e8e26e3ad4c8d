"""/api/v1/sharing/ (finance part): partner institutions and products, financing needs
and their matches. Mounted under the sharing prefix, where these endpoints have always
been. Same selectors and scoping as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.core.filters import ParkMonthFilter
from oasis.sharing.selectors import managed_park_for_user, park_for_user

from . import selectors, services
from .models import FinanceProduct, FinancingNeed, Institution, Match

router = Router(tags=["finance"])


# ------------------------------------------------------------------ schemas


class InstitutionPatch(Schema):
    name: str | None = None
    kind: Institution.Kind | None = None
    contact: str | None = None


class InstitutionIn(InstitutionPatch):
    park_id: int | None = None
    name: str
    kind: Institution.Kind


class ProductOut(Schema):
    id: int
    institution_id: int
    name: str
    kind: FinanceProduct.Kind
    amount_min: Decimal
    amount_max: Decimal
    rate_min: Decimal | None
    rate_max: Decimal | None
    term_months_min: int
    term_months_max: int
    stages: list[str]
    industries: list[str]
    min_tier: str
    min_revenue: Decimal | None
    min_rd_ratio: Decimal | None
    required_figures: list[str]
    description: str
    is_active: bool


class InstitutionOut(Schema):
    id: int
    park_id: int
    name: str
    kind: Institution.Kind
    contact: str
    products: list[ProductOut]

    @staticmethod
    def resolve_products(obj: Any) -> list[Any]:
        return list(obj.products.all())


class ProductPatch(Schema):
    name: str | None = None
    kind: FinanceProduct.Kind | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    rate_min: Decimal | None = None
    rate_max: Decimal | None = None
    term_months_min: int | None = None
    term_months_max: int | None = None
    stages: list[str] | None = None
    industries: list[str] | None = None
    min_tier: str | None = None
    min_revenue: Decimal | None = None
    min_rd_ratio: Decimal | None = None
    required_figures: list[str] | None = None
    description: str | None = None
    is_active: bool | None = None


class ProductIn(ProductPatch):
    name: str
    amount_min: Decimal
    amount_max: Decimal


class NeedIn(Schema):
    amount: Decimal = Field(..., gt=0)
    purpose: str = Field(..., min_length=2, max_length=200)
    needed_by: dt.date | None = None
    term_months: int | None = Field(None, ge=1, le=360)
    consent: bool = False


class NeedOut(Schema):
    id: int
    enterprise_id: int
    amount: Decimal
    purpose: str
    needed_by: dt.date | None
    term_months: int | None
    consent: bool
    status: FinancingNeed.Status


class MatchOut(Schema):
    id: int
    need_id: int
    product_id: int
    product_name: str = Field(..., alias="product.name")
    institution: str = Field(..., alias="product.institution.name")
    verdict: Match.Verdict
    reasons: list[dict[str, str]]
    outcome: Match.Outcome
    funded_amount: Decimal | None


class OutcomeIn(Schema):
    outcome: Match.Outcome
    funded_amount: Decimal | None = Field(None, gt=0)


# ------------------------------------------------------------------ endpoints


@router.get("/institutions", response=list[InstitutionOut])
def institution_list(request: AuthedHttpRequest, q: Query[ParkMonthFilter]):
    park = park_for_user(user=request.user, park_id=q.park_id)
    return list(selectors.institution_list(user=request.user, park=park))


@router.post("/institutions", response={201: InstitutionOut})
def institution_create(request: AuthedHttpRequest, payload: InstitutionIn):
    data = payload.dict(exclude_unset=True)
    park = managed_park_for_user(user=request.user, park_id=data.pop("park_id", None))
    return Status(201, services.institution_save(actor=request.user, park=park, data=data))


@router.patch("/institutions/{institution_id}", response=InstitutionOut)
def institution_update(request: AuthedHttpRequest, institution_id: int, payload: InstitutionPatch):
    inst = selectors.institution_get_for_user(user=request.user, pk=institution_id)
    return services.institution_save(
        actor=request.user, park=inst.park, institution=inst, data=payload.dict(exclude_unset=True)
    )


@router.post("/institutions/{institution_id}/products", response={201: ProductOut})
def product_create(request: AuthedHttpRequest, institution_id: int, payload: ProductIn):
    inst = selectors.institution_get_for_user(user=request.user, pk=institution_id)
    return Status(
        201,
        services.product_save(
            actor=request.user, institution=inst, data=payload.dict(exclude_unset=True)
        ),
    )


@router.patch("/products/{product_id}", response=ProductOut)
def product_update(request: AuthedHttpRequest, product_id: int, payload: ProductPatch):
    product = selectors.product_get_for_user(user=request.user, pk=product_id)
    return services.product_save(
        actor=request.user,
        institution=product.institution,
        product=product,
        data=payload.dict(exclude_unset=True),
    )


@router.get("/needs", response=list[NeedOut])
@paginate(LimitOffsetPagination)
def need_list(request: AuthedHttpRequest):
    return selectors.need_list(user=request.user)


@router.post("/needs", response={201: NeedOut})
def need_create(request: AuthedHttpRequest, payload: NeedIn):
    return Status(201, services.need_create(actor=request.user, data=payload.dict()))


@router.get("/needs/{need_id}/matches", response=list[MatchOut])
def match_list(request: AuthedHttpRequest, need_id: int):
    need = selectors.need_get_for_user(user=request.user, pk=need_id)
    return list(selectors.match_list(need=need))


@router.post("/needs/{need_id}/match", response=list[MatchOut])
def need_match(request: AuthedHttpRequest, need_id: int):
    need = selectors.need_get_for_user(user=request.user, pk=need_id)
    services.need_match(actor=request.user, need=need)
    return list(selectors.match_list(need=need))


@router.post("/matches/{match_id}/outcome", response=MatchOut)
def match_outcome(request: AuthedHttpRequest, match_id: int, payload: OutcomeIn):
    match = selectors.match_get_for_user(user=request.user, pk=match_id)
    services.match_set_outcome(
        actor=request.user,
        match=match,
        outcome=payload.outcome,
        funded_amount=payload.funded_amount,
    )
    return selectors.match_get_for_user(user=request.user, pk=match_id)
