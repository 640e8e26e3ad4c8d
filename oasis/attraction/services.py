"""Every write of the attraction app. Each runs in a transaction, validates fully and
leaves an audit row; stage changes and activities are also their own records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oasis.accounts.models import User
from oasis.core.identifiers import normalize_uscc
from oasis.core.texts import TextSource, written
from oasis.core.writes import record, snapshot
from oasis.enterprises import services as enterprise_services
from oasis.enterprises.models import Enterprise
from oasis.leasing import services as leasing_services
from oasis.parks.models import Park

from . import rules, selectors
from .models import (
    OPEN_STAGES,
    STAGE_RANK,
    Activity,
    Agreement,
    AttractionSettings,
    Commitment,
    Lead,
    Partner,
    Source,
    Stage,
    StageChange,
)

# A lead's own fields, in the order the form shows them.
LEAD_FIELDS = (
    "company_name",
    "uscc",
    "source",
    "partner",
    "intent",
    "contact_name",
    "contact_phone",
    "contact_title",
    "focus_industry",
    "industry_code",
    "need_area",
    "need_use",
    "need_timing",
    "expected_investment",
    "expected_output",
    "expected_tax",
    "expected_jobs",
    "negotiation_notes",
)
PARTNER_SOURCES: dict[str, str] = {
    Source.AMBASSADOR: Partner.Kind.AMBASSADOR,
    Source.ADVISOR: Partner.Kind.ADVISOR,
    Source.INSTITUTION: Partner.Kind.INSTITUTION,
}
ACTIVITY_KINDS = frozenset(
    {
        Activity.Kind.CALL,
        Activity.Kind.VISIT,
        Activity.Kind.MEETING,
        Activity.Kind.NOTE,
        Activity.Kind.NEXT_STEP,
    }
)


class DuplicateWarning(ValidationError):
    """Raised by create/update when a lead or enterprise with the same USCC or a
    near-identical name exists; the caller repeats with `confirm_duplicates=True`."""

    def __init__(self, duplicates: list[selectors.Duplicate]) -> None:
        names = "、".join(f"{d.name}" for d in duplicates[:5])
        super().__init__(
            {
                "duplicates": [
                    _("可能与已有记录重复：%(names)s。确认无误后可勾选“仍然保存”。")
                    % {"names": names}
                ]
            },
            code="duplicate",
        )
        self.duplicates = duplicates


def _check_change(actor: User, park_id: int) -> None:
    if not selectors.can_change(actor, park_id):
        raise PermissionDenied(_("没有修改该园区招商线索的权限。"))


def _check_owner_capacity(*, owner: User, park_id: int, adding: int = 1) -> None:
    if not selectors.can_hold_leads(owner, park_id):
        raise ValidationError({"owner": [_("负责人须为该园区的招商经理或园区管理员。")]})
    # Lock the person's row: two claims at once must not both slip under the limit.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    limit = selectors.settings_for(park_id).claim_limit
    held = selectors.open_lead_count(owner_id=owner.pk, park_id=park_id)
    if held + adding > limit:
        raise ValidationError(
            {
                "owner": [
                    _("%(name)s 已持有 %(held)d 条线索，达到上限 %(limit)d 条。")
                    % {"name": owner, "held": held, "limit": limit}
                ]
            }
        )


def _derive(lead: Lead) -> None:
    lead.uscc = normalize_uscc(lead.uscc or "") or None
    lead.company_name = (lead.company_name or "").strip()
    lead.name_key = rules.name_key(lead.company_name)


def _check_partner(lead: Lead) -> None:
    wanted = PARTNER_SOURCES.get(lead.source)
    partner = lead.partner
    if partner is None:
        if wanted:
            raise ValidationError(
                {"partner": [_("来源为招商大使、产业顾问或投融资机构时，须选择引荐人/机构。")]}
            )
        return
    if partner.park_id != lead.park_id:
        raise ValidationError({"partner": [_("引荐人/机构不属于本园区。")]})
    if wanted and partner.kind != wanted:
        raise ValidationError({"partner": [_("引荐人/机构的类型与来源渠道不符。")]})


def _check_duplicates(lead: Lead, confirm: bool) -> None:
    if confirm:
        return
    dups = selectors.lead_duplicates(
        park_id=lead.park_id,
        company_name=lead.company_name,
        uscc=lead.uscc,
        exclude_lead_id=lead.pk,
    )
    if dups:
        raise DuplicateWarning(dups)


def _validate(lead: Lead) -> None:
    errors: dict[str, list[str]] = {}
    try:
        lead.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    if "partner" not in errors:
        try:
            _check_partner(lead)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def lead_create(
    *,
    actor: User,
    park: Park,
    data: dict[str, Any],
    owner: User | Literal[False] | None = None,
    confirm_duplicates: bool = False,
    now: dt.datetime | None = None,
) -> Lead:
    """A new lead in stage 线索. Its owner is the given person or, when the creator may
    hold leads, the creator; pass `owner=False` to put it straight into the pool."""
    _check_change(actor, park.pk)
    unknown = set(data).difference(LEAD_FIELDS)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    now = now or timezone.now()
    lead = Lead(
        park=park,
        created_by=actor,
        created_at=now,
        stage_entered_at=now,
        last_activity_at=now,
        **data,
    )
    _derive(lead)
    _validate(lead)
    _check_duplicates(lead, confirm_duplicates)
    if owner is None and selectors.can_hold_leads(actor, park.pk):
        owner = actor
    if owner:
        _check_owner_capacity(owner=owner, park_id=park.pk)
        lead.owner = owner
    lead.save()
    StageChange.objects.create(lead=lead, from_stage="", to_stage=Stage.LEAD, actor=actor, at=now)
    record(actor=actor, instance=lead, park_id=park.pk)
    return lead


@transaction.atomic
def lead_update(
    *, actor: User, lead: Lead, data: dict[str, Any], confirm_duplicates: bool = False
) -> Lead:
    _check_change(actor, lead.park_id)
    unknown = set(data).difference(LEAD_FIELDS)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    before = snapshot(lead)
    for key, value in data.items():
        setattr(lead, key, value)
    _derive(lead)
    _validate(lead)
    if lead.name_key != before["name_key"] or lead.uscc != before["uscc"]:
        _check_duplicates(lead, confirm_duplicates)
    lead.save()
    record(actor=actor, instance=lead, before=before, park_id=lead.park_id)
    return lead


@transaction.atomic
def lead_move(
    *, actor: User, lead: Lead, stage: str, reason: str = "", now: dt.datetime | None = None
) -> Lead:
    """Move a lead to another stage (any direction along the pipeline, or to lost with a
    reason). Reaching 入驻 needs a signed agreement and marks the firm settled."""
    _check_change(actor, lead.park_id)
    if stage not in Stage.values:
        raise ValidationError({"stage": [_("未知阶段。")]})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if stage == lead.stage:
        raise ValidationError({"stage": [_("线索已处于该阶段。")]})
    reason = (reason or "").strip()
    has_agreement = Agreement.objects.filter(lead=lead).exists()
    if stage == Stage.LOST:
        if not reason:
            raise ValidationError({"reason": [_("标记流失须填写原因。")]})
        if has_agreement:
            raise ValidationError({"stage": [_("已签约的线索不能标记流失。")]})
    elif has_agreement and STAGE_RANK[stage] < STAGE_RANK[Stage.SIGNED]:
        raise ValidationError({"stage": [_("已签约的线索不能退回签约之前的阶段。")]})
    if stage == Stage.SETTLED and not has_agreement:
        raise ValidationError({"stage": [_("须先完成签约（关联企业并录入投资协议）才能入驻。")]})
    now = now or timezone.now()
    before = snapshot(lead)
    seconds = max(0, int((now - lead.stage_entered_at).total_seconds()))
    StageChange.objects.create(
        lead=lead,
        from_stage=lead.stage,
        to_stage=stage,
        seconds_in_stage=seconds,
        reason=reason[:200],
        actor=actor,
        at=now,
    )
    lead.stage = stage
    lead.stage_entered_at = now
    lead.last_activity_at = now
    lead.lost_reason = reason[:200] if stage == Stage.LOST else ""
    if stage != Stage.LOST:
        lead.max_rank = max(lead.max_rank, STAGE_RANK[stage])
    lead.full_clean()
    lead.save()
    if stage == Stage.SETTLED and lead.enterprise_id:
        firm = Enterprise.objects.get(pk=lead.enterprise_id)
        if firm.status != Enterprise.Status.SETTLED:
            enterprise_services.enterprise_update(
                actor=actor,
                enterprise=firm,
                data={
                    "status": Enterprise.Status.SETTLED,
                    "settled_on": firm.settled_on or timezone.localdate(now),
                },
            )
    record(actor=actor, instance=lead, before=before, park_id=lead.park_id)
    return lead


@transaction.atomic
def activity_add(
    *, actor: User, lead: Lead, data: dict[str, Any], now: dt.datetime | None = None
) -> Activity:
    _check_change(actor, lead.park_id)
    kind = data.get("kind")
    if kind not in ACTIVITY_KINDS:
        raise ValidationError({"kind": [_("请选择跟进类型。")]})
    now = now or timezone.now()
    activity = Activity(
        lead=lead,
        kind=kind,
        body=(data.get("body") or "").strip(),
        due_on=data.get("due_on"),
        actor=actor,
        at=now,
    )
    if kind == Activity.Kind.NEXT_STEP and not activity.due_on:
        raise ValidationError({"due_on": [_("下一步须填写截止日期。")]})
    activity.full_clean()
    activity.save()
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=now)
    record(actor=actor, instance=activity, park_id=lead.park_id)
    return activity


@transaction.atomic
def activity_complete(*, actor: User, activity: Activity) -> Activity:
    lead = activity.lead
    _check_change(actor, lead.park_id)
    before = snapshot(activity)
    activity.done = True
    activity.save(update_fields=["done"])
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now())
    record(actor=actor, instance=activity, before=before, park_id=lead.park_id)
    return activity


# What the platform writes into a lead's history (oasis.core.texts).
CLAIMED = gettext_noop("从公海认领")
ASSIGNED = gettext_noop("分配给 %(name)s")
RETURNED = gettext_noop("退回公海")
RECLAIMED = gettext_noop("超过 %(days)d 天无跟进，退回公海")


def _set_owner(
    *, actor: User, lead: Lead, owner: User | None, note: tuple[str, TextSource]
) -> Lead:
    before = snapshot(lead)
    now = timezone.now()
    lead.owner = owner
    lead.pooled_at = None if owner else now
    # Taking a lead counts as touching it: it is not swept back the same night.
    lead.last_activity_at = now
    lead.save(update_fields=["owner", "pooled_at", "last_activity_at", "updated_at"])
    Activity.objects.create(
        lead=lead, kind=Activity.Kind.SYSTEM, body=note[0], body_source=note[1], actor=actor, at=now
    )
    record(actor=actor, instance=lead, before=before, park_id=lead.park_id)
    return lead


@transaction.atomic
def lead_claim(*, actor: User, lead: Lead) -> Lead:
    """Take a lead from the pool (公海), within the per-person limit."""
    _check_change(actor, lead.park_id)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.owner_id is not None or lead.stage not in OPEN_STAGES:
        raise ValidationError({NON_FIELD_ERRORS: [_("该线索不在公海中，无法认领。")]})
    _check_owner_capacity(owner=actor, park_id=lead.park_id)
    return _set_owner(actor=actor, lead=lead, owner=actor, note=written(CLAIMED))


@transaction.atomic
def lead_assign(*, actor: User, lead: Lead, owner: User | None) -> Lead:
    """A park administrator gives a lead to someone (or back to the pool with None)."""
    if not selectors.can_manage(actor, lead.park_id):
        raise PermissionDenied(_("只有园区管理员可以分配线索。"))
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if owner is not None and owner.pk == lead.owner_id:
        raise ValidationError({"owner": [_("该线索已由此人负责。")]})
    if owner is not None:
        _check_owner_capacity(owner=owner, park_id=lead.park_id)
        note = written(ASSIGNED, name=str(owner))
    else:
        note = written(RETURNED)
    return _set_owner(actor=actor, lead=lead, owner=owner, note=note)


def pool_reclaim(*, now: dt.datetime | None = None) -> int:
    """Return neglected open leads (no activity for the park's N days) to the pool.
    Safe to run twice: a lead already in the pool is not touched again."""
    now = now or timezone.now()
    returned = 0
    days_by_park = dict(AttractionSettings.objects.values_list("park_id", "neglect_days"))
    default_days = AttractionSettings._meta.get_field("neglect_days").default
    park_ids = (
        Lead.objects.filter(owner__isnull=False, stage__in=OPEN_STAGES)
        .values_list("park_id", flat=True)
        .distinct()
    )
    for park_id in sorted(set(park_ids)):
        cutoff = now - dt.timedelta(days=days_by_park.get(park_id, default_days))
        with transaction.atomic():
            stale = list(
                Lead.objects.select_for_update()
                .filter(
                    park_id=park_id,
                    owner__isnull=False,
                    stage__in=OPEN_STAGES,
                    last_activity_at__lt=cutoff,
                )
                .order_by("pk")
            )
            for lead in stale:
                before = snapshot(lead)
                lead.owner = None
                lead.pooled_at = now
                lead.save(update_fields=["owner", "pooled_at", "updated_at"])
                body, source = written(RECLAIMED, days=days_by_park.get(park_id, default_days))
                Activity.objects.create(
                    lead=lead,
                    kind=Activity.Kind.SYSTEM,
                    at=now,
                    body=body,
                    body_source=source,
                )
                record(actor=None, instance=lead, before=before, park_id=park_id)
            returned += len(stale)
    return returned


# --- signing -------------------------------------------------------------------------


@dataclass
class SignInput:
    signed_on: dt.date
    total_investment: Any = None
    note: str = ""
    enterprise: Enterprise | None = None  # link this firm instead of creating one
    commitments: list[dict[str, Any]] = field(default_factory=list)
    # A draft lease on these units, from lease_start for lease_years at rent_rate
    # (元/㎡/天); the leasing officer completes and signs it in leasing.
    unit_ids: list[int] | None = None
    lease_start: dt.date | None = None
    lease_years: int = 3
    rent_rate: Any = None


@transaction.atomic
def lead_convert(*, actor: User, lead: Lead, sign: SignInput) -> Agreement:
    """Turn a signed lead into an enterprise (created, or an existing one linked) and an
    investment agreement with its yearly commitments."""
    _check_change(actor, lead.park_id)
    lead = Lead.objects.select_for_update().select_related("park").get(pk=lead.pk)
    if lead.stage not in (Stage.SIGNED, Stage.SETTLED):
        raise ValidationError({NON_FIELD_ERRORS: [_("只有处于“签约”阶段的线索才能转化为企业。")]})
    if Agreement.objects.filter(lead=lead).exists():
        raise ValidationError({NON_FIELD_ERRORS: [_("该线索已有投资协议。")]})
    errors: dict[str, list[str]] = {}
    years = [c.get("year") for c in sign.commitments]
    if len(set(years)) != len(years):
        errors["commitments"] = [_("承诺年度不能重复。")]
    if errors:
        raise ValidationError(errors)

    firm = sign.enterprise
    if firm is not None:
        if firm.park_id != lead.park_id:
            raise ValidationError({"enterprise": [_("企业不属于本园区。")]})
        if firm.status == Enterprise.Status.PROSPECT:
            firm = enterprise_services.enterprise_update(
                actor=actor,
                enterprise=firm,
                data={"status": Enterprise.Status.SIGNED},
            )
    else:
        if not lead.industry_code:
            raise ValidationError({"industry_code": [_("创建企业档案须先填写线索的行业代码。")]})
        firm = enterprise_services.enterprise_create(
            actor=actor,
            park=lead.park,
            data={
                "name": lead.company_name,
                "uscc": lead.uscc,
                "industry_code": lead.industry_code,
                "focus_industry": lead.focus_industry,
                "status": Enterprise.Status.SETTLED
                if lead.stage == Stage.SETTLED
                else Enterprise.Status.SIGNED,
            },
        )
    agreement = Agreement(
        lead=lead,
        enterprise=firm,
        signed_on=sign.signed_on,
        total_investment=sign.total_investment,
        note=sign.note,
        created_by=actor,
    )
    agreement.full_clean()
    agreement.save()
    for i, data in enumerate(sign.commitments):
        commitment = Commitment(agreement=agreement, **data)
        try:
            commitment.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                {f"commitments.{i}.{k}": v for k, v in exc.message_dict.items()}
            ) from exc
        commitment.save()
        record(actor=actor, instance=commitment, park_id=lead.park_id)
    before = snapshot(lead)
    lead.enterprise = firm
    lead.save(update_fields=["enterprise", "updated_at"])
    if sign.unit_ids:
        _draft_lease(actor=actor, firm=firm, sign=sign)
    record(actor=actor, instance=agreement, park_id=lead.park_id)
    record(actor=actor, instance=lead, before=before, park_id=lead.park_id)
    return agreement


def _draft_lease(*, actor: User, firm: Enterprise, sign: SignInput) -> None:
    """The draft lease that signing promises the firm; same transaction as the signing."""
    start = sign.lease_start
    if start is None or sign.rent_rate is None:
        errors: dict[str, list[str]] = {}
        if start is None:
            errors["lease_start"] = [_("选择单元时须填写起租日。")]
        if sign.rent_rate is None:
            errors["rent_rate"] = [_("选择单元时须填写租金单价。")]
        raise ValidationError(errors)
    try:
        end = start.replace(year=start.year + sign.lease_years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + sign.lease_years, day=28)
    try:
        leasing_services.lease_create(
            actor=actor,
            tenant=firm,
            unit_ids=sign.unit_ids or [],
            data={"start_date": start, "end_date": end, "rent_rate": sign.rent_rate},
        )
    except PermissionDenied as exc:
        raise ValidationError(
            {"units": [_("起草租赁合同需要租赁权限，请由园区管理员或租赁专员签约，或不选单元。")]}
        ) from exc


# --- partners and settings -----------------------------------------------------------

PARTNER_FIELDS = frozenset({"kind", "name", "organisation", "title", "phone", "note", "active"})


@transaction.atomic
def partner_save(
    *, actor: User, park: Park, data: dict[str, Any], partner: Partner | None = None
) -> Partner:
    _check_change(actor, park.pk)
    unknown = set(data) - PARTNER_FIELDS
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    created = partner is None
    partner = partner or Partner(park=park)
    if partner.park_id != park.pk:
        raise PermissionDenied
    before = None if created else snapshot(partner)
    for key, value in data.items():
        setattr(partner, key, value.strip() if isinstance(value, str) else value)
    try:
        partner.full_clean()
    except ValidationError as exc:
        if (
            "__all__" in exc.message_dict
            and Partner.objects.filter(park=park, kind=partner.kind, name=partner.name)
            .exclude(pk=partner.pk)
            .exists()
        ):
            raise ValidationError({"name": [_("同类型中已有同名的合作方。")]}) from exc
        raise
    partner.save()
    record(actor=actor, instance=partner, before=before, park_id=park.pk)
    return partner


@transaction.atomic
def settings_save(*, actor: User, park: Park, data: dict[str, Any]) -> AttractionSettings:
    if not selectors.can_manage(actor, park.pk):
        raise PermissionDenied(_("只有园区管理员可以修改招商设置。"))
    obj = AttractionSettings.objects.select_for_update().filter(park=park).first()
    created = obj is None
    obj = obj or AttractionSettings(park=park)
    before = None if created else snapshot(obj)
    for key in ("neglect_days", "claim_limit"):
        if key in data:
            setattr(obj, key, data[key])
    obj.full_clean()
    obj.save()
    record(actor=actor, instance=obj, before=before, park_id=park.pk)
    return obj


# --- import --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[tuple[int, str, list[selectors.Duplicate]]] = field(default_factory=list)
    created: int = 0
    valid: int = 0
    dry_run: bool = True


def leads_import(
    *,
    actor: User,
    park: Park,
    rows: list[tuple[int, dict[str, Any], dict[str, str]]],
    dry_run: bool,
    confirm_duplicates: bool = False,
    labels: dict[str, str] | None = None,
) -> ImportResult:
    """All or nothing: every row is validated first, every bad row is reported (row,
    column, reason), and nothing is written unless all rows are good. Duplicates (with
    existing records or within the file) are reported and block the import until the
    user confirms them. `rows` are (row number, field values, parse errors by field)."""
    _check_change(actor, park.pk)
    labels = labels or {}
    result = ImportResult(dry_run=dry_run)
    seen: dict[str, int] = {}
    seen_uscc: dict[str, int] = {}
    for number, data, parse_errors in rows:
        for fname, msg in parse_errors.items():
            result.errors.append(RowError(number, labels.get(fname, fname), msg))
        clean = {k: v for k, v in data.items() if k not in parse_errors}
        lead = Lead(park=park, **{k: v for k, v in clean.items() if k in LEAD_FIELDS})
        _derive(lead)
        try:
            _validate(lead)
        except ValidationError as exc:
            for fname, msgs in exc.message_dict.items():
                if fname in parse_errors:
                    continue
                for msg in msgs:
                    result.errors.append(RowError(number, labels.get(fname, fname), msg))
        owner = data.get("owner")
        if (
            owner is not None
            and "owner" not in parse_errors
            and not selectors.can_hold_leads(owner, park.pk)
        ):
            result.errors.append(
                RowError(
                    number,
                    labels.get("owner", "owner"),
                    _("负责人须为该园区的招商经理或园区管理员。"),
                )
            )
        dups = selectors.lead_duplicates(
            park_id=park.pk, company_name=lead.company_name, uscc=lead.uscc
        )
        within = [seen[k] for k in ([lead.name_key] if lead.name_key else []) if k in seen]
        within += [seen_uscc[lead.uscc]] if lead.uscc and lead.uscc in seen_uscc else []
        if within:
            result.errors.append(
                RowError(
                    number,
                    labels.get("company_name", "company_name"),
                    _("与第 %(row)d 行重复。") % {"row": within[0]},
                )
            )
        if dups:
            result.duplicates.append((number, lead.company_name, dups))
        if lead.name_key:
            seen.setdefault(lead.name_key, number)
        if lead.uscc:
            seen_uscc.setdefault(lead.uscc, number)
    result.errors.sort(key=lambda e: (e.row, e.column))
    result.valid = len(rows) - len({e.row for e in result.errors})
    if dry_run or result.errors or (result.duplicates and not confirm_duplicates):
        return result
    with transaction.atomic():
        for _number, data, _errs in rows:
            owner = data.get("owner")
            lead_data = {k: v for k, v in data.items() if k in LEAD_FIELDS}
            lead_create(
                actor=actor,
                park=park,
                data=lead_data,
                owner=owner or False,
                confirm_duplicates=True,
            )
            result.created += 1
    return result
