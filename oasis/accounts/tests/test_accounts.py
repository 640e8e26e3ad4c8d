import hashlib

import pytest
from django.test import Client

from oasis.accounts.models import ApiToken, LoginFailure
from oasis.accounts.tests.factories import PASSWORD


def _login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_and_landing(staff, member):
    c = Client()
    r = _login(c, "staff", PASSWORD)
    assert r.status_code == 302
    assert c.get("/").url == "/dashboard/"
    m = Client()
    _login(m, "member", PASSWORD)
    assert m.get("/").url == "/portal/"


def test_login_page_is_chinese_by_default_and_english_on_request(db):
    c = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录绿洲园区运营平台" in c.get("/accounts/login/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in to the Oasis park platform" in c.get("/accounts/login/").content.decode()


def test_wrong_password_is_refused(staff):
    r = _login(Client(), "staff", "wrong")
    assert r.status_code == 200
    assert "_auth_user_id" not in Client().session
    assert LoginFailure.objects.filter(username="staff").count() == 1


def test_throttle_after_five_failures_refuses_even_the_right_password(staff, settings):
    c = Client()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        _login(c, "staff", "wrong")
    r = _login(c, "staff", PASSWORD)
    assert r.status_code == 200
    assert "登录失败次数过多，请15分钟后再试。" in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_throttle_is_per_username(staff, viewer, settings):
    c = Client()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        _login(c, "staff", "wrong")
    assert _login(Client(), "viewer", PASSWORD).status_code == 302


def test_success_clears_failures(staff):
    _login(Client(), "staff", "wrong")
    _login(Client(), "staff", PASSWORD)
    assert not LoginFailure.objects.filter(username="staff").exists()


def test_logout_needs_post(staff_client):
    assert staff_client.post("/accounts/logout/").status_code == 302
    assert staff_client.get("/dashboard/").status_code == 302


def test_password_change(staff):
    c = Client()
    _login(c, "staff", PASSWORD)
    r = c.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-Pass-9876",
            "new_password2": "a-new-Pass-9876",
        },
    )
    assert r.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("a-new-Pass-9876")


def test_anonymous_pages_redirect_to_login(db):
    for url in ["/", "/dashboard/", "/enterprises/", "/parks/", "/accounts/profile/"]:
        r = Client().get(url)
        assert r.status_code == 302 and r.url.startswith("/accounts/login/"), url


def test_api_token_is_shown_once_and_stored_hashed(staff_client, staff):
    r = staff_client.post("/accounts/profile/", {"name": "ERP sync"})
    assert r.status_code == 200
    clear = r.context["new_token"]
    token = ApiToken.objects.get(user=staff)
    assert token.digest == hashlib.sha256(clear.encode()).hexdigest()
    assert clear not in staff_client.get("/accounts/profile/").content.decode()
    api = Client()
    assert api.get("/api/v1/parks/").status_code == 401
    r = api.get("/api/v1/parks/", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert r.status_code == 200
    assert api.get("/api/v1/parks/", HTTP_AUTHORIZATION="Bearer oas_wrong").status_code == 401


def test_token_revoke_only_own(staff_client, staff, viewer):
    from oasis.accounts.services import api_token_create

    mine, clear = api_token_create(user=staff, name="a")
    theirs, _ = api_token_create(user=viewer, name="b")
    # Someone else's token is not found (as every id the caller may not see), not a silent no-op.
    assert staff_client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert staff_client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=mine.pk).exists()
    assert Client().get("/api/v1/parks/", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 401


def test_admin_is_for_park_admins(
    staff_client, viewer_client, member_client, outsider_client, enterprise, other_enterprise
):
    assert staff_client.get("/admin/").status_code == 200
    # A park admin sees their park's firms only.
    r = staff_client.get("/admin/enterprises/enterprise/")
    assert enterprise.name in r.content.decode()
    assert other_enterprise.name not in r.content.decode()
    assert (
        staff_client.get(f"/admin/enterprises/enterprise/{other_enterprise.pk}/change/").status_code
        == 302
    )
    assert viewer_client.get("/admin/").status_code == 302
    assert member_client.get("/admin/").status_code == 302


@pytest.mark.parametrize("url", ["/admin/accounts/user/"])
def test_user_admin_is_superuser_only(staff_client, url):
    assert staff_client.get(url).status_code == 403
