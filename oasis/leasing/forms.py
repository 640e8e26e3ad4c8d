"""Forms check shape only; the services check the rules and their errors land here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oasis.core.forms import model_choice
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park, Unit

from .models import Alignment, Bill, Cycle, DayCount, Lease, RentBasis

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitsField(forms.ModelMultipleChoiceField[Unit]):
    """Units offered with their building, area and status."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.building.code}-{obj.code} · {obj.area} ㎡ · {obj.get_status_display()}"


class BillField(forms.ModelChoiceField[Bill]):
    def label_from_instance(self, obj: Bill) -> str:
        return bill_label(obj)


class LeaseForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("承租企业"), queryset=Enterprise.objects.none())
    units = UnitsField(
        label=_("单元"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    number = forms.CharField(
        label=_("合同编号"), max_length=40, required=False, help_text=_("留空自动编号")
    )
    start_date = forms.DateField(label=_("起租日"), widget=DATE)
    end_date = forms.DateField(label=_("到期日"), widget=DATE)
    rent_basis = forms.ChoiceField(
        label=_("计租方式"), choices=RentBasis.choices, initial=RentBasis.PER_SQM_DAY
    )
    rent_rate = forms.DecimalField(
        label=_("租金单价"),
        max_digits=12,
        decimal_places=4,
        help_text=_("元/㎡/天，或按月总价（元/月）"),
    )
    property_fee_rate = forms.DecimalField(
        label=_("物业费（元/㎡/月）"), max_digits=8, decimal_places=2, initial=Decimal("0")
    )
    deposit = forms.DecimalField(
        label=_("保证金（元）"), max_digits=14, decimal_places=2, initial=Decimal("0")
    )
    escalation_pct = forms.DecimalField(
        label=_("年递增率（%）"), max_digits=5, decimal_places=2, initial=Decimal("0")
    )
    escalation_every = forms.IntegerField(
        label=_("每几年递增一次"), min_value=1, max_value=50, initial=1, required=False
    )
    escalation_from = forms.IntegerField(
        label=_("自第几个租赁年度起递增"), min_value=2, max_value=50, initial=2, required=False
    )
    rent_steps = forms.CharField(
        label=_("阶梯租金"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "3: 2.50"}),
        help_text=_(
            "每行一档：租赁年度: 单价，例如“3: 2.50”表示第 3 年起单价 2.50；填写后不按年递增率递增。"
        ),
    )
    day_count = forms.ChoiceField(
        label=_("计租天数规则"),
        choices=[("", _("按园区默认")), *DayCount.choices],
        required=False,
    )
    billing_alignment = forms.ChoiceField(
        label=_("账期起算"), choices=[("", _("按园区默认")), *Alignment.choices], required=False
    )
    cycle = forms.TypedChoiceField(
        label=_("付款周期"), choices=Cycle.choices, coerce=int, initial=Cycle.QUARTERLY
    )
    free_start = forms.DateField(label=_("免租开始"), required=False, widget=DATE)
    free_end = forms.DateField(label=_("免租结束"), required=False, widget=DATE)
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    activate = forms.BooleanField(label=_("立即签约生效"), required=False, initial=True)

    def __init__(
        self, *args: Any, tenants: QuerySet[Enterprise], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "tenant").queryset = tenants
        model_choice(self, "units").queryset = units

    def clean_rent_steps(self) -> list[dict[str, Any]]:
        return steps_from_text(self.cleaned_data.get("rent_steps") or "")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("free_start")) != bool(data.get("free_end")):
            self.add_error("free_end", _("免租期需同时填写开始和结束日期。"))
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        keys = (
            "number",
            "start_date",
            "end_date",
            "rent_basis",
            "rent_rate",
            "property_fee_rate",
            "deposit",
            "escalation_pct",
            "escalation_every",
            "escalation_from",
            "rent_steps",
            "day_count",
            "billing_alignment",
            "cycle",
            "notes",
        )
        # Left empty: the model's default (or the park's, for the conventions).
        return {k: d[k] for k in keys if d.get(k) not in (None, "")}

    def free_periods(self) -> list[tuple[dt.date, dt.date]]:
        d = self.cleaned_data
        return (
            [(d["free_start"], d["free_end"])] if d.get("free_start") and d.get("free_end") else []
        )


def steps_from_text(text: str) -> list[dict[str, Any]]:
    """ "3: 2.50" lines → [{"year": 3, "rate": "2.50"}] in the order typed (order and
    overlaps are the service's to judge, so it can name them)."""
    out: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace("：", ":").replace("=", ":").split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            year, rate = int(parts[0].strip()), Decimal(parts[1].strip())
            if not rate.is_finite():
                raise ValueError
        except (ValueError, ArithmeticError) as exc:
            raise forms.ValidationError(
                _("第 %(n)s 行格式有误，应为“租赁年度: 单价”，例如“3: 2.50”。") % {"n": n}
            ) from exc
        out.append({"year": year, "rate": str(rate)})
    return out


def steps_to_text(rows: list[dict[str, Any]]) -> str:
    return "\n".join(f"{r['year']}: {r['rate']}" for r in rows or [])


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("收款日期"), widget=DATE)
    bill = BillField(
        label=_("对应账单"),
        queryset=Bill.objects.none(),
        required=False,
        empty_label=_("按应付日期先后冲销"),
    )
    reference = forms.CharField(label=_("凭证号"), max_length=60, required=False)
    allow_prepayment = forms.BooleanField(label=_("允许预收"), required=False)

    def __init__(self, *args: Any, lease: Lease, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "bill").queryset = lease.bills.order_by("due_date", "seq")


def bill_label(b: Bill) -> str:
    if b.kind == Bill.Kind.DEPOSIT:
        return f"{b.get_kind_display()} · ¥{b.outstanding}"
    kind = f" {b.get_kind_display()}" if b.kind == Bill.Kind.ADJUSTMENT else ""
    return f"#{b.seq}{kind} {b.period_start:%Y-%m-%d}–{b.period_end:%Y-%m-%d} · ¥{b.outstanding}"


class RenewForm(forms.Form):
    end_date = forms.DateField(label=_("续签到期日"), widget=DATE)
    rent_rate = forms.DecimalField(
        label=_("新租金单价"),
        max_digits=12,
        decimal_places=4,
        required=False,
        help_text=_("留空沿用原合同到期时执行的租金"),
    )
    property_fee_rate = forms.DecimalField(
        label=_("物业费（元/㎡/月）"),
        max_digits=8,
        decimal_places=2,
        required=False,
        help_text=_("留空沿用原合同到期时的物业费"),
    )
    escalation_pct = forms.DecimalField(
        label=_("年递增率（%）"), max_digits=5, decimal_places=2, required=False
    )
    deposit = forms.DecimalField(
        label=_("新合同保证金（元）"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("留空与原合同相同"),
    )
    deposit_action = forms.ChoiceField(
        label=_("原合同保证金"),
        choices=[("carry", _("转入新合同")), ("refund", _("退还承租企业"))],
        widget=forms.RadioSelect,
        required=False,
    )
    reference = forms.CharField(label=_("退还凭证号"), max_length=60, required=False)

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d[k] for k in ("rent_rate", "property_fee_rate", "escalation_pct", "deposit")}


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(label=_("终止日期（最后计租日）"), widget=DATE)
    reason = forms.CharField(label=_("终止原因"), max_length=200)


class DepositRefundForm(forms.Form):
    refunded_on = forms.DateField(label=_("退还日期"), widget=DATE)
    reference = forms.CharField(label=_("凭证号"), max_length=60, required=False)


class CreditRefundForm(forms.Form):
    amount = forms.DecimalField(label=_("退款金额（元）"), max_digits=14, decimal_places=2)
    refunded_on = forms.DateField(label=_("退款日期"), widget=DATE)
    reference = forms.CharField(label=_("凭证号"), max_length=60, required=False)
    # One key per rendered form: a double submit records one refund.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)


class SettlementForm(forms.Form):
    settled_on = forms.DateField(label=_("结算日期"), widget=DATE)
    reference = forms.CharField(label=_("退款凭证号"), max_length=60, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)


class AmendForm(forms.Form):
    effective_on = forms.DateField(label=_("生效日期"), widget=DATE)
    reason = forms.CharField(label=_("变更原因"), max_length=200)
    rent_rate = forms.DecimalField(
        label=_("租金单价"), max_digits=12, decimal_places=4, required=False
    )
    property_fee_rate = forms.DecimalField(
        label=_("物业费（元/㎡/月）"), max_digits=8, decimal_places=2, required=False
    )
    escalation_pct = forms.DecimalField(
        label=_("年递增率（%）"), max_digits=5, decimal_places=2, required=False
    )

    def changes(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in ("rent_rate", "property_fee_rate", "escalation_pct") and v is not None
        }


class ImportForm(forms.Form):
    park = forms.ModelChoiceField(label=_("园区"), queryset=Park.objects.none())
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("仅预览，不导入"), required=False, initial=True)

    def __init__(self, *args: Any, parks: QuerySet[Park], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "park").queryset = parks
        if parks.count() == 1:
            self.fields["park"].initial = parks.first()
