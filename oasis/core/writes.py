"""The one write path. Every service write ends with one of these calls, which does the
two things every write needs and no service has to remember:

* the audit row (`AuditEntry`), in the service's transaction: a create when there was no
  `before` snapshot, an update otherwise (an update that changed nothing writes none),
  a delete through `record_deletion`; secrets never reach the stored values;
* the park's data version moves after commit (`oasis.core.cache.park_data_changed`), so
  cached figures (the dashboard) are recomputed on the next request.

    before = snapshot(lease)            # updates: the values before the change
    ...change and save...
    record(actor=actor, instance=lease, before=before, park_id=lease.park_id)

Rows that are themselves the record of a change (a stage change, a ticket's event line,
a payment's allocations) are written beside the audited row they belong to."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, models
from django.utils.translation import gettext as _

from .audit import diff, snapshot
from .cache import park_data_changed
from .models import AuditEntry

__all__ = [
    "apply_fields",
    "record",
    "record_bulk_create",
    "record_deletion",
    "save_validated",
    "serialised",
    "snapshot",
]

T = TypeVar("T")


def apply_fields(instance: models.Model, data: dict[str, Any], allowed: Collection[str]) -> None:
    """Set the fields a service takes from its caller; a key it does not take is a field
    error (never silently ignored)."""
    unknown = sorted(set(data).difference(allowed))
    if unknown:
        raise ValidationError({k: [_("不可修改的字段。")] for k in unknown})
    for k, v in data.items():
        setattr(instance, k, v)


def save_validated(instance: models.Model) -> None:
    """Validate fully (fields, choices, constraints), then save."""
    instance.full_clean()
    instance.save()


def serialised(fn: Callable[[], T], attempts: int = 50) -> T:
    """Run a write transaction, retrying on SQLite's "locked" (an in-memory shared-cache
    database, as in tests, refuses a second writer at once instead of waiting; a file
    database waits for the lock itself). PostgreSQL runs it once."""
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _actor_id(actor: AbstractBaseUser | None) -> int | None:
    # System jobs pass None; an anonymous user has no row to point at. By id: core sits
    # below accounts and does not name the user model.
    pk = getattr(actor, "pk", None)
    return int(pk) if pk else None


def _entry(
    *,
    actor: AbstractBaseUser | None,
    instance: models.Model,
    action: str,
    park_id: int | None,
    changes: dict[str, list[Any]],
) -> AuditEntry:
    return AuditEntry(
        actor_id=_actor_id(actor),
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        park_id=park_id,
        changes=changes,
    )


def record(
    *,
    actor: AbstractBaseUser | None,
    instance: models.Model,
    park_id: int | None,
    before: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Record a saved create (`before` is None) or update (`before` is the instance's
    `snapshot` taken before the change) and mark `park_id`'s data changed."""
    changes = diff(before, snapshot(instance))
    park_data_changed(park_id)
    if before is not None and not changes:
        return None
    action = AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE
    entry = _entry(actor=actor, instance=instance, action=action, park_id=park_id, changes=changes)
    entry.save()
    return entry


def record_deletion(
    *, actor: AbstractBaseUser | None, instance: models.Model, park_id: int | None
) -> AuditEntry:
    """Delete `instance` and record it with its last values."""
    before = snapshot(instance)
    entry = _entry(
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.DELETE,
        park_id=park_id,
        changes=diff(before, None),
    )
    instance.delete()
    entry.save()
    park_data_changed(park_id)
    return entry


def record_bulk_create(
    *,
    actor: AbstractBaseUser | None,
    instances: Iterable[models.Model],
    park_id: int | None,
) -> Sequence[AuditEntry]:
    """Record rows created in bulk (`bulk_create`, so they have their pks): one audit
    row each, written in one statement."""
    entries = [
        _entry(
            actor=actor,
            instance=obj,
            action=AuditEntry.Action.CREATE,
            park_id=park_id,
            changes=diff(None, snapshot(obj)),
        )
        for obj in instances
    ]
    park_data_changed(park_id)
    return AuditEntry.objects.bulk_create(entries, batch_size=500)
