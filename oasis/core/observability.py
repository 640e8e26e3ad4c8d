"""What operators see of a running Oasis: a request id on every request and log line,
one JSON log line per request, and secrets kept out of every log.

The request id comes from the proxy's `X-Request-ID` when it sends a sane one (so one id
follows a request through nginx, gunicorn and the app) or is made here; it is echoed in
the response, so a user's error report can be found in the logs."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_log = logging.getLogger("oasis.request")

# Secrets that could reach a log line: one-time links (activation, password reset) carry
# their token in the path; API tokens start with "oas_"; a query string may carry a token.
_REDACTIONS = (
    (re.compile(r"(/(?:activate|reset)/)[^/\s\"?]+/[^/\s\"?]+"), r"\1[redacted]"),
    # The same link percent-encoded, as it travels in a `next=` query parameter.
    (
        re.compile(r"(?i)(%2F(?:activate|reset)%2F)[^%\s\"&]+%2F[^%\s\"&/]+"),
        r"\1[redacted]",
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"\boas_[A-Za-z0-9_-]+"), "oas_[redacted]"),
    (
        re.compile(r"(?i)([?&](?:token|key|password|secret|signature|x-amz-signature)=)[^&\s\"]*"),
        r"\1[redacted]",
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def current_request_id() -> str:
    return _request_id.get()


def request_id_set(value: str) -> contextvars.Token[str]:
    """Bind a request id to this context (a request, or a task run by a worker)."""
    return _request_id.set(value)


def request_id_reset(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


class RequestIdMiddleware:
    """First in the chain: every later log line of the request carries its id, and the
    request's own log line measures everything, the other middleware included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = rid
            _log_request(request, response.status_code, started)
            return response
        finally:
            _request_id.reset(token)


def _log_request(request: HttpRequest, status: int, started: float) -> None:
    level = logging.ERROR if status >= 500 else logging.INFO
    if not request_log.isEnabledFor(level):
        return
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    # The path only: query strings are where tokens travel, and they are not needed to
    # find a request again (the id is).
    request_log.log(
        level,
        "%s %s %s",
        request.method,
        redact(request.path),
        status,
        extra={
            "http": {
                "method": request.method,
                "path": redact(request.path),
                "route": match.route if match else None,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None),
                "remote_addr": request.META.get("REMOTE_ADDR"),
            }
        },
    )


class LogContextFilter(logging.Filter):
    """Puts the request id on every record and redacts secrets from its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        if record.args:
            try:
                record.msg = record.msg % record.args
                record.args = None
            except (TypeError, ValueError):
                pass
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


class TextFormatter(logging.Formatter):
    """The development format, redacted as a whole (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: what log shippers (Loki, Elasticsearch) read without a
    parser of ours."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", _request_id.get()),
            "message": redact(record.getMessage()),
        }
        http = getattr(record, "http", None)
        if http:
            entry["http"] = http
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
