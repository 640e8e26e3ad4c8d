"""The demo park's events and showcases: a full roadshow with a waitlist, a past salon
with check-ins, a published showcase and one waiting for the park."""

import pytest

from oasis.events.models import Event, Registration, Showcase


@pytest.mark.django_db
def test_the_demo_has_a_full_event_with_a_waitlist_and_showcases(demo):
    park = demo.park
    full = Event.objects.get(park=park, title__contains="路演")
    regs = Registration.objects.filter(event=full)
    assert regs.filter(status="registered").count() == full.capacity
    assert regs.filter(status="waitlisted").count() >= 1
    past = Event.objects.get(park=park, kind="salon")
    assert Registration.objects.filter(event=past, checked_in_at__isnull=False).exists()
    assert full.offering is not None and full.offering.park_id == park.pk
    shows = Showcase.objects.filter(enterprise__park=park)
    assert set(shows.values_list("published", flat=True)) == {True, False}
