"""Daily leasing job: expire ended leases, keep unit status in step, record expiry
reminders at 90 / 60 / 30 days. Safe to run more than once a day."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oasis.leasing import services


class Command(BaseCommand):
    help = "Expire ended leases, sync unit status and record expiry reminders (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="run as of this day (YYYY-MM-DD)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.leases_daily(on=options["date"])
        self.stdout.write(
            f"expired={result['expired']} units_changed={result['units_changed']} reminders={result['reminders']}"
        )
