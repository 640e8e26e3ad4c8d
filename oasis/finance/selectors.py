"""Reads of shared finance, always scoped by the user: members see their park's
institutions and products and only their own firm's needs and matches; staff see their
parks'. Anything out of scope is a 404. Park scope and "who manages" are sharing's
(`sharing.selectors`: capability sharing.change), as they were before the split."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from oasis.accounts.models import User
from oasis.core.selectors import first_or_404
from oasis.cultivation.selectors import enterprise_verdict
from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.parks.models import Park
from oasis.rules.tiers import GRADIENT, LEVEL
from oasis.sharing.selectors import in_parks

from .models import FinanceProduct, FinancingNeed, Institution, Match


def institution_list(*, user: User, park: Park) -> QuerySet[Institution]:
    return in_parks(Institution.objects.filter(park=park), user, "park_id").prefetch_related(
        "products"
    )


def institution_get_for_user(*, user: User, pk: int) -> Institution:
    return first_or_404(
        in_parks(Institution.objects.all(), user, "park_id").select_related("park").filter(pk=pk)
    )


def product_get_for_user(*, user: User, pk: int) -> FinanceProduct:
    return first_or_404(product_queryset_for_user(user).select_related("institution").filter(pk=pk))


def product_queryset_for_user(user: User) -> QuerySet[FinanceProduct]:
    return in_parks(FinanceProduct.objects.all(), user, "institution__park_id")


def product_list(*, user: User, park: Park | None = None) -> QuerySet[FinanceProduct]:
    qs = product_queryset_for_user(user).select_related("institution")
    return qs.filter(institution__park=park) if park else qs


def need_queryset_for_user(user: User) -> QuerySet[FinancingNeed]:
    if not user.is_authenticated:
        return FinancingNeed.objects.none()
    if (firm_id := user.enterprise_id) is not None:
        return FinancingNeed.objects.filter(enterprise_id=firm_id)
    return in_parks(FinancingNeed.objects.all(), user, "enterprise__park_id")


def need_get_for_user(*, user: User, pk: int) -> FinancingNeed:
    return first_or_404(need_queryset_for_user(user).select_related("enterprise").filter(pk=pk))


def need_list(*, user: User) -> QuerySet[FinancingNeed]:
    return (
        need_queryset_for_user(user)
        .select_related("enterprise")
        .annotate(
            eligible=Count("matches", filter=Q(matches__verdict=Match.Verdict.ELIGIBLE)),
            near=Count("matches", filter=Q(matches__verdict=Match.Verdict.NEAR)),
        )
    )


def match_list(*, need: FinancingNeed) -> QuerySet[Match]:
    return need.matches.select_related("product__institution").order_by(
        "verdict", "product__name", "id"
    )


def match_get_for_user(*, user: User, pk: int) -> Match:
    return first_or_404(
        Match.objects.filter(need__in=need_queryset_for_user(user))
        .select_related("need__enterprise", "product")
        .filter(pk=pk)
    )


def firm_tier(enterprise: Enterprise, on: dt.date | None = None) -> str | None:
    """Adapter to the cultivation engine: the highest tier the firm qualifies for ("" if
    none), or None when the engine is unavailable or cannot say. The finance matcher
    depends on this one function only, so the cultivation app can change behind it."""
    try:
        verdict = enterprise_verdict(enterprise=enterprise, on=on)
        tiers = verdict["results"][0]["tiers"]
    except Exception:
        return None
    held = [k for k in GRADIENT if tiers.get(k, {}).get("status") == "qualified"]
    best = max(held, key=LEVEL.__getitem__, default="")
    if not best and any(tiers.get(k, {}).get("status") == "review" for k in GRADIENT):
        return None  # the engine is waiting on facts to verify: unknown, not "none"
    return best


def firm_latest_figure(enterprise: Enterprise) -> AnnualFigure | None:
    return enterprise.figures.order_by("-year").first()
