"""The ticket list's filters: one definition for the queue page and the API."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext_lazy as _

from oasis.core.filters import ListFilter

from .models import Category, Ticket


class TicketFilter(ListFilter):
    labels = {
        "status": _("状态"),
        "category": _("类型"),
        "mine": _("分派给我"),
        "breached": _("已超时"),
        "every": _("全部类型"),
    }
    status: Ticket.Status | Literal["active"] | None = None  # "active": not yet closed
    category: Category | None = None
    mine: bool = False
    breached: bool = False
    # Staff: every type, not only the ones their roles handle (the routed queue).
    every: bool = False
