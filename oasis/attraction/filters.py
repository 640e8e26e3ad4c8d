"""The lead list's filters: one definition parsed from the page's query string and from
the API's, applied by the same selector (board, list, export)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from pydantic import Field, field_validator

from oasis.core.filters import ListFilter
from oasis.core.identifiers import normalize_uscc
from oasis.enterprises.models import FocusIndustry

from .models import Intent, Lead, Source, Stage

SORTS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "name": ("company_name", "id"),
    "-created": ("-created_at", "-id"),
    "-activity": ("-last_activity_at", "-id"),
    "activity": ("last_activity_at", "id"),
}


class LeadFilter(ListFilter):
    labels = {
        "q": _("搜索"),
        "park": _("园区"),
        "stage": _("阶段"),
        "source": _("来源渠道"),
        "focus_industry": _("主导产业"),
        "intent": _("意向"),
        "owner": _("负责人"),
        "partner": _("合作渠道"),
        "sort": _("排序"),
    }

    q: str | None = Field(default=None, max_length=100, description="company name, USCC or contact")
    park: int | None = None
    stage: Stage | None = None
    source: Source | None = None
    focus_industry: FocusIndustry | None = None
    intent: Intent | None = None
    owner: int | None = Field(default=None, description="owner user id; 0 = unassigned (the pool)")
    partner: int | None = None
    sort: str = "-updated"

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, v: str) -> str:
        if v not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        return v

    def apply(self, qs: QuerySet[Lead], *, stage: bool = True) -> QuerySet[Lead]:
        if self.q:
            term = self.q.strip()
            cond = Q(company_name__icontains=term) | Q(contact_name__icontains=term)
            if term.isalnum():
                cond |= Q(uscc__startswith=normalize_uscc(term))
            qs = qs.filter(cond)
        if self.park:
            qs = qs.filter(park_id=self.park)
        if stage and self.stage:
            qs = qs.filter(stage=self.stage)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.focus_industry:
            qs = qs.filter(focus_industry=self.focus_industry)
        if self.intent:
            qs = qs.filter(intent=self.intent)
        if self.owner is not None:
            qs = (
                qs.filter(owner__isnull=True) if self.owner == 0 else qs.filter(owner_id=self.owner)
            )
        if self.partner:
            qs = qs.filter(partner_id=self.partner)
        return qs.order_by(*SORTS[self.sort])
