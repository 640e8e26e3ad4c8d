"""Daily leasing job: expire ended leases, keep unit status in step, record expiry
reminders at 90 / 60 / 30 days. Safe to run more than once a day."""

import datetime as dt
from collections.abc import Mapping

from oasis.core.commands import DatedJob
from oasis.leasing import services


class Command(DatedJob):
    help = "Expire ended leases, sync unit status and record expiry reminders (idempotent)."
    counts = ("expired", "units_changed", "reminders")

    def run(self, on: dt.date | None) -> Mapping[str, int]:
        return services.leases_daily(on=on)
