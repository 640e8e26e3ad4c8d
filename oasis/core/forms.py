"""Showing a service's ValidationError on the form that called it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .identifiers import normalize_uscc
from .validation import error_fields

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServiceModelForm(forms.ModelForm[Any]):
    """A model form whose cleaned data a service saves. It checks each field's shape
    (type, choices, length, the model field's validators) and nothing across fields: the
    model's constraints and the domain rules run once, in the service, whose errors
    (pinned to their fields) add_service_errors shows, so a page and the API give the
    same errors. The instance is not touched."""

    def _post_clean(self) -> None:  # ModelForm would construct and full_clean() the instance here
        pass


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's (multiple) model choice field `name`, typed: forms narrow its queryset to
    what the user may pick once they know the user."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field


def field_label(form: forms.BaseForm, field: str) -> str | None:
    """What people call a field the service named but the form does not show: the form's
    `service_labels` entry, else the verbose name on the form's model (a ModelForm's, or
    the form's `service_model`); None when nothing names it."""
    labels = getattr(form, "service_labels", {})
    if field in labels:
        return str(labels[field])
    meta = getattr(form, "_meta", None)
    model = getattr(meta, "model", None) or getattr(form, "service_model", None)
    if model is None:
        return None
    try:
        verbose = getattr(model._meta.get_field(field), "verbose_name", None)
    except FieldDoesNotExist:
        return None
    return capfirst(str(verbose)) if verbose else None


def form_errors_text(form: forms.BaseForm) -> str:
    """A form's errors as one sentence for a flash message or a plain-text answer, each
    led by its field's label."""
    parts = []
    for field, msgs in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for msg in msgs:
            parts.append(f"{label}{_('：')}{msg}" if label else str(msg))
    return " ".join(parts)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Errors on fields the form shows go on those fields; the rest go on top, led by the
    field's label (never its raw name) when it has one."""
    for field, msgs in error_fields(exc).items():
        if field in form.fields and field != NON_FIELD_ERRORS:
            for msg in msgs:
                form.add_error(field, msg)
            continue
        label = field_label(form, field) if field != NON_FIELD_ERRORS else None
        for msg in msgs:
            form.add_error(None, f"{label}{_('：')}{msg}" if label else msg)


class UsccField(forms.CharField):
    """A unified social credit code as people type it: full-width characters, spaces and
    group hyphens are folded away before the length and check characters are verified."""

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        # Blank stays the field's empty value (None where the column is nullable).
        return normalize_uscc(text) or self.empty_value if text else text
