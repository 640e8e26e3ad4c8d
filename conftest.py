"""Fixtures every app's tests share: a park with its firm, and the staff / member /
outsider trio (STYLE.md), plus a few more roles."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import logged_in, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import ParkFactory

# --- the test database: migrated once, copied per worker ---------------------------------
#
# Migrating takes ~8 s of CPU, and every xdist worker used to do it. Instead the migrated
# schema is built once into a template (an SQLite file, or a PostgreSQL database) named
# after a hash of every migration file, and each worker's test database is a copy of it:
# SQLite's backup API into the worker's in-memory database, PostgreSQL's CREATE DATABASE
# ... TEMPLATE. The template stays between runs until a migration changes (a new hash);
# `pytest --create-db` rebuilds it anyway.

TEMPLATE_FORMAT = "1"  # bump when the way a template is built changes
_STARTED = time.time()  # `--create-db` rebuilds a template older than this run


def _migrations_key() -> str:
    """A hash of what a migrated database is made of: Django, the installed apps and
    every migration file's bytes."""
    import django
    from django.apps import apps

    h = hashlib.sha256(f"{TEMPLATE_FORMAT} {django.__version__}".encode())
    for config in apps.get_app_configs():
        h.update(config.name.encode())
        for f in sorted((Path(config.path) / "migrations").glob("*.py")):
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time (the other xdist workers wait while one builds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _migrate(connection: Any) -> None:
    from django.core.management import call_command

    call_command(
        "migrate", verbosity=0, interactive=False, database=connection.alias, run_syncdb=True
    )


def _switch(connection: Any, name: str) -> None:
    """Point the alias at its test database, as Django's create_test_db does."""
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()


def _sqlite_from_template(connection: Any, key: str, rebuild: bool) -> None:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "test-db"
    template = folder / f"template-{key}.sqlite3"
    with _locked(folder / "build.lock"):
        if not template.exists() or (rebuild and template.stat().st_mtime < _STARTED):
            for stale in folder.glob("template-*.sqlite3*"):
                stale.unlink()
            building = folder / f"building-{os.getpid()}.sqlite3"
            real_name = connection.settings_dict["NAME"]
            connection.close()
            connection.settings_dict["NAME"] = str(building)
            try:
                _migrate(connection)
            finally:
                connection.close()
                connection.settings_dict["NAME"] = real_name
            # A plain rollback journal: the file is then one self-contained file.
            with contextlib.closing(sqlite3.connect(building)) as db:
                db.execute("PRAGMA journal_mode=DELETE")
            building.replace(template)
    test_name = connection.creation._get_test_db_name()
    connection.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    _switch(connection, test_name)
    with contextlib.closing(sqlite3.connect(f"file:{template}?mode=ro", uri=True)) as src:
        src.backup(connection.connection)


def _postgres_from_template(connection: Any, key: str, rebuild: bool) -> None:
    import tempfile

    creation = connection.creation
    qn = connection.ops.quote_name
    test_name = creation._get_test_db_name()
    prefix = f"test_{connection.settings_dict['NAME']}_tpl_"
    template = prefix + key
    server = "{HOST}:{PORT}:{NAME}".format(**connection.settings_dict)
    lock = hashlib.sha256(server.encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"oasis-test-template-{lock}.lock"
    with _locked(lock_path):
        with creation._nodb_cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
            existing = {row[0] for row in cur.fetchall()}
        built = lock_path.with_suffix(f".{key}")
        if template not in existing or (
            rebuild and (not built.exists() or built.stat().st_mtime < _STARTED)
        ):
            with creation._nodb_cursor() as cur:
                for stale in existing:
                    cur.execute(f"DROP DATABASE {qn(stale)}")
                building = template + "_b"
                cur.execute(f"DROP DATABASE IF EXISTS {qn(building)}")
                cur.execute(f"CREATE DATABASE {qn(building)}")
            real_name = connection.settings_dict["NAME"]
            connection.close()
            connection.settings_dict["NAME"] = building
            try:
                _migrate(connection)
            finally:
                connection.close()
                connection.settings_dict["NAME"] = real_name
            with creation._nodb_cursor() as cur:
                cur.execute(f"ALTER DATABASE {qn(building)} RENAME TO {qn(template)}")
            built.touch()
        with creation._nodb_cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {qn(test_name)}")
            cur.execute(f"CREATE DATABASE {qn(test_name)} WITH TEMPLATE {qn(template)}")
    _switch(connection, test_name)


def _postgres_drop(connection: Any, old_name: str) -> None:
    """Drop the worker's database even if a connection to it outlived its test (the live
    server's threads), which a plain DROP DATABASE refuses."""
    from django.conf import settings

    test_name = connection.settings_dict["NAME"]
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = old_name
    connection.settings_dict["NAME"] = old_name
    with connection.creation._nodb_cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(test_name)} WITH (FORCE)")


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's fixture, with each worker's database copied from a migrated
    template instead of migrated again (see above). `--nomigrations` and `--reuse-db`
    keep pytest-django's own behaviour."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    plain = not django_db_use_migrations or (django_db_keepdb and not django_db_createdb)
    with django_db_blocker.unblock():
        if plain or serialized:
            if not django_db_use_migrations:
                from pytest_django.fixtures import _disable_migrations

                _disable_migrations()
            old_config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                keepdb=django_db_keepdb and not django_db_createdb,
                aliases=aliases,
                serialized_aliases=serialized,
            )
        else:
            old_config = []
            key = _migrations_key()
            for alias in sorted(aliases):
                connection = connections[alias]
                old_name = connection.settings_dict["NAME"]
                if connection.vendor == "sqlite":
                    _sqlite_from_template(connection, key, django_db_createdb)
                elif connection.vendor == "postgresql":
                    _postgres_from_template(connection, key, django_db_createdb)
                else:
                    connection.creation.create_test_db(verbosity, autoclobber=True, serialize=False)
                old_config.append((connection, old_name, True))
    yield
    if plain and django_db_keepdb:
        return
    with django_db_blocker.unblock():
        try:
            for connection, old_name, _destroy in old_config:
                if connection.vendor == "postgresql" and not plain:
                    _postgres_drop(connection, old_name)
                else:
                    teardown_databases([(connection, old_name, True)], verbosity=verbosity)
        except Exception as exc:  # as pytest-django does: a warning, not a failed test
            request.node.warn(
                pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
            )


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
def operator(park):
    """A shared-services operator (Role.SHARING) of `park`: catalogue, finance, events."""
    return make_user("operator", park=park, role=Role.SHARING)


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


@pytest.fixture
def staff_client(staff):
    return logged_in(staff)


@pytest.fixture
def operator_client(operator):
    return logged_in(operator)


@pytest.fixture
def member_client(member):
    return logged_in(member)


@pytest.fixture
def outsider_client(outsider):
    return logged_in(outsider)


@pytest.fixture
def viewer_client(viewer):
    return logged_in(viewer)


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


# --- the demo park, built once per test process -----------------------------------------

# Made by migrate (and remade by a flush), so never part of a snapshot.
_NOT_DEMO = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
DEMO_ENTERPRISES = 30


def _demo_models() -> list[Any]:
    from django.apps import apps

    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in _NOT_DEMO
    ]


def _snapshot_rows() -> list[tuple[str, list[list[Any]]]]:
    """Every row outside the migrate-made tables, as INSERT statements with their
    parameters (database values: a restore runs no `save()`, no auto_now)."""
    from django.db import connection

    qn = connection.ops.quote_name
    out = []
    for model in _demo_models():
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        found = model._base_manager.order_by("pk").values_list(*(f.attname for f in fields))
        params = [
            [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
            for row in found
        ]
        if params:
            columns = ", ".join(qn(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            out.append(
                (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})", params)
            )
    return out


class Demo:
    """The demo park as `oasis seed-demo --enterprises 30` builds it (every app's demo
    data), restored into this test's database: `park`, and `stdout`, what the command
    printed when it built it."""

    def __init__(self, stdout: str, park: Any) -> None:
        self.stdout = stdout
        self.park = park


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker):
    """Builds the demo once per test process, inside a transaction that is rolled back,
    and keeps its rows (~3 s of CPU to build, a tenth of that to restore)."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        assert not _snapshot_rows(), "the demo snapshot needs an empty database"
        call_command("seed-demo", "--enterprises", str(DEMO_ENTERPRISES), stdout=out)
        rows = _snapshot_rows()
        transaction.set_rollback(True)
    return out.getvalue(), rows


@pytest.fixture
def demo(_demo_snapshot, request):
    """The demo park in this test's database, from the snapshot (not built again). Ask
    for it before any fixture that writes rows: the snapshot's rows keep their ids.
    Works for `django_db` and `django_db(transaction=True)` tests alike."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from oasis.demo.generator import demo_park_get

    request.getfixturevalue("_django_db_helper")
    stdout, rows = _demo_snapshot
    with transaction.atomic(), connection.cursor() as cur:
        # One transaction: the foreign keys are checked at its end, whatever the order.
        for sql, params in rows:
            cur.executemany(sql, params)
        for sql in connection.ops.sequence_reset_sql(no_style(), _demo_models()):
            cur.execute(sql)
    return Demo(stdout, demo_park_get())


# --- the console command, in process --------------------------------------------------


@pytest.fixture
def oasis_cli(monkeypatch):
    """Runs `oasis ARGS…` through its real entry point (`oasis.__main__.main`: argument
    parsing, the command, a CommandError turned into a message on stderr and an exit
    status) in this process, so a test pays no interpreter start and Django set-up (~3 s
    of CPU each). Returns (exit status, stdout, stderr)."""
    import io
    import sys
    from contextlib import redirect_stderr, redirect_stdout

    import django

    from oasis.__main__ import main

    # Django is set up already; setting it up again would reconfigure logging onto this
    # test's captured stderr.
    monkeypatch.setattr(django, "setup", lambda *args, **kwargs: None)

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "argv", ["oasis", *args])
        status = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        return status, out.getvalue(), err.getvalue()

    return run


# --- browser tests ----------------------------------------------------------------------

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium_path() -> str | None:
    import shutil

    return next((p for p in CHROMIUM_PATHS if os.path.exists(p)), None) or shutil.which("chromium")


@pytest.fixture(scope="session")
def _chromium(live_server):
    """One chromium (and one Playwright driver) per test process, started by the first
    browser test: launching them costs ~1 s of CPU and ~2 s of wall time a test. Each test
    gets a fresh browser context (its own cookies, storage and cache) in `browser_page`.

    Playwright's sync API marks its event loop as running in this thread while it is
    started. Between browser tests the mark is taken off, so the other tests of the
    process run exactly as without a browser (Django's async-safety checks, async_to_sync);
    `browser_page` puts it back for its test. It closes before the live server stops (it
    depends on it): the server's threads, and their database connections, end with the
    browser's connections, before the test database is dropped."""
    import asyncio

    path = _chromium_path()
    if path is None:
        yield None
        return
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    playwright = manager.start()
    browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    loop = asyncio.get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield browser, loop
    finally:
        asyncio._set_running_loop(loop)
        try:
            browser.close()
        finally:
            manager.__exit__(None, None, None)
            asyncio._set_running_loop(None)


@pytest.fixture
def browser_page(_chromium, live_server, settings, monkeypatch):
    """A Playwright page in Debian's chromium, in a browser context of its own. Locally
    the test skips when chromium is missing; in CI (CI=true) that is a failure, since CI
    installs it."""
    import asyncio

    if _chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium); none found")
    browser, loop = _chromium

    # The live server's static handler serves files only with DEBUG on, as in development.
    settings.DEBUG = True
    # Playwright's event loop counts as running in this thread during the test; the ORM
    # calls the test makes around it are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    asyncio._set_running_loop(loop)
    try:
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.base_url = live_server.url  # type: ignore[attr-defined]
            yield page
        finally:
            context.close()
    finally:
        asyncio._set_running_loop(None)
