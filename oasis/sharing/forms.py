"""Forms check shape only; the services check the rules and their errors show here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oasis.accounts.models import User

from .models import Event, FinancingNeed, Match, Offering, Resource, Showcase

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


class BookingForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    start = forms.TimeField(label=_("开始"), widget=TIME)
    end = forms.TimeField(label=_("结束"), widget=TIME)
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        day, start, end = (self.cleaned_data[k] for k in ("day", "start", "end"))
        end_day = day + dt.timedelta(days=1) if end == dt.time(0) else day
        return dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(end_day, end, tzinfo=tz)


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["name", "location", "opens_at", "closes_at", "open_weekdays", "slot_minutes", "min_minutes",
                  "max_minutes", "lead_hours", "approval_required", "training_required", "monthly_quota_hours",
                  "cancel_hours", "is_active"]
        widgets = {"opens_at": TIME, "closes_at": TIME}


class OfferingForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = ["share", "name", "operator", "description", "audience", "delivery", "request_kind", "price_unit",
                  "price_resident", "price_outside", "free_quota", "is_active"]


class CertificationForm(forms.Form):
    user = forms.ModelChoiceField(label=_("人员"), queryset=User.objects.none())
    certified_on = forms.DateField(label=_("认证日期"), widget=DATE)
    expires_on = forms.DateField(label=_("有效期至"), widget=DATE)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class UsageForm(forms.Form):
    used_minutes = forms.IntegerField(label=_("实际使用（分钟）"), min_value=0, max_value=1440, required=False)


class RequestForm(forms.Form):
    offering = forms.ModelChoiceField(label=_("服务"), queryset=Offering.objects.none())
    title = forms.CharField(label=_("需求"), min_length=2, max_length=120)
    detail = forms.CharField(label=_("详细说明"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, offerings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = offerings


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none())

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users


class DeliverForm(forms.Form):
    note = forms.CharField(label=_("交付说明"), widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.DecimalField(label=_("计费数量"), min_value=0, initial=1, decimal_places=2)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评分"), choices=[(i, "★" * i) for i in range(5, 0, -1)], coerce=int)
    comment = forms.CharField(label=_("评价"), max_length=300, required=False)


class NeedForm(forms.ModelForm):
    class Meta:
        model = FinancingNeed
        fields = ["amount", "purpose", "needed_by", "term_months", "consent"]
        widgets = {"needed_by": DATE}


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("进展"), choices=Match.Outcome.choices)
    funded_amount = forms.DecimalField(label=_("放款金额（元）"), min_value=0, required=False, decimal_places=2)


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "kind", "starts_at", "ends_at", "venue", "capacity", "description"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class ShowcaseForm(forms.ModelForm):
    class Meta:
        model = Showcase
        fields = ["headline", "body", "products"]
