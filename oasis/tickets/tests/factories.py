"""Service-desk tickets for the tests of every app that shows them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from oasis.tickets.models import Ticket, sla_deadlines


def make_ticket(enterprise: Any, user: Any, **over: Any) -> Ticket:
    now = over.pop("opened_at", None) or timezone.now()
    category = over.pop("category", "policy")
    response, resolution = sla_deadlines(category, now)
    data = {"title": "咨询研发费用加计扣除", "body": "请问申报流程？", "status": Ticket.Status.OPEN}
    data.update(over)
    return Ticket.objects.create(
        park_id=enterprise.park_id,
        enterprise=enterprise,
        opened_by=user,
        category=category,
        opened_at=now,
        response_due_at=response,
        resolution_due_at=resolution,
        **data,
    )
