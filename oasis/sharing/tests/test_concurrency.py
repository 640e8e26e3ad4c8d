"""Bookings never overlap, however many arrive at once: several members post the same
slot through the API at the same moment and exactly one wins."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from oasis.accounts.tests.factories import make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.sharing.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 6


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_simultaneous_bookings_of_one_slot_exactly_one_wins(park, room):
    clients = []
    for i in range(ATTEMPTS):
        user = make_user(f"racer{i}", enterprise=EnterpriseFactory(park=park))
        c = Client()
        c.force_login(user)
        clients.append(c)
    barrier = threading.Barrier(ATTEMPTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        # Overlapping on purpose: 10:00–12:00, 10:30–12:30, 11:00–13:00, …
        start = _at(3, 10) + dt.timedelta(minutes=30 * (i % 3))
        payload = {
            "resource_id": room.pk,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(),
        }
        try:
            barrier.wait(timeout=10)
            r = clients[i].post(
                "/api/v1/sharing/bookings", payload, content_type="application/json"
            )
            with lock:
                statuses.append(r.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [201] + [400] * (ATTEMPTS - 1)
    assert Booking.objects.filter(resource=room).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)
def test_database_refuses_an_overlap_that_skips_the_service(park, room, member):
    from django.db import IntegrityError, transaction

    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=_at(3, 9),
        end=_at(3, 11),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            resource=room,
            enterprise=member.enterprise,
            booked_by=member,
            start=_at(3, 10),
            end=_at(3, 12),
        )
    # Touching ends do not overlap ('[)' ranges), and cancelled rows hold no slot.
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=_at(3, 11),
        end=_at(3, 12),
    )
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=_at(3, 9),
        end=_at(3, 10),
        status=Booking.Status.CANCELLED,
        occupies=False,
    )
