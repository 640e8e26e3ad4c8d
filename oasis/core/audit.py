"""Snapshots and diffs for the audit log. Services call `audit_record` after a write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values as JSON-ready data (FKs as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if (
            isinstance(field, models.DecimalField)
            and isinstance(value, Decimal)
            and value.is_finite()
        ):
            # Unsaved form input may be "12000"; the database holds "12000.00".
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        data[field.attname] = _plain(value)
    for field in instance._meta.many_to_many:
        if instance.pk:
            data[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    before: dict[str, Any] | None,
    park_id: int | None,
) -> AuditEntry | None:
    """Write the audit row for one change. An update that changed nothing writes none."""
    after = None if action == AuditEntry.Action.DELETE else snapshot(instance)
    changes = diff(before, after)
    if action == AuditEntry.Action.UPDATE and not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        park_id=park_id,
        changes=changes,
    )


def audit_history(instance: models.Model, limit: int = 50) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            model=instance._meta.label_lower, object_id=str(instance.pk)
        ).select_related("actor")[:limit]
    )
