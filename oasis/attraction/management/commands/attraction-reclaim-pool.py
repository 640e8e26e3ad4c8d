"""Daily: return neglected leads (no activity for the park's N days) to the pool (公海).
Safe to run twice: a lead already in the pool is not touched again."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from oasis.attraction import services


class Command(BaseCommand):
    help = "Return neglected attraction leads to the pool (idempotent; run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="ISO date-time to run as (default: now); for back-fills and tests"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options.get("now"):
            now = dt.datetime.fromisoformat(options["now"])
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        n = services.pool_reclaim(now=now)
        self.stdout.write(f"returned {n} lead(s) to the pool")
