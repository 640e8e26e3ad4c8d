"""Snapshots and diffs for the audit log, and an object's history. Services write
audit rows through `oasis.core.writes` only."""

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


#: Fields never stored in the audit log, whatever the model: a password hash or a
#: token's digest would let anyone who reads the log attack the secret offline.
SECRET_FIELDS = frozenset({"password", "digest", "password_stamp"})


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values as JSON-ready data (FKs as ids), secrets left out."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
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


def audit_history(instance: models.Model, limit: int = 50) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            model=instance._meta.label_lower, object_id=str(instance.pk)
        ).select_related("actor")[:limit]
    )
