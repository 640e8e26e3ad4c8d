"""Money, area, rate and count fields, defined once: the model columns and the form fields
that read what people type.

The model helpers return plain Django fields (no subclass), so using one changes no
column and no migration: a field keeps its own digits where its table already has them.
The form fields read amounts as ledgers write them: digit groups ("21,147,000",
"21，147，000", "21 147 000") and full-width digits ("２１１４７０００") are accepted,
then the usual decimal validation applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_stubs_ext import StrOrPromise

# Sanity ceilings: a figure above these is a typo (an extra zero or two), not a firm.
MAX_MONEY = Decimal("1000000000000")  # ¥1 trillion
MAX_HEADCOUNT = 500_000

NONNEGATIVE = [MinValueValidator(Decimal("0"))]
#: A reported money figure: not negative, and below the typo ceiling.
MONEY_RANGE = [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONEY)]
#: A reported head count: below the typo ceiling.
COUNT_RANGE = [MaxValueValidator(MAX_HEADCOUNT)]


def _two_places(
    verbose_name: StrOrPromise, max_digits: int, validators: Iterable[Any], **kwargs: Any
) -> models.DecimalField[Any, Any]:
    return models.DecimalField(
        verbose_name, max_digits=max_digits, decimal_places=2, validators=list(validators), **kwargs
    )


def money_field(
    verbose_name: StrOrPromise,
    *,
    max_digits: int = 14,
    validators: Iterable[Any] = NONNEGATIVE,
    **kwargs: Any,
) -> models.DecimalField[Any, Any]:
    """An amount in yuan (two decimals), not negative unless `validators=()`."""
    return _two_places(verbose_name, max_digits, validators, **kwargs)


def figure_field(
    verbose_name: StrOrPromise, *, validators: Iterable[Any] = ()
) -> models.DecimalField[Any, Any]:
    """A reported yearly figure in yuan: up to 16 digits, blank when not reported (never
    read as zero)."""
    return _two_places(verbose_name, 16, validators, null=True, blank=True)


def area_field(
    verbose_name: StrOrPromise,
    *,
    max_digits: int = 12,
    validators: Iterable[Any] = NONNEGATIVE,
    **kwargs: Any,
) -> models.DecimalField[Any, Any]:
    """A floor or land area (㎡ or 亩, two decimals), not negative unless told."""
    return _two_places(verbose_name, max_digits, validators, **kwargs)


def count_field(
    verbose_name: StrOrPromise,
    *,
    validators: Iterable[Any] = (),
    **kwargs: Any,
) -> models.PositiveIntegerField[Any, Any]:
    """A count of people or things (never negative)."""
    return models.PositiveIntegerField(verbose_name, validators=list(validators), **kwargs)


# --- forms ---------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")
_GROUPS = str.maketrans("", "", ",，  \u202f'")


def plain_number(value: Any) -> Any:
    """'21,147,000' → '21147000'; full-width digits → ASCII; anything else unchanged."""
    if isinstance(value, str):
        return value.translate(_FULL_WIDTH).translate(_GROUPS).strip()
    return value


def _text_widget(widget: forms.Widget | type[forms.Widget], inputmode: str) -> forms.Widget:
    # A number input would refuse "21,147,000" in the browser before we see it.
    if isinstance(widget, type):
        widget = widget()
    if isinstance(widget, forms.NumberInput):
        attrs = {k: v for k, v in widget.attrs.items() if k not in ("step", "min", "max")}
        widget = forms.TextInput(attrs=attrs)
    widget.attrs.setdefault("inputmode", inputmode)
    return widget


class AmountField(forms.DecimalField):
    """A decimal people type with digit groups or full-width digits."""

    inputmode = "decimal"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget = _text_widget(self.widget, self.inputmode)

    def to_python(self, value: Any) -> Any:  # a Decimal or None
        return super().to_python(plain_number(value))


class MoneyFormField(AmountField):
    """An amount in yuan: two decimals, not negative."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(*args, **kwargs)


class CountFormField(forms.IntegerField):
    """A whole number people type with digit groups or full-width digits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, **kwargs)
        self.widget = _text_widget(self.widget, "numeric")

    def to_python(self, value: Any) -> int | None:
        return super().to_python(plain_number(value))


def formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: decimal and count columns get the form fields
    above (their digits, places and validators still come from the column; years and
    other small numbers keep a number input)."""
    if isinstance(field, models.DecimalField) and not field.choices:
        kwargs.setdefault("form_class", AmountField)
    elif isinstance(field, models.PositiveIntegerField) and not field.choices:
        kwargs.setdefault("form_class", CountFormField)
    return field.formfield(**kwargs)
