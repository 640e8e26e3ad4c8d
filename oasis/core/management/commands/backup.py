"""`oasis backup FILE`: the database and its media in one portable, checksummed file
(see oasis.core.backup for the format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oasis.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the media files to FILE (a .tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="list the media files with their checksums but leave their content out "
            "(when the object storage keeps its own versioned copies)",
        )

    def handle(self, *args: Any, file: Path, no_media: bool, **options: Any) -> None:
        try:
            manifest = backup_create(file, include_media=not no_media)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(m.rows for m in manifest.models.values())
        self.stdout.write(
            f"已备份到 {file}：{len(manifest.models)} 张表 {rows:,} 行，"
            f"媒体文件 {len(manifest.media)} 个"
            + ("（仅清单）" if no_media else "")
            + (f"，缺失 {len(manifest.missing_media)} 个" if manifest.missing_media else "")
            + "。"
        )
        for name in manifest.missing_media:
            self.stderr.write(f"缺失的媒体文件（数据库中有记录，存储中没有）：{name}")
