"""Factories for firms and their annual figures (factory-boy), shared by every app's
tests. Values are deterministic."""

from __future__ import annotations

from decimal import Decimal

import factory

from oasis.core.identifiers import industry_section, make_uscc
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.enterprises.services import search_key_for
from oasis.parks.tests.factories import ParkFactory


def uscc_for(n: int) -> str:
    return make_uscc("320581", f"{(n * 7919) % 10**8:08d}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    park = factory.SubFactory(ParkFactory)
    name = factory.Sequence(lambda n: f"常熟芯测科技有限公司{n}")
    uscc = factory.Sequence(lambda n: uscc_for(n + 1))
    industry_code = "3976"
    industry_section = factory.LazyAttribute(lambda o: industry_section(o.industry_code))
    focus_industry = FocusIndustry.NEXTGEN_IT
    status = Enterprise.Status.SETTLED
    search_key = factory.LazyAttribute(lambda o: search_key_for(o.name))


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualFigure

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2025
    revenue = Decimal("50000000.00")
    main_business_revenue = Decimal("48000000.00")
    rd_expense = Decimal("3000000.00")
    total_assets = Decimal("80000000.00")
    total_liabilities = Decimal("30000000.00")
    net_profit = Decimal("4000000.00")
    tax_paid = Decimal("2500000.00")
    output_value = Decimal("60000000.00")
    headcount = 120
    rd_staff = 25
