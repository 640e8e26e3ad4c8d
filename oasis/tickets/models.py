"""The service desk (企业服务工单): a firm's request, its thread, its files, its SLA."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oasis.accounts import roles
from oasis.core.texts import shown
from oasis.core.workcalendar import park_calendar
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park


class Category(models.TextChoices):
    """The request's type: a repair, a question (policy, registration, talent, other),
    or a service from the shared-service catalogue (with its quantity and charge, kept
    on the request's service line in sharing)."""

    PROPERTY_REPAIR = "property_repair", _("物业报修")
    POLICY = "policy", _("政策咨询")
    REGISTRATION = "registration", _("工商注册/变更")
    TALENT = "talent", _("人才服务")
    OTHER = "other", _("其他")
    CATALOGUE = "catalogue", _("共享服务申请")


# Who handles each type: the staff queue is routed by these (accounts/roles.py).
REPAIR_TYPES = frozenset({Category.PROPERTY_REPAIR})
SERVICE_TYPES = frozenset({Category.CATALOGUE})
QUESTION_TYPES = frozenset(set(Category) - REPAIR_TYPES - SERVICE_TYPES)


def handle_capability(category: str) -> str:
    """Who handles a request of this type: repairs go to property and service staff,
    catalogue services to the shared-service operators, questions to the service team;
    park administrators handle all."""
    if category in REPAIR_TYPES:
        return roles.REQUEST_REPAIR
    if category in SERVICE_TYPES:
        return roles.REQUEST_SERVICE
    return roles.REQUEST_QUESTION


ROUTES: tuple[tuple[str, frozenset[str]], ...] = (
    (roles.REQUEST_REPAIR, REPAIR_TYPES),
    (roles.REQUEST_SERVICE, SERVICE_TYPES),
    (roles.REQUEST_QUESTION, QUESTION_TYPES),
)


# Response and resolution targets per category, in WORKING hours on the park calendar
# (oasis.core.workcalendar: 8 a day, no weekends, public holidays or 调休 days off).
# Kept as data: a park that promises a two-hour repair response changes one number here.
SLA_HOURS: dict[str, tuple[int, int]] = {
    Category.PROPERTY_REPAIR: (4, 16),
    Category.POLICY: (8, 40),
    Category.REGISTRATION: (8, 40),
    Category.TALENT: (8, 40),
    Category.OTHER: (16, 80),
    Category.CATALOGUE: (8, 80),
}


def sla_deadlines(category: str, opened_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    response, resolution = SLA_HOURS[category]
    cal = park_calendar()
    return cal.add_working_hours(opened_at, response), cal.add_working_hours(opened_at, resolution)


def resolution_deadline(category: str, start: dt.datetime) -> dt.datetime:
    """A new resolution deadline from `start` (a reopened ticket starts again)."""
    return park_calendar().add_working_hours(start, SLA_HOURS[category][1])


class TicketQuerySet(models.QuerySet["Ticket"]):
    def active(self) -> TicketQuerySet:
        return self.filter(status__in=Ticket.ACTIVE)

    def late(self, now: dt.datetime | None = None) -> TicketQuerySet:
        """Late now, computed from the deadlines (not waiting for the SLA job): a
        recorded breach, an open deadline passed, or an answer given after it."""
        now = now or timezone.now()
        active = Q(status__in=Ticket.ACTIVE)
        return self.filter(
            Q(response_breached=True)
            | Q(resolution_breached=True)
            | (active & Q(first_response_at__isnull=True, response_due_at__lt=now))
            | (active & Q(resolution_due_at__lt=now))
            | Q(first_response_at__gt=F("response_due_at"))
            | Q(resolved_at__gt=F("resolution_due_at"))
        )


class Ticket(models.Model):
    """One request of a firm to the park. Lifecycle: open → in_progress → resolved →
    closed (the member confirms and rates); the member may reopen a resolved ticket."""

    # One flow for every type: 受理 → 处理中 → 待确认 (the firm confirms and rates, or
    # reopens) → 关闭.
    class Status(models.TextChoices):
        OPEN = "open", _("已受理")
        IN_PROGRESS = "in_progress", _("处理中")
        RESOLVED = "resolved", _("待确认")
        CLOSED = "closed", _("已关闭")

    ACTIVE = (Status.OPEN, Status.IN_PROGRESS)

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="tickets"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="tickets"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("类型"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("问题描述"), max_length=5000)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    opened_at = models.DateTimeField(_("提交时间"))
    response_due_at = models.DateTimeField(_("响应时限"))
    resolution_due_at = models.DateTimeField(_("解决时限"))
    first_response_at = models.DateTimeField(_("首次响应"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # Recorded at the moment a deadline is missed: by a late reply or resolution, or by
    # the SLA job (tickets-sla) for one nobody answered. Pages compute lateness when
    # read (`response_late`, `resolution_late`), so they never wait for the job.
    response_breached = models.BooleanField(_("响应超时"), default=False)
    resolution_breached = models.BooleanField(_("解决超时"), default=False)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    # When the handler was told the resolution deadline is near (once per deadline).
    deadline_warned_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务请求")
        verbose_name_plural = _("服务请求")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="ticket_rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["park", "status"], name="ticket_park_status_idx"),
            models.Index(fields=["enterprise", "-opened_at"], name="ticket_firm_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def response_late_at(self, now: dt.datetime) -> bool:
        if self.response_breached:
            return True
        if self.first_response_at is not None:
            return self.first_response_at > self.response_due_at
        return self.status in Ticket.ACTIVE and now > self.response_due_at

    def resolution_late_at(self, now: dt.datetime) -> bool:
        if self.resolution_breached:
            return True
        if self.status in Ticket.ACTIVE:
            return now > self.resolution_due_at
        return self.resolved_at is not None and self.resolved_at > self.resolution_due_at

    @property
    def response_late(self) -> bool:
        return self.response_late_at(timezone.now())

    @property
    def resolution_late(self) -> bool:
        return self.resolution_late_at(timezone.now())

    @property
    def is_breached(self) -> bool:
        """Late, as of now (what every page shows)."""
        now = timezone.now()
        return self.response_late_at(now) or self.resolution_late_at(now)

    @property
    def late(self) -> bool:
        return self.is_breached

    @property
    def working_hours_left(self) -> float | None:
        """Working hours until the resolution deadline (negative: how late), for an
        open ticket; None once resolved or closed."""
        if self.status not in Ticket.ACTIVE:
            return None
        hours = park_calendar().working_hours_between(timezone.now(), self.resolution_due_at)
        return round(hours, 1)

    @property
    def working_hours_late(self) -> float | None:
        left = self.working_hours_left
        return None if left is None or left >= 0 else -left


class TicketMessage(models.Model):
    """One entry of a ticket's thread: a reply, or an event the platform wrote
    (assigned, resolved, escalated…) so the thread is the whole story."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("回复")
        EVENT = "event", _("事件")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPLY)
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("内容"), max_length=5000)
    # An event's source string and values (oasis.core.texts): pages show it in the
    # reader's language; `body` keeps it in the default language.
    body_source = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("工单消息")
        verbose_name_plural = _("工单消息")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"

    @property
    def text(self) -> str:
        """The message in the reader's language (an event written by the platform) or as
        its author wrote it (a reply)."""
        return shown(self.body, self.body_source)


def _upload_to(instance: TicketAttachment, filename: str) -> str:
    # The stored name is ours (random), never the uploader's: no path tricks, no clashes.
    import secrets

    ext = filename.rsplit(".", 1)[-1].lower()
    return f"tickets/{instance.ticket_id}/{secrets.token_hex(12)}.{ext}"


class TicketAttachment(models.Model):
    """A file attached to a ticket. Stored under MEDIA_ROOT and served only through the
    access-checked view, never from a public URL."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
