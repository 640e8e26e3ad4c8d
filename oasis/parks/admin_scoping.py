"""Django's admin for park administrators: each sees, chooses and saves only their parks'
rows. Platform superusers see everything.

Every scoped model reaches its park through foreign keys ("park", "building__park",
"enterprise__park"); `park_path` finds that path once per model, so a model added to the
admin later is scoped without naming it here. The scope covers:

* lists and change forms (`get_queryset`: another park's row is "not found");
* choices: every foreign-key and many-to-many field (drop-downs, raw-id inputs, inlines)
  offers and accepts only rows of the admin's parks, so picking park B's building or
  typing a park-B unit's id is a form error;
* list filters on relations list only the values present in the admin's rows;
* every save (main form, many-to-many links, inline rows): the object's park and every
  linked object's park must be among the admin's parks, or the save is refused (403) and
  the transaction rolled back. The choices already refuse such input; this is the
  backstop for whatever reaches the save another way."""

from __future__ import annotations

from collections import deque
from typing import Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import QuerySet

from oasis.accounts.selectors import admin_park_ids, admin_site_has_permission, is_superuser
from oasis.core.writes import record, snapshot

from .models import Park

__all__ = ["ParkScopedAdmin", "ParkScopedInline", "admin_park_ids", "park_path"]

_MAX_DEPTH = 4


_PATHS: dict[Any, str | None] = {}


def park_path(model: Any) -> str | None:
    """The shortest foreign-key path from `model` to its park ("pk" for a park itself),
    or None when the model belongs to no park (a user, a lookup table)."""
    if model not in _PATHS:
        _PATHS[model] = _find_park_path(model)
    return _PATHS[model]


def _find_park_path(model: Any) -> str | None:
    if model is Park:
        return "pk"
    if model is get_user_model():
        # Staff belong to parks through their roles, not a key: a user is in no park.
        return None
    queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, prefix, depth = queue.popleft()
        fields = [f for f in current._meta.concrete_fields if f.is_relation and f.related_model]
        for f in fields:
            if f.related_model is Park:
                return prefix + f.name
        if depth + 1 >= _MAX_DEPTH:
            continue
        for f in fields:
            target = f.related_model
            if isinstance(target, type) and target not in seen:
                seen.add(target)
                queue.append((target, f"{prefix}{f.name}__", depth + 1))
    return None


def _park_id_of(obj: Any, path: str) -> int | None:
    if path == "pk":
        return obj.pk
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _scoped(qs: QuerySet, parks: set[int] | None) -> QuerySet:
    path = park_path(qs.model)
    if parks is None or path is None:
        return qs
    return qs.filter(**{f"{path}__in": parks})


def _linked_park_ids(obj: models.Model, m2m: dict[str, Any]) -> set[int | None]:
    """The park of `obj` and of every row it links to (foreign keys and the given
    many-to-many values)."""
    out: set[int | None] = set()
    own = park_path(type(obj))
    if own is not None:
        out.add(_park_id_of(obj, own))
    for f in obj._meta.concrete_fields:
        if not f.is_relation or not f.related_model:
            continue
        target = f.related_model
        path = park_path(target) if isinstance(target, type) else None
        if path is None or getattr(obj, f.attname) is None:
            continue
        out.add(_park_id_of(getattr(obj, f.name), path))
    for values in m2m.values():
        for linked in values:
            path = park_path(type(linked))
            if path is not None:
                out.add(_park_id_of(linked, path))
    return out


def _check_save(request: Any, obj: models.Model, m2m: dict[str, Any] | None = None) -> None:
    parks = admin_park_ids(request.user)
    if parks is None:
        return
    if not _linked_park_ids(obj, m2m or {}) <= parks:
        raise PermissionDenied("not among your parks")


def _m2m_values(form: Any) -> dict[str, Any]:
    data = getattr(form, "cleaned_data", None) or {}
    return {
        f.name: data[f.name]
        for f in form.instance._meta.many_to_many
        if f.name in data and data[f.name] is not None
    }


class _ScopedChoices:
    """Foreign-key and many-to-many choices limited to the admin's parks (drop-downs,
    raw-id inputs and autocomplete all validate against this queryset)."""

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(
                db_field.remote_field.model._default_manager.all(), admin_park_ids(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            kwargs["queryset"] = _scoped(
                db_field.remote_field.model._default_manager.all(), admin_park_ids(request.user)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ParkScopedInline(_ScopedChoices, admin.TabularInline):
    """An inline whose choices are limited like its parent's; its rows are checked when
    the parent admin saves them (`ParkScopedAdmin.save_formset`)."""


class ParkScopedAdmin(_ScopedChoices, admin.ModelAdmin):
    """`park_lookup` names the path from the model to its park; found by `park_path`
    when left empty."""

    park_lookup = ""

    def _park_lookup(self) -> str:
        path = self.park_lookup or park_path(self.model)
        if path is None:
            raise TypeError(f"{self.model.__name__} has no path to a park")
        return path

    def get_queryset(self, request: Any) -> QuerySet:
        qs = super().get_queryset(request)
        parks = admin_park_ids(request.user)
        return qs if parks is None else qs.filter(**{f"{self._park_lookup()}__in": parks})

    def get_list_filter(self, request: Any) -> Any:
        # A relation filter lists only the values among the admin's own rows.
        out: list[Any] = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self._is_relation(entry):
                out.append((entry, RelatedOnlyFieldListFilter))
            else:
                out.append(entry)
        return out

    def _is_relation(self, lookup: str) -> bool:
        model: Any = self.model
        field: Any = None
        for part in lookup.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return False
            model = field.related_model
            if model is None:
                break
        return bool(field is not None and field.is_relation)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        # Admin edits take the services' write path: audited, and the park's figures move.
        _check_save(request, obj)
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            instance=obj,
            before=before,
            park_id=_park_id_of(obj, self._park_lookup()),
        )

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        _check_save(request, form.instance, _m2m_values(form))
        super().save_related(request, form, formsets, change)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        fk = getattr(formset, "fk", None)
        for inline_form in formset.forms:
            if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                if fk is not None:  # a new row on the add page learns its parent on save
                    setattr(inline_form.instance, fk.name, formset.instance)
                _check_save(request, inline_form.instance, _m2m_values(inline_form))
        super().save_formset(request, form, formset, change)

    def _allowed(self, request: Any) -> bool:
        return admin_site_has_permission(request)

    def has_module_permission(self, request: Any) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: Any) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # Deleting bypasses the audit trail; only platform superusers may.
        return is_superuser(request.user)
