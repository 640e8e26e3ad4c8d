"""Backup and restore: every row and every media file comes back, checked by count and
checksum; a non-empty database, a foreign file or another schema version is refused."""

from __future__ import annotations

import io
import json
import shutil
import tarfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from oasis.accounts.models import User
from oasis.core.backup import BackupError, backup_create, manifest_read, model_sums, restore
from oasis.core.models import AuditEntry
from oasis.demo.generator import generate_park
from oasis.tickets import services as tickets
from oasis.tickets.models import TicketAttachment

PDF = b"%PDF-1.4\n%backup test\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _fill() -> None:
    """A small park with every app's rows, a ticket with a file, and a permission
    granted through a group (rows that refer to migrate-made ids)."""
    generate_park(enterprises=12, seed=7, domains=True)
    member = User.objects.get(username="member")
    tickets.ticket_open(
        actor=member,
        category="property_repair",
        title="漏水",
        body="三楼",
        files=[SimpleUploadedFile("照片.pdf", PDF)],
    )
    group = Group.objects.create(name="审计")
    group.permissions.add(Permission.objects.get(codename="view_user"))
    User.objects.get(username="viewer").groups.add(group)
    # Times keep their microseconds (JSON encoders like to cut them to milliseconds).
    first = AuditEntry.objects.order_by("pk")[0]
    AuditEntry.objects.filter(pk=first.pk).update(at=first.at.replace(microsecond=123))


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_every_row_and_file(media, tmp_path):
    _fill()
    before = model_sums()
    path = tmp_path / "oasis.tar.gz"
    manifest = backup_create(path)
    assert {k: (v.rows, v.sha256) for k, v in manifest.models.items()} == {
        k: (v.rows, v.sha256) for k, v in before.items()
    }
    assert manifest.models["enterprises.enterprise"].rows == 12
    assert [m["name"] for m in manifest.media] == [TicketAttachment.objects.get().file.name]

    # Into the same, non-empty database: refused, nothing changed.
    with pytest.raises(BackupError, match=r"^目标数据库不是空的（accounts.parkrole 6 行"):
        restore(path)
    assert model_sums() == before

    call_command("flush", interactive=False, verbosity=0)  # an empty, migrated database
    shutil.rmtree(media)
    report = restore(path)

    assert report.ok and report.rows == sum(v.rows for v in before.values())
    assert model_sums() == before
    assert TicketAttachment.objects.get().file.read() == PDF
    assert User.objects.get(username="viewer").has_perm("accounts.view_user")
    assert AuditEntry.objects.order_by("pk").first().at.microsecond == 123


@pytest.mark.django_db(transaction=True)
def test_restore_command_refuses_a_non_empty_database(media, tmp_path):
    Group.objects.create(name="审计")
    path = tmp_path / "b.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    with pytest.raises(
        CommandError, match=r"^目标数据库不是空的（auth.group 1 行），未做任何修改。"
    ):
        call_command("restore", str(path), "--no-migrate", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    path = tmp_path / "x.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        raw = json.dumps({"format": "something-else"}).encode()
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    with pytest.raises(BackupError, match="这不是 Oasis 备份文件"):
        restore(path)
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="无法读取备份文件"):
        manifest_read(tmp_path / "junk.tar.gz")


@pytest.mark.django_db
def test_a_backup_of_another_schema_version_is_refused(tmp_path, media):
    path = tmp_path / "b.tar.gz"
    manifest = backup_create(path)
    manifest.migrations["leasing"].append("9999_from_the_future")
    raw = manifest.as_json()
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(path, "r:gz") as src, tarfile.open(forged, "w:gz") as dst:
        for member in src:
            if member.name == "manifest.json":
                member.size = len(raw)
                dst.addfile(member, io.BytesIO(raw))
            else:
                dst.addfile(member, src.extractfile(member))
    with pytest.raises(BackupError, match="备份有而本库没有的迁移：leasing.9999_from_the_future"):
        restore(forged)
