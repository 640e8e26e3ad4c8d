"""Factories shared by every app's tests (factory-boy). Values are deterministic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from oasis.accounts.models import ParkRole, Role, User
from oasis.core.identifiers import industry_section, make_uscc
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.enterprises.services import search_key_for
from oasis.parks.models import Building, Floor, Park, Unit, UnitUse

PASSWORD = "oasis-test-pass-1"


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    name = factory.Sequence(lambda n: f"测试园区{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    land_mu = Decimal("460")
    planned_floor_area = Decimal("518000")
    target_enterprises = 300
    target_jobs_min = 6000
    target_jobs_max = 8000
    target_output = Decimal("50000000000")
    target_residents = 3000


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    park = factory.SubFactory(ParkFactory)
    name = factory.Sequence(lambda n: f"{n}号厂房")
    code = factory.Sequence(lambda n: f"B{n}")
    use = UnitUse.MANUFACTURING
    floors_above = 3
    gross_area = Decimal("9000")


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: n + 1)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    floor = factory.SubFactory(FloorFactory)
    building = factory.LazyAttribute(lambda o: o.floor.building)
    code = factory.Sequence(lambda n: f"U{n:04d}")
    use = UnitUse.MANUFACTURING
    area = Decimal("1000.00")
    status = Unit.Status.VACANT


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


def make_user(
    username: str,
    *,
    park: Park | None = None,
    role: str | None = None,
    enterprise: Enterprise | None = None,
    **extra: Any,
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, enterprise=enterprise, **extra
    )
    if park is not None and role is not None:
        ParkRole.objects.create(user=user, park=park, role=role)
    return user


__all__ = [
    "PASSWORD",
    "BuildingFactory",
    "EnterpriseFactory",
    "FigureFactory",
    "FloorFactory",
    "ParkFactory",
    "Role",
    "UnitFactory",
    "make_user",
    "uscc_for",
]
