"""Every write to the enterprise file. Each runs in a transaction, validates fully and
leaves an audit row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.identifiers import industry_section, normalize_uscc
from oasis.core.writes import record, snapshot
from oasis.parks.models import Park, Unit

from .models import AnnualFigure, Contact, Enterprise
from .validation import figure_errors

# What an enterprise member may change in their own file; the rest is the park's.
MEMBER_EDITABLE = frozenset({"legal_representative", "website", "description"})
# What park staff may change, in the order the form shows it.
STAFF_EDITABLE = (
    "name",
    "uscc",
    "industry_code",
    "focus_industry",
    "status",
    "legal_representative",
    "founded_on",
    "registered_capital",
    "settled_on",
    "website",
    "description",
)


def search_key_for(name: str) -> str:
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return f"{initials} {full}"[:400]


def _check_can_change(actor: User, enterprise: Enterprise, fields: set[str]) -> None:
    if getattr(actor, "is_member", False):
        if actor.enterprise_id != enterprise.pk or not fields <= MEMBER_EDITABLE:
            raise PermissionDenied(_("企业用户只能修改本企业的部分信息。"))
        return
    if not user_can(actor, enterprise.park_id, roles.ENTERPRISE_CHANGE):
        raise PermissionDenied(_("没有修改该企业的权限。"))


def _derive(enterprise: Enterprise) -> None:
    enterprise.uscc = normalize_uscc(enterprise.uscc or "") or None
    enterprise.search_key = search_key_for(enterprise.name)
    enterprise.industry_section = industry_section(enterprise.industry_code)


def _save_unique(instance: Any) -> None:
    """Save, turning a lost race on a unique constraint into a field error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        if "uscc" in str(exc).lower():
            raise ValidationError({"uscc": [_("该统一社会信用代码已存在。")]}) from exc
        raise


def _set_units(enterprise: Enterprise, unit_ids: list[int] | None) -> None:
    if unit_ids is None:
        return
    units = list(Unit.objects.filter(pk__in=unit_ids, building__park_id=enterprise.park_id))
    if len(units) != len(set(unit_ids)):
        raise ValidationError({"units": [_("单元不存在或不属于本园区。")]})
    enterprise.units.set(units)


@transaction.atomic
def enterprise_create(
    *, actor: User, park: Park, data: dict[str, Any], unit_ids: list[int] | None = None
) -> Enterprise:
    if not user_can(actor, park.pk, roles.ENTERPRISE_CHANGE) or getattr(actor, "is_member", False):
        raise PermissionDenied(_("没有在该园区新建企业的权限。"))
    unknown = set(data).difference(STAFF_EDITABLE)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    enterprise = Enterprise(park=park, **data)
    _derive(enterprise)
    enterprise.full_clean()
    _save_unique(enterprise)
    _set_units(enterprise, unit_ids)
    record(actor=actor, instance=enterprise, park_id=park.pk)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any], unit_ids: list[int] | None = None
) -> Enterprise:
    fields = set(data) | ({"units"} if unit_ids is not None else set())
    _check_can_change(actor, enterprise, fields)
    unknown = set(data).difference(STAFF_EDITABLE)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    # Lock the row: two officers saving at once must not lose one another's audit trail.
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = snapshot(enterprise)
    for key, value in data.items():
        setattr(enterprise, key, value)
    _derive(enterprise)
    enterprise.full_clean()
    _save_unique(enterprise)
    _set_units(enterprise, unit_ids)
    record(actor=actor, instance=enterprise, before=before, park_id=enterprise.park_id)
    return enterprise


def _check_can_change_figures(actor: User, enterprise: Enterprise) -> None:
    if getattr(actor, "is_member", False):
        # Official figures change only when the park accepts a report (oasis.portal), so
        # the dashboard never counts unreviewed numbers.
        raise PermissionDenied(_("企业用户请通过数据填报提交年度数据，经园区审核后生效。"))
    if not user_can(actor, enterprise.park_id, roles.FIGURES_CHANGE):
        raise PermissionDenied(_("没有修改该企业年度数据的权限。"))


@transaction.atomic
def annual_figure_save(
    *, actor: User, enterprise: Enterprise, year: int, data: dict[str, Any]
) -> AnnualFigure:
    """Create or update one year of figures (fields not in `data` keep their value)."""
    _check_can_change_figures(actor, enterprise)
    allowed = set(AnnualFigure.FIGURE_FIELDS)
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    figure = (
        AnnualFigure.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    )
    created = figure is None
    if figure is None:
        figure = AnnualFigure(enterprise=enterprise, year=year)
    before = None if created else snapshot(figure)
    for key, value in data.items():
        setattr(figure, key, value)
    errors = figure_errors({**{f: getattr(figure, f) for f in allowed}, "year": year})
    if errors:
        raise ValidationError(errors)
    figure.full_clean()
    figure.save()
    figure.refresh_from_db()  # callers see stored values (amounts at fen precision)
    record(actor=actor, instance=figure, before=before, park_id=enterprise.park_id)
    return figure


@transaction.atomic
def contact_save(
    *, actor: User, enterprise: Enterprise, data: dict[str, Any], contact: Contact | None = None
) -> Contact:
    if getattr(actor, "is_member", False):
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied(_("企业用户只能维护本企业的联系人。"))
    elif not user_can(actor, enterprise.park_id, roles.ENTERPRISE_CHANGE):
        raise PermissionDenied(_("没有修改该企业的权限。"))
    created = contact is None
    contact = contact or Contact(enterprise=enterprise)
    if contact.enterprise_id != enterprise.pk:
        raise PermissionDenied
    before = None if created else snapshot(contact)
    for key in ("name", "title", "phone", "email", "is_primary"):
        if key in data:
            setattr(contact, key, data[key])
    contact.full_clean()
    contact.save()
    record(actor=actor, instance=contact, before=before, park_id=enterprise.park_id)
    return contact
