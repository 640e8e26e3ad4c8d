"""Forms check shape; the services check the rules and their errors land on the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oasis.accounts.models import User
from oasis.core.fields import CountFormField, MoneyFormField, formfield
from oasis.core.forms import UsccField, model_choice
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park, Unit

from . import services
from .models import Activity, AttractionSettings, Lead, Partner, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

LEAD_FORM_FIELDS = services.LEAD_FIELDS


class PartnerChoiceField(forms.ModelChoiceField[Partner]):
    """A partner offered as「类型 · 名称」: people and institutions share a list."""

    def label_from_instance(self, obj: Partner) -> str:
        return f"{obj.get_kind_display()} · {obj.name}"


class LeadForm(forms.ModelForm):
    park = forms.ModelChoiceField(label=_("园区"), queryset=Park.objects.none())
    confirm_duplicates = forms.BooleanField(label=_("仍然保存（已确认不是重复）"), required=False)

    class Meta:
        model = Lead
        formfield_callback = formfield
        fields = ["park", *LEAD_FORM_FIELDS]
        widgets = {"need_timing": DATE, "negotiation_notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"industry_code": _("GB/T 4754-2017 代码，如 3670")}
        field_classes = {"partner": PartnerChoiceField, "uscc": UsccField}

    def __init__(
        self, *args: Any, parks: QuerySet[Park], show_confidential: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "park").queryset = parks
        model_choice(self, "partner").queryset = Partner.objects.filter(
            park__in=parks, active=True
        ).order_by("kind", "name")
        if self.instance.pk:
            self.fields["park"].disabled = True
        if parks.count() == 1 and not self.instance.pk and (only := parks.first()):
            self.fields["park"].initial = only.pk
        if not show_confidential:
            for name in Lead.CONFIDENTIAL_FIELDS:
                del self.fields[name]

    def lead_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in LEAD_FORM_FIELDS}

    def _post_clean(self) -> None:
        # Model validation runs in the service (one place for rules), not here.
        pass


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=Stage.choices)
    reason = forms.CharField(label=_("说明/流失原因"), max_length=200, required=False)


class ActivityForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[c for c in Activity.Kind.choices if c[0] != Activity.Kind.SYSTEM]
    )

    class Meta:
        model = Activity
        fields = ["kind", "body", "due_on"]
        widgets = {"due_on": DATE, "body": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self) -> None:
        pass


class AssignForm(forms.Form):
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("负责人"), queryset=None, required=False, empty_label=_("（退回公海）")
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "owner").queryset = users


class PartnerForm(forms.ModelForm):
    park = forms.ModelChoiceField(label=_("园区"), queryset=Park.objects.none())

    class Meta:
        model = Partner
        fields = ["park", "kind", "name", "organisation", "title", "phone", "note", "active"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, parks: QuerySet[Park], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "park").queryset = parks
        if self.instance.pk:
            self.fields["park"].disabled = True
        elif parks.count() == 1 and (only := parks.first()):
            self.fields["park"].initial = only.pk

    def _post_clean(self) -> None:
        pass


class SignForm(forms.Form):
    # The service checks the lead as well as this form: its errors name the lead's fields.
    service_model = Lead
    service_labels = {"commitments": _("年度承诺")}

    enterprise = forms.ModelChoiceField(
        label=_("关联已有企业"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=_("（新建企业档案）"),
        help_text=_("不选则按线索信息新建企业档案，状态为已签约。"),
    )
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    total_investment = MoneyFormField(label=_("协议投资总额（元）"), max_digits=16, required=False)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    units = forms.ModelMultipleChoiceField(
        label=_("起草租赁合同的单元（可选）"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("选择空置单元，签约时同时起草租赁合同（草稿，由租赁专员完善后生效）。"),
    )
    lease_start = forms.DateField(label=_("起租日"), widget=DATE, required=False)
    lease_years = forms.IntegerField(
        label=_("租期（年）"), min_value=1, max_value=20, initial=3, required=False
    )
    rent_rate = forms.DecimalField(
        label=_("租金单价（元/㎡/天）"),
        min_value=0,
        max_digits=12,
        decimal_places=4,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        enterprises: QuerySet[Enterprise],
        units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "enterprise").queryset = enterprises
        model_choice(self, "units").queryset = units
        self.fields["signed_on"].initial = dt.date.today


class CommitmentForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100, required=False)
    investment = MoneyFormField(label=_("投资（元）"), max_digits=16, required=False)
    output = MoneyFormField(label=_("产值（元）"), max_digits=16, required=False)
    tax = MoneyFormField(label=_("税收（元）"), max_digits=16, required=False)
    jobs = CountFormField(label=_("就业（人）"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        filled = any(data.get(k) is not None for k in ("investment", "output", "tax", "jobs"))
        if filled and data.get("year") is None:
            self.add_error("year", _("请填写年度。"))
        return data


CommitmentFormSet = forms.formset_factory(CommitmentForm, extra=5, max_num=10)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AttractionSettings
        fields = ["neglect_days", "claim_limit"]

    def _post_clean(self) -> None:
        pass


class ImportForm(forms.Form):
    park = forms.ModelChoiceField(label=_("园区"), queryset=Park.objects.none())
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("仅校验，不导入"), required=False, initial=True)
    confirm_duplicates = forms.BooleanField(label=_("存在疑似重复时仍然导入"), required=False)

    def __init__(self, *args: Any, parks: QuerySet[Park], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "park").queryset = parks
        if parks.count() == 1 and (only := parks.first()) is not None:
            self.fields["park"].initial = only.pk

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        return f
