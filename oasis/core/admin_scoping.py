"""Django's admin for park administrators: each sees and edits only their parks' rows.
Platform superusers see everything."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet

from oasis.accounts.models import Role
from oasis.accounts.selectors import is_superuser, user_park_ids


def admin_park_ids(user: Any) -> set[int] | None:
    if is_superuser(user):
        return None
    from oasis.accounts.models import ParkRole

    return set(
        ParkRole.objects.filter(user=user, role=Role.PARK_ADMIN).values_list("park_id", flat=True)
    )


def admin_site_has_permission(request: Any) -> bool:
    user = request.user
    if not user.is_active or not user.is_authenticated or getattr(user, "is_member", False):
        return False
    parks = admin_park_ids(user)
    return parks is None or bool(parks)


def _park_id_of(obj: Any, lookup: str) -> int | None:
    *path, last = lookup.split("__")
    for step in path:
        obj = getattr(obj, step)
    return getattr(obj, f"{last}_id", None)


class ParkScopedAdmin(admin.ModelAdmin):
    """`park_lookup` names the path from the model to its park ("park", "building__park")."""

    park_lookup = "park"

    def get_queryset(self, request: Any) -> QuerySet:
        qs = super().get_queryset(request)
        parks = admin_park_ids(request.user)
        return qs if parks is None else qs.filter(**{f"{self.park_lookup}__in": parks})

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        # Admin edits take the services' write path: audited, and the park's figures move.
        from .writes import record, snapshot

        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        park_id = obj.pk if self.park_lookup == "pk" else _park_id_of(obj, self.park_lookup)
        record(actor=request.user, instance=obj, before=before, park_id=park_id)

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


__all__ = ["ParkScopedAdmin", "admin_site_has_permission", "user_park_ids"]
