"""Access helpers: the roles a user holds, park by park. Which parks a user may read or
change is asked of `oasis.parks.selectors` (`park_queryset_for_user(user, capability)`,
`park_ids_for_user`), which builds on `user_park_ids` here; `user_can` checks one park."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import QuerySet

from .http import AnyUser
from .models import ParkRole, Role, User
from .roles import CAPABILITIES


def _roles_by_park(user: AnyUser) -> dict[int, set[str]]:
    if not isinstance(user, User) or user.is_member:
        return {}
    # Cached on the user object: a request asks this many times, the database once.
    cached: dict[int, set[str]] | None = getattr(user, "_oasis_roles", None)
    if cached is None:
        cached = {}
        for park_id, role in ParkRole.objects.filter(user=user).values_list("park_id", "role"):
            cached.setdefault(park_id, set()).add(role)
        user._oasis_roles = cached
    return cached


def is_superuser(user: AnyUser) -> bool:
    return isinstance(user, User) and user.is_superuser and not user.is_member


def user_park_ids(user: AnyUser, capability: str | None = None) -> set[int] | None:
    """Parks the user may read (or, with a capability, change). None means all parks."""
    if is_superuser(user):
        return None
    roles = _roles_by_park(user)
    if capability is None:
        return set(roles)
    allowed = CAPABILITIES[capability]
    return {park_id for park_id, r in roles.items() if r & allowed}


def user_can(user: AnyUser, park_id: int, capability: str) -> bool:
    parks = user_park_ids(user, capability)
    return parks is None or park_id in parks


def user_is_staff(user: AnyUser) -> bool:
    return is_superuser(user) or bool(_roles_by_park(user))


def user_roles(user: AnyUser) -> list[str]:
    return sorted({r for roles in _roles_by_park(user).values() for r in roles})


def user_is_park_admin_anywhere(user: AnyUser) -> bool:
    from .models import Role

    return is_superuser(user) or any(Role.PARK_ADMIN in r for r in _roles_by_park(user).values())


def admin_park_ids(user: AnyUser) -> set[int] | None:
    """The parks whose rows this user may change in Django's admin (None: all of them)."""
    if is_superuser(user):
        return None
    pk = user.pk
    if pk is None:
        return set()
    return set(
        ParkRole.objects.filter(user_id=pk, role=Role.PARK_ADMIN).values_list("park_id", flat=True)
    )


def admin_site_has_permission(request: Any) -> bool:
    """Django's admin is open to park administrators (by role, not Django's is_staff) and
    platform superusers; never to enterprise members."""
    user = request.user
    if not user.is_active or not user.is_authenticated or getattr(user, "is_member", False):
        return False
    parks = admin_park_ids(user)
    return parks is None or bool(parks)


def users_with_capability(
    capability: str, *, park_ids: Collection[int] | None = None, active_only: bool = True
) -> QuerySet[User]:
    """The other way round from `user_can`: the staff holding a role that grants
    `capability` in one of `park_ids` (None: in any park), by username. Who may be
    assigned a lead or a request, who may own one. `active_only=False` keeps people who
    have left, for filters over what they still own."""
    holders = ParkRole.objects.filter(role__in=CAPABILITIES[capability])
    if park_ids is not None:
        holders = holders.filter(park_id__in=park_ids)
    users = User.objects.filter(pk__in=holders.values("user_id"))
    if active_only:
        users = users.filter(is_active=True)
    return users.order_by("username")
