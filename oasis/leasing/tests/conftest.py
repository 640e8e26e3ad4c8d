"""Leasing fixtures: a building with units in `park`, and a signed lease on one of them."""

import datetime as dt
from decimal import Decimal

import pytest

from oasis.accounts.tests.factories import logged_in
from oasis.leasing import services
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """Every leasing test runs on the same day, so due dates and ageing are exact."""
    monkeypatch.setattr(services, "today", lambda: TODAY)
    from oasis.leasing import selectors

    monkeypatch.setattr(selectors, "today", lambda: TODAY)


@pytest.fixture
def building(park):
    return BuildingFactory(park=park, name="1号厂房", code="F1")


@pytest.fixture
def units(building):
    floor = FloorFactory(building=building, number=1)
    return [
        UnitFactory(floor=floor, building=building, code=f"10{i}", area=Decimal("500.00"))
        for i in range(1, 4)
    ]


@pytest.fixture
def unit(units):
    return units[0]


@pytest.fixture
def leasing_client(leasing):
    return logged_in(leasing)


def lease_data(**over):
    data = {
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2027, 12, 31),
        "rent_basis": "sqm_day",
        "rent_rate": Decimal("1.2000"),
        "property_fee_rate": Decimal("5.00"),
        "deposit": Decimal("30000.00"),
        "escalation_pct": Decimal("3.00"),
        "cycle": 3,
        "number": "",
    }
    data.update(over)
    return data


@pytest.fixture
def lease(staff, enterprise, unit):
    return services.lease_create(
        actor=staff, tenant=enterprise, unit_ids=[unit.pk], data=lease_data(), activate=True
    )
