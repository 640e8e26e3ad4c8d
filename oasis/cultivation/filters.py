"""Filters of the screening and the pool: one definition for the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from oasis.core.filters import ListFilter

from .models import PoolEntry, Tier

RULE_SETS = ("auto", "miit-2022", "miit-2026")
VerdictStatus = Literal["qualified", "not_qualified", "review"]


class ScreeningFilter(ListFilter):
    labels = {
        "rules": _("规则集"),
        "date": _("评估日期"),
        "tier": _("梯度"),
        "status": _("结论"),
        "near_miss": _("只看临界企业"),
        "q": _("搜索"),
    }

    rules: Literal["auto", "miit-2022", "miit-2026"] | None = Field(
        default=None, description="rule set; auto by date"
    )
    date: dt.date | None = Field(default=None, description="assessment date (default: today)")
    tier: Tier | None = None
    status: VerdictStatus | None = Field(
        default=None, description="status under `tier` (default tier: the next one)"
    )
    near_miss: bool | None = None
    q: str | None = Field(default=None, max_length=100)


class PoolFilter(ListFilter):
    labels = {"tier": _("梯度"), "year": _("年度"), "status": _("状态"), "owner": _("负责人")}
    lookups = {
        "tier": "target_tier",
        "year": "target_year",
        "status": "status",
        "owner": "owner_id",
    }

    tier: Tier | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    status: PoolEntry.Status | None = None
    owner: int | None = None


class TitleFilter(ListFilter):
    labels = {"expiring_before": _("到期日")}
    expiring_before: dt.date | None = None


class PoolPrefill(ListFilter):
    """A new pool entry's form filled in from a firm's page (?enterprise=)."""

    labels = {"enterprise": _("企业")}
    enterprise: int | None = None
