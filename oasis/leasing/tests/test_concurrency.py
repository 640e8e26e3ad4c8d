"""No double letting: concurrent signings of one unit, exactly one wins."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.test import Client

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.leasing.models import Bill, Lease, LeaseUnit
from oasis.parks.models import Unit
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


def _in_memory_sqlite() -> bool:
    db = connections["default"]
    return isinstance(db, SQLiteDatabaseWrapper) and db.is_in_memory_db()


def test_concurrent_signings_of_one_unit_exactly_one_wins():
    if _in_memory_sqlite():
        pytest.skip(
            "threads need a file or server database (set OASIS_TEST_SQLITE or use PostgreSQL)"
        )
    park = ParkFactory()
    make_user("officer1", park=park, role=Role.LEASING)
    unit = UnitFactory(floor=FloorFactory(building=BuildingFactory(park=park)))
    firms = [EnterpriseFactory(park=park) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    # Sign in one after another: the login throttle rightly refuses a burst of sign-ins
    # to one account; the race under test is the signing, not the login.
    clients = []
    for _ in range(THREADS):
        client = Client()
        assert client.login(username="officer1", password="oasis-test-pass-1")
        clients.append(client)

    def sign(i: int) -> None:
        try:
            client = clients[i]
            barrier.wait()
            r = client.post(
                "/api/v1/leasing/leases",
                {
                    "tenant_id": firms[i].pk,
                    "unit_ids": [unit.pk],
                    "number": f"C-{i}",
                    "start_date": f"2026-0{1 + i % 3}-01",
                    "end_date": "2027-06-30",
                    "rent_rate": "1.1",
                    "activate": True,
                },
                content_type="application/json",
            )
            statuses.append(r.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [400] * (THREADS - 1)
    assert Lease.objects.filter(status=Lease.Status.ACTIVE).count() == 1
    winner = Lease.objects.get(status=Lease.Status.ACTIVE)
    assert set(Bill.objects.values_list("lease_id", flat=True)) == {winner.pk}
    unit.refresh_from_db()
    assert unit.status == Unit.Status.LEASED


def test_database_refuses_overlap_even_behind_the_services_back():
    """PostgreSQL's exclusion constraint, not the service, is the last word."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    park = ParkFactory()
    unit = UnitFactory(floor=FloorFactory(building=BuildingFactory(park=park)))
    firm = EnterpriseFactory(park=park)
    common = {"park": park, "tenant": firm, "rent_rate": 1, "status": Lease.Status.ACTIVE}
    a = Lease.objects.create(
        number="A", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31), **common
    )
    b = Lease.objects.create(
        number="B", start_date=dt.date(2026, 12, 31), end_date=dt.date(2027, 12, 31), **common
    )
    LeaseUnit.objects.create(
        lease=a, unit=unit, start_date=a.start_date, end_date=a.end_date, occupies=True
    )
    # A draft may overlap; a signed one may not (the period is inclusive at both ends).
    LeaseUnit.objects.create(
        lease=b, unit=unit, start_date=b.start_date, end_date=b.end_date, occupies=False
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseUnit.objects.filter(lease=b).update(occupies=True)
