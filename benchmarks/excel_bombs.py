"""Import bombs against the Excel toolkit (`oasis.core.excel.read`), with the default
EXCEL_MAX_* settings.

    .venv/bin/python benchmarks/excel_bombs.py

Builds each workbook small on disk under var/bench-excel/ (not measured), then reads it in
a fresh child process, so that the time and the peak memory (getrusage ru_maxrss) are the
reader's own:
  wide     a ~5 KB file declaring A1:XFD1048576, each of 1,000 rows with a cell in XFD
  strings  5,000,000 shared strings (~85 MB unpacked, ~0.2 MB on disk)
  rows     200,000 rows (the limit is 50,000)
  bomb     a 200 MB sheet of spaces that packs into ~0.2 MB
  legit    50,000 rows × 6 columns of dates, amounts and text: read whole (the baseline)
Last line: RESULT wide_s=… strings_s=… strings_mb=… rows_s=… bomb_s=… legit_s=… legit_mb=…
(each *_mb is the child's peak resident memory; bombs are refused, legit is read).
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench-excel"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oasis.settings")

HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:XFD1048576"/><sheetData>'
)
TAIL = b"</sheetData></worksheet>"


def _base() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.worksheets[0].append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _book(sheet: Iterable[bytes], strings: Iterable[bytes] | None = None) -> bytes:
    from oasis.core.tests.workbooks import with_sheet_xml

    return with_sheet_xml(_base(), sheet, strings=strings)


def _wide() -> Iterable[bytes]:
    yield HEAD
    for r in range(1, 1001):
        yield f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>'.encode()
    yield TAIL


def _strings() -> Iterable[bytes]:
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    block = b"<si><t>a</t></si>" * 10_000
    for _ in range(500):
        yield block
    yield b"</sst>"


def _rows(n: int) -> Iterable[bytes]:
    yield HEAD
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    for r in range(2, n + 2):
        yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode()
    yield TAIL


def _bomb() -> Iterable[bytes]:
    yield HEAD
    for _ in range(200):
        yield b" " * (1024 * 1024)
    yield TAIL


LEGIT_HEAD = ["企业名称", "起租日", "到期日", "租金", "面积", "备注"]


def _legit_table() -> tuple[list[str], list[list[int | str]]]:
    """The text of each row in one shared-string table (each text once, as Excel writes
    it): a name, two dates and an amount typed as text, a number, and a note."""
    index: dict[str, int] = {}

    def ref(text: str) -> int:
        return index.setdefault(text, len(index))

    rows: list[list[int | str]] = [[ref(h) for h in LEGIT_HEAD]]
    for r in range(2, 50_002):
        rows.append(
            [
                ref(f"企业{r}有限公司"),
                ref(f"2026/1/{1 + r % 28}"),
                ref("2028年12月31日"),
                ref(f"{r:,}.50元"),
                f"n{100 + r % 900}",
                ref(f"备注 {r}"),
            ]
        )
    return list(index), rows


def _legit() -> bytes:
    strings, rows = _legit_table()

    def sheet() -> Iterable[bytes]:
        yield HEAD.replace(b"XFD1048576", b"F50001")
        for r, row in enumerate(rows, start=1):
            cells = "".join(
                f'<c r="{c}{r}"><v>{v[1:]}</v></c>'
                if isinstance(v, str)
                else f'<c r="{c}{r}" t="s"><v>{v}</v></c>'
                for c, v in zip("ABCDEF", row)
            )
            yield f'<row r="{r}">{cells}</row>'.encode()
        yield TAIL

    def table() -> Iterable[bytes]:
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for text in strings:
            yield f"<si><t>{text}</t></si>".encode()
        yield b"</sst>"

    return _book(sheet(), table())


CASES = {
    "wide": lambda: _book(_wide()),
    "strings": lambda: _book([HEAD, TAIL], _strings()),
    "rows": lambda: _book(_rows(200_000)),
    "bomb": lambda: _book(_bomb()),
    "legit": _legit,
}


def child(case: str) -> None:
    import django

    django.setup()
    from oasis.core import excel

    data = (OUT / f"{case}.xlsx").read_bytes()
    spec = excel.SheetSpec(
        None,
        [
            excel.Column("企业名称", "name"),
            excel.Column("起租日", "start", excel.date()),
            excel.Column("到期日", "end", excel.date()),
            excel.Column("租金", "rent", excel.amount()),
            excel.Column("面积", "area", excel.decimal(2)),
            excel.Column("备注", "note"),
        ],
    )
    start = time.perf_counter()
    try:
        reading = excel.read(data, [spec])
        outcome = f"read {reading.total_rows} rows, {len(reading.all_errors())} errors"
    except excel.WorkbookRefused as exc:
        outcome = f"refused: {exc.reason}"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed:.3f} {peak:.0f} {outcome}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, tuple[float, float]] = {}
    for case, build in CASES.items():
        data = build()
        (OUT / f"{case}.xlsx").write_bytes(data)
        out = (
            subprocess.run(
                [sys.executable, __file__, "--child", case],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        seconds, peak, outcome = out.split(" ", 2)
        results[case] = (float(seconds), float(peak))
        print(
            f"{case:8} {len(data) / 1024:8.0f} KB on disk  {seconds:>7} s  {peak:>5} MB  {outcome}"
        )
    print(
        "RESULT "
        f"wide_s={results['wide'][0]:.3f} strings_s={results['strings'][0]:.3f} "
        f"strings_mb={results['strings'][1]:.0f} rows_s={results['rows'][0]:.3f} "
        f"bomb_s={results['bomb'][0]:.3f} legit_s={results['legit'][0]:.3f} "
        f"legit_mb={results['legit'][1]:.0f}"
    )


if __name__ == "__main__":
    main()
