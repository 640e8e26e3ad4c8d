"""Issue 14: one service request. A 服务申请 (sharing.ServiceRequest) written before the
merge becomes a request of the service desk (type 共享服务申请) with the same firm,
author, handler, dates, status, delivery note (as the staff's reply) and rating; the
服务申请 row stays as its service line. Used by the data migration and by the demo,
with the models passed in (a migration's historical models, or the real ones)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oasis.core.workcalendar import park_calendar

STATUS = {
    "submitted": "open",
    "assigned": "in_progress",
    "delivered": "resolved",
    "closed": "closed",
    "cancelled": "closed",
}
RESPONSE_HOURS, RESOLUTION_HOURS = 8, 80  # tickets.models.SLA_HOURS["catalogue"]


def adopt_service_requests(ServiceRequest: Any, Ticket: Any, TicketMessage: Any) -> int:
    """Give every service line without a request its request; returns how many."""
    n = 0
    cal = park_calendar()
    tz = timezone.get_current_timezone()
    for item in ServiceRequest.objects.filter(ticket__isnull=True).select_related("offering"):
        opened = item.created_at
        status = STATUS[item.status]
        delivered = (
            timezone.make_aware(dt.datetime.combine(item.delivered_on, dt.time(17)), tz)
            if item.delivered_on
            else None
        )
        answered = None if item.status == "submitted" else (delivered or item.updated_at)
        ticket = Ticket.objects.create(
            park_id=item.offering.park_id,
            enterprise_id=item.enterprise_id,
            opened_by_id=item.submitted_by_id,
            category="catalogue",
            title=item.title[:120],
            body=(item.detail or item.title)[:5000],
            status=status,
            assignee_id=item.assignee_id,
            opened_at=opened,
            response_due_at=cal.add_working_hours(opened, RESPONSE_HOURS),
            resolution_due_at=cal.add_working_hours(opened, RESOLUTION_HOURS),
            first_response_at=min(answered, delivered or answered) if answered else None,
            resolved_at=delivered if item.status in ("delivered", "closed") else None,
            closed_at=item.updated_at if status == "closed" else None,
            rating=item.rating,
            rating_comment=item.rating_comment[:500],
        )
        if item.delivery_note:
            TicketMessage.objects.create(
                ticket=ticket,
                author_id=item.assignee_id,
                kind="reply",
                from_staff=True,
                body=item.delivery_note[:5000],
                created_at=delivered or item.updated_at,
            )
        if item.status == "cancelled":
            TicketMessage.objects.create(
                ticket=ticket,
                author_id=item.submitted_by_id,
                kind="event",
                from_staff=False,
                body="申请已取消。",
                created_at=item.updated_at,
            )
        item.ticket_id = ticket.pk
        item.save(update_fields=["ticket"])
        n += 1
    return n
