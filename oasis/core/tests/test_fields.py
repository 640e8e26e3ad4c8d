"""Money and count fields: the columns they make and what their form fields accept."""

from decimal import Decimal

import pytest
from django import forms
from django.db import models

from oasis.core.fields import (
    NONNEGATIVE,
    AmountField,
    CountFormField,
    MoneyFormField,
    count_field,
    formfield,
    money_field,
)


@pytest.mark.parametrize(
    "typed, value",
    [
        ("21,147,000", Decimal("21147000")),
        ("21，147，000.50", Decimal("21147000.50")),
        ("２１１４７０００", Decimal("21147000")),
        (" 21 147 000 ", Decimal("21147000")),
        ("0.5", Decimal("0.5")),
    ],
)
def test_money_accepts_what_ledgers_write(typed, value):
    field = MoneyFormField(required=False)
    assert field.clean(typed) == value


@pytest.mark.parametrize("typed", ["-1", "abc", "1.234", "1,2,3e5x", "123456789012345"])
def test_money_refuses_negative_garbage_and_too_many_digits(typed):
    with pytest.raises(forms.ValidationError):
        MoneyFormField().clean(typed)


def test_count_accepts_groups_and_refuses_fractions_and_negatives():
    field = CountFormField(max_value=500_000)
    assert field.clean("1,200") == 1200
    assert field.clean("１２") == 12
    for bad in ["1.5", "-3", "600,000"]:
        with pytest.raises(forms.ValidationError):
            field.clean(bad)


def test_form_fields_use_a_text_input_the_browser_lets_commas_through():
    widget = MoneyFormField().widget
    assert isinstance(widget, forms.TextInput) and not isinstance(widget, forms.NumberInput)
    assert widget.attrs["inputmode"] == "decimal" and "step" not in widget.attrs
    assert CountFormField().widget.attrs["inputmode"] == "numeric"


def test_model_helpers_and_the_modelform_callback():
    money = money_field("金额", max_digits=16)
    assert (money.max_digits, money.decimal_places, money._validators) == (16, 2, NONNEGATIVE)
    assert count_field("人数").get_internal_type() == "PositiveIntegerField"
    field = formfield(money)
    assert isinstance(field, AmountField)
    assert field.clean("1,234.50") == Decimal("1234.50")
    assert (field.max_digits, field.decimal_places) == (16, 2)
    assert isinstance(formfield(count_field("人数")), CountFormField)
    year = models.PositiveSmallIntegerField("年度")
    assert type(formfield(year)) is forms.IntegerField  # small numbers keep a number input
