"""Hardening (issue 12, finding 11; tokens and API docs: accounts/tests/test_tokens.py):
a weak SECRET_KEY is refused and
`check --deploy` is clean with the documented production settings; an oversized body is
refused from its Content-Length before it is read; no token reaches a log line."""

from __future__ import annotations

import io
import logging

import pytest

from oasis.core.observability import LogContextFilter, TextFormatter
from oasis.core.tests.console import run_oasis

STRONG = "Vx7-q2LmPz9Rt4Kb8Wn3Jc6Hd1Fg5Ys0Ua-Ne2Mi7Oo4Tl9Qp3Zr8"
PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "oasis.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_COOKIES": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
}


class _Unreadable(io.RawIOBase):
    def read(self, *args):  # pragma: no cover - the test fails if this runs
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.django_db
def test_an_oversized_body_is_refused_before_it_is_read(settings, staff_client):
    settings.REQUEST_MAX_BYTES = 1000
    for path in ("/tickets/new/", "/api/v1/tickets/", "/leasing/import/"):
        r = staff_client.generic(
            "POST", path, b"", CONTENT_LENGTH="5000000", **{"wsgi.input": _Unreadable()}
        )
        assert r.status_code == 413, path
    r = staff_client.generic(
        "POST", "/api/v1/tickets/", b"", CONTENT_LENGTH="5000000", **{"wsgi.input": _Unreadable()}
    )
    assert r.json()["detail"].startswith("上传内容过大")
    r = staff_client.generic(
        "POST", "/tickets/new/", b"", CONTENT_LENGTH="abc", **{"wsgi.input": _Unreadable()}
    )
    assert r.status_code == 400
    r = staff_client.generic(
        "POST",
        "/tickets/new/",
        b"",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": _Unreadable()},
    )
    assert r.status_code == 411
    # Under the limit the request goes through as before.
    assert staff_client.post("/accounts/logout/").status_code == 302


def test_no_token_reaches_a_log_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(TextFormatter("%(name)s %(message)s"))
    log = logging.getLogger("django.server.test")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning('"%s" %s', "GET /portal/members/activate/MTI/c1x2-secret1/ HTTP/1.1", 302)
        log.warning(
            "redirect to %s",
            "/accounts/login/?next=%2Fportal%2Fmembers%2Factivate%2FMTI%2Fc1x2-secret2%2F",
        )
        try:
            raise ValueError("token oas_secret3 in /accounts/reset/MQ/secret4/")
        except ValueError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert "[redacted]" in out
    for secret in ("secret1", "secret2", "secret3", "secret4"):
        assert secret not in out, out


@pytest.mark.parametrize(
    "key",
    [
        "x",
        "x" * 60,
        "abcd" * 20,
        "django-insecure-" + "k3j4h5g6f7d8s9a0" * 3,
        "dev-only-insecure-key-do-not-use-in-production",
    ],
)
def test_a_weak_secret_key_is_refused_in_production(tmp_path, key):
    r = run_oasis({**PRODUCTION, "SECRET_KEY": key, "OASIS_VAR_DIR": str(tmp_path)}, "check")
    assert r.returncode != 0
    assert "SECRET_KEY is too weak" in r.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    r = run_oasis(
        {**PRODUCTION, "SECRET_KEY": STRONG, "OASIS_VAR_DIR": str(tmp_path)}, "check", "--deploy"
    )
    assert r.returncode == 0, r.stderr
    assert "System check identified no issues (0 silenced)." in r.stdout, r.stdout + r.stderr
    assert "WARNING" not in r.stdout + r.stderr
