"""Role grants and token revocations made in /admin/ take the services' write path:
each one leaves its audit row, like the same change made through the services."""

import datetime as dt

import pytest

from oasis.accounts.models import ApiToken, ParkRole, Role
from oasis.accounts.services import api_token_create
from oasis.accounts.tests.factories import logged_in, make_user
from oasis.core.models import AuditEntry


@pytest.fixture
def root_client(db):
    return logged_in(make_user("root", is_superuser=True, is_staff=True))


def _change_data(client, user, roles):
    """The user's admin change form as the page shows it, with `roles` as the inline
    rows: (row id or None for a new row, park id, role, delete?)."""
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, ""):
            continue
        if isinstance(value, dt.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    existing = sum(1 for pk, *_rest in roles if pk)
    data |= {
        f"{prefix}-TOTAL_FORMS": str(len(roles)),
        f"{prefix}-INITIAL_FORMS": str(existing),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, park_id, role, delete) in enumerate(roles):
        data |= {f"{prefix}-{i}-park": str(park_id), f"{prefix}-{i}-role": role}
        data[f"{prefix}-{i}-user"] = str(user.pk)
        if pk:
            data[f"{prefix}-{i}-id"] = str(pk)
        if delete:
            data[f"{prefix}-{i}-DELETE"] = "on"
    return data


def test_granting_changing_and_revoking_roles_in_the_admin_is_audited(
    root_client, park, other_park
):
    person = make_user("newcomer")
    url = f"/admin/accounts/user/{person.pk}/change/"

    r = root_client.post(url, _change_data(root_client, person, [(None, park.pk, Role.VIEWER, 0)]))
    assert r.status_code == 302, r.context and r.context["errors"]
    grant = ParkRole.objects.get(user=person)
    r = root_client.post(
        url, _change_data(root_client, person, [(grant.pk, other_park.pk, Role.LEASING, 0)])
    )
    assert r.status_code == 302
    r = root_client.post(
        url, _change_data(root_client, person, [(grant.pk, other_park.pk, Role.LEASING, 1)])
    )
    assert r.status_code == 302 and not ParkRole.objects.filter(user=person).exists()

    entries = AuditEntry.objects.filter(model="accounts.parkrole").order_by("id")
    assert [(e.action, e.actor.username, e.park_id) for e in entries] == [
        ("create", "root", park.pk),
        ("update", "root", other_park.pk),
        ("delete", "root", other_park.pk),
    ]
    assert entries[1].changes["role"] == [Role.VIEWER, Role.LEASING]


def test_an_enterprise_member_cannot_be_given_a_park_role_in_the_admin(root_client, park, member):
    url = f"/admin/accounts/user/{member.pk}/change/"
    r = root_client.post(url, _change_data(root_client, member, [(None, park.pk, Role.VIEWER, 0)]))
    assert r.status_code == 200
    assert "企业成员不能担任园区角色。" in r.content.decode()
    assert not ParkRole.objects.filter(user=member).exists()
    assert not AuditEntry.objects.filter(model="accounts.parkrole").exists()


def test_revoking_a_token_in_the_admin_is_audited_without_the_digest(root_client, staff):
    token, clear = api_token_create(user=staff, name="同步脚本")
    r = root_client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not ApiToken.objects.exists()
    entry = AuditEntry.objects.get(model="accounts.apitoken", action="delete")
    assert entry.actor.username == "root" and entry.object_id == str(token.pk)
    assert "digest" not in entry.changes and clear not in str(entry.changes)
    # The token itself cannot be edited there: owners name their own tokens.
    kept, _clear = api_token_create(user=staff, name="报表")
    r = root_client.post(f"/admin/accounts/apitoken/{kept.pk}/change/", {"name": "改名"})
    assert r.status_code == 403 and ApiToken.objects.get(pk=kept.pk).name == "报表"
