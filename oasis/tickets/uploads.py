"""Checks every uploaded file passes before anything is stored: size, extension and
the file's own first bytes (a renamed .exe is not a PDF)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# extension → (content type served back, accepted leading bytes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    # Office Open XML files are zip archives.
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}
MAX_FILES = 5


def max_bytes() -> int:
    return int(getattr(settings, "OASIS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def upload_check(upload: UploadedFile) -> str:
    """Return the content type to store, or raise a ValidationError naming the file."""
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError(
            _("文件“%(name)s”的类型不允许，仅支持 PDF、PNG、JPG、XLSX、DOCX。") % {"name": name},
            code="type",
        )
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”超过大小上限（%(mb)s MB）。")
            % {"name": name, "mb": limit // (1024 * 1024)},
            code="size",
        )
    content_type, magics = ALLOWED[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符。") % {"name": name}, code="content"
        )
    return content_type


def uploads_check(uploads: list[UploadedFile]) -> list[str]:
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES}, code="count")
    return [upload_check(u) for u in uploads]
