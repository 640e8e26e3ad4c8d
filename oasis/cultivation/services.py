"""Every write of the cultivation app: in a transaction, fully validated, with an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.writes import record, record_deletion, snapshot
from oasis.enterprises.models import Enterprise

from .models import (
    Award,
    DevelopmentScore,
    EquityFinancing,
    ExtraFigure,
    InnovationProfile,
    PoolEntry,
    Reminder,
    Title,
    TitleKind,
)

#: Days before a title's expiry that the expiry reminder is recorded.
EXPIRY_NOTICE_DAYS = 90
#: SRDI and little-giant titles are re-reviewed (复核) before they lapse: the reminder
#: appears this many days before expiry and is due this many days before it.
RE_REVIEW_NOTICE_DAYS = 180
RE_REVIEW_DUE_DAYS = 90
RE_REVIEWED_KINDS = (TitleKind.SRDI_SME, TitleKind.LITTLE_GIANT)

PROFILE_FIELDS = frozenset(
    f.name
    for f in InnovationProfile._meta.concrete_fields
    if f.name not in ("id", "enterprise", "qualitative_by", "qualitative_at", "updated_at")
)
RECORD_FIELDS: dict[type[models.Model], frozenset[str]] = {
    Title: frozenset({"kind", "certificate_no", "valid_from", "valid_until"}),
    Award: frozenset({"name", "level", "year", "rank"}),
    EquityFinancing: frozenset({"year", "amount", "investor"}),
    DevelopmentScore: frozenset({"year", "score"}),
    ExtraFigure: frozenset({"year", "total_cost_expense", "st_staff"}),
}

M = TypeVar("M", bound=models.Model)


def _check_can_change(actor: User, enterprise: Enterprise) -> None:
    if getattr(actor, "is_member", False) or not user_can(
        actor, enterprise.park_id, roles.ENTERPRISE_CHANGE
    ):
        raise PermissionDenied(_("没有修改该企业培育档案的权限。"))


def _reject_unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})


def _save(instance: models.Model) -> None:
    """Save, turning a lost race on a unique constraint into a form error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(_("该记录已存在。")) from exc


@transaction.atomic
def innovation_profile_save(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any]
) -> InnovationProfile:
    """Create or update the firm's innovation profile. A changed qualitative judgement
    records who made it and when."""
    _check_can_change(actor, enterprise)
    _reject_unknown(data, PROFILE_FIELDS)
    profile = InnovationProfile.objects.select_for_update().filter(enterprise=enterprise).first()
    before = snapshot(profile) if profile else None
    if profile is None:
        profile = InnovationProfile(enterprise=enterprise)
    for key, value in data.items():
        setattr(profile, key, value)
    if any(
        before is None
        and data.get(f) is not None
        or before is not None
        and before[f] != getattr(profile, f)
        for f in InnovationProfile.QUALITATIVE_FIELDS
    ):
        profile.qualitative_by = actor
        profile.qualitative_at = timezone.now()
    profile.full_clean()
    _save(profile)
    record(actor=actor, instance=profile, before=before, park_id=enterprise.park_id)
    return profile


@transaction.atomic
def record_save(
    *,
    actor: User,
    enterprise: Enterprise,
    model: type[M],
    data: dict[str, Any],
    instance: M | None = None,
) -> M:
    """Create or update one title, award, equity round, development score or extra figure."""
    _check_can_change(actor, enterprise)
    _reject_unknown(data, RECORD_FIELDS[model])
    if instance is not None and getattr(instance, "enterprise_id", None) != enterprise.pk:
        raise PermissionDenied
    before = snapshot(instance) if instance is not None else None
    obj = instance if instance is not None else model(enterprise=enterprise)
    for key, value in data.items():
        setattr(obj, key, value)
    obj.full_clean()
    _save(obj)
    record(actor=actor, instance=obj, before=before, park_id=enterprise.park_id)
    return obj


def title_save(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any], title: Title | None = None
) -> Title:
    return record_save(actor=actor, enterprise=enterprise, model=Title, data=data, instance=title)


@transaction.atomic
def record_delete(*, actor: User, instance: models.Model) -> None:
    # Every record kind has an enterprise; models.Model does not say so.
    enterprise = Enterprise.objects.get(pk=instance.enterprise_id)  # type: ignore[attr-defined]
    _check_can_change(actor, enterprise)
    record_deletion(actor=actor, instance=instance, park_id=enterprise.park_id)


# ------------------------------------------------------------------ pool

POOL_FIELDS = frozenset({"target_tier", "target_year", "owner", "plan", "progress", "status"})


def _check_owner(owner: User | None, enterprise: Enterprise) -> None:
    if owner is None:
        return
    if owner.is_member or not user_can(owner, enterprise.park_id, roles.VIEW):
        raise ValidationError({"owner": [_("负责人必须是本园区的工作人员。")]})


@transaction.atomic
def pool_entry_save(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any], entry: PoolEntry | None = None
) -> PoolEntry:
    """Put a firm in the cultivation pool, or update its target, owner, plan or progress."""
    _check_can_change(actor, enterprise)
    _reject_unknown(data, POOL_FIELDS)
    if entry is not None and entry.enterprise_id != enterprise.pk:
        raise PermissionDenied
    _check_owner(data.get("owner"), enterprise)
    before = snapshot(entry) if entry is not None else None
    obj = entry if entry is not None else PoolEntry(enterprise=enterprise)
    for key, value in data.items():
        setattr(obj, key, value)
    if obj.status == PoolEntry.Status.ACHIEVED:
        obj.progress = 100
    try:
        obj.full_clean()
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError({"target_year": [_("该企业在该年度已有相同目标。")]}) from exc
        raise
    _save(obj)
    record(actor=actor, instance=obj, before=before, park_id=enterprise.park_id)
    return obj


# ------------------------------------------------------------------ reminders


def _due_reminders(today: dt.date) -> list[tuple[Title, str, dt.date]]:
    out: list[tuple[Title, str, dt.date]] = []
    horizon = today + dt.timedelta(days=max(EXPIRY_NOTICE_DAYS, RE_REVIEW_NOTICE_DAYS))
    for title in Title.objects.filter(
        valid_until__gte=today, valid_until__lte=horizon
    ).select_related("enterprise"):
        if title.valid_until <= today + dt.timedelta(days=EXPIRY_NOTICE_DAYS):
            out.append((title, Reminder.Kind.EXPIRY, title.valid_until))
        if title.kind in RE_REVIEWED_KINDS:
            out.append(
                (
                    title,
                    Reminder.Kind.RE_REVIEW,
                    title.valid_until - dt.timedelta(days=RE_REVIEW_DUE_DAYS),
                )
            )
    return out


@transaction.atomic
def reminders_generate(*, today: dt.date | None = None) -> list[Reminder]:
    """Record the reminders due on ``today``: titles expiring within 90 days, and SRDI /
    little-giant titles whose re-review falls due. Idempotent: a reminder already
    recorded (same title, kind and due date) is not recorded again."""
    today = today or timezone.localdate()
    due = _due_reminders(today)
    existing = set(
        Reminder.objects.filter(title_id__in=[t.pk for t, _, _ in due]).values_list(
            "title_id", "kind", "due_on"
        )
    )
    created = []
    for title, kind, due_on in due:
        if (title.pk, kind, due_on) in existing:
            continue
        reminder = Reminder(title=title, kind=kind, due_on=due_on)
        reminder.full_clean()
        _save(reminder)
        record(actor=None, instance=reminder, park_id=title.enterprise.park_id)
        created.append(reminder)
    return created


@transaction.atomic
def reminder_done(*, actor: User, reminder: Reminder) -> Reminder:
    enterprise = reminder.title.enterprise
    _check_can_change(actor, enterprise)
    before = snapshot(reminder)
    reminder.done_at = timezone.now()
    reminder.save(update_fields=["done_at"])
    record(actor=actor, instance=reminder, before=before, park_id=enterprise.park_id)
    return reminder
