"""Files and database rows that succeed or fail together.

Media lives outside the database (local disk or S3-compatible storage), so a transaction
cannot roll a stored file back. `media_rollback` deletes the files a failed block
stored, its commit included; `media_save` turns a storage outage into a clear
validation error instead of a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class StorageUnavailable(ValidationError):
    """The media storage refused or did not answer; nothing was saved."""


@contextmanager
def media_rollback() -> Iterator[list[FieldFile]]:
    """Yield a list to which the block appends every file it stores; if the block
    raises (a failed commit included: put the transaction inside), those files are
    deleted again, so a failed write leaves no orphan in the storage."""
    stored: list[FieldFile] = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            try:
                if field_file.name:
                    field_file.storage.delete(field_file.name)
            except Exception:  # the storage is what failed: note it, keep the real error
                logger.warning("could not delete orphan media file %s", field_file.name)
        raise


def media_save(
    field_file: FieldFile, name: str, content: File[bytes], stored: list[FieldFile]
) -> None:
    """Store `content` in `field_file` (without saving the model) and note it in `stored`.
    Any storage failure becomes StorageUnavailable, with a message a user can act on."""
    try:
        field_file.save(name, content, save=False)
    except Exception as exc:
        logger.error("media storage failed while saving %s: %s", name, exc)
        raise StorageUnavailable(
            {"files": [_("附件存储暂时不可用，本次提交未保存任何内容，请稍后重试。")]},
        ) from exc
    stored.append(field_file)
