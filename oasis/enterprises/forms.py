"""Forms check shape; the services check the rules and their errors land on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import formfield
from oasis.core.forms import UsccField, model_choice
from oasis.parks.models import Park, Unit

from . import services
from .models import AnnualFigure, Contact, Enterprise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseForm(forms.ModelForm):
    """The staff form. `park` is offered only among parks the user may change."""

    park = forms.ModelChoiceField(label=_("园区"), queryset=Park.objects.none())
    units = forms.ModelMultipleChoiceField(
        label=_("园区地址（单元）"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")

    class Meta:
        model = Enterprise
        formfield_callback = formfield
        fields = ["park", *services.STAFF_EDITABLE, "units"]
        widgets = {
            "founded_on": DATE,
            "settled_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"industry_code": _("GB/T 4754-2017 代码，如 3976 或 C")}
        field_classes = {"uscc": UsccField}

    def __init__(
        self, *args: Any, parks: QuerySet[Park], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "park").queryset = parks
        model_choice(self, "units").queryset = units
        if self.instance.pk:
            # Moving a firm between parks is not an edit of its file.
            self.fields["park"].disabled = True

    def _post_clean(self) -> None:
        # Model validation runs in the service (one place for rules), not here.
        pass


class MemberEnterpriseForm(forms.ModelForm):
    """What an enterprise member may change in their own file."""

    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")

    class Meta:
        model = Enterprise
        formfield_callback = formfield
        fields = ["legal_representative", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self) -> None:
        pass


class FigureForm(forms.ModelForm):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)

    class Meta:
        model = AnnualFigure
        formfield_callback = formfield
        fields = ["year", *AnnualFigure.FIGURE_FIELDS]

    def _post_clean(self) -> None:
        pass


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        formfield_callback = formfield
        fields = ["name", "title", "phone", "email", "is_primary"]

    def _post_clean(self) -> None:
        pass
