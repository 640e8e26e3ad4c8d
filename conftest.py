"""Fixtures every app's tests share: a park with its firm, and the staff / member /
outsider trio (STYLE.md), plus a few more roles."""

from __future__ import annotations

import pytest
from django.test import Client

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import ParkFactory


@pytest.fixture(autouse=True)
def _test_defaults(settings):
    """Fast password hashing (PBKDF2 costs ~0.3 s a user), and a clean cache: ids
    repeat across tests, so a cached dashboard from one test must not leak into the next."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def park(db):
    return ParkFactory(name="常熟·绿洲芯城", short_name="绿洲芯城")


@pytest.fixture
def other_park(db):
    return ParkFactory(name="临港另一园区")


@pytest.fixture
def enterprise(park):
    return EnterpriseFactory(park=park, name="常熟临芯微电子有限公司")


@pytest.fixture
def other_enterprise(other_park):
    return EnterpriseFactory(park=other_park, name="外园区企业有限公司")


@pytest.fixture
def staff(park):
    """A park administrator of `park`."""
    return make_user("staff", park=park, role=Role.PARK_ADMIN)


@pytest.fixture
def officer(park):
    return make_user("officer", park=park, role=Role.SERVICE)


@pytest.fixture
def leasing(park):
    return make_user("leasing", park=park, role=Role.LEASING)


@pytest.fixture
def viewer(park):
    return make_user("viewer", park=park, role=Role.VIEWER)


@pytest.fixture
def member(enterprise):
    return make_user("member", enterprise=enterprise)


@pytest.fixture
def outsider(other_park):
    """Staff of another park: authenticated, but no access to `park`."""
    return make_user("outsider", park=other_park, role=Role.PARK_ADMIN)


def _client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


# --- the write path ----------------------------------------------------------------------


@pytest.fixture
def dashboard(staff_client, park):
    """Reads `park`'s dashboard as its page shows it now (through the cache): the figures
    and the charts. Each app's write-path test reads it before and after a write."""

    def read(**params):
        r = staff_client.get("/dashboard/", {"park": park.pk, **params})
        assert r.status_code == 200
        return r.context["fig"], r.context["charts"]

    return read


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's after-commit work (the data version bump) as
    a real commit would; tests otherwise run inside one transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- browser tests ----------------------------------------------------------------------

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


@pytest.fixture
def browser_page(live_server, settings):
    """A Playwright page in Debian's chromium. Locally the test skips when chromium is
    missing; in CI (CI=true) that is a failure, since CI installs it."""
    import os
    import shutil

    path = next((p for p in CHROMIUM_PATHS if os.path.exists(p)), None) or shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium); none found")
    from playwright.sync_api import sync_playwright

    # The live server's static handler serves files only with DEBUG on, as in development.
    settings.DEBUG = True

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()
            browser.close()
