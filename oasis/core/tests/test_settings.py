import runpy
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from oasis.core.tests.console import run_oasis

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = ROOT / "oasis" / "settings.py"


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    # A real process: the refusal happens while the settings load, before anything else.
    r = run_oasis({"DEBUG": "0", "OASIS_VAR_DIR": str(tmp_path)}, "check")
    assert r.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in r.stderr


KEY = "Vx7-q2LmPz9Rt4Kb8Wn3Jc6Hd1Fg5Ys0Ua-Ne2Mi7Oo4Tl9Qp3Zr8"  # strong: 50+, varied


def test_console_command_runs_with_a_key(tmp_path, monkeypatch, oasis_cli):
    """The settings as production loads them (DEBUG off, a key), and `oasis check` under
    them, in this process: the settings module is evaluated again with that environment,
    and what it sets differently from the test settings is applied for the check."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("OASIS_VAR_DIR", str(tmp_path))
    production = {k: v for k, v in runpy.run_path(str(SETTINGS)).items() if k.isupper()}
    assert production["DEBUG"] is False and production["SECRET_KEY"] == KEY
    assert "whitenoise" in production["STORAGES"]["staticfiles"]["BACKEND"]
    # The same apps and middleware: what differs can be applied without reloading apps.
    assert production["INSTALLED_APPS"] == settings.INSTALLED_APPS
    assert production["MIDDLEWARE"] == settings.MIDDLEWARE
    changed = {
        k: v
        for k, v in production.items()
        if k != "DATABASES" and getattr(settings, k, object()) != v
    }
    # (DEBUG is off in tests already.)
    assert {"SECRET_KEY", "STORAGES", "SESSION_COOKIE_SECURE"} <= changed.keys()
    with override_settings(**changed):
        status, out, err = oasis_cli("check")
    assert status == 0, err
    assert "System check identified no issues" in out
