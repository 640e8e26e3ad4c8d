"""Cultivation writes take the one write path. They feed no dashboard figure, so the
test is that the park's data version moves (and the audit row is there)."""

import datetime as dt

from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry
from oasis.cultivation import services
from oasis.cultivation.models import TitleKind


def test_a_title_moves_the_park_data_version(committed, staff, enterprise, park):
    start = park_data_version(park.pk)
    with committed():
        title = services.title_save(
            actor=staff,
            enterprise=enterprise,
            data={
                "kind": TitleKind.SRDI_SME,
                "certificate_no": "ZJTX-2025-001",
                "valid_from": dt.date(2025, 1, 1),
                "valid_until": dt.date(2027, 12, 31),
            },
        )
    assert park_data_version(park.pk) > start
    assert AuditEntry.objects.filter(
        model="cultivation.title", object_id=str(title.pk), action="create", park_id=park.pk
    ).exists()
    start = park_data_version(park.pk)
    with committed():
        services.record_delete(actor=staff, instance=title)
    assert park_data_version(park.pk) > start
    assert AuditEntry.objects.filter(model="cultivation.title", action="delete").exists()
