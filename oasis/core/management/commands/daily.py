"""`oasis daily`: every periodic job of every app, in one cron line. Each job is safe to
run twice, so a retried or doubled cron run records nothing new."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

# By name, so core imports no domain app.
DAILY_JOBS = (
    "leasing-daily",  # lease expiry reminders, expiries, unit status
    "cultivation-reminders",  # title expiry and re-review reminders
    "attraction-reclaim-pool",  # neglected leads back to the pool
    "portal-reminders",  # reporting campaign reminders
    "tickets-sla",  # SLA breach flags and escalation
)


class Command(BaseCommand):
    help = "Run every daily job (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in DAILY_JOBS:
            self.stdout.write(f"== {name}")
            call_command(name, stdout=self.stdout, stderr=self.stderr)
