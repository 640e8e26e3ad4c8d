"""Daily: remind firms whose report is due soon or overdue. Safe to run twice."""

import datetime as dt
from collections.abc import Mapping

from oasis.core.commands import DatedJob
from oasis.portal.services import campaign_reminders_send


class Command(DatedJob):
    help = "Send reporting reminders (due soon / overdue); idempotent."
    counts = ("due_soon", "overdue", "emailed", "unreached")

    def run(self, on: dt.date | None) -> Mapping[str, int]:
        return campaign_reminders_send(today=on)
