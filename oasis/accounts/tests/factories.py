"""Users for every app's tests: a staff member with a role in a park, an enterprise
member, or a bare account. Every one signs in with PASSWORD."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.test import Client

from oasis.accounts.models import ParkRole, User

PASSWORD = "oasis-test-pass-1"


def make_user(
    username: str,
    *,
    park: Model | None = None,
    role: str | None = None,
    enterprise: Model | None = None,
    **extra: Any,
) -> User:
    """`park` is a parks.Park and `enterprise` an enterprises.Enterprise; typed as models
    because accounts sits below both apps (pyproject.toml, [tool.importlinter])."""
    user = User.objects.create_user(
        username=username, password=PASSWORD, enterprise=enterprise, **extra
    )
    if park is not None and role is not None:
        ParkRole.objects.create(user=user, park_id=park.pk, role=role)
    return user


def logged_in(user: User) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client
