"""Test facts: one firm that meets every 2026 tier, to be bent one fact at a time."""

from __future__ import annotations

import copy
from typing import Any

import polars as pl

from oasis.rules import assess_frame


def base_facts(**over: Any) -> dict[str, Any]:
    """A small manufacturer assessed on 2026-05-01 (Y-1 = 2025) qualifying every tier."""
    f: dict[str, Any] = {
        "id": "E1",
        "assessment_date": "2026-05-01",
        "industry_code": "3911",
        "years": {
            "2025": {
                "revenue": 100_000_000,
                "main_business_revenue": 95_000_000,
                "rd_expense": 6_000_000,
                "total_assets": 80_000_000,
                "total_liabilities": 32_000_000,
                "net_profit": 12_000_000,
                "total_cost_expense": 80_000_000,
                "employees": 200,
                "rd_staff": 50,
                "st_staff": 70,
            },
            "2024": {
                "revenue": 90_000_000,
                "main_business_revenue": 85_000_000,
                "rd_expense": 6_000_000,
                "total_assets": 70_000_000,
                "total_liabilities": 30_000_000,
                "net_profit": 9_000_000,
                "total_cost_expense": 75_000_000,
                "employees": 180,
                "rd_staff": 45,
                "st_staff": 60,
            },
            "2023": {
                "revenue": 80_000_000,
                "main_business_revenue": 76_000_000,
                "rd_expense": 4_000_000,
                "total_assets": 60_000_000,
                "total_liabilities": 28_000_000,
                "net_profit": 7_000_000,
                "total_cost_expense": 70_000_000,
                "employees": 160,
                "rd_staff": 40,
                "st_staff": 50,
            },
        },
        "niche_years": 6,
        "ip": {
            "class1": 5,
            "class1_self_developed": 3,
            "class1_high_value": 1,
            "class1_applied": 5,
            "class2": 3,
        },
        "strategic_emerging": True,
        "main_product_field": "chain_gap_filling",
        "titles": [
            {"kind": "innovative_sme", "valid_until": "2027-12-31"},
            {"kind": "srdi_sme", "valid_until": "2027-12-31"},
        ],
        "awards": [],
        "rd_institution": "provincial",
        "equity_financing": [],
        "digital_level": 3,
        "quality": {"award": True, "certified": True, "own_brand": True, "standards": True},
        "chuangke": {},
        "market": {"share": 0.15, "domestic_rank": 2, "leading_confirmed": True},
        "development_score": {"2026": 70, "2025": 65},
        "provincial_points": 10,
        "led_standard_5y": False,
        "qualitative": {
            "key_chain_role": True,
            "key_field": True,
            "info_system": True,
            "intl_certification": True,
        },
        "compliance": {
            "independent_legal_person": True,
            "abnormal_list": False,
            "dishonest_list": False,
            "serious_incident_3y": False,
            "restricted_industry": False,
        },
        "is_re_review": False,
    }
    f.update(copy.deepcopy(over))
    return f


def with_year(f: dict[str, Any], year: str, **figures: Any) -> dict[str, Any]:
    f = copy.deepcopy(f)
    f["years"][year].update(figures)
    return f


def row(f: dict[str, Any], rule_set: str) -> dict[str, Any]:
    """The bulk result row for one firm (the path every caller uses)."""
    res: pl.DataFrame = assess_frame([f], rule_set)
    return res.row(0, named=True)


def status(f: dict[str, Any], rule_set: str, tier: str) -> str:
    return row(f, rule_set)[f"{tier}.status"]


def scaled(f: dict[str, Any], factor: float) -> dict[str, Any]:
    """Every money figure of every year multiplied by ``factor`` (ratios unchanged)."""
    f = copy.deepcopy(f)
    for y in f["years"].values():
        for k in (
            "revenue",
            "main_business_revenue",
            "rd_expense",
            "total_assets",
            "total_liabilities",
            "net_profit",
            "total_cost_expense",
        ):
            y[k] = round(y[k] * factor)
    return f


def statuses(facts: list[dict[str, Any]], rule_set: str, tier: str) -> list[str]:
    """Tier status of several firms in ONE bulk call (ids made unique)."""
    batch = [{**f, "id": f"F{i}"} for i, f in enumerate(facts)]
    return assess_frame(batch, rule_set)[f"{tier}.status"].to_list()
