"""Probes, metrics, request ids and logs: what operators and their machines rely on."""

import json
import logging

import pytest
from django.db import DatabaseError

from oasis.core import probes as views
from oasis.core.observability import JsonFormatter, LogContextFilter, redact


def test_healthz_answers_without_the_database(client):
    # No db fixture: any query would raise "Database access not allowed".
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_cache_and_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
        "failed": [],
    }


@pytest.mark.django_db
def test_readyz_names_what_failed_with_503(client, monkeypatch):
    def down() -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setitem(views.READINESS_CHECKS, "database", down)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["failed"] == ["database"]
    assert r.json()["checks"]["database"] == "error: DatabaseError"
    assert r.json()["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_metrics_are_hidden_without_the_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    r = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    assert r.status_code == 200
    body = r.content.decode()
    assert "oasis_workers_alive 0.0" in body
    assert "python_info" in body  # the default process collectors


def test_request_id_is_made_or_propagated(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="edge-42.abc")["X-Request-ID"] == "edge-42.abc"
    # An id that could forge log lines is replaced, not echoed.
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" injected\nline')["X-Request-ID"]
    assert forged != 'x" injected\nline' and len(forged) == 32


def test_request_log_is_json_with_the_id_and_no_token(client, caplog):
    caplog.set_level(logging.INFO, logger="oasis.request")
    client.get(
        "/portal/members/activate/MTI/c1x2y3-0123456789abcdef/?token=abc", HTTP_X_REQUEST_ID="rq-1"
    )
    record = next(r for r in caplog.records if r.name == "oasis.request")
    LogContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["http"]["path"] == "/portal/members/activate/[redacted]/"
    assert line["http"]["status"] in (200, 302, 404)
    assert "c1x2y3" not in json.dumps(line) and "abc" not in line["message"]
    assert line["logger"] == "oasis.request" and set(line) >= {"ts", "level", "request_id"}


def test_redact_removes_tokens_wherever_they_appear():
    assert redact("GET /portal/members/activate/MTI/abc-123/ HTTP/1.1") == (
        "GET /portal/members/activate/[redacted]/ HTTP/1.1"
    )
    assert redact("Authorization: Bearer oas_AbC123_x") == "Authorization: Bearer [redacted]"
    assert redact("token oas_AbC123_x leaked") == "token oas_[redacted] leaked"
    assert redact("/x/?page=2&token=zzz&q=1") == "/x/?page=2&token=[redacted]&q=1"
    assert redact("/accounts/reset/MQ/set-password/") == "/accounts/reset/[redacted]/"


def test_log_records_carry_the_request_id_and_are_redacted():
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "link %s", ("/activate/a/b/",), None
    )
    LogContextFilter().filter(record)
    assert record.getMessage() == "link /activate/[redacted]/"
    assert record.request_id == "-"
