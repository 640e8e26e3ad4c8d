"""Security headers and request limits that Django 5.2 does not ship.

`ContentSecurityPolicyMiddleware` sends the `SECURE_CSP` policy (the shape Django 6's
built-in middleware reads: directive -> list of sources) on every response that does not
set its own. Scripts come only from our own static files: no inline script, no inline
event handler, no eval, so an escaping bug in a template or a chart cannot run script.
Styles keep 'unsafe-inline': ECharts writes its tooltips with style attributes and a few
pages carry a <style> block; a style cannot run script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SELF = "'self'"
NONE = "'none'"
UNSAFE_INLINE = "'unsafe-inline'"

# The policy of every page (settings.SECURE_CSP overrides it).
DEFAULT_POLICY: dict[str, list[str]] = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}


def csp_header_value(policy: dict[str, Any]) -> str:
    parts = []
    for directive, sources in policy.items():
        if sources is True or sources == []:
            parts.append(directive)
        elif sources:
            values = [sources] if isinstance(sources, str) else list(sources)
            parts.append(" ".join([directive, *values]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "SECURE_CSP", DEFAULT_POLICY)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp_header_value(policy)
        return response
