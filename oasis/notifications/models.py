"""Messages the platform sends people: one row per recipient in the in-app inbox, and
one delivery row per email (sent by a background task, retried, failures kept)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oasis.core.texts import shown
from oasis.parks.models import Park


class Event(models.TextChoices):
    """What happened. Each is one line on the preferences page: a member chooses which
    of them also come by email (the inbox always has them)."""

    REQUEST_NEW = "request_new", _("新的服务请求")
    REQUEST_REPLY = "request_reply", _("服务请求有新回复")
    REQUEST_ESCALATED = "request_escalated", _("服务请求超时升级")
    REQUEST_DEADLINE = "request_deadline", _("服务请求即将到期")
    REPORT_RETURNED = "report_returned", _("填报被退回")
    REPORT_DUE = "report_due", _("填报即将截止或已逾期")
    WAITLIST_PROMOTED = "waitlist_promoted", _("活动候补转为正式报名")
    INVITATION = "invitation", _("账号邀请")


# Sent by email whatever the preference: the invitee has no account to read an inbox with.
ALWAYS_EMAILED = frozenset({Event.INVITATION})


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("园区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.CharField(_("事件"), max_length=24, choices=Event.choices)
    # Stored in the default language with its source (oasis.core.texts), shown in the
    # reader's language.
    subject = models.CharField(_("标题"), max_length=200)
    subject_source = models.JSONField(null=True, blank=True, editable=False)
    body = models.TextField(_("内容"), max_length=5000, blank=True)
    body_source = models.JSONField(null=True, blank=True, editable=False)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject_text(self) -> str:
        return shown(self.subject, self.subject_source)

    @property
    def body_text(self) -> str:
        return shown(self.body, self.body_source)


class EmailDelivery(models.Model):
    """One email of a notification. The task sends it and records the outcome; a failure
    is retried (MAX_ATTEMPTS in all), then left as failed for staff to see and retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="emails")
    park = models.ForeignKey(
        Park, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.EmailField(_("收件地址"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件投递")
        verbose_name_plural = _("邮件投递")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.notification_id}"


class Preference(models.Model):
    """A user's choice for one event: also by email or not. No row = the default
    (email on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    event = models.CharField(_("事件"), max_length=24, choices=Event.choices)
    email = models.BooleanField(_("邮件通知"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event} {self.email}"
