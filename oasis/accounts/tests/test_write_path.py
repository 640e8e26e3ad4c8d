"""Accounts writes take the one write path: role grants and API tokens are audited,
without the token's digest."""

from oasis.accounts import services
from oasis.accounts.models import ApiToken, Role
from oasis.accounts.tests.factories import make_user
from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry


def test_a_role_grant_is_audited_and_moves_the_park_data_version(committed, staff, park):
    person = make_user("newcomer")
    start = park_data_version(park.pk)
    with committed():
        grant = services.park_role_grant(
            actor=staff, user=person, park_id=park.pk, role=Role.VIEWER
        )
        services.park_role_grant(actor=staff, user=person, park_id=park.pk, role=Role.VIEWER)
    assert park_data_version(park.pk) > start
    entry = AuditEntry.objects.get(model="accounts.parkrole")  # the repeat grant wrote none
    assert (entry.object_id, entry.actor, entry.park_id) == (str(grant.pk), staff, park.pk)
    assert entry.changes["role"] == [None, Role.VIEWER]


def test_token_creation_and_revocation_are_audited_without_the_digest(staff):
    token, clear = services.api_token_create(user=staff, name="同步脚本")
    assert services.api_token_revoke(user=staff, token_id=token.pk)
    assert not ApiToken.objects.exists()
    entries = list(AuditEntry.objects.filter(model="accounts.apitoken").order_by("id"))
    assert [(e.action, e.actor) for e in entries] == [("create", staff), ("delete", staff)]
    assert entries[0].changes["name"] == [None, "同步脚本"]
    assert all("digest" not in e.changes and clear not in str(e.changes) for e in entries)


def test_revoking_a_token_that_is_not_yours_changes_and_records_nothing(staff, viewer):
    token, _clear = services.api_token_create(user=viewer, name="b")
    assert not services.api_token_revoke(user=staff, token_id=token.pk)
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert not AuditEntry.objects.filter(action="delete").exists()
