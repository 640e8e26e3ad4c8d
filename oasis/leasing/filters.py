"""The leasing lists' filters: one definition for the page and the API."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext_lazy as _
from pydantic import field_validator

from oasis.core.filters import ListFilter

LeaseTab = Literal["running", "expiring30", "expiring60", "expiring90", "draft", "ended", "all"]
BillState = Literal["open", "overdue", "paid", "all"]


class LeaseFilter(ListFilter):
    labels = {
        "tab": _("合同状态"),
        "q": _("搜索"),
        "park": _("园区"),
        "building": _("楼宇"),
        "tenant": _("企业"),
    }
    tab: LeaseTab = "running"
    q: str = ""
    park: int | None = None
    building: int | None = None
    tenant: int | None = None

    @field_validator("q", mode="before")
    @classmethod
    def _short_term(cls, v: object) -> object:
        # A search term, not a document: long pastes are cut, not refused.
        return v.strip()[:60] if isinstance(v, str) else v


class LeaseApiFilter(LeaseFilter):
    """The API lists every lease unless asked (the page opens on the running ones)."""

    tab: LeaseTab = "all"


class BillFilter(ListFilter):
    labels = {"state": _("账单状态"), "park": _("园区")}
    state: BillState = "open"
    park: int | None = None


class BillApiFilter(BillFilter):
    """The API lists every bill unless asked (the page opens on those to collect)."""

    state: BillState = "all"
