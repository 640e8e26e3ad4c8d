"""Space writes take the one write path: the cached dashboard moves on the next request."""

from decimal import Decimal

from oasis.core.models import AuditEntry
from oasis.parks import services
from oasis.parks.models import Unit
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory


def test_a_unit_let_shows_on_the_cached_dashboard(dashboard, committed, staff, park):
    floor = FloorFactory(building=BuildingFactory(park=park))
    unit = UnitFactory(floor=floor, building=floor.building, area=Decimal("800.00"))
    assert dashboard()[0].leased_area == 0
    # A change behind the services' back is not seen: the page is served from the cache.
    Unit.objects.filter(pk=unit.pk).update(occupants=1)
    with committed():
        services.unit_update(actor=staff, unit=unit, data={"status": Unit.Status.LEASED})
    assert dashboard()[0].leased_area == Decimal("800.00")
    assert AuditEntry.objects.filter(model="parks.unit", action="update").count() == 1


def test_units_created_in_bulk_are_audited_and_counted(dashboard, committed, staff, park):
    floor = FloorFactory(building=BuildingFactory(park=park))
    assert dashboard()[0].lettable_area == 0
    units = [
        Unit(building=floor.building, floor=floor, code=f"9{i}", use="office", area=Decimal("100"))
        for i in range(3)
    ]
    with committed():
        services.units_create_many(actor=staff, park=park, units=units)
    assert dashboard()[0].lettable_area == Decimal("300.00")
    created = AuditEntry.objects.filter(model="parks.unit", action="create", park_id=park.pk)
    assert sorted(created.values_list("object_id", flat=True)) == sorted(str(u.pk) for u in units)
