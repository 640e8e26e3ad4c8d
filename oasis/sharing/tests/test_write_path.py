"""Shared-service writes take the one write path: a booking shows on the cached
dashboard's five-shares chart on the next request."""

import datetime as dt

from django.utils import timezone

from oasis.sharing import services
from oasis.sharing.models import Share


def test_a_booking_shows_on_the_cached_dashboard(dashboard, committed, member, room):
    first = timezone.localdate().replace(day=1)
    at = dt.datetime.combine(first, dt.time(9), tzinfo=timezone.get_current_timezone())
    digital = list(Share.values).index(Share.DIGITAL)
    assert dashboard()[1]["sharing"]["booked"][digital] == 0
    with committed():
        services.booking_create(
            actor=member,
            resource=room,
            start=at,
            end=at + dt.timedelta(hours=2),
            now=at - dt.timedelta(hours=1),  # booked ahead, whatever the day the suite runs
        )
    assert dashboard()[1]["sharing"]["booked"][digital] == 2
