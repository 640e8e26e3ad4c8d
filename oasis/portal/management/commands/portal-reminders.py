"""Daily: remind firms whose report is due soon or overdue. Safe to run twice."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oasis.portal.services import campaign_reminders_send


class Command(BaseCommand):
    help = "Send reporting reminders (due soon / overdue); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="run as of this day (YYYY-MM-DD)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = campaign_reminders_send(today=options["date"])
        self.stdout.write(f"due_soon={counts['due_soon']} overdue={counts['overdue']}")
