"""Reads behind the park dashboard (园区驾驶舱).

Every figure is a database aggregate (five queries), so the page costs the same
number of queries for 10 firms or 20,000. Money stays `Decimal` here;
only the view's chart JSON turns it into floats.

Two rules about missing data run through this module:
* a figure that was not reported is NULL, never zero, so each sum comes with the
  number of firms that reported it (the "132/140 已报送" coverage line);
* a sum is 0 only when there are no figure rows at all; when rows exist but none
  reported the figure, the sum is None ("—"), because 0 would be a claim nobody made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, FilteredRelation, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.core.cache import park_data_version
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.parks.models import Building, Park, Unit, UnitUse
from oasis.parks.selectors import park_queryset_for_user

SETTLED = Enterprise.Status.SETTLED
# Lifecycle order, for the status chart and the pipeline figure.
STATUS_ORDER: tuple[str, ...] = (
    Enterprise.Status.PROSPECT,
    Enterprise.Status.SIGNED,
    SETTLED,
    Enterprise.Status.EXITED,
)
ZERO = Decimal("0")


@dataclass(frozen=True)
class FigureTotals:
    """Settled firms' figures summed for one year (or one industry in one year).

    `rows` is how many firms have a figure row at all; each `*_reported` is how many
    of them reported that figure. Sums follow the module rule on NULLs."""

    rows: int = 0
    output_value: Decimal | None = ZERO
    output_reported: int = 0
    revenue: Decimal | None = ZERO
    tax_paid: Decimal | None = ZERO
    tax_reported: int = 0
    headcount: int | None = 0
    headcount_reported: int = 0

    @property
    def output_per_firm(self) -> Decimal | None:
        """Mean output of the firms that reported it: a NULL is not a zero."""
        if not self.output_reported or self.output_value is None:
            return None
        return self.output_value / self.output_reported


@dataclass(frozen=True)
class YearPoint:
    """One year of the trend."""

    year: int
    totals: FigureTotals


@dataclass(frozen=True)
class IndustrySlice:
    """Settled firms of one focus industry and their output for the dashboard's year."""

    industry: str
    label: str
    settled: int
    totals: FigureTotals


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class BuildingSlice:
    """A building's units by status (m²), its residents and its settled firms."""

    building_id: int
    code: str
    name: str
    leased_area: Decimal
    reserved_area: Decimal
    vacant_area: Decimal
    unavailable_area: Decimal
    residents: int
    firms: int

    @property
    def lettable_area(self) -> Decimal:
        return self.leased_area + self.reserved_area + self.vacant_area


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard shows for one park and one year."""

    park: Park
    year: int
    years: tuple[int, ...]  # years for which settled firms have figures, newest first
    statuses: tuple[StatusCount, ...]
    totals: FigureTotals  # settled firms, `year`
    industries: tuple[IndustrySlice, ...]
    buildings: tuple[BuildingSlice, ...]
    trend: tuple[YearPoint, ...]  # oldest first

    def count(self, status: str) -> int:
        return next((s.count for s in self.statuses if s.status == status), 0)

    @property
    def settled(self) -> int:
        return self.count(SETTLED)

    @property
    def pipeline(self) -> int:
        """Firms on their way in: 意向 and 已签约."""
        return self.count(Enterprise.Status.PROSPECT) + self.count(Enterprise.Status.SIGNED)

    @property
    def residents(self) -> int:
        return sum(b.residents for b in self.buildings)

    @property
    def leased_area(self) -> Decimal:
        return sum((b.leased_area for b in self.buildings), ZERO)

    @property
    def lettable_area(self) -> Decimal:
        """Area that could be let: every unit except those marked 不可租."""
        return sum((b.lettable_area for b in self.buildings), ZERO)

    @property
    def occupancy_rate(self) -> Decimal | None:
        """Leased share of lettable area, as a fraction; None when nothing is lettable."""
        lettable = self.lettable_area
        return self.leased_area / lettable if lettable else None


def dashboard_parks(*, user: User, park_id: int | None) -> tuple[Park | None, list[Park]]:
    """The park to show and the parks the user may pick from (one query).

    An id the user may not read is a 404, not a fallback: a shared link must never
    silently show some other park's numbers."""
    parks = list(park_queryset_for_user(user, roles.VIEW).order_by("id"))
    if park_id is None:
        return (parks[0] if parks else None), parks
    chosen = next((p for p in parks if p.pk == park_id), None)
    if chosen is None:
        raise Http404
    return chosen, parks


def _sum_or_none(value: Any, *, rows: int, zero: Any) -> Any:
    """Apply the module's NULL rule to one SQL sum (SQL SUM is NULL when all inputs are)."""
    if value is not None:
        return value
    return zero if rows == 0 else None


def _totals(row: Mapping[str, Any]) -> FigureTotals:
    rows = row["rows"]
    return FigureTotals(
        rows=rows,
        output_value=_sum_or_none(row["sum_output"], rows=rows, zero=ZERO),
        output_reported=row["n_output"],
        revenue=_sum_or_none(row["sum_revenue"], rows=rows, zero=ZERO),
        tax_paid=_sum_or_none(row["sum_tax"], rows=rows, zero=ZERO),
        tax_reported=row["n_tax"],
        headcount=_sum_or_none(row["sum_headcount"], rows=rows, zero=0),
        headcount_reported=row["n_headcount"],
    )


def _trend(*, park: Park) -> tuple[YearPoint, ...]:
    """Settled firms' figures summed per year, oldest first (one query).

    The selected year's KPIs are this query's point for that year, so the KPI cards
    and the trend chart cannot disagree. Grouping by year alone (not also by
    industry) lets the database read the firms from the (park, status) index without
    touching their rows, which is most of this page's cost at 20,000 firms."""
    rows = (
        AnnualFigure.objects.filter(enterprise__park=park, enterprise__status=SETTLED)
        .values("year")
        .annotate(
            rows=Count("id"),
            # Count(field) counts non-NULL values: the firms that reported it.
            sum_output=Sum("output_value"),
            n_output=Count("output_value"),
            sum_revenue=Sum("revenue"),  # trend only: no coverage line, so no count
            sum_tax=Sum("tax_paid"),
            n_tax=Count("tax_paid"),
            sum_headcount=Sum("headcount"),
            n_headcount=Count("headcount"),
        )
        .order_by("year")
    )
    return tuple(YearPoint(year=r["year"], totals=_totals(r)) for r in rows)


def _industries(*, park: Park, year: int) -> tuple[IndustrySlice, ...]:
    """Settled firms and their output for `year`, per focus industry (one query).

    One row of conditional aggregates over the park's settled firms, each LEFT JOINed
    to its figure row for the year only (FilteredRelation puts the year in the join):
    a firm without figures still counts as a firm, and no GROUP BY sort is needed."""
    aggregates: dict[str, Any] = {}
    for code in FocusIndustry.values:
        mine = Q(focus_industry=code)
        aggregates[f"firms_{code}"] = Count("id", filter=mine)
        aggregates[f"rows_{code}"] = Count("fy__id", filter=mine)
        aggregates[f"sum_{code}"] = Sum("fy__output_value", filter=mine)
        aggregates[f"n_{code}"] = Count("fy__output_value", filter=mine)
    row = (
        Enterprise.objects.filter(park=park, status=SETTLED)
        .annotate(fy=FilteredRelation("figures", condition=Q(figures__year=year)))
        .aggregate(**aggregates)
    )
    slices = []
    for code, label in FocusIndustry.choices:
        rows = row[f"rows_{code}"]
        totals = FigureTotals(
            rows=rows,
            output_value=_sum_or_none(row[f"sum_{code}"], rows=rows, zero=ZERO),
            output_reported=row[f"n_{code}"],
        )
        slices.append(
            IndustrySlice(
                industry=code, label=str(label), settled=row[f"firms_{code}"], totals=totals
            )
        )
    return tuple(slices)


def _statuses(*, park: Park) -> tuple[StatusCount, ...]:
    """Firms per lifecycle status (one query, answered from the (park, status) index)."""
    counts = dict(
        Enterprise.objects.filter(park=park)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    labels = dict(Enterprise.Status.choices)
    return tuple(
        StatusCount(status=s, label=str(labels[s]), count=counts.get(s, 0)) for s in STATUS_ORDER
    )


def _buildings(*, park: Park) -> tuple[BuildingSlice, ...]:
    """Per-building areas and residents (one query) and settled firms (one query).

    Firms are counted separately because joining units → enterprises in the area
    query would repeat each unit once per firm and inflate the area sums."""
    leased, reserved, vacant = Unit.Status.LEASED, Unit.Status.RESERVED, Unit.Status.VACANT
    rows = (
        Building.objects.filter(park=park)
        .values("id", "code", "name")
        .annotate(
            leased=Sum("units__area", filter=Q(units__status=leased)),
            reserved=Sum("units__area", filter=Q(units__status=reserved)),
            vacant=Sum("units__area", filter=Q(units__status=vacant)),
            unavailable=Sum("units__area", filter=Q(units__status=Unit.Status.UNAVAILABLE)),
            residents=Sum("units__occupants", filter=Q(units__use=UnitUse.APARTMENT)),
        )
        .order_by("phase", "code")
    )
    # Filtered on the firm's (park, status) index rather than the building's park: the
    # database then starts from this park's settled firms instead of scanning every
    # unit of every park. Ids of buildings outside the park are ignored below.
    firms: dict[int, int] = {
        r["unit__building_id"]: r["n"]
        for r in Enterprise.units.through.objects.filter(
            enterprise__park=park, enterprise__status=SETTLED
        )
        .values("unit__building_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    }
    return tuple(
        BuildingSlice(
            building_id=r["id"],
            code=r["code"],
            name=r["name"],
            leased_area=r["leased"] or ZERO,
            reserved_area=r["reserved"] or ZERO,
            vacant_area=r["vacant"] or ZERO,
            unavailable_area=r["unavailable"] or ZERO,
            residents=r["residents"] or 0,
            firms=firms.get(r["id"], 0),
        )
        for r in rows
    )


def dashboard_figures(*, park: Park, year: int | None = None) -> DashboardFigures:
    """All dashboard figures for `park`; `year` defaults to the latest year for which
    any settled firm has figures (this calendar year when none has). Five queries."""
    trend = _trend(park=park)
    years = tuple(p.year for p in reversed(trend))
    if year is None:
        year = years[0] if years else timezone.localdate().year
    # A year nobody reported for has no rows: zeros, by the module's NULL rule.
    totals = next((p.totals for p in trend if p.year == year), FigureTotals())
    return DashboardFigures(
        park=park,
        year=year,
        years=years,
        statuses=_statuses(park=park),
        totals=totals,
        industries=_industries(park=park, year=year),
        buildings=_buildings(park=park),
        trend=trend,
    )


def dashboard_figures_cached(*, park: Park, year: int | None = None) -> DashboardFigures:
    """`dashboard_figures` through the cache, keyed by the park's data version (see
    oasis.core.cache): any service write to the park shows on the next request. The figures
    carry labels in the language they were computed in, so the language is in the key."""
    version = park_data_version(park.pk)
    key = f"oasis:dashboard:{park.pk}:{year or 'latest'}:{version}:{get_language()}"
    figures: DashboardFigures | None = cache.get(key)
    if figures is None:
        figures = dashboard_figures(park=park, year=year)
        cache.set(key, figures, timeout=settings.DASHBOARD_CACHE_SECONDS)
    return figures


def sharing_month_cached(*, park: Park, month: dt.date) -> dict[str, Any]:
    """The five shares' utilisation for a month (oasis.sharing), cached under the park's
    data version like the figures above: a booking shows on the next request."""
    from oasis.sharing.selectors import sharing_utilisation

    version = park_data_version(park.pk)
    key = f"oasis:dashboard:sharing:{park.pk}:{month:%Y-%m}:{version}:{get_language()}"
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        data = sharing_utilisation(park=park, month=month)
        cache.set(key, data, timeout=settings.DASHBOARD_CACHE_SECONDS)
    return data
