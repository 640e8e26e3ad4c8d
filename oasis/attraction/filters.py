"""The lead list's filters: one definition parsed from the page's query string and from
the API's, applied by the same selector (board, list, export)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from oasis.core.filters import ListFilter
from oasis.core.identifiers import uscc_prefix
from oasis.enterprises.models import FocusIndustry

from .models import Intent, Lead, Partner, Source, Stage


class LeadFilter(ListFilter):
    sorts = {
        "-updated": ("-updated_at", "-id"),
        "updated": ("updated_at", "id"),
        "name": ("company_name", "id"),
        "-created": ("-created_at", "-id"),
        "-activity": ("-last_activity_at", "-id"),
        "activity": ("last_activity_at", "id"),
    }
    lookups = {
        "park": "park_id",
        "stage": "stage",
        "source": "source",
        "focus_industry": "focus_industry",
        "intent": "intent",
        "partner": "partner_id",
    }
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

    def apply(self, qs: QuerySet[Lead], *, stage: bool = True) -> QuerySet[Lead]:
        if self.q:
            term = self.q.strip()
            qs = qs.filter(
                Q(company_name__icontains=term)
                | Q(contact_name__icontains=term)
                | uscc_prefix(term)
            )
        qs = self.filter_equal(qs, skip=() if stage else ("stage",))
        if self.owner is not None:
            qs = (
                qs.filter(owner__isnull=True) if self.owner == 0 else qs.filter(owner_id=self.owner)
            )
        return self.order(qs, self.sort)


class PartnerFilter(ListFilter):
    labels = {"kind": _("类型")}
    kind: Partner.Kind | None = None


class LeadPrefill(ListFilter):
    """A new lead's form filled in from a partner's page (?partner=, one of the user's
    parks' partners; anything else leaves the form blank)."""

    labels = {"partner": _("引荐人/机构")}
    partner: int | None = None
