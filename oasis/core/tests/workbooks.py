"""Workbooks that are big inside and small on disk, for the tests and the benchmark that
throw import bombs at the Excel toolkit (core/tests/test_excel.py, benchmarks/excel_bombs.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def with_sheet_xml(
    base: bytes, chunks: Iterable[bytes], *, strings: Iterable[bytes] | None = None
) -> bytes:
    """The workbook `base` with its first sheet (and, if given, its shared strings)
    replaced by the XML streamed from `chunks`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    for chunk in chunks:
                        fh.write(chunk)
            elif info.filename == "xl/sharedStrings.xml" and strings is not None:
                continue
            elif info.filename == "[Content_Types].xml" and strings is not None:
                types = src.read(info.filename).replace(b"</Types>", SHARED_STRINGS_TYPE)
                dst.writestr(info, types)
            else:
                dst.writestr(info, src.read(info.filename))
        if strings is not None:
            with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                for chunk in strings:
                    fh.write(chunk)
    return out.getvalue()
