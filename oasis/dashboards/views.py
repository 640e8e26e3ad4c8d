"""The park dashboard page: parse, check access, one selector, render.

The chart payloads are built here rather than in the selector because they are a
presentation of the figures: floats in 亿元, translated series names and the link
each bar leads to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.selectors import user_is_staff
from oasis.core.filters import parse_filters
from oasis.enterprises.models import Enterprise

from .filters import DashboardFilter
from .selectors import (
    DashboardFigures,
    FigureTotals,
    dashboard_figures_cached,
    dashboard_parks,
    sharing_month_cached,
)

YI = Decimal(100_000_000)


def _yi(value: Decimal | None) -> float | None:
    # Charts want numbers; None stays null so ECharts shows a gap, not a false zero.
    return None if value is None else float(round(value / YI, 4))


def _area(value: Decimal) -> float:
    return float(round(value, 2))


def _link(name: str, **params: Any) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _chart_data(fig: DashboardFigures) -> dict[str, dict[str, Any]]:
    """The four chart payloads, each rendered into its own json_script block."""
    park_id = fig.park.pk
    industries = [i for i in fig.industries if i.settled or i.totals.rows]
    trend_totals: list[tuple[int, FigureTotals]] = [(p.year, p.totals) for p in fig.trend]
    return {
        "industry": {
            "names": {"firms": _("入驻企业数"), "output": _("产值（亿元）"), "year": fig.year},
            "categories": [i.label for i in industries],
            "firms": [i.settled for i in industries],
            "output": [_yi(i.totals.output_value) for i in industries],
            "links": [
                _link(
                    "enterprises:enterprise-list",
                    park=park_id,
                    status=Enterprise.Status.SETTLED,
                    focus_industry=i.industry,
                )
                for i in industries
            ],
        },
        "building": {
            "names": {
                "leased": _("已出租"),
                "reserved": _("已预订"),
                "vacant": _("空置"),
                "unavailable": _("不可租"),
                "firms": _("入驻企业数"),
                "area": _("面积（㎡）"),
            },
            "categories": [b.code for b in fig.buildings],
            "titles": [b.name for b in fig.buildings],
            "colon": _("："),  # the tooltip's "series: value" in the page's language
            "leased": [_area(b.leased_area) for b in fig.buildings],
            "reserved": [_area(b.reserved_area) for b in fig.buildings],
            "vacant": [_area(b.vacant_area) for b in fig.buildings],
            "unavailable": [_area(b.unavailable_area) for b in fig.buildings],
            "firms": [b.firms for b in fig.buildings],
            "links": [
                _link("parks:unit-list", park=park_id, building=b.building_id)
                for b in fig.buildings
            ],
        },
        "trend": {
            "names": {
                "output": _("产值"),
                "revenue": _("营业收入"),
                "tax": _("税收"),
                "headcount": _("从业人数"),
                "money": _("亿元"),
                "people": _("人"),
            },
            "categories": [str(y) for y, _t in trend_totals],
            "output": [_yi(t.output_value) for _y, t in trend_totals],
            "revenue": [_yi(t.revenue) for _y, t in trend_totals],
            "tax": [_yi(t.tax_paid) for _y, t in trend_totals],
            "headcount": [t.headcount for _y, t in trend_totals],
        },
        "status": {
            "names": {"count": _("企业数")},
            "categories": [s.label for s in fig.statuses],
            "counts": [s.count for s in fig.statuses],
            "links": [
                _link("enterprises:enterprise-list", park=park_id, status=s.status)
                for s in fig.statuses
            ],
        },
    }


def _sharing_chart(data: dict[str, Any], *, park_id: int) -> dict[str, Any]:
    """This month's five shares: hours booked against hours open, and firms served."""
    shares = data["shares"]
    link = f"{reverse('sharing:stats')}?{urlencode({'park': park_id, 'month': data['month'][:7]})}"
    return {
        "names": {
            "booked": _("已预约小时"),
            "available": _("可预约小时"),
            "firms": _("服务企业数"),
        },
        "categories": [s["label"] for s in shares],
        "booked": [s["hours_booked"] for s in shares],
        "available": [s["hours_available"] for s in shares],
        "firms": [s["firms_served"] for s in shares],
        "links": [f"{link}#{s['share']}" for s in shares],
    }


@login_required
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    """园区驾驶舱: the park's targets against what its records add up to."""
    # Members have their own firm page; a login with no role has nothing to see here.
    if request.user.is_member or not user_is_staff(request.user):
        raise PermissionDenied
    # A bad park or year is refused, not quietly replaced by another park or year.
    filters, errors = parse_filters(DashboardFilter, request.GET)
    if errors:
        return HttpResponseBadRequest(_("园区或年度参数无效。"))
    year = filters.year
    park, parks = dashboard_parks(user=request.user, park_id=filters.park)
    context: dict[str, Any] = {"nav": "dashboard", "park": park, "parks": parks}
    if park is not None:
        fig = dashboard_figures_cached(park=park, year=year)
        years = (
            list(fig.years)
            if fig.year in fig.years
            else sorted({*fig.years, fig.year}, reverse=True)
        )
        charts = _chart_data(fig)
        sharing = sharing_month_cached(park=park, month=timezone.localdate().replace(day=1))
        charts["sharing"] = _sharing_chart(sharing, park_id=park.pk)
        context.update(
            fig=fig,
            years=years,
            charts=charts,
            sharing=sharing,
            settled_status=Enterprise.Status.SETTLED,
        )
    return render(request, "dashboards/dashboard.html", context)
