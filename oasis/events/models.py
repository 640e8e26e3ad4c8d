"""Events (活动: roadshows, salons, trainings, brand days) with registrations, seats and
a waitlist, and firms' showcase pages (企业风采) under the park's brand.

The models moved here from `oasis.sharing` (migration sharing 0005 / events 0001): their
tables keep the names they had there (`Meta.db_table`), so no row moved.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park
from oasis.sharing.models import Offering


class Event(models.Model):
    """A shared-brand event (roadshow, salon, training, brand day) with capacity."""

    class Kind(models.TextChoices):
        ROADSHOW = "roadshow", _("路演")
        SALON = "salon", _("沙龙")
        TRAINING = "training", _("培训")
        BRAND_DAY = "brand_day", _("品牌日")

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="sharing_events"
    )
    offering = models.ForeignKey(
        Offering, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    title = models.CharField(_("标题"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    venue = models.CharField(_("地点"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("名额"), validators=[MinValueValidator(1)])
    description = models.TextField(_("介绍"), blank=True)

    class Meta:
        db_table = "sharing_event"  # the table it had in sharing: moved, not copied
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """A person's registration for an event: registered (has a seat) or waitlisted."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sharing_registrations"
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sharing_registration"  # the table it had in sharing: moved, not copied
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="registration_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.user_id}"


class Showcase(models.Model):
    """A firm's showcase page under the park's brand; the park publishes it."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="showcase")
    headline = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("介绍"))
    products = models.TextField(_("产品与能力"), blank=True)
    published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sharing_showcase"  # the table it had in sharing: moved, not copied
        verbose_name = _("企业风采")
        verbose_name_plural = _("企业风采")
        ordering = ["-published_at", "id"]

    def __str__(self) -> str:
        return self.headline
