"""Showing a service's ValidationError on the form that called it."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .validation import error_fields


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Errors on fields the form shows go on those fields; the rest go on top."""
    for field, msgs in error_fields(exc).items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        for msg in msgs:
            form.add_error(
                target, msg if target else (f"{field}: {msg}" if field != NON_FIELD_ERRORS else msg)
            )
