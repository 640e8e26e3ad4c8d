"""The REST API: django-ninja, one router per app under /api/v1/<app>/, OpenAPI docs at
/api/docs. One error shape everywhere: {"detail": ..., "fields": {...}}."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from oasis.accounts.services import api_token_authenticate
from oasis.core.validation import error_fields


def _docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs and the schema: public in development, behind login in production
    (settings.API_DOCS_PUBLIC, read per request)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


class TokenAuth(HttpBearer):
    """Personal tokens: `Authorization: Bearer oas_…` (stored hashed)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Oasis API",
    version="1",
    description="绿洲园区运营平台 REST API. Session (with CSRF) or personal bearer token.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=_docs_access,
    # Token first: a request that carries a bearer token is not a browser session and
    # must not be put through the session CSRF check.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _loc_name(loc: list[Any]) -> str:
    # ninja reports ("body", "payload", "uscc"); the field is the last named part.
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "filters")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def _ninja_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_loc_name(list(err.get("loc", []))), []).append(err.get("msg", "invalid"))
    return api.create_response(request, {"detail": "Invalid input.", "fields": fields}, status=400)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Invalid input.", "fields": error_fields(exc)}, status=400
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Permission denied.", "fields": {}}, status=403
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found.", "fields": {}}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required.", "fields": {}}, status=401
    )


api.add_router("/v1/parks/", "oasis.parks.api.router")
api.add_router("/v1/enterprises/", "oasis.enterprises.api.router")
api.add_router("/v1/cultivation/", "oasis.cultivation.api.router")
api.add_router("/v1/leasing/", "oasis.leasing.api.router")
api.add_router("/v1/attraction/", "oasis.attraction.api.router")
api.add_router("/v1/sharing/", "oasis.sharing.api.router")
# Finance and events have their own apps; their endpoints stay where they have always been.
api.add_router("/v1/sharing/", "oasis.finance.api.router")
api.add_router("/v1/sharing/", "oasis.events.api.router")
api.add_router("/v1/tickets/", "oasis.tickets.api.router")
api.add_router("/v1/portal/", "oasis.portal.api.router")
