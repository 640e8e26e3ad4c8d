"""`oasis seed-demo`: build the demo park 常熟·绿洲芯城 and print the demo logins.

Running it twice is safe: when the demo park already exists the command says so,
changes nothing and prints the logins again. `--reset` deletes the demo park, its firms
and the demo users first and builds them afresh (same seed, same park).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from oasis.demo import generator
from oasis.enterprises.models import Enterprise


class Command(BaseCommand):
    help = "Build the demo park 常熟·绿洲芯城 with firms, figures and a login for every role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enterprises", type=int, default=150, help="number of firms (default 150)"
        )
        parser.add_argument("--seed", type=int, default=2023, help="random seed (default 2023)")
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing demo data first"
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(
        self, *args: Any, enterprises: int, seed: int, reset: bool, quiet: bool, **options: Any
    ) -> None:
        if enterprises < 2:
            raise CommandError("--enterprises must be at least 2.")
        try:
            # One transaction: a failed rebuild leaves the old demo in place, not half of one.
            with transaction.atomic():
                if reset:
                    if generator.demo_delete() and not quiet:
                        self.stdout.write("已删除原有演示园区与演示用户。")
                elif generator.demo_park_get() is not None:
                    if not quiet:
                        self.stdout.write(
                            self.style.WARNING(
                                f"演示园区“{generator.PARK_NAME}”已存在，未做修改（加 --reset 可重建）。"
                            )
                        )
                        self._print_logins(generator.existing_logins())
                    return
                summary = generator.generate_park(
                    enterprises=enterprises,
                    seed=seed,
                    stdout=None if quiet else self.stdout,
                    domains=True,
                )
        except generator.DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        if quiet:
            return
        statuses = "，".join(
            f"{label} {summary.by_status[value]:,}"
            for value, label in Enterprise.Status.choices
            if value in summary.by_status
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示园区：企业 {summary.enterprises:,} 家（{statuses}），年度数据 {summary.figures:,} 行，"
                f"联系人 {summary.contacts:,} 人；已出租单元 {summary.leased_units:,}/{summary.units:,}；"
                f"2025年在园企业产值 {summary.output_2025 / 100_000_000:,.1f} 亿元、从业 {summary.headcount_2025:,} 人；"
                f"用时 {summary.total_seconds:.1f} 秒。"
            )
        )
        self._print_logins(summary.logins)

    def _print_logins(self, logins: list[generator.DemoLogin]) -> None:
        """A plain table: it is meant to be copied from a terminal."""
        rows = [
            ("用户名", "角色", "所属企业"),
            *((x.username, x.role, x.enterprise) for x in logins),
        ]
        widths = [max(_width(r[i]) for r in rows) for i in range(2)]
        self.stdout.write(f"\n演示账号（密码均为 {generator.DEMO_PASSWORD}）：")
        for username, role, firm in rows:
            line = f"  {_pad(username, widths[0])}  {_pad(role, widths[1])}  {firm}"
            self.stdout.write(line.rstrip())


def _width(text: str) -> int:
    # Chinese characters take two terminal columns; str.ljust counts them as one.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
