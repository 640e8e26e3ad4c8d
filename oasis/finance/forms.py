"""Forms check shape only; the services check the rules and their errors show here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import formfield
from oasis.core.forms import DATE_INPUT, ServiceModelForm
from oasis.enterprises.models import AnnualFigure, FocusIndustry

from . import services
from .models import FIGURE_FIELDS, FinanceProduct, FinancingNeed, Institution, Match, Stage


class NeedForm(forms.ModelForm):
    class Meta:
        model = FinancingNeed
        formfield_callback = formfield
        fields = ["amount", "purpose", "needed_by", "term_months", "consent"]
        widgets = {"needed_by": DATE_INPUT}


class OutcomeForm(forms.Form):
    match = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("进展"), choices=Match.Outcome.choices)
    funded_amount = forms.DecimalField(
        label=_("放款金额（元）"), min_value=0, required=False, decimal_places=2
    )


class InstitutionForm(ServiceModelForm):
    class Meta:
        model = Institution
        formfield_callback = formfield
        fields = ["name", "kind", "contact"]


class ProductForm(ServiceModelForm):
    """Targets are lists; none ticked means "any"."""

    stages = forms.MultipleChoiceField(
        label=_("目标阶段"),
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即不限。"),
    )
    industries = forms.MultipleChoiceField(
        label=_("目标产业"),
        choices=FocusIndustry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即不限。"),
    )
    required_figures = forms.MultipleChoiceField(
        label=_("须报送的数据"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FinanceProduct
        formfield_callback = formfield
        fields = [*services.PRODUCT_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        figures = self.fields["required_figures"]
        assert isinstance(figures, forms.ChoiceField)
        labels = {f.name: f.verbose_name for f in AnnualFigure._meta.concrete_fields}
        figures.choices = [(f, labels[f]) for f in FIGURE_FIELDS]
