"""The one park-scope query: which parks a user may read, or change with a capability."""

from django.contrib.auth.models import AnonymousUser

from oasis.accounts import roles
from oasis.accounts.models import ParkRole, Role
from oasis.accounts.tests.factories import make_user
from oasis.parks.selectors import park_ids_for_user, park_queryset_for_user
from oasis.parks.tests.factories import ParkFactory


def test_parks_by_capability_follow_the_roles_held_park_by_park(db):
    a, b, c = ParkFactory(), ParkFactory(), ParkFactory()
    user = make_user("li", park=a, role=Role.LEASING)
    ParkRole.objects.create(user=user, park=b, role=Role.VIEWER)
    ParkRole.objects.create(user=user, park=c, role=Role.SERVICE)

    assert park_ids_for_user(user, roles.VIEW) == {a.pk, b.pk, c.pk}
    assert park_ids_for_user(user, roles.SPACE_CHANGE) == {a.pk}  # leasing changes space
    assert park_ids_for_user(user, roles.TICKET_HANDLE) == {a.pk, c.pk}
    assert park_ids_for_user(user, roles.PARK_CHANGE) == set()  # the viewer role changes nothing
    assert set(park_queryset_for_user(user, roles.ENTERPRISE_CHANGE)) == {c}
    assert not park_queryset_for_user(user, roles.PARK_CHANGE).exists()


def test_superuser_sees_every_park_members_and_anonymous_none(db, enterprise):
    a, b = ParkFactory(), ParkFactory()
    root = make_user("root", is_superuser=True, is_staff=True)
    member = make_user("m", enterprise=enterprise)
    assert park_ids_for_user(root, roles.PARK_CHANGE) is None
    assert {a, b} <= set(park_queryset_for_user(root, roles.PARK_CHANGE))
    assert park_ids_for_user(member, roles.VIEW) == set()
    assert not park_queryset_for_user(member, roles.VIEW).exists()
    assert park_ids_for_user(AnonymousUser(), roles.VIEW) == set()
    assert not park_queryset_for_user(AnonymousUser(), roles.VIEW).exists()
