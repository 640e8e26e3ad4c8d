"""/api/v1/attraction/: leads, their activities and stage changes; same filters and
scoping as the pages. Confidential fields are null for readers outside attraction."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.models import User
from oasis.enterprises.models import FocusIndustry
from oasis.parks.models import UnitUse

from . import selectors, services
from .filters import LeadFilter
from .models import Activity, Intent, Lead, Partner, Source, Stage

router = Router(tags=["attraction"])


class LeadIn(Schema):
    park_id: int
    company_name: str = Field(..., min_length=2, max_length=120)
    uscc: str | None = Field(None, max_length=30)
    contact_name: str = ""
    contact_phone: str = ""
    contact_title: str = ""
    focus_industry: FocusIndustry = FocusIndustry.OTHER
    industry_code: str = Field("", max_length=5)
    need_area: Decimal | None = Field(None, ge=0)
    need_use: UnitUse | None = None
    need_timing: dt.date | None = None
    source: Source = Source.DIRECT
    partner_id: int | None = None
    intent: Intent = Intent.MEDIUM
    expected_investment: Decimal | None = Field(None, ge=0)
    expected_output: Decimal | None = Field(None, ge=0)
    expected_tax: Decimal | None = Field(None, ge=0)
    expected_jobs: int | None = Field(None, ge=0)
    negotiation_notes: str = ""
    confirm_duplicates: bool = False


class LeadPatch(Schema):
    company_name: str | None = Field(None, min_length=2, max_length=120)
    uscc: str | None = Field(None, max_length=30)
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_title: str | None = None
    focus_industry: FocusIndustry | None = None
    industry_code: str | None = Field(None, max_length=5)
    need_area: Decimal | None = Field(None, ge=0)
    need_use: UnitUse | None = None
    need_timing: dt.date | None = None
    source: Source | None = None
    partner_id: int | None = None
    intent: Intent | None = None
    expected_investment: Decimal | None = Field(None, ge=0)
    expected_output: Decimal | None = Field(None, ge=0)
    expected_tax: Decimal | None = Field(None, ge=0)
    expected_jobs: int | None = Field(None, ge=0)
    negotiation_notes: str | None = None
    confirm_duplicates: bool = False


class LeadOut(Schema):
    id: int
    park_id: int
    company_name: str
    uscc: str | None
    contact_name: str
    contact_phone: str
    focus_industry: FocusIndustry
    industry_code: str
    need_area: Decimal | None
    need_use: str
    need_timing: dt.date | None
    source: Source
    partner_id: int | None
    intent: Intent
    expected_output: Decimal | None
    expected_tax: Decimal | None
    expected_jobs: int | None
    stage: Stage
    lost_reason: str
    owner_id: int | None
    enterprise_id: int | None
    last_activity_at: dt.datetime
    created_at: dt.datetime
    confidential_visible: bool
    expected_investment: Decimal | None
    negotiation_notes: str | None

    @staticmethod
    def resolve_confidential_visible(obj: Lead) -> bool:
        return bool(getattr(obj, "conf_ok", False))

    @staticmethod
    def resolve_expected_investment(obj: Lead) -> Decimal | None:
        return obj.expected_investment if getattr(obj, "conf_ok", False) else None

    @staticmethod
    def resolve_negotiation_notes(obj: Lead) -> str | None:
        return obj.negotiation_notes if getattr(obj, "conf_ok", False) else None


class StageIn(Schema):
    stage: Stage
    reason: str = Field("", max_length=200)


class StageChangeOut(Schema):
    id: int
    from_stage: str
    to_stage: Stage
    seconds_in_stage: int
    reason: str
    actor_id: int | None
    at: dt.datetime


class ActivityIn(Schema):
    kind: Activity.Kind
    body: str = Field(..., min_length=1, max_length=5000)
    due_on: dt.date | None = None


class ActivityOut(Schema):
    id: int
    lead_id: int
    kind: Activity.Kind
    body: str
    due_on: dt.date | None
    done: bool
    actor_id: int | None
    at: dt.datetime


class StageOut(Schema):
    value: str
    label: str
    weight: Decimal | None


class AssignIn(Schema):
    owner_id: int | None


def _lead_data(payload: LeadIn | LeadPatch, *, park_id: int, exclude_unset: bool) -> dict[str, Any]:
    data = payload.dict(
        exclude_unset=exclude_unset, exclude={"park_id", "confirm_duplicates", "partner_id"}
    )
    if "need_use" in data:
        data["need_use"] = data["need_use"] or ""
    fields_set = payload.model_fields_set
    if "partner_id" in fields_set or not exclude_unset:
        pid = payload.partner_id
        partner = Partner.objects.filter(pk=pid, park_id=park_id).first() if pid else None
        if pid and partner is None:
            raise ValidationError({"partner": [gettext("引荐人/机构不存在或不属于本园区。")]})
        data["partner"] = partner
    return data


def _reload(user: User, lead: Lead) -> Lead:
    return selectors.lead_get_for_user(user=user, pk=lead.pk)


@router.get("/stages", response=list[StageOut])
def stage_list(request: AuthedHttpRequest):
    selectors.require_staff(request.user)
    from .models import STAGE_WEIGHT

    return [
        {"value": v, "label": str(label), "weight": STAGE_WEIGHT.get(v)}
        for v, label in Stage.choices
    ]


@router.get("/leads", response=list[LeadOut])
@paginate(LimitOffsetPagination)
def lead_list(request: AuthedHttpRequest, filters: Query[LeadFilter]):
    selectors.require_staff(request.user)
    return selectors.lead_list(user=request.user, filters=filters)


@router.post("/leads", response={201: LeadOut})
def lead_create(request: AuthedHttpRequest, payload: LeadIn):
    selectors.require_staff(request.user)
    park = selectors.park_get_for_change(user=request.user, pk=payload.park_id)
    data = _lead_data(payload, park_id=park.pk, exclude_unset=False)
    lead = services.lead_create(
        actor=request.user, park=park, data=data, confirm_duplicates=payload.confirm_duplicates
    )
    return Status(201, _reload(request.user, lead))


@router.get("/leads/{lead_id}", response=LeadOut)
def lead_detail(request: AuthedHttpRequest, lead_id: int):
    selectors.require_staff(request.user)
    return selectors.lead_get_for_user(user=request.user, pk=lead_id)


@router.patch("/leads/{lead_id}", response=LeadOut)
def lead_update(request: AuthedHttpRequest, lead_id: int, payload: LeadPatch):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_change(user=request.user, pk=lead_id)
    data = _lead_data(payload, park_id=lead.park_id, exclude_unset=True)
    services.lead_update(
        actor=request.user, lead=lead, data=data, confirm_duplicates=payload.confirm_duplicates
    )
    return _reload(request.user, lead)


@router.post("/leads/{lead_id}/stage", response=LeadOut)
def lead_move(request: AuthedHttpRequest, lead_id: int, payload: StageIn):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_change(user=request.user, pk=lead_id)
    services.lead_move(actor=request.user, lead=lead, stage=payload.stage, reason=payload.reason)
    return _reload(request.user, lead)


@router.get("/leads/{lead_id}/stages", response=list[StageChangeOut])
def lead_stage_changes(request: AuthedHttpRequest, lead_id: int):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_user(user=request.user, pk=lead_id)
    return selectors.lead_stage_changes(lead=lead)


@router.get("/leads/{lead_id}/activities", response=list[ActivityOut])
def activity_list(request: AuthedHttpRequest, lead_id: int):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_user(user=request.user, pk=lead_id)
    return selectors.lead_activities(lead=lead)


@router.post("/leads/{lead_id}/activities", response={201: ActivityOut})
def activity_add(request: AuthedHttpRequest, lead_id: int, payload: ActivityIn):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_change(user=request.user, pk=lead_id)
    return Status(201, services.activity_add(actor=request.user, lead=lead, data=payload.dict()))


@router.post("/leads/{lead_id}/claim", response=LeadOut)
def lead_claim(request: AuthedHttpRequest, lead_id: int):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_change(user=request.user, pk=lead_id)
    services.lead_claim(actor=request.user, lead=lead)
    return _reload(request.user, lead)


@router.post("/leads/{lead_id}/assign", response=LeadOut)
def lead_assign(request: AuthedHttpRequest, lead_id: int, payload: AssignIn):
    selectors.require_staff(request.user)
    lead = selectors.lead_get_for_user(user=request.user, pk=lead_id)
    owner = None
    if payload.owner_id is not None:
        owner = get_user_model().objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise ValidationError({"owner_id": [gettext("用户不存在。")]})
    services.lead_assign(actor=request.user, lead=lead, owner=owner)
    return _reload(request.user, lead)
