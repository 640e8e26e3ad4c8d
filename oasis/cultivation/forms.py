"""Forms check shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet

from oasis.accounts.models import User
from oasis.core.fields import formfield
from oasis.core.forms import model_choice

from .models import (
    Award,
    DevelopmentScore,
    EquityFinancing,
    ExtraFigure,
    InnovationProfile,
    PoolEntry,
    Title,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InnovationProfileForm(forms.ModelForm):
    class Meta:
        model = InnovationProfile
        formfield_callback = formfield
        fields = [
            f.name
            for f in InnovationProfile._meta.concrete_fields
            if f.name not in ("id", "enterprise", "qualitative_by", "qualitative_at", "updated_at")
        ]


class TitleForm(forms.ModelForm):
    class Meta:
        model = Title
        formfield_callback = formfield
        fields = ("kind", "certificate_no", "valid_from", "valid_until")
        widgets = {"valid_from": _DATE, "valid_until": _DATE}


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        formfield_callback = formfield
        fields = ("name", "level", "year", "rank")


class EquityFinancingForm(forms.ModelForm):
    class Meta:
        model = EquityFinancing
        formfield_callback = formfield
        fields = ("year", "amount", "investor")


class DevelopmentScoreForm(forms.ModelForm):
    class Meta:
        model = DevelopmentScore
        formfield_callback = formfield
        fields = ("year", "score")


class ExtraFigureForm(forms.ModelForm):
    class Meta:
        model = ExtraFigure
        formfield_callback = formfield
        fields = ("year", "total_cost_expense", "st_staff")


#: kind in the URL -> (model, form, related name on Enterprise)
RECORD_KINDS: dict[str, tuple[type[models.Model], type[forms.ModelForm]]] = {
    "titles": (Title, TitleForm),
    "awards": (Award, AwardForm),
    "equity": (EquityFinancing, EquityFinancingForm),
    "scores": (DevelopmentScore, DevelopmentScoreForm),
    "extra": (ExtraFigure, ExtraFigureForm),
}


class PoolEntryForm(forms.ModelForm):
    class Meta:
        model = PoolEntry
        formfield_callback = formfield
        fields = ("enterprise", "target_tier", "target_year", "owner", "plan", "progress", "status")

    def __init__(
        self, *args: Any, enterprises: QuerySet[Any], owners: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "enterprise").queryset = enterprises
        model_choice(self, "owner").queryset = owners
        if self.instance.pk:
            self.fields["enterprise"].disabled = True
