"""Forms check shape (numbers, required fields); the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import MAX_HEADCOUNT, CountFormField, MoneyFormField, formfield
from oasis.core.forms import model_choice
from oasis.parks.models import Building

from . import services
from .models import Campaign, Notice, ReportValues, field_choices, field_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        formfield_callback = formfield
        fields = [*services.CAMPAIGN_FIELDS]
        widgets = {
            "opens_on": DATE,
            "due_on": DATE,
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"period": _("季度填 1–4，月份填 1–12，年报填 0。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's field is called `fields`, the name a form keeps its fields under, so
        # it is replaced here (same place in the form) rather than declared on the class.
        self.fields["fields"] = forms.MultipleChoiceField(
            label=_("填报指标"),
            choices=field_choices,
            widget=forms.CheckboxSelectMultiple,
        )

    def _post_clean(self) -> None:
        pass


class ReportForm(forms.Form):
    """The figures one campaign asks for, plus the explanation the checks may ask for."""

    explanation = forms.CharField(
        label=_("情况说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("数据波动较大或存在异常时，请说明原因。"),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        explanation = self.fields.pop("explanation")
        for name in campaign.fields:
            label = field_label(name)
            if name in ReportValues.MONEY_FIELDS:
                field: forms.Field = MoneyFormField(label=label, required=False, max_digits=16)
            else:
                field = CountFormField(label=label, required=False, max_value=MAX_HEADCOUNT)
            self.fields[name] = field
        self.fields["explanation"] = explanation
        self.figure_names = list(campaign.fields)

    def figures(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in self.figure_names}


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body", "audience_industry", "audience_building", "audience_tier"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, park_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "audience_building").queryset = Building.objects.filter(
            park_id=park_id
        ).order_by("code")
        self.fields["audience_industry"].help_text = _("留空表示全部企业。")

    def _post_clean(self) -> None:
        pass


class InviteForm(forms.Form):
    username = forms.RegexField(
        label=_("登录名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("登录名只能包含字母、数字和 @/./+/-/_。")},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
