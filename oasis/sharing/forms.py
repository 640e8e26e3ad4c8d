"""Forms check shape only; the services check the rules and their errors show here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oasis.accounts.models import User
from oasis.core.fields import formfield
from oasis.core.forms import ServiceModelForm, model_choice
from oasis.enterprises.models import Enterprise

from . import services
from .models import (
    Offering,
    Resource,
)

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BookingForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    start = forms.TimeField(label=_("开始"), widget=TIME)
    end = forms.TimeField(label=_("结束"), widget=TIME)
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        day, start, end = (self.cleaned_data[k] for k in ("day", "start", "end"))
        end_day = day + dt.timedelta(days=1) if end == dt.time(0) else day
        return dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(
            end_day, end, tzinfo=tz
        )


class StaffBookingForm(BookingForm):
    """An operator books on behalf of one of the park's firms."""

    enterprise = forms.ModelChoiceField(label=_("预约企业"), queryset=Enterprise.objects.none())
    field_order = ["enterprise", "day", "start", "end", "purpose"]

    def __init__(self, *args: Any, firms: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "enterprise").queryset = firms


class ResourceForm(ServiceModelForm):
    class Meta:
        model = Resource
        formfield_callback = formfield
        fields = [*services.RESOURCE_FIELDS]
        widgets = {"opens_at": TIME, "closes_at": TIME}


class OfferingForm(ServiceModelForm):
    class Meta:
        model = Offering
        formfield_callback = formfield
        fields = [*services.OFFERING_FIELDS]


class CertificationForm(forms.Form):
    user = forms.ModelChoiceField(label=_("人员"), queryset=User.objects.none())
    certified_on = forms.DateField(label=_("认证日期"), widget=DATE)
    expires_on = forms.DateField(label=_("有效期至"), widget=DATE)

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "user").queryset = users


class UsageForm(forms.Form):
    used_minutes = forms.IntegerField(
        label=_("实际使用（分钟）"), min_value=0, max_value=1440, required=False
    )


class RequestForm(forms.Form):
    offering = forms.ModelChoiceField(label=_("服务"), queryset=Offering.objects.none())
    title = forms.CharField(label=_("需求"), min_length=2, max_length=120)
    detail = forms.CharField(
        label=_("详细说明"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, offerings: QuerySet[Offering], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "offering").queryset = offerings


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none())

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "assignee").queryset = users


class DeliverForm(forms.Form):
    note = forms.CharField(label=_("交付说明"), widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.DecimalField(label=_("计费数量"), min_value=0, initial=1, decimal_places=2)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"), choices=[(i, "★" * i) for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("评价"), max_length=300, required=False)
