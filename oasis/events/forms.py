"""Forms check shape only; the services check the rules and their errors show here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import formfield
from oasis.core.forms import DATETIME_INPUT, ServiceModelForm, model_choice
from oasis.sharing.models import Offering

from .models import Event, Showcase


class EventForm(ServiceModelForm):
    class Meta:
        model = Event
        formfield_callback = formfield
        fields = [
            "title",
            "kind",
            "offering",
            "starts_at",
            "ends_at",
            "venue",
            "capacity",
            "description",
        ]
        widgets = {"starts_at": DATETIME_INPUT, "ends_at": DATETIME_INPUT}
        labels = {"offering": _("所属服务")}

    def __init__(self, *args: Any, offerings: QuerySet[Offering], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "offering").queryset = offerings
        self.fields["offering"].required = False


class ShowcaseForm(forms.ModelForm):
    class Meta:
        model = Showcase
        formfield_callback = formfield
        fields = ["headline", "body", "products"]


class RegistrationActionForm(forms.Form):
    """Which registration a cancel or check-in button is about."""

    registration = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
