"""The five shares (五大共享): one catalogue of services, bookable resources with their
rules, bookings, statements and the service lines of catalogue requests. Shared finance
(institutions, products, needs, matches) lives in `oasis.finance`, events and showcases
in `oasis.events`; both list their entries in this catalogue.

Bookings of one resource never overlap: on PostgreSQL an exclusion constraint over
(resource_id =, tstzrange(start, end) &&) for the bookings that hold their slot
(migration 0002); on SQLite the booking service's check runs in a transaction that takes
the write lock at BEGIN (settings: transaction_mode IMMEDIATE), which serialises it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import NONNEGATIVE, money_field
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park


class Share(models.TextChoices):
    """The five shares; the values double as the catalogue page's anchors."""

    DIGITAL = "shared_digital", _("共享数字")
    MANUFACTURING = "shared_manufacturing", _("共享智造")
    TECHNOLOGY = "shared_technology", _("共享技术")
    FINANCE = "shared_finance", _("共享金融")
    BRAND = "shared_brand", _("共享品牌")


class Delivery(models.TextChoices):
    RESOURCE = "resource", _("可预约资源")
    REQUEST = "request", _("服务申请")
    EVENT = "event", _("活动")
    MATCHING = "matching", _("融资对接")


class Audience(models.TextChoices):
    RESIDENT = "resident", _("仅限入驻企业")
    ALL_FIRMS = "all_firms", _("入驻企业与园外企业")


class PriceUnit(models.TextChoices):
    HOUR = "hour", _("元/小时")
    EACH = "each", _("元/次")


class RequestKind(models.TextChoices):
    TEST = "test", _("检测测试")
    DIGITAL = "digital", _("数字化转型")
    IP = "ip", _("知识产权")
    BRAND = "brand", _("品牌推广")
    OTHER = "other", _("其他")


class Offering(models.Model):
    """One entry of the service catalogue: what it is, who runs it, who may use it,
    what it costs (resident firm / outside firm / free quota per firm per month) and
    how it is delivered."""

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="offerings"
    )
    share = models.CharField(_("所属共享"), max_length=24, choices=Share.choices)
    name = models.CharField(_("名称"), max_length=100)
    operator = models.CharField(_("运营方"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    audience = models.CharField(
        _("服务对象"), max_length=12, choices=Audience.choices, default=Audience.ALL_FIRMS
    )
    delivery = models.CharField(_("交付方式"), max_length=10, choices=Delivery.choices)
    request_kind = models.CharField(
        _("申请类别"), max_length=10, choices=RequestKind.choices, blank=True
    )
    price_unit = models.CharField(
        _("计价单位"), max_length=6, choices=PriceUnit.choices, default=PriceUnit.HOUR
    )
    price_resident = money_field(_("入驻企业价格"), max_digits=10, default=Decimal("0"))
    price_outside = money_field(_("园外企业价格"), max_digits=10, default=Decimal("0"))
    free_quota = models.DecimalField(
        _("每月免费额度"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=NONNEGATIVE,
        help_text=_("入驻企业每月免费的小时数或次数。"),
    )
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("共享服务")
        verbose_name_plural = _("共享服务")
        ordering = ["share", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="offering_park_name_unique"),
            models.CheckConstraint(
                condition=Q(price_resident__gte=0) & Q(price_outside__gte=0) & Q(free_quota__gte=0),
                name="offering_prices_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A bookable resource (line, instrument, lab, room, compute) and its booking rules.
    Opening hours are park-local time on the listed weekdays (1 = Monday)."""

    offering = models.ForeignKey(
        Offering, verbose_name=_("所属服务"), on_delete=models.PROTECT, related_name="resources"
    )
    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="shared_resources"
    )
    name = models.CharField(_("名称"), max_length=100)
    location = models.CharField(_("位置"), max_length=100, blank=True)
    opens_at = models.TimeField(_("开放时间"), default=dt.time(8, 0))
    closes_at = models.TimeField(_("关闭时间"), default=dt.time(20, 0))
    open_weekdays = models.CharField(
        _("开放日"), max_length=7, default="12345", help_text=_("1=周一 … 7=周日")
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("时段粒度（分钟）"), default=30, validators=[MinValueValidator(5)]
    )
    min_minutes = models.PositiveIntegerField(_("最短时长（分钟）"), default=30)
    max_minutes = models.PositiveIntegerField(_("最长时长（分钟）"), default=480)
    lead_hours = models.PositiveIntegerField(_("提前预约（小时）"), default=0)
    approval_required = models.BooleanField(_("需审批"), default=False)
    training_required = models.BooleanField(_("需培训认证"), default=False)
    monthly_quota_hours = models.DecimalField(
        _("每企业每月上限（小时）"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NONNEGATIVE,
    )
    cancel_hours = models.PositiveIntegerField(_("取消截止（开始前小时）"), default=24)
    is_active = models.BooleanField(_("开放预约"), default=True)

    class Meta:
        verbose_name = _("共享资源")
        verbose_name_plural = _("共享资源")
        ordering = ["park_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="resource_hours_order",
                violation_error_message=_("关闭时间必须晚于开放时间。"),
            ),
            models.CheckConstraint(
                condition=Q(max_minutes__gte=F("min_minutes")),
                name="resource_length_order",
                violation_error_message=_("最长时长不能小于最短时长。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.open_weekdays if c.isdigit())


class Certification(models.Model):
    """The training gate: a user the operator has trained on an instrument, until expiry."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="certifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="sharing_certifications",
    )
    certified_on = models.DateField(_("认证日期"))
    expires_on = models.DateField(_("有效期至"))
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("培训认证")
        verbose_name_plural = _("培训认证")
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="certification_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("certified_on")), name="certification_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.resource} · {self.expires_on}"


class Booking(models.Model):
    """A firm's booking of a resource. `occupies` is true while the booking holds its
    slot (pending, confirmed, used, no-show); the exclusion constraint covers those rows."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        CONFIRMED = "confirmed", _("已确认")
        COMPLETED = "completed", _("已使用")
        NO_SHOW = "no_show", _("未到场")
        CANCELLED = "cancelled", _("已取消")
        REJECTED = "rejected", _("已驳回")

    HOLDING = (Status.PENDING, Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)
    # What a statement charges: used time, and a no-show's slot (it was held for the firm).
    CHARGED = (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)

    resource = models.ForeignKey(
        Resource, verbose_name=_("资源"), on_delete=models.PROTECT, related_name="bookings"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="sharing_bookings",
    )
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    occupies = models.BooleanField(default=True, editable=False)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    used_minutes = models.PositiveIntegerField(_("实际使用（分钟）"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="booking_end_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start"], name="booking_resource_start_idx"),
            models.Index(fields=["enterprise", "start"], name="booking_firm_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.start:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def charged_minutes(self) -> int:
        if self.status == self.Status.COMPLETED and self.used_minutes is not None:
            return self.used_minutes
        return self.minutes


class Statement(models.Model):
    """A firm's issued monthly statement (月度账单). Lines are frozen at issue; the total
    is their sum, to the fen."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="sharing_statements",
    )
    month = models.DateField(_("月份"))
    total = money_field(_("合计（元）"), max_digits=12, validators=())
    issued_at = models.DateTimeField(_("出账时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("月度账单")
        verbose_name_plural = _("月度账单")
        ordering = ["-month", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "month"], name="statement_firm_month_unique"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.month:%Y-%m}"


class StatementLine(models.Model):
    """One charged item: a booking's hours or a delivered request, after free quota."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_request = models.ForeignKey(
        "ServiceRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("项目"), max_length=200)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    free_quantity = models.DecimalField(_("免费额度抵扣"), max_digits=10, decimal_places=2)
    unit_price = money_field(_("单价"), max_digits=10, validators=())
    amount = money_field(_("金额"), max_digits=12, validators=())

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class ServiceRequest(models.Model):
    """The service line of a catalogue request: which offering, how much was delivered
    and when (what the monthly statement charges). The request itself (its thread,
    status flow, deadline, rating) is the service desk's request (`ticket`,
    tickets.Ticket of type 共享服务申请); this row's status follows it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ASSIGNED = "assigned", _("已分派")
        DELIVERED = "delivered", _("已交付")
        CLOSED = "closed", _("已评价")
        CANCELLED = "cancelled", _("已取消")

    offering = models.ForeignKey(
        Offering, verbose_name=_("服务"), on_delete=models.PROTECT, related_name="requests"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sharing_requests"
    )
    title = models.CharField(_("需求"), max_length=120)
    detail = models.TextField(_("详细说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    delivery_note = models.TextField(_("交付说明"), blank=True)
    quantity = models.DecimalField(
        _("计费数量"), max_digits=8, decimal_places=2, default=Decimal("1"), validators=NONNEGATIVE
    )
    rating = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价"), max_length=300, blank=True)
    # The one request this line belongs to (string reference: tickets sits above sharing).
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("服务请求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_line",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务申请")
        verbose_name_plural = _("服务申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="request_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


__all__ = [
    "Audience",
    "Booking",
    "Certification",
    "Delivery",
    "Offering",
    "PriceUnit",
    "RequestKind",
    "Resource",
    "Share",
    "Statement",
    "StatementLine",
    "ServiceRequest",
]
