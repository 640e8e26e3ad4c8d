"""Cultivation test data: a firm whose stored file equals `base_facts` of the engine tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from oasis.cultivation.models import (
    Award,
    DevelopmentScore,
    EquityFinancing,
    ExtraFigure,
    InnovationProfile,
    Title,
)
from oasis.enterprises.models import Enterprise
from oasis.enterprises.tests.factories import FigureFactory

ON = dt.date(2026, 5, 1)

FIGURES = {
    2025: dict(
        revenue=100_000_000,
        main_business_revenue=95_000_000,
        rd_expense=6_000_000,
        total_assets=80_000_000,
        total_liabilities=32_000_000,
        net_profit=12_000_000,
        headcount=200,
        rd_staff=50,
    ),
    2024: dict(
        revenue=90_000_000,
        main_business_revenue=85_000_000,
        rd_expense=6_000_000,
        total_assets=70_000_000,
        total_liabilities=30_000_000,
        net_profit=9_000_000,
        headcount=180,
        rd_staff=45,
    ),
    2023: dict(
        revenue=80_000_000,
        main_business_revenue=76_000_000,
        rd_expense=4_000_000,
        total_assets=60_000_000,
        total_liabilities=28_000_000,
        net_profit=7_000_000,
        headcount=160,
        rd_staff=40,
    ),
}
EXTRA = {2025: (80_000_000, 70), 2024: (75_000_000, 60), 2023: (70_000_000, 50)}

PROFILE: dict[str, Any] = dict(
    ip_class1=5,
    ip_class1_self_developed=3,
    ip_class1_high_value=1,
    ip_class1_applied=5,
    ip_class2=3,
    niche_years=Decimal("6"),
    strategic_emerging=True,
    main_product_field="chain_gap_filling",
    rd_institution="provincial",
    digital_level=3,
    quality_award=True,
    quality_certified=True,
    quality_own_brand=True,
    quality_standards=True,
    chuangke_group="none",
    market_share=Decimal("0.15"),
    market_domestic_rank=2,
    market_leading_confirmed=True,
    provincial_points=Decimal("10"),
    led_standard_5y=False,
    qualitative_key_chain_role=True,
    qualitative_key_field=True,
    qualitative_info_system=True,
    qualitative_intl_certification=True,
    compliance_independent_legal_person=True,
    compliance_abnormal_list=False,
    compliance_dishonest_list=False,
    compliance_serious_incident_3y=False,
    compliance_restricted_industry=False,
    is_re_review=False,
    titles_complete=True,
    awards_complete=True,
    equity_complete=True,
)


def store_full_file(enterprise: Enterprise, **profile: Any) -> InnovationProfile:
    """Store the engine tests' `base_facts` firm (qualifies every 2026 tier) for `enterprise`."""
    Enterprise.objects.filter(pk=enterprise.pk).update(industry_code="3911")
    for year, fig in FIGURES.items():
        FigureFactory(
            enterprise=enterprise,
            year=year,
            **{k: Decimal(v) if k not in ("headcount", "rd_staff") else v for k, v in fig.items()},
        )
    for year, (cost, st) in EXTRA.items():
        ExtraFigure.objects.create(
            enterprise=enterprise, year=year, total_cost_expense=Decimal(cost), st_staff=st
        )
    Title.objects.create(
        enterprise=enterprise, kind="innovative_sme", valid_until=dt.date(2027, 12, 31)
    )
    Title.objects.create(enterprise=enterprise, kind="srdi_sme", valid_until=dt.date(2027, 12, 31))
    DevelopmentScore.objects.create(enterprise=enterprise, year=2026, score=Decimal(70))
    DevelopmentScore.objects.create(enterprise=enterprise, year=2025, score=Decimal(65))
    return InnovationProfile.objects.create(enterprise=enterprise, **{**PROFILE, **profile})


def add_award(enterprise: Enterprise, **kw: Any) -> Award:
    return Award.objects.create(
        enterprise=enterprise, **{"level": "provincial", "year": 2024, "rank": 2, **kw}
    )


def add_equity(enterprise: Enterprise, **kw: Any) -> EquityFinancing:
    return EquityFinancing.objects.create(
        enterprise=enterprise, **{"year": 2025, "amount": Decimal("25000000.50"), **kw}
    )
