from typing import Any

from django import forms

from .models import Building, Park, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParkForm(forms.ModelForm):
    class Meta:
        model = Park
        fields = [
            "name",
            "short_name",
            "city",
            "address",
            "opened_on",
            "description",
            "land_mu",
            "planned_floor_area",
            "target_enterprises",
            "target_jobs_min",
            "target_jobs_max",
            "target_output",
            "target_residents",
            "lease_day_count",
            "lease_billing_alignment",
        ]
        widgets = {"opened_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    LEASE_DEFAULTS = ("lease_day_count", "lease_billing_alignment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.LEASE_DEFAULTS:  # left out of a post: unchanged
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.LEASE_DEFAULTS:
            if not data.get(name):
                data[name] = getattr(self.instance, name)
        return data


class BuildingForm(forms.ModelForm):
    class Meta:
        model = Building
        fields = [
            "name",
            "code",
            "phase",
            "use",
            "floors_above",
            "gross_area",
            "status",
            "completed_on",
        ]
        widgets = {"completed_on": DATE}


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["floor", "code", "use", "area", "status", "occupants"]

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        floor = self.fields["floor"]
        assert isinstance(floor, forms.ModelChoiceField)
        floor.queryset = building.floors.order_by("-number")
        if self.instance.pk:
            floor.disabled = True
