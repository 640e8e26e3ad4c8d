"""Every write of the service desk: one function per state change, each in a
transaction, validated, with an audit row and an entry in the ticket's thread."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.storage import media_rollback, media_save
from oasis.core.texts import written
from oasis.core.writes import record, snapshot

from .models import Category, Ticket, TicketAttachment, TicketMessage, sla_deadlines
from .uploads import uploads_check


def _check_files(files: list[UploadedFile]) -> list[str]:
    try:
        return uploads_check(files)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from exc


def assignee_invalid() -> str:
    return _("该用户不能处理本园区的工单。")


def _check_handle(actor: User, ticket: Ticket) -> None:
    if getattr(actor, "is_member", False) or not user_can(
        actor, ticket.park_id, roles.TICKET_HANDLE
    ):
        raise PermissionDenied(_("没有处理该工单的权限。"))


def _check_own(actor: User, ticket: Ticket) -> None:
    if actor.enterprise_id is None or actor.enterprise_id != ticket.enterprise_id:
        raise PermissionDenied(_("只有提交工单的企业可以这样做。"))


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


# The events the platform writes into a ticket's thread (oasis.core.texts: stored in the
# default language with their source, shown in the reader's).
ASSIGNED = gettext_noop("已受理，处理人：%(name)s")
RESOLVED = gettext_noop("已标记为已解决，请企业确认并评价。")
CONFIRMED = gettext_noop("企业已确认解决，评分 %(n)s 分。")
REOPENED = gettext_noop("企业重新打开了工单。")
RESPONSE_LATE = gettext_noop("响应超时（时限 %(due)s）。")
RESPONSE_LATE_ESCALATED = gettext_noop("响应超时（时限 %(due)s）。已升级至园区管理员。")
RESOLUTION_LATE = gettext_noop("解决超时（时限 %(due)s）。")
RESOLUTION_LATE_ESCALATED = gettext_noop("解决超时（时限 %(due)s）。已升级至园区管理员。")


def _event(
    ticket: Ticket, actor: User | None, now: dt.datetime, msgid: str, **values: str | int
) -> TicketMessage:
    body, source = written(msgid, **values)
    return TicketMessage.objects.create(
        ticket=ticket,
        author=actor if getattr(actor, "pk", None) else None,
        kind=TicketMessage.Kind.EVENT,
        from_staff=not getattr(actor, "is_member", False),
        body=body,
        body_source=source,
        created_at=now,
    )


def _attach(
    ticket: Ticket,
    message: TicketMessage | None,
    actor: User,
    files: list[UploadedFile],
    types: list[str],
    stored: list[Any],
) -> None:
    """Store each file, then its row. A storage failure raises StorageUnavailable, which
    rolls the ticket back; `media_rollback` then deletes the files already stored."""
    for upload, content_type in zip(files, types, strict=True):
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            original_name=(upload.name or "")[:200],
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        media_save(attachment.file, upload.name or "file", upload, stored)
        attachment.save()


def _save(ticket: Ticket, actor: User | None, before: dict[str, Any] | None) -> None:
    ticket.full_clean()
    ticket.save()
    record(actor=actor, instance=ticket, before=before, park_id=ticket.park_id)


def ticket_open(
    *,
    actor: User,
    category: str,
    title: str,
    body: str,
    files: list[UploadedFile] | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """A member opens a ticket for their own firm; the SLA clock starts now. The ticket
    and its files are saved together or not at all."""
    with media_rollback() as stored, transaction.atomic():
        return _ticket_open(actor, category, title, body, files or [], now, stored)


def _ticket_open(
    actor: User,
    category: str,
    title: str,
    body: str,
    files: list[UploadedFile],
    now: dt.datetime | None,
    stored: list[Any],
) -> Ticket:
    enterprise = actor.enterprise
    if enterprise is None:
        raise PermissionDenied(_("只有企业用户可以提交工单。"))
    types = _check_files(files)  # before any row: a bad file saves nothing
    if category not in Category.values:
        raise ValidationError({"category": [_("请选择有效的类别。")]})
    now = now or timezone.now()
    response_due, resolution_due = sla_deadlines(category, now)
    ticket = Ticket(
        park_id=enterprise.park_id,
        enterprise=enterprise,
        opened_by=actor,
        category=category,
        title=title.strip(),
        body=body.strip(),
        opened_at=now,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
    )
    _save(ticket, actor, None)
    _attach(ticket, None, actor, files, types, stored)
    return ticket


def ticket_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    files: list[UploadedFile] | None = None,
    now: dt.datetime | None = None,
) -> TicketMessage:
    """A reply in the thread, with its files (all saved, or nothing)."""
    with media_rollback() as stored, transaction.atomic():
        return _ticket_reply(actor, ticket, body, files or [], now, stored)


def _ticket_reply(
    actor: User,
    ticket: Ticket,
    body: str,
    files: list[UploadedFile],
    now: dt.datetime | None,
    stored: list[Any],
) -> TicketMessage:
    ticket = _lock(ticket)
    is_member = getattr(actor, "is_member", False)
    if is_member:
        _check_own(actor, ticket)
    else:
        _check_handle(actor, ticket)
    if ticket.status == Ticket.Status.CLOSED:
        raise ValidationError({"body": [_("工单已关闭，不能再回复。")]})
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("请填写回复内容。")]})
    types = _check_files(files)
    now = now or timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, author=actor, from_staff=not is_member, body=body, created_at=now
    )
    _attach(ticket, message, actor, files, types, stored)
    record(actor=actor, instance=message, park_id=ticket.park_id)
    if not is_member:
        before = snapshot(ticket)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.status == Ticket.Status.OPEN:
            ticket.status = Ticket.Status.IN_PROGRESS
        _save(ticket, actor, before)
    else:
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return message


@transaction.atomic
def ticket_assign(
    *, actor: User, ticket: Ticket, assignee: Any, now: dt.datetime | None = None
) -> Ticket:
    """Staff take a ticket (or give it to a colleague); accepting it counts as the response."""
    ticket = _lock(ticket)
    _check_handle(actor, ticket)
    if ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise ValidationError({"assignee": [_("工单已解决或关闭，不能再分派。")]})
    if getattr(assignee, "is_member", True) or not user_can(
        assignee, ticket.park_id, roles.TICKET_HANDLE
    ):
        raise ValidationError({"assignee": [assignee_invalid()]})
    now = now or timezone.now()
    before = snapshot(ticket)
    ticket.assignee = assignee
    ticket.first_response_at = ticket.first_response_at or now
    if ticket.status == Ticket.Status.OPEN:
        ticket.status = Ticket.Status.IN_PROGRESS
    _save(ticket, actor, before)
    _event(ticket, actor, now, ASSIGNED, name=str(assignee))
    return ticket


@transaction.atomic
def ticket_resolve(
    *, actor: User, ticket: Ticket, body: str, now: dt.datetime | None = None
) -> Ticket:
    ticket = _lock(ticket)
    _check_handle(actor, ticket)
    if ticket.status not in Ticket.ACTIVE:
        raise ValidationError({"body": [_("只有待受理或处理中的工单可以标记为已解决。")]})
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("请说明处理结果。")]})
    now = now or timezone.now()
    before = snapshot(ticket)
    ticket.status = Ticket.Status.RESOLVED
    ticket.resolved_at = now
    ticket.first_response_at = ticket.first_response_at or now
    ticket.assignee = ticket.assignee or actor
    _save(ticket, actor, before)
    TicketMessage.objects.create(
        ticket=ticket, author=actor, from_staff=True, body=body, created_at=now
    )
    _event(ticket, actor, now, RESOLVED)
    return ticket


@transaction.atomic
def ticket_confirm(
    *, actor: User, ticket: Ticket, rating: int, comment: str = "", now: dt.datetime | None = None
) -> Ticket:
    """The firm confirms the resolution and rates it (1–5); the ticket closes."""
    ticket = _lock(ticket)
    _check_own(actor, ticket)
    if ticket.status != Ticket.Status.RESOLVED:
        raise ValidationError({"rating": [_("只有已解决的工单可以确认和评价。")]})
    if rating not in range(1, 6):
        raise ValidationError({"rating": [_("评分须为 1 到 5 分。")]})
    now = now or timezone.now()
    before = snapshot(ticket)
    ticket.status = Ticket.Status.CLOSED
    ticket.closed_at = now
    ticket.rating = rating
    ticket.rating_comment = comment.strip()[:500]
    _save(ticket, actor, before)
    _event(ticket, actor, now, CONFIRMED, n=rating)
    return ticket


@transaction.atomic
def ticket_reopen(
    *, actor: User, ticket: Ticket, body: str, now: dt.datetime | None = None
) -> Ticket:
    ticket = _lock(ticket)
    _check_own(actor, ticket)
    if ticket.status != Ticket.Status.RESOLVED:
        raise ValidationError({"body": [_("只有已解决的工单可以重新打开。")]})
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("请说明仍未解决的问题。")]})
    now = now or timezone.now()
    before = snapshot(ticket)
    ticket.status = Ticket.Status.IN_PROGRESS
    ticket.resolved_at = None
    _save(ticket, actor, before)
    TicketMessage.objects.create(
        ticket=ticket, author=actor, from_staff=False, body=body, created_at=now
    )
    _event(ticket, actor, now, REOPENED)
    return ticket


@transaction.atomic
def ticket_sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag breached SLAs and escalate each ticket once. Safe to run twice: a flag that
    is already set is never set again, so no second event or audit row appears."""
    now = now or timezone.now()
    counts = {"response": 0, "resolution": 0, "escalated": 0}
    late_response = Ticket.objects.select_for_update().filter(
        status__in=Ticket.ACTIVE,
        first_response_at__isnull=True,
        response_breached=False,
        response_due_at__lt=now,
    )
    late_resolution = Ticket.objects.select_for_update().filter(
        status__in=Ticket.ACTIVE,
        resolution_breached=False,
        resolution_due_at__lt=now,
    )
    for ticket, flag in [
        *((t, "response") for t in late_response),
        *((t, "resolution") for t in late_resolution),
    ]:
        ticket.refresh_from_db()
        before = snapshot(ticket)
        setattr(ticket, f"{flag}_breached", True)
        counts[flag] += 1
        due = ticket.response_due_at if flag == "response" else ticket.resolution_due_at
        escalated = ticket.escalated_at is None
        if escalated:
            ticket.escalated_at = now
            counts["escalated"] += 1
        _save(ticket, None, before)
        late = {
            ("response", False): RESPONSE_LATE,
            ("response", True): RESPONSE_LATE_ESCALATED,
            ("resolution", False): RESOLUTION_LATE,
            ("resolution", True): RESOLUTION_LATE_ESCALATED,
        }[flag, escalated]
        _event(ticket, None, now, late, due=timezone.localtime(due).strftime("%Y-%m-%d %H:%M"))
    return counts
