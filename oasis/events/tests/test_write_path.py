"""Event writes take the one write path: each records its audit row under the events
app's label and moves the park's data version, so cached figures are recomputed."""

import datetime as dt

from django.utils import timezone

from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry
from oasis.events import services


def test_event_registration_and_showcase_are_audited_and_move_the_version(
    committed, operator, member, park
):
    start = park_data_version(park.pk)
    begins = timezone.now() + dt.timedelta(days=3)
    with committed():
        event = services.event_save(
            actor=operator,
            park=park,
            data={
                "title": "品牌日",
                "kind": "brand_day",
                "starts_at": begins,
                "ends_at": begins + dt.timedelta(hours=2),
                "capacity": 5,
            },
        )
    assert park_data_version(park.pk) > start
    services.event_register(actor=member, event=event)
    services.showcase_save(
        actor=member, enterprise=member.enterprise, data={"headline": "风采", "body": "介绍"}
    )
    labels = set(AuditEntry.objects.filter(park_id=park.pk).values_list("model", flat=True))
    assert labels == {"events.event", "events.registration", "events.showcase"}
