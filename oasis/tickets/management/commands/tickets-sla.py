"""Periodic (every few minutes or hourly): flag breached SLAs and escalate. Safe to run twice."""

from typing import Any

from django.core.management.base import BaseCommand

from oasis.tickets.services import ticket_sla_check


class Command(BaseCommand):
    help = "Flag tickets past their response/resolution deadline and escalate them; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = ticket_sla_check()
        self.stdout.write(
            f"response={counts['response']} resolution={counts['resolution']} "
            f"escalated={counts['escalated']} warned={counts['warned']}"
        )
