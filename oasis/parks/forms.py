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
        ]
        widgets = {"opened_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}


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

    def __init__(self, *args: object, building: Building, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["floor"].queryset = building.floors.order_by("-number")
        if self.instance.pk:
            self.fields["floor"].disabled = True
