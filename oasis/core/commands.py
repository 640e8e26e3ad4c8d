"""What the periodic management commands share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class DatedJob(BaseCommand):
    """A periodic job that may run as of another day (`--date YYYY-MM-DD`, for back-fills
    and tests) and prints what it did as `key=count` pairs (the keys in `counts`)."""

    counts: tuple[str, ...] = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="run as of this day (YYYY-MM-DD)",
        )

    def run(self, on: dt.date | None) -> Mapping[str, int]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        result = self.run(options["date"])
        self.stdout.write(" ".join(f"{key}={result[key]}" for key in self.counts))
