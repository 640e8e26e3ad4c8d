"""Forms check shape; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oasis.accounts.models import User
from oasis.core.forms import model_choice
from oasis.sharing.models import Delivery, Offering

from .models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (the service checks type and size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.docx"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


FILES_HELP = _("可选，PDF / PNG / JPG / XLSX / DOCX，单个文件不超过 10 MB，最多 5 个。")


class AttachmentsForm(forms.Form):
    """A form whose last field is its attachments. That field is called `files`, the name
    a form keeps its uploaded files under, so it is added per form rather than declared."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"] = MultipleFileField(label=_("附件"), help_text=FILES_HELP)


class TicketForm(AttachmentsForm):
    """One form for every request: a question, a repair or a catalogue service (which
    names its offering and quantity)."""

    category = forms.ChoiceField(label=_("类型"), choices=Category.choices)
    offering = forms.ModelChoiceField(
        label=_("共享服务"),
        queryset=Offering.objects.none(),
        required=False,
        help_text=_("类型为“共享服务申请”时必选。"),
    )
    quantity = forms.DecimalField(
        label=_("数量"),
        min_value=Decimal("0.01"),
        max_value=Decimal("9999"),
        decimal_places=2,
        initial=Decimal("1"),
        required=False,
        help_text=_("按服务的计价单位（小时或次）。"),
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("问题描述"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, park_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "offering").queryset = Offering.objects.filter(
            park_id=park_id, delivery=Delivery.REQUEST, is_active=True
        ).order_by("share", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == Category.CATALOGUE and not data.get("offering"):
            self.add_error("offering", _("请选择要申请的共享服务。"))
        return data


class ReplyForm(AttachmentsForm):
    body = forms.CharField(
        label=_("回复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    body = forms.CharField(
        label=_("处理结果"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.DecimalField(
        label=_("计费数量"),
        min_value=Decimal("0.01"),
        max_value=Decimal("9999"),
        decimal_places=2,
        required=False,
        help_text=_("共享服务申请：实际交付的数量（计入月度账单）。"),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("处理人"), queryset=User.objects.none())

    def __init__(self, *args: Any, handlers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "assignee").queryset = handlers


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, f"{n} ★") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("评价（可选）"), max_length=500, required=False)


class ReopenForm(forms.Form):
    body = forms.CharField(
        label=_("仍未解决的问题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
