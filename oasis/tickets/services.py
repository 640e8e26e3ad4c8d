"""Every write of the service desk: one function per state change, each in a
transaction, validated, with an audit row and an entry in the ticket's thread."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.storage import media_rollback, media_save
from oasis.core.texts import written
from oasis.core.workcalendar import park_calendar
from oasis.core.writes import record, snapshot
from oasis.notifications.models import Event
from oasis.notifications.services import Reach, notify, staff_with
from oasis.sharing import services as sharing_services
from oasis.sharing.models import Offering, ServiceRequest

from .models import (
    SERVICE_TYPES,
    Category,
    Ticket,
    TicketAttachment,
    TicketMessage,
    handle_capability,
    resolution_deadline,
    sla_deadlines,
)
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
        actor, ticket.park_id, handle_capability(ticket.category)
    ):
        raise PermissionDenied(_("没有处理该工单的权限。"))


def _line(ticket: Ticket) -> ServiceRequest | None:
    """The service line of a catalogue request (offering, quantity, charge)."""
    if ticket.category not in SERVICE_TYPES:
        return None
    return ServiceRequest.objects.filter(ticket=ticket).first()


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
REOPENED = gettext_noop("企业重新打开了工单。新的解决时限：%(due)s。")
RESPONSE_LATE_AT = gettext_noop("首次响应晚于时限（时限 %(due)s）。")
RESOLUTION_LATE_AT = gettext_noop("解决晚于时限（时限 %(due)s）。")

# What people are told (oasis.notifications): subject and body source strings.
N_NEW = gettext_noop("新工单：%(t)s")
N_NEW_BODY = gettext_noop("%(firm)s 提交了工单“%(t)s”，响应时限 %(due)s。")
N_ASSIGNED = gettext_noop("工单已分派给您：%(t)s")
N_REPLY = gettext_noop("工单有新回复：%(t)s")
N_REPLY_BODY = gettext_noop("%(who)s：%(text)s")
N_RESOLVED = gettext_noop("工单已处理，请确认：%(t)s")
N_REOPENED = gettext_noop("工单被重新打开：%(t)s")
N_ESCALATED = gettext_noop("工单超时已升级：%(t)s")
N_ESCALATED_BODY = gettext_noop("%(firm)s 的工单“%(t)s”已超时（时限 %(due)s），请尽快处理。")
N_DEADLINE = gettext_noop("工单即将到期：%(t)s")
N_DEADLINE_BODY = gettext_noop("工单“%(t)s”的解决时限为 %(due)s，剩余 %(h)s 个工作小时。")

# The handler is warned when this many working hours are left to resolve a ticket.
DEADLINE_WARNING_HOURS = 4


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _link(ticket: Ticket) -> str:
    return reverse("tickets:ticket-detail", args=[ticket.pk])


def _handlers(ticket: Ticket) -> list[User]:
    """Who hears about a ticket on the park's side: its handler, else everyone who may
    handle it."""
    if ticket.assignee_id and ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    return staff_with(park_id=ticket.park_id, capability=handle_capability(ticket.category))


def _tell(
    ticket: Ticket,
    recipients: list[User],
    event: str,
    subject: str,
    actor: User | None,
    now: dt.datetime,
    body: str = "",
    **values: str | int,
) -> Reach:
    return notify(
        recipients=recipients,
        event=event,
        subject=subject,
        body=body,
        values={"t": ticket.title, **values},
        link=_link(ticket),
        park=ticket.park_id,
        actor=actor,
        now=now,
    )


def _record_late(ticket: Ticket, actor: User | None, now: dt.datetime, which: str) -> None:
    """A reply or resolution after its deadline is recorded as late at that moment (the
    flag and a line in the thread), not left for the daily job to notice."""
    if which == "response" and not ticket.response_breached and now > ticket.response_due_at:
        ticket.response_breached = True
        _event(ticket, actor, now, RESPONSE_LATE_AT, due=_when(ticket.response_due_at))
    if which == "resolution" and not ticket.resolution_breached and now > ticket.resolution_due_at:
        ticket.resolution_breached = True
        _event(ticket, actor, now, RESOLUTION_LATE_AT, due=_when(ticket.resolution_due_at))


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
    offering: Offering | None = None,
    quantity: Decimal | None = None,
) -> Ticket:
    """A member opens a request for their own firm; the SLA clock starts now. A
    catalogue service names its offering (and quantity): its service line is written
    by sharing's rules in the same transaction. Everything, files included, is saved
    together or not at all."""
    with media_rollback() as stored, transaction.atomic():
        ticket = _ticket_open(actor, category, title, body, files or [], now, stored)
        if category in SERVICE_TYPES:
            if offering is None:
                raise ValidationError({"offering": [_("请选择要申请的共享服务。")]})
            sharing_services.request_submit(
                actor=actor,
                offering=offering,
                title=ticket.title,
                detail=ticket.body,
                quantity=quantity or Decimal("1"),
                ticket_id=ticket.pk,
            )
        return ticket


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
    _tell(
        ticket,
        _handlers(ticket),
        Event.REQUEST_NEW,
        N_NEW,
        actor,
        now,
        N_NEW_BODY,
        firm=enterprise.name,
        due=_when(response_due),
    )
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
            _record_late(ticket, actor, now, "response")
        if ticket.status == Ticket.Status.OPEN:
            ticket.status = Ticket.Status.IN_PROGRESS
        _save(ticket, actor, before)
        recipients = [ticket.opened_by]
    else:
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
        recipients = _handlers(ticket)
    _tell(
        ticket,
        recipients,
        Event.REQUEST_REPLY,
        N_REPLY,
        actor,
        now,
        N_REPLY_BODY,
        who=str(actor),
        text=body[:200],
    )
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
        assignee, ticket.park_id, handle_capability(ticket.category)
    ):
        raise ValidationError({"assignee": [assignee_invalid()]})
    line = _line(ticket)
    if line is not None:
        sharing_services.request_assign(actor=actor, item=line, assignee=assignee)
    now = now or timezone.now()
    before = snapshot(ticket)
    ticket.assignee = assignee
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        _record_late(ticket, actor, now, "response")
    if ticket.status == Ticket.Status.OPEN:
        ticket.status = Ticket.Status.IN_PROGRESS
    _save(ticket, actor, before)
    _event(ticket, actor, now, ASSIGNED, name=str(assignee))
    _tell(ticket, [assignee], Event.REQUEST_NEW, N_ASSIGNED, actor, now)
    return ticket


@transaction.atomic
def ticket_resolve(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    now: dt.datetime | None = None,
    quantity: Decimal | None = None,
) -> Ticket:
    """Staff mark the request done (待确认). A catalogue service is delivered with the
    quantity to charge (its service line then appears on the month's statement)."""
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
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        _record_late(ticket, actor, now, "response")
    _record_late(ticket, actor, now, "resolution")
    ticket.assignee = ticket.assignee or actor
    _save(ticket, actor, before)
    line = _line(ticket)
    if line is not None:
        sharing_services.request_deliver(
            actor=actor,
            item=line,
            note=body,
            quantity=quantity if quantity is not None else line.quantity,
            on=timezone.localtime(now).date(),
        )
    TicketMessage.objects.create(
        ticket=ticket, author=actor, from_staff=True, body=body, created_at=now
    )
    _event(ticket, actor, now, RESOLVED)
    _tell(
        ticket,
        [ticket.opened_by],
        Event.REQUEST_REPLY,
        N_RESOLVED,
        actor,
        now,
        N_REPLY_BODY,
        who=str(actor),
        text=body[:200],
    )
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
    line = _line(ticket)
    if line is not None:
        sharing_services.request_rate(
            actor=actor, item=line, rating=rating, comment=ticket.rating_comment[:300]
        )
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
    # A reopened ticket is a new piece of work: a new resolution deadline from now, and
    # its lateness, escalation and warning start again (the old ones stay in the thread
    # and the audit log).
    ticket.resolution_due_at = resolution_deadline(ticket.category, now)
    ticket.resolution_breached = False
    ticket.escalated_at = None
    ticket.deadline_warned_at = None
    _save(ticket, actor, before)
    line = _line(ticket)
    if line is not None:
        sharing_services.request_reopen(actor=actor, item=line)
    TicketMessage.objects.create(
        ticket=ticket, author=actor, from_staff=False, body=body, created_at=now
    )
    _event(ticket, actor, now, REOPENED, due=_when(ticket.resolution_due_at))
    _tell(
        ticket,
        _handlers(ticket),
        Event.REQUEST_REPLY,
        N_REOPENED,
        actor,
        now,
        N_REPLY_BODY,
        who=str(actor),
        text=body[:200],
    )
    return ticket


@transaction.atomic
def ticket_sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag breached SLAs and escalate each ticket once. Safe to run twice: a flag that
    is already set is never set again, so no second event or audit row appears."""
    now = now or timezone.now()
    counts = {"response": 0, "resolution": 0, "escalated": 0, "warned": 0}
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
        _event(ticket, None, now, late, due=_when(due))
        if escalated:
            admins = staff_with(park_id=ticket.park_id, capability=roles.PARK_CHANGE)
            people = {u.pk: u for u in [*admins, *_handlers(ticket)]}
            _tell(
                ticket,
                list(people.values()),
                Event.REQUEST_ESCALATED,
                N_ESCALATED,
                None,
                now,
                N_ESCALATED_BODY,
                firm=ticket.enterprise.name,
                due=_when(due),
            )
    counts["warned"] = _warn_deadlines(now)
    return counts


def _warn_deadlines(now: dt.datetime) -> int:
    """Tell the handler once when a ticket's resolution deadline is near."""
    cal = park_calendar()
    # Within DEADLINE_WARNING_HOURS working hours is within a few calendar days at most
    # (a long holiday): prefilter on that, then count on the calendar.
    # Lock the tickets only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer joins that select_related adds for assignee and enterprise.
    soon = Ticket.objects.select_for_update(of=("self",)).filter(
        status__in=Ticket.ACTIVE,
        deadline_warned_at__isnull=True,
        resolution_breached=False,
        resolution_due_at__gt=now,
        resolution_due_at__lte=now + dt.timedelta(days=12),
    )
    warned = 0
    for ticket in soon.select_related("assignee", "enterprise"):
        left = cal.working_hours_between(now, ticket.resolution_due_at)
        if left > DEADLINE_WARNING_HOURS:
            continue
        before = snapshot(ticket)
        ticket.deadline_warned_at = now
        _save(ticket, None, before)
        _tell(
            ticket,
            _handlers(ticket),
            Event.REQUEST_DEADLINE,
            N_DEADLINE,
            None,
            now,
            N_DEADLINE_BODY,
            due=_when(ticket.resolution_due_at),
            h=f"{left:.1f}",
        )
        warned += 1
    return warned


def service_requests_adopt() -> int:
    """Give each service line written without a request (the demo's seed writes them in
    bulk) its request on the desk, as the data migration did for existing ones."""
    from .legacy import adopt_service_requests

    return adopt_service_requests(ServiceRequest, Ticket, TicketMessage)
