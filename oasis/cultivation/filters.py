"""Filters of the screening and the pool: one definition for the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator

from .models import PoolEntry, Tier

RULE_SETS = ("auto", "miit-2022", "miit-2026")
VerdictStatus = Literal["qualified", "not_qualified", "review"]


class _Blank(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def _blank_to_none(cls, v: object) -> object:
        return None if v == "" else v


class ScreeningFilter(_Blank):
    rules: Literal["auto", "miit-2022", "miit-2026"] | None = Field(
        None, description="rule set; auto by date"
    )
    date: dt.date | None = Field(None, description="assessment date (default: today)")
    tier: Tier | None = None
    status: VerdictStatus | None = Field(
        None, description="status under `tier` (default tier: the next one)"
    )
    near_miss: bool | None = None
    q: str | None = Field(None, max_length=100)


class PoolFilter(_Blank):
    tier: Tier | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    status: PoolEntry.Status | None = None
    owner: int | None = None
