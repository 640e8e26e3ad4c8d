"""The enterprise list's filters: one definition parsed from the page's query string
and from the API's, applied by the same selector."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from pydantic import Field, field_validator

from oasis.core.filters import ListFilter
from oasis.core.identifiers import normalize_uscc

from .models import Enterprise, FocusIndustry

# Names sort by their pinyin (search_key), the order Chinese readers expect.
SORTS = {
    "name": ("search_key", "id"),
    "-name": ("-search_key", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "settled": ("settled_on", "id"),
    "-settled": ("-settled_on", "-id"),
    "uscc": ("uscc", "id"),
}


class EnterpriseFilter(ListFilter):
    labels = {
        "q": _("搜索"),
        "park": _("园区"),
        "status": _("状态"),
        "focus_industry": _("主导产业"),
        "industry": _("行业"),
        "building": _("楼宇"),
        "sort": _("排序"),
    }

    q: str | None = Field(default=None, max_length=100, description="name, USCC or pinyin initials")
    park: int | None = None
    status: Enterprise.Status | None = None
    focus_industry: FocusIndustry | None = None
    industry: str | None = Field(
        default=None, max_length=5, description="GB/T 4754 code prefix or section letter"
    )
    building: int | None = None
    sort: str = "name"

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, v: str) -> str:
        if v not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        return v

    def apply(self, qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        if self.q:
            term = self.q.strip()
            cond = Q(name__icontains=term) | Q(search_key__contains=term.lower().replace(" ", ""))
            if term.isalnum():
                cond |= Q(uscc__startswith=normalize_uscc(term))
            qs = qs.filter(cond)
        if self.park:
            qs = qs.filter(park_id=self.park)
        if self.status:
            qs = qs.filter(status=self.status)
        if self.focus_industry:
            qs = qs.filter(focus_industry=self.focus_industry)
        if self.industry:
            code = self.industry.strip().upper()
            qs = (
                qs.filter(industry_section=code)
                if code.isalpha()
                else qs.filter(industry_code__startswith=code)
            )
        if self.building:
            qs = qs.filter(units__building_id=self.building).distinct()
        return qs.order_by(*SORTS[self.sort])
