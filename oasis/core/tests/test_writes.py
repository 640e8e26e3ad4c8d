"""The one write path: audit rows worked out by the helper, secrets kept out, and the
park's data version moving only once the write commits."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry
from oasis.core.writes import record, record_bulk_create, record_deletion, snapshot

PARK = 7  # any id: the audit log and the data version only carry it

pytestmark = pytest.mark.django_db


def _person(username: str = "li"):
    return get_user_model().objects.create_user(username=username, password="s3cret-pass-1")


def test_no_before_is_a_create_with_every_value_and_no_secret(committed):
    actor, person = _person("actor"), _person()
    with committed():
        entry = record(actor=actor, instance=person, park_id=PARK)
    assert entry is not None
    assert (entry.action, entry.model, entry.object_id, entry.park_id, entry.actor) == (
        AuditEntry.Action.CREATE,
        "accounts.user",
        str(person.pk),
        PARK,
        actor,
    )
    assert entry.changes["username"] == [None, "li"]
    assert "password" not in entry.changes and "password" not in snapshot(person)


def test_a_before_snapshot_makes_an_update_of_what_changed_only(committed):
    person = _person()
    before = snapshot(person)
    person.first_name = "四"
    person.set_password("another-pass-2")
    person.save()
    entry = record(actor=None, instance=person, before=before, park_id=PARK)
    assert entry is not None and entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"first_name": ["", "四"]}  # the new hash is not stored either
    assert entry.actor is None  # a system job


def test_an_update_that_changed_nothing_writes_no_row():
    person = _person()
    assert record(actor=None, instance=person, before=snapshot(person), park_id=PARK) is None
    assert not AuditEntry.objects.exists()


def test_deletion_removes_the_row_and_keeps_its_last_values():
    person = _person()
    pk = person.pk
    entry = record_deletion(actor=None, instance=person, park_id=PARK)
    assert not get_user_model().objects.filter(pk=pk).exists()
    assert (entry.action, entry.object_id) == (AuditEntry.Action.DELETE, str(pk))
    assert entry.changes["username"] == ["li", None] and "password" not in entry.changes


def test_bulk_created_rows_get_one_row_each():
    people = [_person(f"p{i}") for i in range(3)]
    entries = record_bulk_create(actor=None, instances=people, park_id=PARK)
    assert [e.object_id for e in entries] == [str(p.pk) for p in people]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, park_id=PARK).count() == 3


def test_the_park_data_version_moves_after_commit_not_before(committed):
    start = park_data_version(PARK)
    with committed():
        record(actor=None, instance=_person(), park_id=PARK)
        # Inside the transaction a reader still sees the old version: had it moved now, a
        # concurrent reader could cache the old data under the new version.
        assert park_data_version(PARK) == start
    assert park_data_version(PARK) > start


def test_a_write_that_belongs_to_no_park_moves_no_version(committed):
    start = park_data_version(PARK)
    with committed():
        record(actor=None, instance=_person(), park_id=None)
    assert park_data_version(PARK) == start
