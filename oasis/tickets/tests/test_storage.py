"""Attachments and the media storage: local disk, S3-compatible storage (moto), and an
outage in the middle of an upload, which must save nothing and leave no file behind."""

from pathlib import Path

import boto3  # type: ignore[import-untyped]
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from oasis.tickets import services
from oasis.tickets.models import Ticket, TicketAttachment, TicketMessage

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OUTAGE = "附件存储暂时不可用，本次提交未保存任何内容，请稍后重试。"


class FailingOnSecondSave(FileSystemStorage):
    """Local storage that stores one file, then fails like an unreachable endpoint."""

    saves = 0

    def _save(self, name, content):
        FailingOnSecondSave.saves += 1
        if FailingOnSecondSave.saves > 1:
            raise ConnectionError("storage endpoint unreachable")
        return super()._save(name, content)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def failing_storage(settings, media):
    FailingOnSecondSave.saves = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "oasis.tickets.tests.test_storage.FailingOnSecondSave"},
    }
    return media


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _two_files():
    return [
        SimpleUploadedFile("照片.png", PNG, content_type="image/png"),
        SimpleUploadedFile("执照.pdf", PDF, content_type="application/pdf"),
    ]


def test_storage_outage_while_opening_saves_no_ticket_and_no_file(
    member_client, member, failing_storage
):
    r = member_client.post(
        "/tickets/new/",
        {
            "category": "property_repair",
            "title": "空调漏水",
            "body": "会议室",
            "files": _two_files(),
        },
    )
    assert r.status_code == 400
    assert OUTAGE in r.content.decode()
    assert FailingOnSecondSave.saves == 2  # the first file was stored, then deleted again
    assert Ticket.objects.count() == 0 and TicketAttachment.objects.count() == 0
    assert _files(failing_storage) == []


def test_storage_outage_while_replying_saves_no_message(
    member_client, member, enterprise, failing_storage
):
    ticket = services.ticket_open(actor=member, category="property_repair", title="t", body="b")
    r = member_client.post(f"/tickets/{ticket.pk}/", {"body": "补充材料", "files": _two_files()})
    assert r.status_code == 400 and OUTAGE in r.content.decode()
    assert not TicketMessage.objects.filter(body="补充材料").exists()
    assert TicketAttachment.objects.count() == 0 and _files(failing_storage) == []


def test_a_failure_after_the_files_are_stored_deletes_them(member, officer, media, monkeypatch):
    real_save = services._save

    def save_then_fail(ticket, actor, before):
        real_save(ticket, actor, before)
        if TicketAttachment.objects.exists():
            raise RuntimeError("database went away at commit")

    monkeypatch.setattr(services, "_save", save_then_fail)
    ticket = services.ticket_open(actor=member, category="property_repair", title="t", body="b")
    with pytest.raises(RuntimeError):
        services.ticket_reply(actor=officer, ticket=ticket, body="附件", files=_two_files())
    assert TicketAttachment.objects.count() == 0 and _files(media) == []


@mock_aws
def test_attachments_live_in_s3_compatible_storage(settings, member_client, member):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="oasis-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "oasis-media", "region_name": "us-east-1"},
        },
    }
    r = member_client.post(
        "/tickets/new/",
        {"category": "property_repair", "title": "漏水", "body": "b", "files": _two_files()},
    )
    assert r.status_code == 302
    keys = sorted(
        o["Key"]
        for o in boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="oasis-media")[
            "Contents"
        ]
    )
    attachments = TicketAttachment.objects.order_by("pk")
    assert keys == sorted(a.file.name for a in attachments)
    pdf = attachments.get(original_name="执照.pdf")
    r = member_client.get(f"/tickets/{pdf.ticket_id}/attachments/{pdf.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
