"""Reads of the enterprise file. `enterprise_queryset_for_user` is the security
boundary: a member sees their own firm, staff their parks' firms."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.parks.selectors import park_ids_for_user

from .filters import EnterpriseFilter
from .models import AnnualFigure, Enterprise


def enterprise_queryset_for_user(user: User) -> QuerySet[Enterprise]:
    if not user.is_authenticated:
        return Enterprise.objects.none()
    if (firm_id := user.enterprise_id) is not None:
        return Enterprise.objects.filter(pk=firm_id)
    parks = park_ids_for_user(user, roles.VIEW)
    if parks is None:
        return Enterprise.objects.all()
    return Enterprise.objects.filter(park_id__in=parks)


def enterprise_get_for_user(*, user: User, pk: int) -> Enterprise:
    enterprise = enterprise_queryset_for_user(user).select_related("park").filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return enterprise


def enterprise_can_change(*, user: User, enterprise: Enterprise) -> bool:
    if user.is_member:
        return user.enterprise_id == enterprise.pk
    return user_can(user, enterprise.park_id, roles.ENTERPRISE_CHANGE)


def figures_can_change(*, user: User, enterprise: Enterprise) -> bool:
    if user.is_member:
        return False  # members report through campaigns; the park accepts (oasis.portal)
    return user_can(user, enterprise.park_id, roles.FIGURES_CHANGE)


def enterprise_list(*, user: User, filters: EnterpriseFilter) -> QuerySet[Enterprise]:
    """The list with each firm's latest reported figures, in one query (no per-row reads)."""
    latest = AnnualFigure.objects.filter(enterprise=OuterRef("pk")).order_by("-year")
    qs = filters.apply(enterprise_queryset_for_user(user)).select_related("park")
    return qs.annotate(
        latest_year=Subquery(latest.values("year")[:1]),
        latest_revenue=Subquery(latest.values("revenue")[:1]),
        latest_headcount=Subquery(latest.values("headcount")[:1]),
    )


def enterprise_figures(*, enterprise: Enterprise) -> list[AnnualFigure]:
    return list(enterprise.figures.order_by("-year"))


def figure_get_for_user(*, user: User, enterprise_id: int, year: int) -> AnnualFigure:
    enterprise = enterprise_get_for_user(user=user, pk=enterprise_id)
    figure = enterprise.figures.filter(year=year).first()
    if figure is None:
        raise Http404
    return figure
