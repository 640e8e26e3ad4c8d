"""Leasing writes take the one write path. Signing a lease once left the cached dashboard
showing the old leased area until the cache expired."""

import datetime as dt
from decimal import Decimal

from oasis.core.models import AuditEntry
from oasis.leasing import services

from .conftest import TODAY, lease_data


def test_signing_a_lease_shows_on_the_cached_dashboard(
    dashboard, committed, staff, enterprise, unit
):
    draft = services.lease_create(
        actor=staff, tenant=enterprise, unit_ids=[unit.pk], data=lease_data()
    )
    assert dashboard()[0].leased_area == 0
    with committed():
        services.lease_activate(actor=staff, lease=draft)
    assert dashboard()[0].leased_area == Decimal("500.00")
    assert AuditEntry.objects.filter(model="parks.unit", object_id=str(unit.pk)).exists()


def test_ending_a_lease_early_frees_the_area_on_the_dashboard(dashboard, committed, staff, lease):
    assert dashboard()[0].leased_area == Decimal("500.00")
    with committed():
        services.lease_terminate(actor=staff, lease=lease, on=TODAY, reason="企业迁出")
        services.leases_daily(on=TODAY + dt.timedelta(days=1))
    assert dashboard()[0].leased_area == 0


def test_an_import_audits_every_unit_it_creates_and_moves_the_dashboard(
    dashboard, committed, leasing_client, leasing, park, enterprise
):
    from oasis.parks.models import Unit

    from .test_excel import good

    assert dashboard()[0].leased_area == 0
    with committed():
        r = leasing_client.post("/leasing/import/", {"park": park.pk, "file": good(enterprise)})
    assert r.status_code == 302
    created = AuditEntry.objects.filter(model="parks.unit", action="create")
    imported = Unit.objects.filter(building__code="F9").values_list("pk", flat=True)
    assert sorted(e.object_id for e in created) == sorted(str(pk) for pk in imported)
    assert len(imported) == 2
    assert {(e.actor_id, e.park_id) for e in created} == {(leasing.pk, park.pk)}
    assert AuditEntry.objects.filter(model="parks.building", action="create").count() == 1
    assert dashboard()[0].leased_area == Decimal("2300.00")  # 1500 + 800 ㎡ let by the import
