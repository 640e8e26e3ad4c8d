"""The Excel toolkit: parsers (examples worked out by hand, and properties), the bounded
reader against bombs built small on disk, and exports that never hold a formula."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from collections.abc import Iterable
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from oasis.core import excel
from oasis.core.tests.workbooks import with_sheet_xml

# --- parsers: examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1,234.50", Decimal("1234.50")),
        ("１２３", Decimal("123")),
        ("１，２３４．５", Decimal("1234.5")),
        ("100元", Decimal("100")),
        ("12.5万元", Decimal("125000")),
        ("3万", Decimal("30000")),
        ("￥1,000", Decimal("1000")),
        (" 88 ", Decimal("88")),
        (1234.4999999999998, Decimal("1234.50")),  # a formula's float
        (7, Decimal("7")),
    ],
)
def test_amount_reads_ledger_forms(raw: object, expected: Decimal) -> None:
    assert excel.amount()(raw) == expected


@pytest.mark.parametrize(
    "raw", ["1,2,3", "abc", "1e5", "12.345", "NaN", "1.2.3", "万元", True, float("inf")]
)
def test_amount_refuses_and_names_the_format(raw: object) -> None:
    with pytest.raises(excel.CellError) as err:
        excel.amount()(raw)
    assert "应为金额，如 1,234.50、12.5万元（最多 2 位小数）" in str(err.value)


def test_amount_in_brackets_is_negative_and_refused_where_negatives_are() -> None:
    signed = excel.amount(minimum=None)
    assert signed("(1,234.50)") == Decimal("-1234.50")
    assert signed("（500）") == Decimal("-500")
    with pytest.raises(excel.CellError, match="不能小于 0"):
        excel.amount()("(1,234.50)")


def test_amount_keeps_four_places_when_asked() -> None:
    assert excel.amount(4)("1.2345") == Decimal("1.2345")
    with pytest.raises(excel.CellError, match="最多 4 位小数"):
        excel.amount(4)("1.23456")


@pytest.mark.parametrize(
    "raw",
    [
        "2024-01-01",
        "2024/1/1",
        "2024.1.1",
        "2024年1月1日",
        "２０２４年１月１日",
        "20240101",
        "2024-01-01 00:00:00",
        45292,
        45292.0,
        "45292",
        dt.date(2024, 1, 1),
        dt.datetime(2024, 1, 1, 9, 30),
    ],
)
def test_date_reads_ledger_forms(raw: object) -> None:
    assert excel.date()(raw) == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    "raw", ["2024-13-01", "2024-02-30", "next monday", "1/1/2024", 45292.5, -3]
)
def test_date_refuses_and_names_the_format(raw: object) -> None:
    with pytest.raises(excel.CellError) as err:
        excel.date()(raw)
    assert "应为日期，如 2024-01-01、2024/1/1 或 2024年1月1日" in str(err.value)


def test_date_out_of_range_is_refused() -> None:
    with pytest.raises(excel.CellError, match="2100-12-31"):
        excel.date()("2999-01-01")


def test_integer_percent_text_choice() -> None:
    assert excel.integer()("1,200") == 1200
    assert excel.integer()("１２") == 12
    with pytest.raises(excel.CellError, match="应为整数"):
        excel.integer()("1.5")
    with pytest.raises(excel.CellError, match="不能大于 200"):
        excel.integer(maximum=200)(201)
    assert excel.percent()("3%") == Decimal("3")
    assert excel.percent()("３．５％") == Decimal("3.5")
    with pytest.raises(excel.CellError, match="0 到 100"):
        excel.percent()("300")
    assert excel.text(13800000000.0) == "13800000000"
    assert excel.text("  常熟 \u3000") == "常熟"
    pick = excel.choice([("q", "季付"), ("m", "元/月（总价）")])
    assert pick("季付") == "q"
    assert pick("元/月") == "m"
    assert pick("q") == "q"
    with pytest.raises(excel.CellError, match="应为：季付、元/月（总价）"):
        pick("周付")


def test_choice_accepts_the_label_in_either_language() -> None:
    from django.utils.translation import gettext_lazy

    pick = excel.choice([("v", gettext_lazy("园区"))])
    with translation.override("en"):
        assert pick("园区") == "v"
        assert pick("Park") == "v"


# --- parsers: properties -------------------------------------------------------------------

amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2, allow_nan=False
)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _grouped(d: Decimal) -> str:
    return f"{d:,.2f}"


@given(amounts)
def test_amount_round_trips_every_ledger_rendering(d: Decimal) -> None:
    parse = excel.amount()
    for shown in (
        str(d),
        _grouped(d),
        _grouped(d).translate(FULL_WIDTH),
        f"{_grouped(d)}元",
        f"￥{_grouped(d)}",
        f" {d} ",
    ):
        assert parse(shown) == d, shown
    assert excel.amount(minimum=None)(f"({_grouped(d)})") == -d


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999"), places=4))
def test_wan_yuan_is_ten_thousand_yuan(d: Decimal) -> None:
    assert excel.amount()(f"{d}万元") == d * 10000


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_date_round_trips_every_ledger_rendering(d: dt.date) -> None:
    parse = excel.date()
    serial = (d - dt.date(1899, 12, 30)).days
    for shown in (
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        d.strftime("%Y%m%d"),
        serial,
        float(serial),
        dt.datetime.combine(d, dt.time(8)),
    ):
        assert parse(shown) == d, shown


@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.booleans(), st.none()))
def test_parsers_answer_a_value_or_a_cell_error_never_anything_else(raw: object) -> None:
    for parse in (excel.amount(), excel.date(), excel.integer(), excel.percent(), excel.text):
        try:
            parse(raw)
        except excel.CellError as err:
            assert str(err)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integer_reads_grouped_and_full_width(n: int) -> None:
    assert excel.integer()(f"{n:,}") == n
    assert excel.integer()(str(n).translate(FULL_WIDTH)) == n


# --- reading -----------------------------------------------------------------------------

LEASE_LIKE = excel.SheetSpec(
    "合同",
    [
        excel.Column("企业名称", "tenant", required=True),
        excel.Column("起租日", "start", excel.date(), required=True),
        excel.Column("租金", "rent", excel.amount()),
    ],
    required=True,
)


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_read_parses_rows_and_names_every_bad_cell() -> None:
    data = _book(
        {
            "合同": [
                ["企业名称*", "起租日*", "租金"],
                ["临芯微", "2024/1/1", "1,234.50"],
                [None, None, None],
                ["", "2024.13.1", "12万元"],
                ["芯联", dt.datetime(2024, 3, 1), "贵"],
            ]
        }
    )
    reading = excel.read(data, [LEASE_LIKE])
    rows = reading.sheets["合同"]
    assert [r.number for r in rows] == [2, 4, 5]
    assert rows[0].values == {
        "tenant": "临芯微",
        "start": dt.date(2024, 1, 1),
        "rent": Decimal("1234.50"),
    }
    assert rows[1].values["rent"] == Decimal("120000")
    errors = [str(e) for e in reading.all_errors()]
    assert errors == [
        "“合同”第 4 行“企业名称”列：必填。",
        "“合同”第 4 行“起租日”列：“2024.13.1”无法识别，应为日期，如 2024-01-01、2024/1/1 或 2024年1月1日。",
        "“合同”第 5 行“租金”列：“贵”无法识别，应为金额，如 1,234.50、12.5万元（最多 2 位小数）。",
    ]


def test_read_reports_a_missing_sheet_or_column() -> None:
    reading = excel.read(_book({"合同": [["企业名称", "租金"], ["x", 1]]}), [LEASE_LIKE])
    assert [str(e) for e in reading.errors] == ["“合同”第 1 行“起租日”列：缺少该列。"]
    reading = excel.read(_book({"别的": [["a"]]}), [LEASE_LIKE])
    assert [str(e) for e in reading.errors] == ["“合同”第 1 行：缺少该工作表。"]


def test_read_refuses_what_is_not_a_workbook() -> None:
    with pytest.raises(excel.WorkbookRefused, match="无法读取该文件"):
        excel.read(b"PK\x03\x04 not really", [LEASE_LIKE])
    with pytest.raises(excel.WorkbookRefused, match="无法读取该文件"):
        excel.read(b"%PDF-1.4", [LEASE_LIKE])


def _with_sheet_xml(chunks: Iterable[bytes], *, strings: Iterable[bytes] | None = None) -> bytes:
    """A real workbook whose first sheet (and, if given, shared strings) is replaced by
    the XML streamed from `chunks`: big inside, small on disk."""
    return with_sheet_xml(_book({"合同": [["x"]]}), chunks, strings=strings)


SHEET_HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:XFD1048576"/><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _timed(fn: object) -> float:
    # CPU time, not wall time: the bound must hold on a loaded CI machine too.
    start = time.process_time()
    with pytest.raises(excel.WorkbookRefused) as err:
        fn()  # type: ignore[operator]
    elapsed = time.process_time() - start
    _timed.message = str(err.value.reason)  # type: ignore[attr-defined]
    return elapsed


def test_a_row_declaring_16384_columns_is_refused_fast() -> None:
    def rows() -> Iterable[bytes]:
        yield SHEET_HEAD
        for r in range(1, 301):
            yield f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c>'.encode()
            yield f'<c r="XFD{r}"><v>1</v></c></row>'.encode()
        yield SHEET_TAIL

    data = _with_sheet_xml(rows())
    assert len(data) < 10_000  # about 5 KB of it is the workbook around the sheet
    assert _timed(lambda: excel.read(data, [LEASE_LIKE])) < 2
    assert "列数过多：最多 200 列（第 1 行有第 XFD 列）" in _timed.message  # type: ignore[attr-defined]


def test_declared_dimensions_are_ignored() -> None:
    """A sheet declaring A1:XFD1048576 but holding three cells reads as three cells."""

    def rows() -> Iterable[bytes]:
        yield SHEET_HEAD
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe4\xbc\x81\xe4\xb8\x9a\xe5\x90\x8d\xe7\xa7\xb0</t></is></c></row>'
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c></row>'
        yield b'<row r="900000"><c r="A900000" t="inlineStr"><is><t>b</t></is></c></row>'
        yield SHEET_TAIL

    spec = excel.SheetSpec(None, [excel.Column("企业名称", "name", required=True)])
    start = time.process_time()
    reading = excel.read(_with_sheet_xml(rows()), [spec])
    assert time.process_time() - start < 2
    assert [(r.number, r.values["name"]) for r in reading.rows] == [(2, "a"), (900000, "b")]


def test_200000_rows_are_refused_as_soon_as_the_limit_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def rows() -> Iterable[bytes]:
        yield SHEET_HEAD
        for r in range(1, 200_001):
            yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode()
        yield SHEET_TAIL

    data = _with_sheet_xml(rows())
    assert len(data) < 2_000_000
    limits = excel.Limits.from_settings(rows=5000)
    spec = excel.SheetSpec(None, [excel.Column("x", "x")])
    seen = []
    real = excel._sheet_rows

    def counting(*args: object) -> Iterable[tuple[int, dict[int, object]]]:
        for row in real(*args):  # type: ignore[arg-type]
            seen.append(row[0])
            yield row

    monkeypatch.setattr(excel, "_sheet_rows", counting)
    elapsed = _timed(lambda: excel.read(data, [spec], limits=limits))
    assert len(seen) == 5002  # the header, 5,000 rows, and the one that passed the limit
    assert "单次最多导入 5000 行" in _timed.message  # type: ignore[attr-defined]
    # Reading all 200,000 rows takes several seconds here; stopping at 5,000 does not.
    assert elapsed < 2


def test_five_million_shared_strings_are_refused_before_loading() -> None:
    ns = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'

    def strings() -> Iterable[bytes]:
        yield ns
        block = b"<si><t>a</t></si>" * 10_000
        for _ in range(500):
            yield block
        yield b"</sst>"

    data = _with_sheet_xml([SHEET_HEAD, SHEET_TAIL], strings=strings())
    assert len(data) < 1_000_000
    assert _timed(lambda: excel.read(data, [LEASE_LIKE])) < 2
    assert "超过 1000000 个不同的文本" in _timed.message  # type: ignore[attr-defined]


@override_settings(EXCEL_MAX_UNCOMPRESSED_BYTES=1024 * 1024)
def test_a_zip_bomb_is_refused_by_its_uncompressed_size() -> None:
    data = _with_sheet_xml([SHEET_HEAD, b" " * (8 * 1024 * 1024), SHEET_TAIL])
    assert len(data) < 100_000
    assert _timed(lambda: excel.read(data, [LEASE_LIKE])) < 1
    assert "文件解压后过大（超过 1 MB）" in _timed.message  # type: ignore[attr-defined]


@override_settings(EXCEL_MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_size_limit_is_refused_unread() -> None:
    upload = io.BytesIO(b"x" * 5000)
    upload.size = 5000  # type: ignore[attr-defined]
    with pytest.raises(excel.WorkbookRefused, match="文件过大"):
        excel.read(upload, [LEASE_LIKE])
    assert upload.tell() == 0


# --- writing -----------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",
    "=cmd|' /C calc'!A0",
]


def test_exports_never_hold_a_formula() -> None:
    content = excel.workbook_bytes(
        [
            excel.SheetData(
                "企业",
                [excel.Column("名称", "name", width=30), "金额", "日期"],
                [[text, Decimal("1.50"), dt.date(2024, 1, 1)] for text in HOSTILE],
            )
        ]
    )
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [row[0].value for row in ws.iter_rows(min_row=2)]
    # The text itself is kept, as text (XML reads a carriage return back as a newline).
    assert names == [t.replace("\r", "\n") for t in HOSTILE]
    assert all(row[0].quotePrefix for row in ws.iter_rows(min_row=2))
    assert ws["B2"].value == 1.5
    assert ws["C2"].value == dt.datetime(2024, 1, 1)
    assert ws.column_dimensions["A"].width == 30


def test_download_response_has_the_chinese_filename() -> None:
    resp = excel.export_response("合同台账", [excel.SheetData("合同", ["编号"], [["A"]])])
    assert resp["Content-Type"] == excel.XLSX
    assert resp["Content-Disposition"] == (
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"
        "%E5%90%88%E5%90%8C%E5%8F%B0%E8%B4%A6.xlsx"
    )
    assert excel.content_disposition("leases-2024.xlsx") == (
        "attachment; filename=\"leases-2024.xlsx\"; filename*=UTF-8''leases-2024.xlsx"
    )


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5))
def test_any_text_is_written_as_text(texts: list[str]) -> None:
    """Control characters XML cannot hold are dropped, never a failed export."""
    content = excel.workbook_bytes([excel.SheetData("t", ["v"], [[t] for t in texts])])
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    for row in ws.iter_rows(min_row=2):
        assert row[0].data_type == "s" or row[0].value is None


def test_template_marks_required_columns_and_gives_the_example() -> None:
    spec = excel.SheetSpec(
        "合同",
        [
            excel.Column("企业名称", "tenant", required=True, example="临芯微"),
            excel.Column("租金", "rent", excel.amount(), example=1.2),
        ],
    )
    with translation.override("en"):
        content = excel.template_bytes([spec], notes=["带 * 的列必填。"])
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["合同", "说明"]
    assert [c.value for c in wb["合同"][1]] == ["企业名称*", "租金"]
    assert [c.value for c in wb["合同"][2]] == ["临芯微", 1.2]
    # And the template reads back as an import.
    reading = excel.read(content, [spec])
    assert reading.rows[0].values == {"tenant": "临芯微", "rent": Decimal("1.20")}


def test_a_cell_formatted_as_a_percentage_reads_as_shown() -> None:
    """Excel holds 3% as 0.03; the ledger means 3 (percent)."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(["年递增率"])
    ws.append([0.03])
    ws.append([0.035])
    ws.append(["4%"])
    ws.append([5])
    ws["A2"].number_format = "0%"
    ws["A3"].number_format = "0.00%"
    buf = io.BytesIO()
    wb.save(buf)
    spec = excel.SheetSpec(None, [excel.Column("年递增率", "pct", excel.percent())])
    reading = excel.read(buf.getvalue(), [spec])
    assert [r.values["pct"] for r in reading.rows] == [
        Decimal("3"),
        Decimal("3.5"),
        Decimal("4"),
        Decimal("5"),
    ]


def test_a_bloated_styles_part_is_refused_before_openpyxl_parses_it() -> None:
    base = _book({"合同": [["x"]]})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/styles.xml":
                data = data.replace(b"</styleSheet>", b" " * (20 * 1024 * 1024) + b"</styleSheet>")
            dst.writestr(info, data)
    assert _timed(lambda: excel.read(out.getvalue(), [LEASE_LIKE])) < 2
    assert "文件结构异常（xl/styles.xml 过大）" in _timed.message  # type: ignore[attr-defined]


def test_only_the_toolkit_touches_openpyxl() -> None:
    """Every import and export goes through oasis.core.excel (tests may build files)."""
    from pathlib import Path

    root = Path(excel.__file__).resolve().parent.parent
    users = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts
        and p.relative_to(root).as_posix() != "core/excel.py"
        and "openpyxl" in p.read_text()
    ]
    assert users == []
