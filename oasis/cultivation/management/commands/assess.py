"""`oasis assess FILE.json [--rules …] [--date YYYY-MM-DD]`: verdicts for a file of facts.

The file holds a list of facts objects or {"enterprises": [...]}. Malformed input is
reported naming the enterprise id and the field, with exit status 2 and nothing on
standard output (the engine validates everything before producing anything).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oasis.cultivation.facts import json_default
from oasis.rules import FactsError, assess

BAD_INPUT = 2


def load_facts(raw: Any) -> list[Any]:
    """The facts list of a parsed file (a list, or an object with `enterprises`)."""
    if isinstance(raw, dict) and "enterprises" in raw:
        raw = raw["enterprises"]
    if not isinstance(raw, list):
        raise FactsError(None, "enterprises", 'expected a list of facts or {"enterprises": [...]}')
    return raw


class Command(BaseCommand):
    help = (
        "Assess enterprises' 专精特新 tiers from a JSON file of facts; prints the verdicts as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help='JSON file: a list of facts, or {"enterprises": [...]}; - for stdin'
        )
        parser.add_argument("--rules", default="auto", choices=["auto", "miit-2022", "miit-2026"])
        parser.add_argument(
            "--date", default=None, help="assessment date YYYY-MM-DD (fills facts without one)"
        )
        parser.add_argument("--no-path", action="store_true", help="leave out the next-tier paths")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = opts["file"]
        try:
            if path == "-":
                import sys

                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=BAD_INPUT) from exc
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                returncode=BAD_INPUT,
            ) from exc
        try:
            verdicts = assess(
                load_facts(raw), opts["rules"], opts["date"], next_tier=not opts["no_path"]
            )
        except FactsError as exc:
            lines = [
                f"enterprise {p['enterprise_id']!r}, field {p['field']!r}: {p['message']}"
                for p in exc.problems
            ]
            raise CommandError(
                "invalid facts:\n  " + "\n  ".join(lines), returncode=BAD_INPUT
            ) from exc
        except ValueError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        self.stdout.write(json.dumps(verdicts, ensure_ascii=False, indent=2, default=json_default))
