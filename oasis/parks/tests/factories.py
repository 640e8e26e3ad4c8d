"""Factories for parks and their space (factory-boy), shared by every app's tests.
Values are deterministic."""

from __future__ import annotations

from decimal import Decimal

import factory

from oasis.parks.models import Building, Floor, Park, Unit, UnitUse


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
