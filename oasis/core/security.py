"""Security headers and request limits that Django 5.2 does not ship.

`RequestSizeLimitMiddleware` refuses an oversized body from its Content-Length, before
reading it. `ContentSecurityPolicyMiddleware` sends the `SECURE_CSP` policy (the shape Django 6's
built-in middleware reads: directive -> list of sources) on every response that does not
set its own. Scripts come only from our own static files: no inline script, no inline
event handler, no eval, so an escaping bug in a template or a chart cannot run script.
Styles keep 'unsafe-inline': ECharts writes its tooltips with style attributes and a few
pages carry a <style> block; a style cannot run script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

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


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than settings.REQUEST_MAX_BYTES from its declared
    Content-Length, before a byte of it is read (413), and a body without a length
    (chunked), which Django would not read anyway (411). The proxy has the same limit
    (nginx client_max_body_size); this one holds where no proxy stands in front.
    Form fields are bounded further by DATA_UPLOAD_MAX_MEMORY_SIZE, files by each
    form's own limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        limit = int(settings.REQUEST_MAX_BYTES)
        if not declared:
            chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
            if chunked:
                return _refusal(request, 411, gettext("请求须注明内容长度（Content-Length）。"))
            return self.get_response(request)
        try:
            length = int(declared)
        except ValueError:
            return _refusal(request, 400, gettext("内容长度（Content-Length）无效。"))
        if length < 0:
            return _refusal(request, 400, gettext("内容长度（Content-Length）无效。"))
        if length > limit:
            message = gettext("上传内容过大：上限 %(mb)s MB。") % {"mb": f"{limit / 1024 / 1024:g}"}
            return _refusal(request, 413, message)
        return self.get_response(request)


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "fields": {}}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
