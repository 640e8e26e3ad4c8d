from typing import Any

from django import forms

from oasis.core.fields import formfield

from . import services
from .models import Building, Park, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParkForm(forms.ModelForm):
    class Meta:
        model = Park
        formfield_callback = formfield
        fields = [*services.PARK_FIELDS]
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
        formfield_callback = formfield
        fields = [*services.BUILDING_FIELDS]
        widgets = {"completed_on": DATE}


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        formfield_callback = formfield
        fields = ["floor", "code", "use", "area", "status", "occupants"]

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        floor = self.fields["floor"]
        assert isinstance(floor, forms.ModelChoiceField)
        floor.queryset = building.floors.order_by("-number")
        if self.instance.pk:
            floor.disabled = True
