"""/api/v1/cultivation/: assess facts, a stored firm's verdict, screening, pool and titles."""

import datetime as dt
import json
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.models import User
from oasis.enterprises.selectors import enterprise_get_for_user
from oasis.rules import FactsError, assess

from . import selectors, services
from .facts import enterprise_facts, json_default
from .filters import PoolFilter, ScreeningFilter, TitleFilter
from .models import PoolEntry, Tier, Title, TitleKind

router = Router(tags=["cultivation"])

RuleSetName = Literal["auto", "miit-2022", "miit-2026"]


class ErrorOut(Schema):
    detail: str
    fields: dict[str, list[str]]


def _bad(detail: str, fields: dict[str, list[str]]) -> Status:
    return Status(400, {"detail": detail, "fields": fields})


def _facts_field(eid: Any, field: str) -> str:
    return f"enterprises[{eid}].{field}" if eid is not None else (field or "__all__")


@router.post("/assess", response={200: dict[str, Any], 400: ErrorOut})
def assess_facts(
    request: AuthedHttpRequest, rules: RuleSetName = "auto", date: dt.date | None = None
):
    """Verdicts for facts in the body: a list, or {"enterprises": [...]} (the contract of
    assessment-facts.md). Any problem: 400 naming the enterprise id and field, no verdicts."""
    try:
        raw = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _bad("Invalid JSON.", {"__all__": [str(exc)]})
    if isinstance(raw, dict) and "enterprises" in raw:
        raw = raw["enterprises"]
    if not isinstance(raw, list):
        return _bad(
            "Invalid input.",
            {"enterprises": ['expected a list of facts or {"enterprises": [...]}']},
        )
    try:
        verdicts = assess(raw, rules, date)
    except FactsError as exc:
        fields: dict[str, list[str]] = {}
        for p in exc.problems:
            fields.setdefault(_facts_field(p["enterprise_id"], p["field"]), []).append(p["message"])
        return _bad(str(exc), fields)
    except ValueError as exc:
        return _bad(str(exc), {"rules": [str(exc)]})
    return json.loads(json.dumps(verdicts, default=json_default))


@router.get("/enterprises/{enterprise_id}/verdict", response=dict[str, Any])
def enterprise_verdict(
    request: AuthedHttpRequest,
    enterprise_id: int,
    rules: RuleSetName = "auto",
    date: dt.date | None = None,
):
    """A stored firm's verdict under a rule set (members: their own firm only)."""
    verdict = selectors.verdict_get_for_user(
        user=request.user, enterprise_id=enterprise_id, rule_set=rules, on=date
    )
    return json.loads(json.dumps(verdict, default=json_default))


@router.get("/enterprises/{enterprise_id}/facts", response=dict[str, Any])
def enterprise_facts_get(
    request: AuthedHttpRequest, enterprise_id: int, date: dt.date | None = None
):
    """The facts the engine reads for a stored firm (the contract's shape)."""
    enterprise = enterprise_get_for_user(user=request.user, pk=enterprise_id)
    facts = enterprise_facts(enterprise, selectors.assessment_day(date))
    return json.loads(json.dumps(facts, default=json_default))


class ScreeningRowOut(Schema):
    enterprise_id: int
    name: str
    size_class: str | None
    top_tier: str | None
    next_tier: str | None
    statuses: dict[str, str]
    steps: int
    near_miss: list[str]


@router.get("/screening", response=list[ScreeningRowOut])
@paginate(LimitOffsetPagination)
def screening(request: AuthedHttpRequest, filters: Query[ScreeningFilter]):
    run = selectors.screening_run(user=request.user, filters=filters)
    return [
        {
            "enterprise_id": r.enterprise_id,
            "name": r.name,
            "size_class": r.size_class,
            "top_tier": r.top_tier,
            "next_tier": r.next_tier,
            "statuses": {k: s for k, s, _ in r.statuses},
            "steps": len(r.steps),
            "near_miss": r.near_miss,
        }
        for r in selectors.screening_rows(run, filters)
    ]


class PoolEntryIn(Schema):
    enterprise_id: int
    target_tier: Tier
    target_year: int = Field(..., ge=2000, le=2100)
    owner_id: int | None = None
    plan: str = ""
    progress: int = Field(0, ge=0, le=100)
    status: PoolEntry.Status = PoolEntry.Status.ACTIVE


class PoolEntryPatch(Schema):
    target_tier: Tier | None = None
    target_year: int | None = Field(None, ge=2000, le=2100)
    owner_id: int | None = None
    plan: str | None = None
    progress: int | None = Field(None, ge=0, le=100)
    status: PoolEntry.Status | None = None


class PoolEntryOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    target_tier: str
    target_year: int
    owner_id: int | None
    plan: str
    progress: int
    status: str


def _pool_data(payload: Schema, exclude: set[str], unset: bool) -> dict[str, Any]:
    data = payload.dict(exclude=exclude, exclude_unset=unset)
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = User.objects.filter(pk=owner_id).first() if owner_id else None
        if owner_id and data["owner"] is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"owner": ["Unknown user."]})
    return data


@router.get("/pool", response=list[PoolEntryOut])
@paginate(LimitOffsetPagination)
def pool_list(request: AuthedHttpRequest, filters: Query[PoolFilter]):
    return selectors.pool_entry_list(user=request.user, filters=filters)


@router.post("/pool", response={201: PoolEntryOut})
def pool_create(request: AuthedHttpRequest, payload: PoolEntryIn):
    enterprise = enterprise_get_for_user(user=request.user, pk=payload.enterprise_id)
    data = _pool_data(payload, {"enterprise_id"}, unset=False)
    return Status(
        201, services.pool_entry_save(actor=request.user, enterprise=enterprise, data=data)
    )


@router.patch("/pool/{entry_id}", response=PoolEntryOut)
def pool_update(request: AuthedHttpRequest, entry_id: int, payload: PoolEntryPatch):
    entry = selectors.pool_entry_get_for_user(user=request.user, pk=entry_id)
    data = _pool_data(payload, set(), unset=True)
    return services.pool_entry_save(
        actor=request.user, enterprise=entry.enterprise, data=data, entry=entry
    )


class TitleIn(Schema):
    kind: TitleKind
    certificate_no: str = Field("", max_length=60)
    valid_from: dt.date | None = None
    valid_until: dt.date


class TitleOut(TitleIn):
    id: int
    enterprise_id: int


@router.get("/titles", response=list[TitleOut])
@paginate(LimitOffsetPagination)
def title_list(request: AuthedHttpRequest, filters: Query[TitleFilter]):
    return selectors.title_list(user=request.user, expiring_before=filters.expiring_before)


@router.post("/enterprises/{enterprise_id}/titles", response={201: TitleOut})
def title_create(request: AuthedHttpRequest, enterprise_id: int, payload: TitleIn):
    enterprise = enterprise_get_for_user(user=request.user, pk=enterprise_id)
    return Status(
        201, services.title_save(actor=request.user, enterprise=enterprise, data=payload.dict())
    )


@router.delete("/titles/{title_id}", response={204: None})
def title_delete(request: AuthedHttpRequest, title_id: int):
    title: Title = selectors.title_get_for_user(user=request.user, pk=title_id)
    services.record_delete(actor=request.user, instance=title)
    return Status(204, None)
