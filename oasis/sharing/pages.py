"""The page pieces the shared-service apps have in common (sharing, finance, events):
which park a page shows, whether the reader manages it, and the one form page. Made to be
shared (like enterprises/panels.py): finance and events, which sit above sharing, use it.
Access follows sharing's scope (`selectors.park_for_user`, capability sharing.change)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oasis.accounts.http import AuthedHttpRequest
from oasis.core.filters import ParkFilter, parse_filters
from oasis.core.views import Message, Next, submit

from . import selectors


def ctx(request: AuthedHttpRequest, **extra: Any) -> dict[str, Any]:
    return {"nav": "sharing", **extra}


def park_from_request(request: AuthedHttpRequest) -> Any:
    """The park a page shows: ?park= (an id the user may see), else the user's first."""
    filters, _errors = parse_filters(ParkFilter, request.GET)
    return selectors.park_for_user(user=request.user, park_id=filters.park)


def managed_park(request: AuthedHttpRequest) -> Any:
    """The park a "new …" page creates in: ?park= (404 if unseen, 403 if read-only),
    else the first park the user may change."""
    filters, _errors = parse_filters(ParkFilter, request.GET)
    return selectors.managed_park_for_user(user=request.user, park_id=filters.park)


def park_page(
    request: AuthedHttpRequest, template: str, rows: Callable[[Any], dict[str, Any]]
) -> HttpResponse:
    """A page of one park's (?park=, else the user's first): `rows(park)` gives what it
    lists; the page knows whether the user manages the park."""
    park = park_from_request(request)
    return render(
        request,
        template,
        ctx(
            request,
            park=park,
            can_manage=selectors.can_manage(user=request.user, park_id=park.pk),
            **rows(park),
        ),
    )


def edit_target(
    request: AuthedHttpRequest, pk: int | None, get: Callable[..., Any]
) -> tuple[Any, Any, Any]:
    """What a create-or-change page works on: the object (None to create), its park (for
    a new one: ?park=, a park the user manages) and a fresh copy of it for the form (a
    form changes its instance; the service is given the object as it was)."""
    if pk is None:
        return None, managed_park(request), None
    obj = get(user=request.user, pk=pk)
    selectors.require_manage(user=request.user, park_id=obj.park_id)
    return obj, obj.park, type(obj).objects.get(pk=obj.pk)


def form_page(
    request: AuthedHttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    next: Next,
    back_url: str | None = None,
    success: Message | None = None,
) -> HttpResponse:
    """A form on the shared services' one form page, submitted to its service."""
    return submit(
        request,
        form,
        save,
        success=success or _("已保存。"),
        next=next,
        template="sharing/form.html",
        context=ctx(request, title=title, back_url=back_url),
    )
