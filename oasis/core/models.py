"""The audit log (who changed what, when, with values before and after) and the
background workers' heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change made through a service. Written in the same transaction as the change,
    so there is never a change without its row nor a row without its change."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("更新")
        DELETE = "delete", _("删除")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=40)
    object_repr = models.CharField(_("对象"), max_length=200)
    # Scope for reading: a park's staff see their park's history only.
    park_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class WorkerHeartbeatQuerySet(models.QuerySet["WorkerHeartbeat"]):
    def alive(self) -> WorkerHeartbeatQuerySet:
        import datetime as dt

        from django.utils import timezone

        lost = dt.timedelta(seconds=settings.WORKER_LOST_SECONDS)
        return self.filter(seen_at__gte=timezone.now() - lost)


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life (`oasis worker`), refreshed every few seconds.
    A task whose worker stopped beating is handed to another worker: a killed worker
    loses no task."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    task_id = models.CharField(max_length=64, blank=True)

    objects = WorkerHeartbeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务进程")
        verbose_name_plural = _("后台任务进程")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.host}:{self.pid}"
