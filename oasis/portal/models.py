"""The firm-facing side: reporting campaigns (数据填报) and their reports, the accepted
period figures, reminders, notices and their read receipts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from oasis.core.fields import COUNT_RANGE, MONEY_RANGE, count_field, figure_field
from oasis.cultivation.models import GRADIENT_CHOICES
from oasis.enterprises.models import Enterprise, FocusIndustry
from oasis.parks.models import Building, Park


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")
    ANNUAL = "annual", _("年报")


def _money(verbose: StrOrPromise) -> models.DecimalField:
    return figure_field(verbose, validators=MONEY_RANGE)


def _count(verbose: StrOrPromise) -> models.PositiveIntegerField:
    return count_field(verbose, null=True, blank=True, validators=COUNT_RANGE)


class ReportValues(models.Model):
    """The figures a campaign may collect. Blank is "not reported", never zero."""

    revenue = _money(_("营业收入（元）"))
    main_business_revenue = _money(_("主营业务收入（元）"))
    rd_expense = _money(_("研发费用（元）"))
    tax_paid = _money(_("纳税额（元）"))
    output_value = _money(_("产值（元）"))
    financing = _money(_("融资额（元）"))
    headcount = _count(_("从业人数"))
    rd_staff = _count(_("研发人员"))
    new_ip = _count(_("新增知识产权（件）"))

    MONEY_FIELDS = (
        "revenue",
        "main_business_revenue",
        "rd_expense",
        "tax_paid",
        "output_value",
        "financing",
    )
    COUNT_FIELDS = ("headcount", "rd_staff", "new_ip")
    FIELDS = MONEY_FIELDS + COUNT_FIELDS
    # What an accepted annual report writes into the official AnnualFigure.
    ANNUAL_FIGURE_FIELDS = (
        "revenue",
        "main_business_revenue",
        "rd_expense",
        "tax_paid",
        "output_value",
        "headcount",
        "rd_staff",
    )

    class Meta:
        abstract = True

    def values(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.FIELDS}


def field_label(name: str) -> StrOrPromise:
    """The verbose name of one of ReportValues' figures (KeyError for anything else)."""
    fields = {f.name: f for f in ReportValues._meta.concrete_fields}
    return fields[name].verbose_name


def field_choices() -> list[tuple[str, str]]:
    return [(f, str(field_label(f))) for f in ReportValues.FIELDS]


def _default_fields() -> list[str]:
    return list(ReportValues.ANNUAL_FIGURE_FIELDS)


class Campaign(models.Model):
    """A reporting round the park runs: which period, which figures, by when. Every
    settled firm of the park is expected to report."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("周期"), max_length=12, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    # Month 1–12 or quarter 1–4; 0 for an annual campaign.
    period = models.PositiveSmallIntegerField(_("期"), default=0)
    fields = models.JSONField(_("填报指标"), default=_default_fields)
    opens_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("截止日期"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("提前提醒天数"), default=3, validators=[MaxValueValidator(60)]
    )
    # A change against the same period a year earlier beyond this share asks for a reason.
    jump_threshold = models.DecimalField(
        _("同比异常阈值（%）"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("10000"))],
    )
    instructions = models.TextField(_("填报说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("填报任务")
        verbose_name_plural = _("填报任务")
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "kind", "year", "period"],
                name="campaign_period_unique",
                violation_error_message=_("本园区该期的填报任务已存在。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="annual") & Q(period=0))
                | (Q(kind="quarterly") & Q(period__gte=1) & Q(period__lte=4))
                | (Q(kind="monthly") & Q(period__gte=1) & Q(period__lte=12)),
                name="campaign_period_range",
                violation_error_message=_("期数与周期不符（季度 1–4，月份 1–12，年报为 0）。"),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")),
                name="campaign_dates",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        if self.kind == PeriodKind.ANNUAL:
            return f"{self.year}"
        if self.kind == PeriodKind.QUARTERLY:
            return f"{self.year} Q{self.period}"
        return f"{self.year}-{self.period:02d}"


class Report(ReportValues):
    """One firm's answer to one campaign. draft → submitted → returned (with a comment)
    → submitted … → accepted; accepted values become the firm's official figures."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已采纳")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    DONE = (Status.SUBMITTED, Status.ACCEPTED)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The plausibility flags found at submission ([{"field", "code", "message"}]) and the
    # firm's explanation of them.
    flags = models.JSONField(_("异常提示"), default=list, blank=True)
    explanation = models.TextField(_("情况说明"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("审核意见"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("填报")
        verbose_name_plural = _("填报")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "enterprise"], name="report_unique"),
            models.CheckConstraint(
                condition=Q(revenue__gte=0)
                & Q(main_business_revenue__gte=0)
                & Q(rd_expense__gte=0)
                & Q(tax_paid__gte=0)
                & Q(output_value__gte=0)
                & Q(financing__gte=0),
                name="report_money_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="report_campaign_status_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.enterprise_id}"


class PeriodFigure(ReportValues):
    """A firm's official monthly or quarterly figures, written when a report is
    accepted (annual figures live in enterprises.AnnualFigure). History: the audit log."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="period_figures"
    )
    kind = models.CharField(_("周期"), max_length=12, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.PositiveSmallIntegerField(_("期"))
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("月度/季度数据")
        verbose_name_plural = _("月度/季度数据")
        ordering = ["enterprise_id", "-year", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "year", "period"], name="period_figure_unique"
            ),
            models.CheckConstraint(condition=~Q(kind="annual"), name="period_figure_not_annual"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.kind}/{self.year}/{self.period}"


class ReportReminder(models.Model):
    """A reminder sent to a firm about a campaign. Unique per (campaign, firm, kind), which
    is what makes the daily job safe to run twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("即将截止")
        OVERDUE = "overdue", _("已逾期")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_on = models.DateField()

    class Meta:
        verbose_name = _("填报提醒")
        verbose_name_plural = _("填报提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise", "kind"], name="report_reminder_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.enterprise_id}/{self.kind}"


class Notice(models.Model):
    """A notice the park publishes to its firms: all of them, or those matching every
    audience filter that is set (industry, building, tier)."""

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=20000)
    audience_industry = models.CharField(
        _("面向产业"), max_length=20, choices=FocusIndustry.choices, blank=True
    )
    audience_building = models.ForeignKey(
        Building,
        verbose_name=_("面向楼宇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_tier = models.CharField(
        _("面向梯度"), max_length=20, choices=GRADIENT_CHOICES, blank=True
    )
    published_at = models.DateTimeField(_("发布时间"), db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeRead(models.Model):
    """A member opened a notice (the read receipt staff see)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.user_id}"
