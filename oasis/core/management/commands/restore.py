"""`oasis restore FILE`: load a backup into an empty database, then verify every
table's row count and checksum and every media file against the backup's manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oasis.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `oasis backup` into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="do not run `migrate` first (the database is already migrated)",
        )

    def handle(self, *args: Any, file: Path, no_migrate: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"找不到备份文件：{file}")
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        try:
            report = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not report.ok:
            for line in report.mismatched + report.media_mismatched:
                self.stderr.write(line)
            raise CommandError("恢复后的数据与备份清单不一致（见上）。")
        self.stdout.write(
            f"已从 {file} 恢复 {report.rows:,} 行、媒体文件 {report.media_files} 个；"
            "每张表的行数与校验和、每个媒体文件的校验和均与备份一致。"
        )
