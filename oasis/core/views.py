"""The loops every page runs, written once: render a page or the partial htmx asked for;
submit a form to a service; run a one-click action.

A service's ValidationError never escapes as a 500: a form shows it on its fields (or,
for fields the form does not show, on top, named by the field's label); a one-click
action flashes it and goes back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from .forms import add_service_errors

T = TypeVar("T")

#: Where a submitted form goes next: a URL (or URL name), or a function of what the
#: service returned giving one (`lambda lease: reverse("leasing:lease-detail", …)`).
Next = str | Callable[[Any], Any]
#: The success message: a sentence, or a function of what the service returned.
Message = str | Callable[[Any], str]


def htmx_target(request: HttpRequest) -> str | None:
    """The id of the element htmx will swap, or None for a full page (a normal request,
    or htmx restoring history, which needs the whole page back)."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return None
    target = htmx.target
    return target if isinstance(target, str) else None


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str = "results",
    status: int = 200,
) -> HttpResponse:
    """The full page, or only its `{% partialdef partial %}` when htmx asks to refresh the
    element with that id (a filter form swapping its results, a month calendar paging).
    The same URL answers both, so caches are told the answer varies on the htmx headers."""
    if htmx_target(request) == partial:
        template = f"{template}#{partial}"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _message(message: Message, result: Any) -> str:
    return message(result) if callable(message) else message


def _next(next: Next, result: Any) -> HttpResponse:
    return redirect(next(result) if callable(next) else next)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    success: Message,
    next: Next,
    template: str | None = None,
    context: Mapping[str, Any] | None = None,
    page: Callable[[int], HttpResponse] | None = None,
) -> HttpResponse:
    """The submit loop of a form page.

    On a POST whose form is valid, `save(cleaned_data)` calls the service; its
    ValidationError goes onto the form (`add_service_errors`); on success the `success`
    message is flashed and the browser is sent to `next`. Otherwise the page is rendered
    again, with status 400 when the form has errors: `template` with `context` plus
    `form`, or `page(status)` for a page that renders several forms itself.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _message(success, result))
            return _next(next, result)
    status = 400 if form.errors else 200
    if page is not None:
        return page(status)
    if template is None:
        raise TypeError("submit() needs a template or a page")
    return render_page(request, template, {**(context or {}), "form": form}, status=status)


def _flash_errors(request: HttpRequest, errors: list[str]) -> None:
    for msg in errors:
        messages.error(request, msg)


def act(request: HttpRequest, run: Callable[[], T], *, success: Message, next: str) -> HttpResponse:
    """A one-click action (a POST button): run the service, flash its outcome (each of its
    ValidationError's messages, or `success`) and go to `next` (a URL) either way."""
    try:
        result = run()
    except ValidationError as exc:
        _flash_errors(request, exc.messages)
    else:
        messages.success(request, _message(success, result))
    return redirect(next)


def act_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    success: Message,
    next: str,
) -> HttpResponse:
    """A small form posted from another page (an assignee, a grant): a valid form's data
    goes to `save`; the form's errors and the service's are flashed, else `success`; back
    to `next` (a URL or URL name) either way."""
    if form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _message(success, result))
            return redirect(next)
    _flash_errors(request, [str(msg) for msgs in form.errors.values() for msg in msgs])
    return redirect(next)
