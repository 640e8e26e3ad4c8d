"""Turning Django's ValidationError into the one error shape pages and API share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_fields(exc: ValidationError) -> dict[str, list[str]]:
    """{"field": ["message", …]}; errors not tied to a field go under "__all__"."""
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD_ERRORS if k == NON_FIELD_ERRORS else k): [
                str(m) for e in v for m in e.messages
            ]
            for k, v in exc.error_dict.items()
        }
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def merge(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_order(
    errors: dict[str, list[str]], low: Any, high: Any, field: str, message: str
) -> None:
    """A range's upper end not below its lower end (when both are given): else `message`
    on `field`, the upper end's."""
    if low is not None and high is not None and high < low:
        errors[field] = [message]
