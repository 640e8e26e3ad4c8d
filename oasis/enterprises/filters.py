"""The enterprise list's filters: one definition parsed from the page's query string
and from the API's, applied by the same selector."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from oasis.core.filters import ListFilter
from oasis.core.identifiers import uscc_prefix

from .models import Enterprise, FocusIndustry


class EnterpriseFilter(ListFilter):
    # Names sort by their pinyin (search_key), the order Chinese readers expect.
    sorts = {
        "name": ("search_key", "id"),
        "-name": ("-search_key", "-id"),
        "updated": ("updated_at", "id"),
        "-updated": ("-updated_at", "-id"),
        "settled": ("settled_on", "id"),
        "-settled": ("-settled_on", "-id"),
        "uscc": ("uscc", "id"),
    }
    lookups = {"park": "park_id", "status": "status", "focus_industry": "focus_industry"}
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

    def apply(self, qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        if self.q:
            term = self.q.strip()
            pinyin = term.lower().replace(" ", "")
            qs = qs.filter(
                Q(name__icontains=term) | Q(search_key__contains=pinyin) | uscc_prefix(term)
            )
        qs = self.filter_equal(qs)
        if self.industry:
            code = self.industry.strip().upper()
            qs = (
                qs.filter(industry_section=code)
                if code.isalpha()
                else qs.filter(industry_code__startswith=code)
            )
        if self.building:
            qs = qs.filter(units__building_id=self.building).distinct()
        return self.order(qs, self.sort)
