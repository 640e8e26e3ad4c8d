"""The portal's only door into apps other engineers are still building (cultivation,
leasing, sharing). Each adapter uses one clearly named selector of that app if it
exists and otherwise returns None, and the landing page then leaves the section out.
Wiring a section is one line: the function name here."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from django.db.models import F

from oasis.accounts.models import User


def _find(module: str, name: str) -> Callable[..., Any] | None:
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module(module), name, None)


def tier_verdict(*, user: User, enterprise: Any) -> dict[str, Any] | None:
    """The firm's tier verdict, indicator by indicator, and its path to the next tier."""
    fn = _find("oasis.cultivation.selectors", "verdict_panel")
    return None if fn is None else fn(user=user, enterprise=enterprise)


def leases(*, user: User) -> list[Any] | None:
    fn = _find("oasis.leasing.selectors", "member_leases")
    return None if fn is None else list(fn(user=user)[:10])


def open_bills(*, user: User) -> list[Any] | None:
    fn = _find("oasis.leasing.selectors", "bill_queryset_for_user")
    if fn is None:
        return None
    return list(
        fn(user).filter(paid__lt=F("amount")).select_related("lease").order_by("due_date")[:10]
    )


def bookings(*, user: User) -> list[Any] | None:
    fn = _find("oasis.sharing.selectors", "member_bookings")
    return None if fn is None else list(fn(user=user)[:10])


def service_requests(*, user: User) -> list[Any] | None:
    fn = _find("oasis.sharing.selectors", "member_service_requests")
    return None if fn is None else list(fn(user=user)[:10])


def _titles() -> Any:
    """cultivation's Title model (the tiers a firm holds), if that app provides it."""
    try:
        if importlib.util.find_spec("oasis.cultivation.models") is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module("oasis.cultivation.models"), "Title", None)


def tier_available() -> bool:
    return _titles() is not None


def enterprise_ids_with_tier(*, tier: str, on: dt.date) -> Any:
    """A queryset of firm ids holding `tier` on `on` (a subquery), or None."""
    title = _titles()
    if title is None:
        return None
    return title.objects.filter(kind=tier, valid_until__gte=on).values("enterprise_id")


def enterprise_tiers(*, enterprise_id: int, on: dt.date) -> list[str]:
    title = _titles()
    if title is None:
        return []
    return list(
        title.objects.filter(enterprise_id=enterprise_id, valid_until__gte=on)
        .values_list("kind", flat=True)
        .distinct()
    )
