"""API tokens expire and die with a password change (any path that sets it); the API
docs and schema are behind login in production (issue 12, finding 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from oasis.accounts.models import ApiToken
from oasis.accounts.services import api_token_create
from oasis.accounts.tests.factories import PASSWORD, make_user


def _bearer(clear: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {clear}")


@pytest.mark.django_db
def test_tokens_expire(settings):
    user = make_user("tok")
    token, clear = api_token_create(user=user, name="ci")
    assert token.expires_at is not None
    days = (token.expires_at - timezone.now()) / dt.timedelta(days=1)
    assert settings.API_TOKEN_DAYS - 1 < days <= settings.API_TOKEN_DAYS
    assert _bearer(clear).get("/api/v1/parks/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _bearer(clear).get("/api/v1/parks/").status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_a_password_change_revokes_every_token(park):
    user = make_user("tok2")
    _row, clear = api_token_create(user=user, name="ci")
    _row2, other = api_token_create(user=user, name="laptop")
    assert _bearer(clear).get("/api/v1/parks/").status_code == 200
    c = Client()
    c.force_login(user)
    r = c.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Fresh-pass-4821",
            "new_password2": "Fresh-pass-4821",
        },
    )
    assert r.status_code == 302
    assert _bearer(clear).get("/api/v1/parks/").status_code == 401
    assert _bearer(other).get("/api/v1/parks/").status_code == 401
    # Any other path that sets the password too (admin, reset, command line).
    _row3, third = api_token_create(user=user, name="new")
    user.set_password("Another-pass-7733")
    user.save()
    assert _bearer(third).get("/api/v1/parks/").status_code == 401
    # The profile no longer lists dead tokens.
    c.force_login(user)
    assert [t.name for t in c.get("/accounts/profile/").context["tokens"]] == []


@pytest.mark.django_db
def test_api_docs_behind_login_in_production(settings, staff_client):
    settings.API_DOCS_PUBLIC = False
    for path in ("/api/docs", "/api/openapi.json"):
        r = Client().get(path)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], path
        assert staff_client.get(path).status_code == 200, path
    settings.API_DOCS_PUBLIC = True
    assert Client().get("/api/openapi.json").status_code == 200
