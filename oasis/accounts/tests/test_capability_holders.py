"""`users_with_capability`: who holds a capability where (the reverse of `user_can`),
the one query behind every "assign to" and "owner" list."""

import pytest

from oasis.accounts import roles
from oasis.accounts.models import Role
from oasis.accounts.selectors import users_with_capability

from .factories import make_user

pytestmark = pytest.mark.django_db


def test_holders_by_capability_park_and_activity(park, other_park, enterprise):
    admin = make_user("a-admin", park=park, role=Role.PARK_ADMIN)
    scout = make_user("b-scout", park=park, role=Role.ATTRACTION)
    make_user("c-leasing", park=park, role=Role.LEASING)
    away = make_user("d-away", park=other_park, role=Role.ATTRACTION)
    gone = make_user("e-gone", park=park, role=Role.ATTRACTION, is_active=False)
    make_user("f-member", enterprise=enterprise)

    def names(capability, **kw):
        return list(users_with_capability(capability, **kw).values_list("username", flat=True))

    assert names(roles.ATTRACTION_CHANGE, park_ids=[park.pk]) == [admin.username, scout.username]
    assert names(roles.ATTRACTION_CHANGE) == [admin.username, scout.username, away.username]
    assert names(roles.ATTRACTION_CHANGE, park_ids=[park.pk], active_only=False) == [
        admin.username,
        scout.username,
        gone.username,
    ]
    assert names(roles.VIEW, park_ids=[park.pk]) == ["a-admin", "b-scout", "c-leasing"]
    assert names(roles.ATTRACTION_CHANGE, park_ids=[]) == []
