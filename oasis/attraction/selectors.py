"""Every read of the attraction app, scoped by the user.

Access: anyone with a role in a park reads that park's leads; park administrators and
attraction managers change them and see the confidential fields (expected investment,
negotiation notes); park administrators also assign leads. Enterprise members see
nothing here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django_stubs_ext import StrOrPromise, WithAnnotations

from oasis.accounts import roles as capabilities
from oasis.accounts.models import User
from oasis.accounts.selectors import users_with_capability
from oasis.core.selectors import first_or_404
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.parks.models import Park
from oasis.parks.selectors import park_ids_for_user

from . import rules
from .filters import LeadFilter
from .models import (
    OPEN_STAGES,
    PIPELINE,
    STAGE_RANK,
    STAGE_WEIGHT,
    Activity,
    Agreement,
    AttractionSettings,
    Lead,
    Partner,
    Source,
    Stage,
    StageChange,
)

BOARD_LIMIT = 50


# --- access helpers ------------------------------------------------------------------
# The parks' one scope query (oasis.parks.selectors; one cached role query per request).


def read_park_ids(user: User) -> set[int] | None:
    return park_ids_for_user(user, capabilities.VIEW)


def change_park_ids(user: User) -> set[int] | None:
    return park_ids_for_user(user, capabilities.ATTRACTION_CHANGE)


def manage_park_ids(user: User) -> set[int] | None:
    return park_ids_for_user(user, capabilities.ATTRACTION_MANAGE)


def _in(parks: set[int] | None, park_id: int) -> bool:
    return parks is None or park_id in parks


def can_change(user: User, park_id: int) -> bool:
    return _in(change_park_ids(user), park_id)


def can_manage(user: User, park_id: int) -> bool:
    return _in(manage_park_ids(user), park_id)


def lead_owner_candidates(*, user: User) -> QuerySet[User]:
    """People who may own leads in the parks the user can read (the owner filter; people
    who have left still own their leads, so they stay in it)."""
    return users_with_capability(
        capabilities.ATTRACTION_CHANGE, park_ids=read_park_ids(user), active_only=False
    )


def can_see_confidential(user: User, park_id: int) -> bool:
    return can_change(user, park_id)


def can_hold_leads(user: User, park_id: int) -> bool:
    """Who may own a lead: attraction managers and park administrators of the park."""
    return can_change(user, park_id)


def require_staff(user: User) -> None:
    """Members and people without any park role get 403 on every attraction page."""
    parks = read_park_ids(user)
    if parks is not None and not parks:
        raise PermissionDenied


def _park_filter(parks: set[int] | None, field: str = "park_id") -> Q:
    return Q() if parks is None else Q(**{f"{field}__in": parks})


def park_queryset(user: User) -> QuerySet[Park]:
    parks = read_park_ids(user)
    return Park.objects.filter(_park_filter(parks, "pk")).order_by("name")


def changeable_parks(user: User) -> QuerySet[Park]:
    parks = change_park_ids(user)
    return Park.objects.filter(_park_filter(parks, "pk")).order_by("name")


def park_get_for_change(*, user: User, pk: int) -> Park:
    return first_or_404(changeable_parks(user).filter(pk=pk))


def settings_for(park: Park | int) -> AttractionSettings:
    """The park's pool settings (defaults when none have been saved)."""
    park_id = park if isinstance(park, int) else park.pk
    found = AttractionSettings.objects.filter(park_id=park_id).first()
    return found or AttractionSettings(park_id=park_id)


# --- leads ---------------------------------------------------------------------------


def lead_queryset_for_user(user: User) -> QuerySet[Lead]:
    parks = read_park_ids(user)
    if parks is not None and not parks:
        return Lead.objects.none()
    qs = Lead.objects.filter(_park_filter(parks))
    # Confidential fields are decided per row in the database: a group viewer may read
    # one park as an attraction manager and another as a viewer.
    # django-stubs types an annotation whose expression is chosen at run time as Any.
    leads: QuerySet[Lead] = qs.annotate(conf_ok=_confidential_in(change_park_ids(user)))
    return leads


def _confidential_in(secret_parks: set[int] | None) -> Expression:
    """True for rows of the parks whose confidential figures the reader may see."""
    if secret_parks is None:
        return Value(True, output_field=BooleanField())
    if secret_parks:
        return Case(
            When(park_id__in=secret_parks, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    return Value(False, output_field=BooleanField())


def lead_get_for_user(*, user: User, pk: int) -> Lead:
    return first_or_404(
        lead_queryset_for_user(user)
        .select_related("park", "owner", "partner", "enterprise")
        .filter(pk=pk)
    )


def lead_get_for_change(*, user: User, pk: int) -> Lead:
    """A lead the user may change; 404 when they may not see it, 403 when read-only."""
    lead = lead_get_for_user(user=user, pk=pk)
    if not can_change(user, lead.park_id):
        raise PermissionDenied
    return lead


def lead_list(*, user: User, filters: LeadFilter) -> QuerySet[Lead]:
    return filters.apply(lead_queryset_for_user(user)).select_related("park", "owner", "partner")


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: StrOrPromise
    count: int
    leads: list[Lead]


def lead_board(*, user: User, filters: LeadFilter) -> list[BoardColumn]:
    """The kanban: each pipeline stage with its count and first cards. One query for the
    counts and one per stage, whatever the number of leads."""
    base = filters.apply(lead_queryset_for_user(user), stage=False)
    counts = dict(base.order_by().values_list("stage").annotate(n=Count("id")))
    columns = []
    for stage in PIPELINE:
        cards = (
            list(base.filter(stage=stage).select_related("owner", "partner")[:BOARD_LIMIT])
            if counts.get(stage)
            else []
        )
        columns.append(BoardColumn(stage, Stage(stage).label, counts.get(stage, 0), cards))
    columns.append(BoardColumn(Stage.LOST, Stage.LOST.label, counts.get(Stage.LOST, 0), []))
    return columns


def pool_list(*, user: User, filters: LeadFilter) -> QuerySet[Lead]:
    return lead_list(user=user, filters=filters).filter(owner__isnull=True, stage__in=OPEN_STAGES)


def open_lead_count(*, owner_id: int, park_id: int) -> int:
    return Lead.objects.filter(owner_id=owner_id, park_id=park_id, stage__in=OPEN_STAGES).count()


def lead_activities(*, lead: Lead) -> list[Activity]:
    return list(lead.activities.select_related("actor"))


def lead_stage_changes(*, lead: Lead) -> list[StageChange]:
    return list(lead.stage_changes.select_related("actor"))


def assignable_users(*, park_id: int) -> QuerySet[User]:
    return users_with_capability(capabilities.ATTRACTION_CHANGE, park_ids=[park_id])


# --- duplicates ----------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    kind: str  # "lead" or "enterprise"
    id: int
    name: str
    reason: str  # "uscc" or "name"
    score: float


def lead_duplicates(
    *,
    park_id: int,
    company_name: str,
    uscc: str | None,
    exclude_lead_id: int | None = None,
) -> list[Duplicate]:
    """Leads and enterprises of the park with the same USCC or a near-identical name.
    Two narrow queries (id, name, uscc), then name matching in Python on the stripped
    keys: a park holds thousands of names, not millions."""
    key = rules.name_key(company_name)
    found: list[Duplicate] = []
    leads = (
        Lead.objects.filter(park_id=park_id)
        .exclude(pk=exclude_lead_id)
        .values_list("pk", "company_name", "uscc", "name_key")
    )
    firms = Enterprise.objects.filter(park_id=park_id).values_list("pk", "name", "uscc")
    for pk, name, other_uscc, other_key in leads.iterator(chunk_size=5000):
        if uscc and other_uscc == uscc:
            found.append(Duplicate("lead", pk, name, "uscc", 1.0))
        elif rules.names_similar(key, other_key):
            found.append(Duplicate("lead", pk, name, "name", rules.name_similarity(key, other_key)))
    for pk, name, other_uscc in firms.iterator(chunk_size=5000):
        if uscc and other_uscc == uscc:
            found.append(Duplicate("enterprise", pk, name, "uscc", 1.0))
        else:
            other_key = rules.name_key(name)
            if rules.names_similar(key, other_key):
                found.append(
                    Duplicate("enterprise", pk, name, "name", rules.name_similarity(key, other_key))
                )
    found.sort(key=lambda d: (d.reason != "uscc", -d.score, d.kind, d.id))
    return found[:20]


# --- agreements and commitments ------------------------------------------------------


@dataclass(frozen=True)
class CommitmentYear:
    year: int
    checks: list[rules.CommitmentCheck]
    status: str


def agreement_for_lead(*, lead: Lead) -> Agreement | None:
    return Agreement.objects.filter(lead=lead).select_related("enterprise").first()


def agreement_progress(
    *, agreement: Agreement, today: dt.date | None = None
) -> list[CommitmentYear]:
    """Each committed year against the firm's reported figures. Investment is not in
    the annual figures, so it is shown but never judged; years not yet over and not
    reported are "not reported", not behind."""
    figures = {
        f.year: f for f in AnnualFigure.objects.filter(enterprise_id=agreement.enterprise_id)
    }
    rows = []
    for c in agreement.commitments.all():
        f = figures.get(c.year)
        checks = [
            rules.CommitmentCheck("output", c.output, f.output_value if f else None),
            rules.CommitmentCheck("tax", c.tax, f.tax_paid if f else None),
            rules.CommitmentCheck("jobs", c.jobs, f.headcount if f else None),
        ]
        rows.append(CommitmentYear(c.year, checks, rules.year_status(checks)))
    return rows


# --- partners (ambassadors, advisors, institutions) ----------------------------------


def partner_queryset_for_user(user: User) -> QuerySet[Partner]:
    parks = read_park_ids(user)
    if parks is not None and not parks:
        return Partner.objects.none()
    return Partner.objects.filter(_park_filter(parks))


def partner_get_for_user(*, user: User, pk: int) -> Partner:
    return first_or_404(partner_queryset_for_user(user).select_related("park").filter(pk=pk))


class PartnerStats(TypedDict):
    leads_count: int
    signed_count: int
    conf_ok: bool
    signed_value: Decimal | None


def partner_list(
    *, user: User, kind: str | None = None, park_id: int | None = None
) -> QuerySet[WithAnnotations[Partner, PartnerStats]]:
    """Each partner with the leads they brought, how many signed, and the value signed.
    Attribution is the lead's `partner`, independent of who owns the lead now."""
    qs = partner_queryset_for_user(user).select_related("park")
    if kind:
        qs = qs.filter(kind=kind)
    if park_id:
        qs = qs.filter(park_id=park_id)
    signed_rank = STAGE_RANK[Stage.SIGNED]
    # The value signed sums agreements' investment, which is as confidential as the
    # leads' expected investment: summed only in parks where the reader may see it
    # (`conf_ok` per row, like the leads), never for a viewer or another role.
    secret_parks = change_park_ids(user)
    signed_value: Expression = Sum("leads__agreement__total_investment")
    if secret_parks is not None:
        signed_value = (
            Sum("leads__agreement__total_investment", filter=Q(park_id__in=secret_parks))
            if secret_parks
            else Value(None, output_field=DecimalField(max_digits=18, decimal_places=2))
        )
    return qs.annotate(
        leads_count=Count("leads", distinct=True),
        signed_count=Count("leads", filter=Q(leads__max_rank__gte=signed_rank), distinct=True),
        conf_ok=_confidential_in(secret_parks),
        signed_value=signed_value,
    ).order_by("kind", "name", "id")


# --- funnel --------------------------------------------------------------------------

DIMENSIONS = ("source", "focus_industry", "owner", "month")


def _dimension_expr(dimension: str, prefix: str = "") -> Any:
    if dimension == "month":
        return TruncMonth(f"{prefix}created_at")
    if dimension == "owner":
        return F(f"{prefix}owner__username")
    return F(f"{prefix}{dimension}")


def _label(dimension: str, value: Any) -> str:
    if value is None:
        return "—"
    if dimension == "source":
        return str(Source(value).label) if value in Source.values else str(value)
    if dimension == "focus_industry":
        return str(FocusIndustry(value).label) if value in FocusIndustry.values else str(value)
    if dimension == "month":
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)
    return str(value)


def funnel_report(
    *, user: User, park_id: int | None = None, since: dt.date | None = None
) -> dict[str, Any]:
    """Conversion (leads that reached each stage) and average days spent in each stage,
    by source, focus industry, owner and month of creation. Every number is a database
    aggregate: one GROUP BY per dimension for conversion, one for time in stage."""
    leads = lead_queryset_for_user(user)
    if park_id:
        leads = leads.filter(park_id=park_id)
    if since:
        leads = leads.filter(created_at__date__gte=since)
    leads = leads.order_by()
    reached = {f"reached_{s}": Count("id", filter=Q(max_rank__gte=STAGE_RANK[s])) for s in PIPELINE}
    changes = (
        StageChange.objects.filter(lead__in=leads.values("pk")).exclude(from_stage="").order_by()
    )
    report: dict[str, Any] = {"stages": [(s, str(Stage(s).label)) for s in PIPELINE]}
    totals = leads.aggregate(
        total=Count("id"), lost=Count("id", filter=Q(stage=Stage.LOST)), **reached
    )
    report["totals"] = _funnel_row("—", totals)
    for dim in DIMENSIONS:
        rows = (
            leads.annotate(g=_dimension_expr(dim))
            .values("g")
            .annotate(total=Count("id"), lost=Count("id", filter=Q(stage=Stage.LOST)), **reached)
            .order_by("g")
        )
        days = (
            changes.annotate(g=_dimension_expr(dim, "lead__"))
            .values("g", "from_stage")
            .annotate(avg_s=Avg("seconds_in_stage"), n=Count("id"))
        )
        time_in: dict[Any, dict[str, float]] = {}
        for d in days:
            time_in.setdefault(d["g"], {})[d["from_stage"]] = round(
                float(d["avg_s"] or 0) / 86400, 1
            )
        report[dim] = [
            {
                **_funnel_row(_label(dim, r["g"]), r),
                "days": [time_in.get(r["g"], {}).get(s) for s in PIPELINE[:-1]],
            }
            for r in rows
        ]
    return report


def _funnel_row(label: str, r: dict[str, Any]) -> dict[str, Any]:
    total = r["total"] or 0
    counts = [r[f"reached_{s}"] for s in PIPELINE]
    signed = r[f"reached_{Stage.SIGNED}"]
    return {
        "label": label,
        "total": total,
        "lost": r["lost"],
        "reached": counts,
        "conversion": round(100 * signed / total, 1) if total else None,
    }


def pipeline_progress(*, user: User, park: Park) -> dict[str, Any]:
    """The park's targets against its pipeline weighted by stage (lost leads count
    nothing; a settled lead counts fully). One aggregate query."""
    weight = Case(
        *[When(stage=s, then=Value(w)) for s, w in STAGE_WEIGHT.items()],
        default=Value(Decimal("0")),
        output_field=DecimalField(max_digits=4, decimal_places=2),
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=4)
    leads = lead_queryset_for_user(user).filter(park=park).order_by()
    agg = leads.aggregate(
        enterprises=Coalesce(Sum(weight), Value(Decimal("0")), output_field=money),
        output=Coalesce(
            Sum(
                ExpressionWrapper(
                    Coalesce("expected_output", Value(Decimal("0"))) * weight, output_field=money
                )
            ),
            Value(Decimal("0")),
            output_field=money,
        ),
        jobs=Coalesce(
            Sum(
                ExpressionWrapper(Coalesce("expected_jobs", Value(0)) * weight, output_field=money)
            ),
            Value(Decimal("0")),
            output_field=money,
        ),
        open_count=Count("id", filter=Q(stage__in=OPEN_STAGES)),
        signed_count=Count("id", filter=Q(stage__in=(Stage.SIGNED, Stage.SETTLED))),
    )

    def pct(value: Decimal, target: Any) -> float | None:
        return round(float(value) * 100 / float(target), 1) if target else None

    return {
        "enterprises": round(float(agg["enterprises"]), 1),
        "output": Decimal(agg["output"]).quantize(Decimal("1")),
        "jobs": int(round(float(agg["jobs"]))),
        "open_count": agg["open_count"],
        "signed_count": agg["signed_count"],
        "target_enterprises": park.target_enterprises,
        "target_output": park.target_output,
        "target_jobs_min": park.target_jobs_min,
        "target_jobs_max": park.target_jobs_max,
        "pct_enterprises": pct(agg["enterprises"], park.target_enterprises),
        "pct_output": pct(agg["output"], park.target_output),
        "pct_jobs": pct(agg["jobs"], park.target_jobs_min),
    }


def stage_counts(*, user: User) -> dict[str, int]:
    qs = lead_queryset_for_user(user).order_by().values_list("stage").annotate(n=Count("id"))
    return dict(qs)
