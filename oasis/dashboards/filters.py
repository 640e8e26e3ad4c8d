"""The dashboard's parameters: which park (?park=, an id the user may see) and which year
(AnnualFigure's own range). One ListFilter, like every list's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from oasis.core.filters import ListFilter

MIN_YEAR, MAX_YEAR = 1990, 2100  # AnnualFigure's own year range


class DashboardFilter(ListFilter):
    labels = {"park": _("园区"), "year": _("年度")}
    park: int | None = Field(None, ge=1)
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
