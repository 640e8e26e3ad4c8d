"""`oasis cultivation-reminders [--date YYYY-MM-DD]`: record title expiry and re-review
reminders. Safe to run daily (and twice): a reminder is recorded once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oasis.cultivation.services import reminders_generate


class Command(BaseCommand):
    help = "Record reminders for titles about to expire or due for re-review (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="treat this day as today (YYYY-MM-DD)")

    def handle(self, *args: Any, **opts: Any) -> None:
        today = None
        if opts["date"]:
            try:
                today = dt.date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError("--date: expected YYYY-MM-DD", returncode=2) from exc
        created = reminders_generate(today=today)
        self.stdout.write(f"{len(created)} reminder(s) recorded")
