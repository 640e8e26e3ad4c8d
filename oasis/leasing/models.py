"""Leases, their bills and payments, expiry reminders and import jobs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oasis.core.texts import shown
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park, Unit

from . import schedule


class RentBasis(models.TextChoices):
    PER_SQM_DAY = schedule.PER_SQM_DAY, _("元/㎡/天")
    MONTHLY = schedule.MONTHLY_TOTAL, _("元/月（总价）")


class DayCount(models.TextChoices):
    ACTUAL = schedule.ACTUAL, _("按实际天数（日租金 × 面积 × 天数）")
    MONTHLY_365 = schedule.MONTHLY_365, _("按月（月租金 = 日租金 × 面积 × 365 ÷ 12）")


class Alignment(models.TextChoices):
    CALENDAR = schedule.CALENDAR, _("自然月/季/年")
    LEASE_START = schedule.LEASE_START, _("自起租日起算")


class Cycle(models.IntegerChoices):
    MONTHLY = 1, _("月付")
    QUARTERLY = 3, _("季付")
    HALF_YEARLY = 6, _("半年付")
    YEARLY = 12, _("年付")


class LeaseQuerySet(models.QuerySet):
    def current(self) -> LeaseQuerySet:
        """Signed leases still running (a renewed lease runs until its successor starts)."""
        return self.filter(status__in=Lease.RUNNING)


class Lease(models.Model):
    """A lease (租赁合同) of one or more units to a tenant enterprise.

    Lifecycle: draft → active → renewed | terminated | expired. A signed lease's period
    per unit lives in `LeaseUnit`; on PostgreSQL an exclusion constraint there makes two
    signed leases of one unit with overlapping periods impossible (migration 0002)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("执行中")
        RENEWED = "renewed", _("已续签")
        TERMINATED = "terminated", _("提前终止")
        EXPIRED = "expired", _("已到期")

    RUNNING = (Status.ACTIVE, Status.RENEWED)
    SIGNED = (Status.ACTIVE, Status.RENEWED, Status.TERMINATED, Status.EXPIRED)

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="leases"
    )
    number = models.CharField(_("合同编号"), max_length=40)
    tenant = models.ForeignKey(
        Enterprise, verbose_name=_("承租企业"), on_delete=models.PROTECT, related_name="leases"
    )
    units: models.ManyToManyField[Unit, LeaseUnit] = models.ManyToManyField(
        Unit, through="LeaseUnit", verbose_name=_("单元"), related_name="leases"
    )
    start_date = models.DateField(_("起租日"))
    end_date = models.DateField(_("到期日"))
    area = models.DecimalField(
        _("计租面积（㎡）"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    rent_basis = models.CharField(
        _("计租方式"), max_length=10, choices=RentBasis.choices, default=RentBasis.PER_SQM_DAY
    )
    rent_rate = models.DecimalField(
        _("租金单价"), max_digits=12, decimal_places=4, help_text=_("元/㎡/天，或按月总价（元/月）")
    )
    property_fee_rate = models.DecimalField(
        _("物业费（元/㎡/月）"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    deposit = models.DecimalField(
        _("保证金（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    escalation_pct = models.DecimalField(
        _("年递增率（%）"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    escalation_every = models.PositiveSmallIntegerField(_("每几年递增一次"), default=1)
    escalation_from = models.PositiveSmallIntegerField(_("自第几个租赁年度起递增"), default=2)
    # 阶梯租金: [{"year": k, "rate": "X"}] — from lease year k the rate is X (then the
    # percentage above is not used). Validated by the schedule (years from 2, ascending).
    rent_steps = models.JSONField(_("阶梯租金"), default=list, blank=True)
    day_count = models.CharField(
        _("计租天数规则"), max_length=8, choices=DayCount.choices, default=DayCount.ACTUAL
    )
    billing_alignment = models.CharField(
        _("账期起算"), max_length=8, choices=Alignment.choices, default=Alignment.CALENDAR
    )
    cycle = models.PositiveSmallIntegerField(
        _("付款周期"), choices=Cycle.choices, default=Cycle.QUARTERLY
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("原合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("租赁合同")
        verbose_name_plural = _("租赁合同")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "number"],
                name="lease_number_unique",
                violation_error_message=_("本园区已有该合同编号。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="lease_end_after_start",
                violation_error_message=_("到期日不能早于起租日。"),
            ),
            models.CheckConstraint(
                condition=Q(rent_rate__gte=0)
                & Q(property_fee_rate__gte=0)
                & Q(deposit__gte=0)
                & Q(area__gte=0),
                name="lease_money_nonnegative",
                violation_error_message=_("租金、物业费和保证金不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(escalation_pct__gte=0) & Q(escalation_pct__lte=100),
                name="lease_escalation_range",
                violation_error_message=_("年递增率应在 0 到 100 之间。"),
            ),
            models.CheckConstraint(condition=Q(cycle__in=[1, 3, 6, 12]), name="lease_cycle_valid"),
            models.CheckConstraint(
                condition=Q(escalation_every__gte=1) & Q(escalation_from__gte=2),
                name="lease_escalation_steps_valid",
                violation_error_message=_("递增应自第 2 个租赁年度起，至少每年一次。"),
            ),
        ]
        indexes = [
            models.Index(fields=["park", "status", "end_date"], name="lease_park_status_end_idx")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def effective_end(self):
        return self.terminated_on or self.end_date

    @property
    def convention_short(self) -> str:
        """The day count and billing periods in a few characters, for a bill's row."""
        from django.utils.translation import gettext

        if self.rent_basis == schedule.MONTHLY_TOTAL:
            days = gettext("月总价")
        elif self.day_count == schedule.MONTHLY_365:
            days = gettext("365÷12")
        else:
            days = gettext("实际天数")
        periods = (
            gettext("起租日起算")
            if self.billing_alignment == schedule.LEASE_START
            else gettext("自然周期")
        )
        return f"{days} · {periods}"

    @property
    def steps(self) -> tuple[schedule.Step, ...]:
        """The step table as the schedule reads it (rows that do not parse are left to
        the service's validation, which refuses them)."""
        return tuple(
            schedule.Step(int(row["year"]), Decimal(str(row["rate"])))
            for row in self.rent_steps or []
        )


class LeaseUnit(models.Model):
    """One unit of a lease with the period it is let. `occupies` is true once the lease is
    signed; the no-overlap rule applies to occupying rows only (drafts may overlap)."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="lease_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lease_units")
    start_date = models.DateField()
    end_date = models.DateField()
    occupies = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("合同单元")
        verbose_name_plural = _("合同单元")
        constraints = [
            models.UniqueConstraint(fields=["lease", "unit"], name="leaseunit_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leaseunit_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["unit", "occupies", "end_date"], name="leaseunit_unit_idx")]

    def __str__(self) -> str:
        return f"{self.lease_id}/{self.unit_id}"


class FreeRentPeriod(models.Model):
    """Days without rent (免租期); the property fee is still charged."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="free_periods")
    start_date = models.DateField(_("免租开始"))
    end_date = models.DateField(_("免租结束"))

    class Meta:
        verbose_name = _("免租期")
        verbose_name_plural = _("免租期")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="freerent_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date}"


class LeaseAmendment(models.Model):
    """A change to a signed lease's terms, kept with the values before and after
    (`changes`: field → [before, after]). For the rates (schedule.RATE_FIELDS) these are
    the rates in force on `effective_on` before and after: the amendment sets them from
    that day, the lease row keeps the terms as signed."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="amendments")
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("变更原因"), max_length=200)
    changes = models.JSONField(_("变更内容"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lease_id} @ {self.effective_on}"

    @property
    def shown_changes(self) -> list[dict[str, Any]]:
        """The changes with each field's label (never its name) for the page."""
        out = []
        for name, pair in (self.changes or {}).items():
            try:
                field: Any = Lease._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            label = getattr(field, "verbose_name", name)
            choices = dict(getattr(field, "choices", None) or [])
            before, after = (list(pair) + [None, None])[:2]
            out.append(
                {
                    "label": label,
                    "before": choices.get(before, _short(before)),
                    "after": choices.get(after, _short(after)),
                }
            )
        return out


def _short(value: Any) -> Any:
    """A stored rate in force can carry many decimals (escalated): show four."""
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        if number.is_finite() and -number.as_tuple().exponent > 4:  # type: ignore[operator]
            return f"{number:.4f}"
    return value


class BillKind(models.TextChoices):
    RENT = schedule.RENT, _("租金")
    ADJUSTMENT = schedule.ADJUSTMENT, _("调整")
    DEPOSIT = schedule.DEPOSIT, _("保证金")


class Bill(models.Model):
    """A receivable of a lease, due on `due_date`. `paid` is the sum of payments allocated
    to it, kept by the payment service so that receivables and ageing are single
    aggregates; `receivables_rebuild` recomputes it from allocations.

    Kinds: `rent` is one billing period (rent + property fee, due in advance); `adjustment`
    is the difference for a period already paid when the schedule changed (an amendment or
    early termination), negative for a credit note, which is settled when issued (its
    negative allocations moved the money to the payment's credit); `deposit` is the
    deposit, due at signing (seq 0, no rent or fee), a receivable outside the rent totals."""

    Kind = BillKind

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="bills")
    # (park, due_date) below serves the park's lookups; no separate index on either.
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="+", db_index=False)
    tenant = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="bills")
    seq = models.PositiveIntegerField(_("期数"))
    kind = models.CharField(
        _("类型"), max_length=10, choices=BillKind.choices, default=BillKind.RENT
    )
    period_start = models.DateField(_("账期开始"))
    period_end = models.DateField(_("账期结束"))
    due_date = models.DateField(_("应付日期"))
    rent = models.DecimalField(_("租金"), max_digits=14, decimal_places=2)
    property_fee = models.DecimalField(_("物业费"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("应收"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("已收"), max_digits=14, decimal_places=2, default=Decimal("0"))
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    # The note's source string and values (oasis.core.texts): pages show it in the
    # reader's language; `note` keeps it in the default language.
    note_source = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("账单")
        verbose_name_plural = _("账单")
        ordering = ["due_date", "lease_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["lease", "seq"], name="bill_seq_unique"),
            # Only an adjustment may take something off (a part or the whole).
            models.CheckConstraint(
                condition=Q(kind=BillKind.ADJUSTMENT) | (Q(rent__gte=0) & Q(property_fee__gte=0)),
                name="bill_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(kind=BillKind.ADJUSTMENT) | Q(amount__gte=0), name="bill_amount_sign"
            ),
            # Overpaying a bill is impossible; prepayment goes to later bills or the credit.
            # A credit note (negative) is "paid" by as much negative: the money it released.
            models.CheckConstraint(
                condition=(Q(amount__gte=0) & Q(paid__gte=0) & Q(paid__lte=F("amount")))
                | (Q(amount__lt=0) & Q(paid__lte=0) & Q(paid__gte=F("amount"))),
                name="bill_paid_range",
            ),
            models.UniqueConstraint(
                fields=["lease"], condition=Q(kind=BillKind.DEPOSIT), name="bill_one_deposit"
            ),
        ]
        indexes = [models.Index(fields=["park", "due_date"], name="bill_park_due_idx")]

    def __str__(self) -> str:
        return f"{self.lease_id}#{self.seq}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid

    @property
    def note_text(self) -> str:
        """The note in the reader's language."""
        return shown(self.note, self.note_source)


class Payment(models.Model):
    """Money received from a tenant for a lease. What is not allocated to bills is the
    tenant's prepayment credit, allowed only when the officer says so."""

    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="payments")
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("收款日期"))
    reference = models.CharField(_("凭证号"), max_length=60, blank=True)
    is_prepayment = models.BooleanField(_("允许预收"), default=False)
    unallocated = models.DecimalField(
        _("预收余额"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("收款")
        verbose_name_plural = _("收款")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_positive",
                violation_error_message=_("收款金额必须大于零。"),
            ),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0) & Q(unallocated__lte=F("amount")),
                name="payment_unallocated_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lease_id} ¥{self.amount}"


class PaymentAllocation(models.Model):
    """Part of a payment applied to a bill. Negative only on a credit note: the money the
    note took back from the period's bills into the payment's credit (`unallocated`)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="allocation_nonzero")]

    def __str__(self) -> str:
        return f"{self.payment_id}→{self.bill_id}"


class DepositRefund(models.Model):
    """The deposit handed back when a lease has ended: who recorded it and when. `amount`
    is what was received on the deposit bill and is paid back; `cancelled` is the part
    never received, no longer asked for (the deposit bill is closed at what was paid)."""

    lease = models.OneToOneField(Lease, on_delete=models.PROTECT, related_name="deposit_refund")
    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(_("退还金额"), max_digits=14, decimal_places=2)
    cancelled = models.DecimalField(
        _("核销未收"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    refunded_on = models.DateField(_("退还日期"))
    reference = models.CharField(_("凭证号"), max_length=60, blank=True)
    # The part of the deposit received that paid the lease's arrears at move-out.
    applied = models.DecimalField(
        _("抵扣欠款"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    # Set when the deposit was not paid back but carried to the renewal's deposit.
    carried_to = models.ForeignKey(
        Lease,
        verbose_name=_("转入合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保证金退还")
        verbose_name_plural = _("保证金退还")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(cancelled__gte=0), name="refund_nonnegative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lease_id} ¥{self.amount}"


class CreditRefund(models.Model):
    """The tenant's credit (prepayment, credit notes: payments' `unallocated`) paid back,
    as an explicit record: who, when, the reference, and which payments it came from
    (`parts`: payment id → amount). `request_key` makes a double submit one refund."""

    lease = models.ForeignKey(Lease, on_delete=models.PROTECT, related_name="credit_refunds")
    amount = models.DecimalField(_("退款金额"), max_digits=14, decimal_places=2)
    refunded_on = models.DateField(_("退款日期"))
    reference = models.CharField(_("凭证号"), max_length=60, blank=True)
    parts = models.JSONField(default=dict)
    request_key = models.CharField(max_length=40, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预收款退还")
        verbose_name_plural = _("预收款退还")
        ordering = ["-refunded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="creditrefund_positive")
        ]

    def __str__(self) -> str:
        return f"{self.lease_id} ¥{self.amount}"


class Settlement(models.Model):
    """退租结算: the one statement when a lease ends (terminated or expired). Figures are
    those at settlement: bills outstanding, the tenant's credit and the deposit held;
    credit then the deposit pay the arrears (oldest bill first), what is left is refunded
    (who, when, reference) and any shortfall stays a receivable on the bills."""

    lease = models.OneToOneField(Lease, on_delete=models.PROTECT, related_name="settlement")
    settled_on = models.DateField(_("结算日期"))
    outstanding = models.DecimalField(_("未结账单"), max_digits=14, decimal_places=2)
    credit = models.DecimalField(_("预收余额"), max_digits=14, decimal_places=2)
    deposit_held = models.DecimalField(_("保证金已收"), max_digits=14, decimal_places=2)
    deposit_cancelled = models.DecimalField(
        _("保证金未收核销"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    credit_applied = models.DecimalField(_("预收抵扣"), max_digits=14, decimal_places=2)
    deposit_applied = models.DecimalField(_("保证金抵扣"), max_digits=14, decimal_places=2)
    refund = models.DecimalField(_("应退金额"), max_digits=14, decimal_places=2)
    shortfall = models.DecimalField(_("仍欠金额"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("凭证号"), max_length=60, blank=True)
    request_key = models.CharField(max_length=40, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("退租结算")
        verbose_name_plural = _("退租结算")
        constraints = [
            models.CheckConstraint(
                condition=Q(refund__gte=0)
                & Q(shortfall__gte=0)
                & ~(Q(refund__gt=0) & Q(shortfall__gt=0)),
                name="settlement_refund_or_shortfall",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lease_id} @ {self.settled_on}"


class ExpiryReminder(models.Model):
    """A reminder that a lease expires within `days` days, recorded once per threshold."""

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="reminders")
    days = models.PositiveSmallIntegerField(_("提前天数"))
    recorded_on = models.DateField(_("提醒日期"))

    class Meta:
        verbose_name = _("到期提醒")
        verbose_name_plural = _("到期提醒")
        ordering = ["-recorded_on", "days"]
        constraints = [models.UniqueConstraint(fields=["lease", "days"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.lease_id} ≤{self.days}d"


class ImportJob(models.Model):
    """One workbook import, with the progress the page polls and every bad row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未导入")

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="leasing-imports/")
    filename = models.CharField(max_length=200)
    # A dry run checks every row through the services and keeps nothing.
    dry_run = models.BooleanField(_("仅校验"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
