"""`oasis seed-parks`: many demo parks at once (load tests, a group's demo). Adds parks
after those it made before; `--reset` deletes them first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from oasis.demo import parks as many_parks


class Command(BaseCommand):
    help = "Build N demo parks of M firms each, with leases, bills, resources and campaigns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parks", type=int, default=50)
        parser.add_argument("--enterprises", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--reset", action="store_true", help="delete the parks made before")

    def handle(
        self, *args: Any, parks: int, enterprises: int, seed: int, reset: bool, **options: Any
    ) -> None:
        if parks < 1 or enterprises < 2:
            raise CommandError("--parks must be at least 1 and --enterprises at least 2.")
        if reset:
            with transaction.atomic():
                self.stdout.write(f"已删除批量演示园区 {many_parks.parks_delete()} 个。")
        summary = many_parks.generate_parks(
            parks=parks, enterprises=enterprises, seed=seed, stdout=self.stdout
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {summary.parks} 个园区：企业 {summary.enterprises:,} 家，合同 "
                f"{summary.leases:,} 份，账单 {summary.bills:,} 张，账号 {summary.users:,} 个；"
                f"用时 {summary.seconds:.0f} 秒。登录名 p01-admin（园区管理员）、p01-m0（企业用户）…，"
                "密码同演示园区。"
            )
        )
