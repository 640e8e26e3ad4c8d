"""`oasis backup` and `oasis restore`: the whole database and its media in one file.

Why this format (a gzipped tar of JSON Lines, one member per model, in dependency order,
with the media files and a manifest of counts and SHA-256 checksums) rather than pg_dump:
- one tool and one file for SQLite and PostgreSQL alike, and a backup of one restores into
  the other (a park that outgrows SQLite moves to PostgreSQL with it);
- rows are Django's serialisation with natural keys for content types and permissions, so
  they do not depend on ids that `migrate` assigns differently in another database;
- the manifest says what must come back (rows and a checksum per model, size and
  checksum per media file), and restore checks exactly that before it reports success;
- `tar tzf` and `zcat` read it with nothing of ours.
pg_dump stays the tool for point-in-time recovery (WAL archiving, docs/operations.md); this
is the portable, verifiable copy to keep off site and to rehearse restores with.

Restore writes into an empty database only (after `migrate`): merging a backup into
live rows would silently mix two histories."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "oasis-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000
# Rebuilt by `migrate` (content types, permissions), or worthless in a restored system
# (sessions, worker heartbeats).
EXCLUDED = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "sessions.session",
        "core.workerheartbeat",
    }
)


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why and what to do."""


@dataclass
class ModelSum:
    rows: int = 0
    sha256: str = ""


@dataclass
class Manifest:
    created_at: str
    database_vendor: str
    migrations: dict[str, list[str]]
    models: dict[str, ModelSum] = field(default_factory=dict)
    media: list[dict[str, Any]] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)

    def as_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "database_vendor": self.database_vendor,
            "migrations": self.migrations,
            "models": {k: {"rows": v.rows, "sha256": v.sha256} for k, v in self.models.items()},
            "media": self.media,
            "missing_media": self.missing_media,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise BackupError("这不是 Oasis 备份文件（缺少 manifest.json 或格式不符）。")
        if data.get("version") != VERSION:
            raise BackupError(f"不支持的备份格式版本：{data.get('version')}。")
        return cls(
            created_at=data["created_at"],
            database_vendor=data["database_vendor"],
            migrations=data["migrations"],
            models={k: ModelSum(v["rows"], v["sha256"]) for k, v in data["models"].items()},
            media=data["media"],
            missing_media=data["missing_media"],
        )


# --------------------------------------------------------------------------- reading


def backup_models() -> list[type[models.Model]]:
    """Every model with rows of its own, parents before the rows that point at them."""
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    return [
        m
        for m in ordered
        if m._meta.label_lower not in EXCLUDED and not m._meta.proxy and m._meta.managed
    ]


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


# Rows that `migrate` makes (so their ids differ between databases) are referred to by
# natural key; every other reference keeps its id, so rows load in any order.
_BY_NATURAL_KEY = ("contenttypes.contenttype", "auth.permission")


class _Serializer(PythonSerializer):
    def _natural(self, field: Any) -> bool:
        return field.remote_field.model._meta.label_lower in _BY_NATURAL_KEY

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        self.use_natural_foreign_keys = self._natural(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        self.use_natural_foreign_keys = self._natural(field)
        super().handle_m2m_field(obj, field)


def _rows(model: type[models.Model], using: str) -> Iterator[dict[str, Any]]:
    """The model's rows as Django serialises them, in primary-key order."""
    m2m = [f.name for f in _m2m_fields(model)]
    qs = model._base_manager.using(using).order_by("pk")
    if m2m:
        qs = qs.prefetch_related(*m2m)
    serializer = _Serializer()
    for batch in _batched(qs.iterator(chunk_size=CHUNK), CHUNK):
        yield from serializer.serialize(batch)


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to
    milliseconds, and a restore must give back exactly what was there)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _line(row: dict[str, Any]) -> bytes:
    # Sorted keys and canonical values: the same rows give the same bytes on SQLite and
    # PostgreSQL (which reorders JSON objects), so checksums compare across databases.
    return (json.dumps(row, cls=_Encoder, sort_keys=True, ensure_ascii=False) + "\n").encode()


def model_sums(using: str = DEFAULT_DB_ALIAS) -> dict[str, ModelSum]:
    """Row count and checksum of every backed-up model, as the database holds them now."""
    sums = {}
    for model in backup_models():
        digest, count = hashlib.sha256(), 0
        for row in _rows(model, using):
            digest.update(_line(row))
            count += 1
        sums[model._meta.label_lower] = ModelSum(count, digest.hexdigest())
    return sums


def _applied_migrations(using: str) -> dict[str, list[str]]:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied: dict[str, list[str]] = {}
    for app, name in sorted(loader.applied_migrations):
        applied.setdefault(app, []).append(name)
    return applied


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, f.name)
        for model in backup_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]


def _media_names(using: str) -> list[str]:
    names: set[str] = set()
    for model, name in _file_fields():
        names.update(
            n
            for n in model._base_manager.using(using)
            .exclude(**{name: ""})
            .values_list(name, flat=True)
            if n
        )
    return sorted(names)


def _sha256(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --------------------------------------------------------------------------- backup


def backup_create(
    path: Path, *, include_media: bool = True, using: str = DEFAULT_DB_ALIAS
) -> Manifest:
    """Write the backup to `path`. The rows are read in one transaction (on PostgreSQL a
    REPEATABLE READ snapshot), so the copy is consistent while the park keeps working."""
    connection = connections[using]
    manifest = Manifest(
        created_at=timezone.now().isoformat(),
        database_vendor=connection.vendor,
        migrations=_applied_migrations(using),
    )
    partial = path.with_name(path.name + ".partial")
    nested = connection.in_atomic_block
    with tempfile.TemporaryDirectory() as tmp, transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with tarfile.open(partial, "w:gz") as tar:
            for model in backup_models():
                label = model._meta.label_lower
                dump = Path(tmp) / f"{label}.jsonl"
                digest, count = hashlib.sha256(), 0
                with dump.open("wb") as out:
                    for row in _rows(model, using):
                        line = _line(row)
                        digest.update(line)
                        out.write(line)
                        count += 1
                manifest.models[label] = ModelSum(count, digest.hexdigest())
                tar.add(dump, arcname=f"db/{label}.jsonl")
                dump.unlink()
            for name in _media_names(using):
                entry = _add_media(tar, name, include_media)
                if entry is None:
                    manifest.missing_media.append(name)
                else:
                    manifest.media.append(entry)
            info = tarfile.TarInfo(MANIFEST)
            raw = manifest.as_json()
            info.size = len(raw)
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(raw))
    partial.replace(path)  # a crash mid-way never leaves a file that looks complete
    return manifest


def _add_media(tar: tarfile.TarFile, name: str, include: bool) -> dict[str, Any] | None:
    try:
        with default_storage.open(name, "rb") as handle:
            sha, size = _sha256(handle)
            if include:
                handle.seek(0)
                info = tarfile.TarInfo(f"media/{name}")
                info.size = size
                tar.addfile(info, handle)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if "NoSuchKey" in str(exc) or "Not Found" in str(exc):
            return None
        raise
    return {"name": name, "size": size, "sha256": sha, "included": include}


# --------------------------------------------------------------------------- restore


def manifest_read(path: Path) -> Manifest:
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read())
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from exc


def nonempty_tables(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Backed-up models that already hold rows in the target database."""
    return {
        model._meta.label_lower: n
        for model in backup_models()
        if (n := model._base_manager.using(using).count())
    }


@dataclass
class RestoreReport:
    rows: int
    media_files: int
    mismatched: list[str]
    media_mismatched: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatched and not self.media_mismatched


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Load the backup into the (migrated, empty) database, then its media, then check
    every model's rows and every file against the manifest."""
    manifest = manifest_read(path)
    ours = _applied_migrations(using)
    if manifest.migrations != ours:
        missing = sorted(
            f"{app}.{name}"
            for app, names in manifest.migrations.items()
            for name in set(names) - set(ours.get(app, []))
        )
        extra = sorted(
            f"{app}.{name}"
            for app, names in ours.items()
            for name in set(names) - set(manifest.migrations.get(app, []))
        )
        raise BackupError(
            "备份与本数据库的结构版本不同，未做任何修改。"
            f"备份有而本库没有的迁移：{', '.join(missing) or '无'}；"
            f"本库有而备份没有的迁移：{', '.join(extra) or '无'}。"
            "请用与备份相同版本的 Oasis 恢复（先 oasis migrate），再升级。"
        )
    filled = nonempty_tables(using)
    if filled:
        listed = "，".join(f"{k} {v} 行" for k, v in sorted(filled.items())[:8])
        raise BackupError(
            f"目标数据库不是空的（{listed}{'…' if len(filled) > 8 else ''}），未做任何修改。"
            "请恢复到一个新建的空数据库（创建后先运行 oasis migrate）。"
        )
    by_label = {m._meta.label_lower: m for m in backup_models()}
    unknown = sorted(set(manifest.models) - set(by_label))
    if unknown:
        raise BackupError(f"备份含有本版本没有的数据表：{', '.join(unknown)}，未做任何修改。")
    connection = connections[using]
    rows = 0
    with tarfile.open(path, "r:gz") as tar:
        with transaction.atomic(using=using):
            with connection.constraint_checks_disabled():
                for member in tar:
                    if member.name.startswith("db/") and member.name.endswith(".jsonl"):
                        label = member.name[3:-6]
                        handle = tar.extractfile(member)
                        if handle is not None:
                            rows += _load(by_label[label], handle, using)
            connection.check_constraints(table_names=[m._meta.db_table for m in by_label.values()])
            sequences = connection.ops.sequence_reset_sql(no_style(), list(by_label.values()))
            if sequences:
                with connection.cursor() as cursor:
                    for sql in sequences:
                        cursor.execute(sql)
    media_files = _restore_media(path, manifest)
    sums = model_sums(using)
    mismatched = [
        f"{label}: 应有 {want.rows} 行（{want.sha256[:12]}），实有 {sums[label].rows} 行（{sums[label].sha256[:12]}）"
        for label, want in manifest.models.items()
        if (sums[label].rows, sums[label].sha256) != (want.rows, want.sha256)
    ]
    return RestoreReport(rows, media_files, mismatched, _verify_media(manifest))


def _load(model: type[models.Model], handle: IO[bytes], using: str) -> int:
    """Insert the model's rows in batches, as stored (primary keys included)."""
    count = 0
    lines = (json.loads(line) for line in handle if line.strip())
    for batch in _batched(lines, CHUNK):
        objects, m2m = [], []
        for deserialized in serializers.deserialize("python", batch, using=using):
            objects.append(deserialized.object)
            if deserialized.m2m_data:
                m2m.append((deserialized.object.pk, deserialized.m2m_data))
        _insert_raw(model, objects, using)
        for name, through, source, target in _m2m_links(model):
            links = [
                through(**{source: pk, target: other})
                for pk, data in m2m
                for other in data.get(name, [])
            ]
            through._base_manager.using(using).bulk_create(links, batch_size=CHUNK)
        count += len(objects)
    return count


def _insert_raw(model: type[models.Model], objects: list[models.Model], using: str) -> None:
    """INSERT the rows exactly as stored: a raw insert, so `auto_now` fields keep their
    recorded times instead of becoming "now" (which bulk_create would do)."""
    fields = [f for f in model._meta.concrete_fields]
    manager = model._base_manager.using(using)
    size = connections[using].ops.bulk_batch_size(fields, objects) or len(objects)
    for batch in _batched(objects, max(1, size)):
        # QuerySet._insert: what Model.save_base uses for a raw save, a batch at a time.
        manager._insert(batch, fields=fields, using=using, raw=True)  # type: ignore[attr-defined]


def _m2m_fields(model: type[models.Model]) -> list[Any]:
    """Many-to-many fields whose link table Django made (the rest are models of their own)."""
    return [
        f
        for f in model._meta.many_to_many
        if getattr(f.remote_field.through, "_meta", None)
        and f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
    ]


def _m2m_links(model: type[models.Model]) -> list[tuple[str, Any, str, str]]:
    out = []
    for f in _m2m_fields(model):
        through = f.remote_field.through
        out.append(
            (f.name, through, f.m2m_field_name() + "_id", f.m2m_reverse_field_name() + "_id")
        )
    return out


def _restore_media(path: Path, manifest: Manifest) -> int:
    included = {m["name"] for m in manifest.media if m["included"]}
    written = 0
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            if not member.name.startswith("media/"):
                continue
            name = member.name[len("media/") :]
            if name not in included:
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            if default_storage.exists(name):
                default_storage.delete(name)  # the backup is the truth for its own files
            saved = default_storage.save(name, File(handle, name=name))
            if saved != name:
                raise BackupError(f"媒体文件 {name} 被存储改名为 {saved}，恢复中止。")
            written += 1
    return written


def _verify_media(manifest: Manifest) -> list[str]:
    bad = []
    for entry in manifest.media:
        try:
            with default_storage.open(entry["name"], "rb") as handle:
                sha, size = _sha256(handle)
        except (FileNotFoundError, OSError):
            bad.append(f"{entry['name']}: 缺失")
            continue
        if (sha, size) != (entry["sha256"], entry["size"]):
            bad.append(f"{entry['name']}: 校验和不符")
    return bad
