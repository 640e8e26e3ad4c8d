"""The one Excel toolkit: every import and export goes through it.

- `Column`: one column of a sheet — header label, key, parser (import) and value
  (export), required, width. One list of columns drives the template, the export and the
  import of a record type.
- Parsers (`text`, `amount`, `decimal`, `integer`, `date`, `choice`, `percent`) read what
  real ledgers hold (2024/1/1, 2024年1月1日, Excel serials; 1,234.50, full-width digits,
  元 / 万元, accounting negatives in brackets) or raise `CellError` saying what was
  expected.
- `read`: a bounded reader. The upload's size, the zip's uncompressed size and its
  shared-string count are checked before openpyxl opens it; rows and columns are counted
  while the sheet XML streams past (declared dimensions are ignored), so a bomb is refused
  in milliseconds and a 200,000-row file as soon as the limit passes. Problems with the
  file raise `WorkbookRefused` (a ValidationError on "file"); problems with cells come back
  as `RowError`s naming sheet, row, column and the format expected.
- `export_response`: write-only workbooks where every string is a string (never a formula:
  `=HYPERLINK(…)` in a firm's name stays text), with a Chinese filename (RFC 5987).

No domain imports: apps hand in their columns, choices and rows."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- limits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What an import may hold; defaults from settings (EXCEL_MAX_*)."""

    upload_bytes: int
    uncompressed_bytes: int
    shared_strings: int
    rows: int
    columns: int

    @classmethod
    def from_settings(cls, *, rows: int | None = None) -> Limits:
        return cls(
            upload_bytes=settings.EXCEL_MAX_UPLOAD_BYTES,
            uncompressed_bytes=settings.EXCEL_MAX_UNCOMPRESSED_BYTES,
            shared_strings=settings.EXCEL_MAX_SHARED_STRINGS,
            rows=min(rows, settings.EXCEL_MAX_ROWS) if rows else settings.EXCEL_MAX_ROWS,
            columns=settings.EXCEL_MAX_COLUMNS,
        )


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def upload_refusal(request: HttpRequest) -> str | None:
    """The error for an upload larger than the limit, judged from Content-Length before
    the body is read (so a view answers before Django parses the multipart body)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.EXCEL_MAX_UPLOAD_BYTES
    # The multipart envelope and the other fields add a few KB around the file.
    if length > limit + 64 * 1024:
        return _("文件过大：最大 %(mb)s MB。") % {"mb": _megabytes(limit)}
    return None


V = TypeVar("V", bound=Callable[..., HttpResponse])


def upload_view(view: V) -> V:
    """Mark a view that takes a workbook upload: `UploadLimitMiddleware` calls it before
    the CSRF check would read (and spool) the body, so that it can answer an oversized
    upload from Content-Length alone (`upload_refusal`). Put it outermost."""
    view.excel_upload = True  # type: ignore[attr-defined]
    return view


class UploadLimitMiddleware:
    """Before CsrfViewMiddleware: an oversized POST to an upload view goes straight to the
    view, which refuses it without touching request.POST or request.FILES (so the body is
    never read and nothing is written, which is why skipping the CSRF check is safe)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if (
            getattr(view_func, "excel_upload", False)
            and request.method == "POST"
            and upload_refusal(request)
        ):
            return view_func(request, *view_args, **view_kwargs)
        return None


class WorkbookRefused(ValidationError):
    """The file as a whole cannot be read (not xlsx, too large, too many rows…)."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]})
        self.reason = message


# --- errors ------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = (
            _("“%(sheet)s”第 %(row)s 行") % {"sheet": self.sheet, "row": self.row}
            if self.sheet
            else _("第 %(row)s 行") % {"row": self.row}
        )
        column = _("“%(column)s”列") % {"column": self.column} if self.column else ""
        return f"{where}{column}{_('：')}{self.reason}"


# --- parsers -----------------------------------------------------------------------------

Parser = Callable[[Any], Any]

_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def _clean(raw: Any) -> str:
    """Text of a cell with full-width forms folded (１２３ → 123, ，→ ,) and spaces removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(raw)))


def _shown(raw: Any) -> str:
    text = str(raw).strip()
    return text if len(text) <= 40 else text[:40] + "…"


class _Unreadable(Exception):
    """A cell that is not a number; the parser names the format it expected."""


def _refuse(raw: Any, expected: str) -> CellError:
    return CellError(
        _("“%(value)s”无法识别，%(expected)s") % {"value": _shown(raw), "expected": expected}
    )


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip(" \t\r\n\u3000\u00a0"))


def text(raw: Any) -> str:
    """Text as typed, trimmed; a whole number Excel stored as a float (a phone number, a
    code) loses its ".0"."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip(" \t\r\n\u3000\u00a0")


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_UNITS = (("万元", Decimal(10000)), ("万", Decimal(10000)), ("元", Decimal(1)))


def _number(raw: Any, *, units: bool) -> Decimal:
    value = _read_number(raw, units=units)
    if value.adjusted() > 17:  # beyond every money and count column (and Decimal's context)
        raise _Unreadable
    return value


def _read_number(raw: Any, *, units: bool) -> Decimal:
    if isinstance(raw, bool):
        raise _Unreadable
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        value = Decimal(repr(raw))
        if not value.is_finite():
            raise _Unreadable
        return value
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _Unreadable
        return raw
    s = _clean(raw).replace("¥", "")
    factor = Decimal(1)
    if units:
        for unit, times in _UNITS:
            if s.endswith(unit):
                s, factor = s[: -len(unit)], times
                break
    negative = False
    if len(s) > 2 and s[0] == "(" and s[-1] == ")":  # accounting notation: (1,234.50)
        s, negative = s[1:-1], True
        if s[:1] in "+-":
            raise _Unreadable
    if not _NUMBER.fullmatch(s):
        raise _Unreadable
    try:
        value = Decimal(s.replace(",", "")) * factor
    except InvalidOperation:
        raise _Unreadable from None
    return -value if negative else value


def _places(value: Decimal, places: int, raw: Any) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum)
    if rounded != value:
        # A float from a formula (1234.4999999999998) is what the ledger meant; typed
        # extra digits are not.
        if isinstance(raw, float) and abs(rounded - value) < Decimal("1e-6"):
            return rounded
        raise _Unreadable
    return rounded


def decimal(
    places: int = 2,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    units: bool = False,
) -> Parser:
    """A number with at most `places` decimals (1,234.5; １２３; (100) = -100); with
    `units`, a trailing 元 or 万元 (×10,000) as in a ledger's amount column."""
    lo, hi = minimum, maximum

    def parse(raw: Any) -> Decimal:
        try:
            value = _places(_number(raw, units=units), places, raw)
        except _Unreadable:
            if units:
                expected = _("应为金额，如 1,234.50、12.5万元（最多 %(p)s 位小数）。") % {
                    "p": places
                }
            else:
                expected = _("应为数字，如 1,234.5（最多 %(p)s 位小数）。") % {"p": places}
            raise _refuse(raw, expected) from None
        if lo is not None and value < lo:
            raise CellError(_("不能小于 %(n)s。") % {"n": lo})
        if hi is not None and value > hi:
            raise CellError(_("不能大于 %(n)s。") % {"n": hi})
        return value

    return parse


def amount(
    places: int = 2, *, minimum: Decimal | None = Decimal(0), maximum: Decimal | None = None
) -> Parser:
    """Money in yuan: 1,234.50 / 1234.5元 / 12.5万元 / ￥1,000 / (500.00)."""
    cap = maximum if maximum is not None else Decimal("999999999999.99")
    return decimal(places, minimum=minimum, maximum=cap, units=True)


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Parser:
    """A whole number (a count, a floor): 12, 1,200, １２."""

    def parse(raw: Any) -> int:
        try:
            value = _number(raw, units=False)
            if value != value.to_integral_value():
                raise _Unreadable
        except _Unreadable:
            raise _refuse(raw, _("应为整数，如 12。")) from None
        n = int(value)
        if minimum is not None and n < minimum:
            raise CellError(_("不能小于 %(n)s。") % {"n": minimum})
        if maximum is not None and n > maximum:
            raise CellError(_("不能大于 %(n)s。") % {"n": maximum})
        return n

    return parse


def percent(
    places: int = 2, *, minimum: Decimal = Decimal(0), maximum: Decimal = Decimal(100)
) -> Parser:
    """A percentage as a number of percent: 3, 3%, 3.5％; a cell formatted as a
    percentage (it holds 0.03 and shows 3%) reads as 3."""

    def parse(raw: Any) -> Decimal:
        try:
            if isinstance(raw, Percentage):
                value = _number(raw.shown, units=False)
            elif isinstance(raw, str):
                value = _number(_clean(raw).removesuffix("%"), units=False)
            else:
                value = _number(raw, units=False)
            value = _places(value, places, raw)
            if not minimum <= value <= maximum:
                raise _Unreadable
        except _Unreadable:
            expected = _("应为百分数，如 3 或 3%%（在 %(lo)s 到 %(hi)s 之间）。") % {
                "lo": minimum,
                "hi": maximum,
            }
            raise _refuse(raw, expected) from None
        return value

    return parse


class Percentage(float):
    """A number from a cell formatted as a percentage: the fraction Excel holds (0.03),
    and `shown`, the number of percent people see (3)."""

    @property
    def shown(self) -> Decimal:
        return Decimal(repr(float(self))) * 100


EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
_DATE = re.compile(
    r"(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})日?(?:(?:T|\s)?\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _from_serial(serial: float) -> dt.date:
    value = from_excel(serial)
    return value.date() if isinstance(value, dt.datetime) else dt.date(1899, 12, 30)


def date(*, earliest: dt.date = EARLIEST, latest: dt.date = LATEST) -> Parser:
    """A date as ledgers write it: a date cell, 2024-01-01, 2024/1/1, 2024.1.1,
    2024年1月1日, 20240101, or an Excel serial number (45292)."""

    def parse(raw: Any) -> dt.date:
        def expected() -> str:
            return _("应为日期，如 2024-01-01、2024/1/1 或 2024年1月1日。")

        value: dt.date | None = None
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, bool):
            raise _refuse(raw, expected())
        elif isinstance(raw, int | float | Decimal):
            serial = float(raw)
            if not (serial == serial and 1 <= serial < 2958466 and float(serial).is_integer()):
                raise _refuse(raw, expected())
            value = _from_serial(serial)
        else:
            s = _clean(raw)
            m = _DATE.fullmatch(s) or _COMPACT_DATE.fullmatch(s)
            try:
                if m:
                    value = dt.date(int(m[1]), int(m[2]), int(m[3]))
                elif s.isdigit() and len(s) == 5:
                    value = _from_serial(float(s))
            except ValueError:
                raise _refuse(raw, expected()) from None
            if value is None:
                raise _refuse(raw, expected())
        if not earliest <= value <= latest:
            raise CellError(
                _("日期应在 %(a)s 到 %(b)s 之间。")
                % {"a": earliest.isoformat(), "b": latest.isoformat()}
            )
        return value

    return parse


def choice(choices: type[Choices] | Iterable[tuple[Any, StrOrPromise]]) -> Parser:
    """One of the choices, by label (in the page's language or the default one — the
    template is in Chinese), by the part of a label before a bracket ("元/月" for
    "元/月（总价）"), or by its stored value."""
    pairs = list(choices.choices if isinstance(choices, type) else choices)

    def parse(raw: Any) -> Any:
        typed = text(raw)
        folded = unicodedata.normalize("NFKC", typed)
        for value, label in pairs:
            with translation.override(settings.LANGUAGE_CODE):
                default_label = str(label)
            names = {str(value), str(label), default_label, default_label.split("（")[0]}
            if typed in names or folded in {unicodedata.normalize("NFKC", n) for n in names}:
                return value
        raise CellError(
            _("“%(value)s”不是可选值，应为：%(values)s。")
            % {"value": _shown(raw), "values": _("、").join(str(label) for _v, label in pairs)}
        )

    return parse


# --- columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: `label` is the header (the import matches it in either language, a
    trailing * marking required is ignored); `parse` reads a cell (import); `value` gives
    an object's cell (export); `width` in characters."""

    label: StrOrPromise
    key: str
    parse: Parser = text
    required: bool = False
    width: int = 14
    value: Callable[[Any], Any] | None = None
    example: Any = None


@dataclass(frozen=True)
class SheetSpec:
    """A sheet an import reads: its title (None: the first sheet) and its columns."""

    title: StrOrPromise | None
    columns: Sequence[Column]
    required: bool = False


@dataclass
class Row:
    sheet: str
    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.sheet, self.number, column, reason))


@dataclass
class Reading:
    """What `read` found: each sheet's non-blank rows, and the header problems (a missing
    required column, a missing sheet) as errors on row 1."""

    sheets: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [row for rows in self.sheets.values() for row in rows]

    @property
    def total_rows(self) -> int:
        return sum(len(rows) for rows in self.sheets.values())

    def all_errors(self) -> list[RowError]:
        return self.errors + [e for row in self.rows for e in row.errors]


# --- reading -----------------------------------------------------------------------------

PART_BYTES = 16 * 1024 * 1024  # a workbook's styles, names and relations: ~100 KB in practice
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)


def read_bytes(upload: bytes | IO[bytes], limits: Limits) -> bytes:
    """The upload's bytes, refused unread when it says it is over the limit and never
    read past the limit either way."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if isinstance(size, int) and size > limits.upload_bytes:
            raise WorkbookRefused(
                _("文件过大：最大 %(mb)s MB。") % {"mb": _megabytes(limits.upload_bytes)}
            )
        data = upload.read(limits.upload_bytes + 1)
    if len(data) > limits.upload_bytes:
        raise WorkbookRefused(
            _("文件过大：最大 %(mb)s MB。") % {"mb": _megabytes(limits.upload_bytes)}
        )
    return data


def _unreadable() -> WorkbookRefused:
    return WorkbookRefused(_("无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿。"))


def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb before openpyxl inflates anything. zipfile never yields more than
    a member's declared size (it stops there and the CRC check fails), so the declared
    sizes bound what reading can cost; the shared strings, which openpyxl holds in memory
    all at once, are counted from the stream."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    total = sum(m.file_size for m in members)
    if len(members) > 10_000 or total > limits.uncompressed_bytes:
        raise WorkbookRefused(
            _("文件解压后过大（超过 %(mb)s MB），请拆分后分批导入。")
            % {"mb": _megabytes(limits.uncompressed_bytes)}
        )
    names = {m.filename for m in members}
    strings = [n for n in names if n.lower().endswith("sharedstrings.xml")]
    # openpyxl parses the workbook, its styles and relations as whole trees in memory
    # (several times their size): only the sheets and the strings, which stream, may be big.
    for member in members:
        name = member.filename
        streamed = name.startswith("xl/worksheets/") or name in strings
        if not streamed and name.endswith((".xml", ".rels")) and member.file_size > PART_BYTES:
            raise WorkbookRefused(
                _("文件结构异常（%(name)s 过大），请在 Excel 中另存为 .xlsx 后再导入。")
                % {"name": name[:60]}
            )
    try:
        # The content types name the shared-string part wherever the file put it.
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _unreadable() from None
    for m in re.finditer(rb'PartName="/([^"]+)"[^>]*ContentType="([^"]+)"', types):
        if m[2].decode(errors="replace") == _SHARED_STRINGS_TYPE:
            strings.append(m[1].decode(errors="replace"))
    for name in set(strings) & names:
        count = 0
        tail = b""
        try:
            with archive.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    block = tail + chunk
                    count += len(_SI.findall(block))
                    tail = block[-40:]
                    count -= len(_SI.findall(tail))  # counted again with the next chunk
                    if count > limits.shared_strings:
                        raise WorkbookRefused(
                            _("文件中的文本过多（超过 %(n)s 个不同的文本），请拆分后分批导入。")
                            % {"n": limits.shared_strings}
                        )
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise _unreadable() from None


def _too_many_rows(limits: Limits) -> WorkbookRefused:
    return WorkbookRefused(_("单次最多导入 %(n)s 行，请拆分后分批导入。") % {"n": limits.rows})


def _header_key(value: Any) -> str:
    return _clean(value).rstrip("*") if value is not None else ""


def _labels(column: Column) -> set[str]:
    with translation.override(settings.LANGUAGE_CODE):
        default = str(column.label)
    return {_header_key(column.label), _header_key(default)}


def _percent_styles(wb: Any) -> set[int]:
    """The style ids whose number format shows a percentage (0%, 0.00%, custom ones)."""
    custom = list(getattr(wb, "_number_formats", []))
    out = set()
    for i, style in enumerate(getattr(wb, "_cell_styles", [])):
        fmt_id = style.numFmtId
        fmt = BUILTIN_FORMATS.get(fmt_id) if fmt_id < 164 else None
        if fmt is None and fmt_id >= 164 and fmt_id - 164 < len(custom):
            fmt = custom[fmt_id - 164]
        if fmt and "%" in fmt:
            out.add(i)
    return out


def _sheet_rows(wb: Any, ws: Any, limits: Limits) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) straight from the sheet XML: no padding to
    the declared dimension, no filling of skipped rows; the limits are checked per row."""
    percent_styles = _percent_styles(wb)
    source = ws._get_source()
    parser = WorkSheetParser(
        source,
        ws._shared_strings,
        data_only=True,
        epoch=wb.epoch,
        date_formats=wb._date_formats,
        timedelta_formats=wb._timedelta_formats,
    )
    try:
        for seen, (number, cells) in enumerate(parser.parse(), start=1):
            # Every row element counts (blank ones too, with some slack for formatted
            # empty rows), so a file of a million empty rows stops here as well.
            if seen > 2 * limits.rows + 1000:
                raise _too_many_rows(limits)
            values: dict[int, Any] = {}
            for cell in cells:
                column = cell["column"]
                if column > limits.columns:
                    if cell["value"] is None or is_blank(cell["value"]):
                        continue
                    raise WorkbookRefused(
                        _("列数过多：最多 %(n)s 列（第 %(row)s 行有第 %(col)s 列）。")
                        % {"n": limits.columns, "row": number, "col": get_column_letter(column)}
                    )
                value = cell["value"]
                if value is not None:
                    if cell.get("style_id") in percent_styles and isinstance(value, int | float):
                        value = Percentage(value)
                    values[column] = value
            yield number, values
    finally:
        source.close()


def read(
    upload: bytes | IO[bytes], sheets: Sequence[SheetSpec], *, limits: Limits | None = None
) -> Reading:
    """Read the sheets of an uploaded workbook, each cell through its column's parser.
    Blank rows are skipped; a required column left blank is an error on that row."""
    limits = limits or Limits.from_settings()
    data = read_bytes(upload, limits)
    _check_archive(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not xlsx
        raise _unreadable() from None
    reading = Reading()
    rows_read = 0
    try:
        for spec in sheets:
            title = str(spec.title) if spec.title is not None else None
            if title is None:
                ws = wb.worksheets[0] if wb.worksheets else None
            else:
                with translation.override(settings.LANGUAGE_CODE):
                    default_title = str(spec.title)
                found = [n for n in wb.sheetnames if n.strip() in (title, default_title)]
                ws = wb[found[0]] if found else None
            name = title or (ws.title if ws is not None else "")
            reading.sheets[name] = []
            if ws is None or not hasattr(ws, "_get_source"):
                if spec.required:
                    reading.errors.append(RowError(name, 1, "", _("缺少该工作表。")))
                continue
            rows = _sheet_rows(wb, ws, limits)
            # The header is the first row with anything in it.
            first = ((n, h) for n, h in rows if not all(is_blank(v) for v in h.values()))
            header_number, header = next(first, (1, {}))
            positions: dict[str, int] = {}
            for col in spec.columns:
                wanted = _labels(col)
                at = [i for i, v in header.items() if _header_key(v) in wanted]
                if at:
                    positions[col.key] = at[0]
                elif col.required:
                    reading.errors.append(
                        RowError(name, header_number, str(col.label), _("缺少该列。"))
                    )
            if any(e.sheet == name for e in reading.errors):
                continue
            for number, values in rows:
                if all(is_blank(v) for v in values.values()):
                    continue
                rows_read += 1
                if rows_read > limits.rows:
                    raise _too_many_rows(limits)
                row = Row(name, number, {})
                for col in spec.columns:
                    raw = values.get(positions[col.key]) if col.key in positions else None
                    if is_blank(raw):
                        row.values[col.key] = None
                        if col.required:
                            row.error(str(col.label), _("必填。"))
                        continue
                    try:
                        row.values[col.key] = col.parse(raw)
                    except CellError as exc:
                        row.values[col.key] = None
                        row.error(str(col.label), str(exc))
                reading.sheets[name].append(row)
    except WorkbookRefused:
        raise
    except Exception:  # a malformed sheet XML (openpyxl/ElementTree raise many kinds)
        raise _unreadable() from None
    finally:
        wb.close()
    return reading


def raise_for_errors(errors: Sequence[RowError]) -> None:
    if errors:
        raise ValidationError([str(e) for e in errors])


# --- writing -----------------------------------------------------------------------------

# A string starting with one of these is a formula to Excel (and to LibreOffice, whose
# "-" and "+" start formulas too), or a DDE trigger when a cell is edited or a CSV saved.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


@dataclass
class SheetData:
    """A sheet to write: headers (or columns, which give headers and widths) and rows of
    plain values (str, numbers, Decimal, dates, None)."""

    title: StrOrPromise
    columns: Sequence[Column | StrOrPromise]
    rows: Iterable[Sequence[Any]]


def _cell(ws: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.replace(tzinfo=None)
    elif value is not None and not isinstance(value, str | int | float | dt.date | dt.time):
        value = str(value)  # lazy strings, enums
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        # Text is text: never a formula, whatever it starts with; the quote prefix keeps
        # it text when someone edits the cell in Excel.
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def workbook_bytes(sheets: Sequence[SheetData]) -> bytes:
    wb = Workbook(write_only=True)
    for sheet in sheets:
        ws = wb.create_sheet(str(sheet.title)[:31])
        headers = []
        for i, col in enumerate(sheet.columns, start=1):
            label = col.label if isinstance(col, Column) else col
            width = col.width if isinstance(col, Column) else max(10, 2 * len(str(label)) + 2)
            ws.column_dimensions[get_column_letter(i)].width = width
            headers.append(str(label))
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, h) for h in headers])
        for row in sheet.rows:
            ws.append([_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def content_disposition(filename: str) -> str:
    """attachment; an ASCII fallback for old clients and the real (Chinese) name in
    RFC 5987 form, which every current browser uses."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    stem, dot, ext = filename.rpartition(".")
    if not ascii_name.strip(". ") or ascii_name == f".{ext}":
        ascii_name = f"export.{ext}" if dot else "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def response(content: bytes, filename: str) -> HttpResponse:
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    resp = HttpResponse(content, content_type=XLSX)
    resp["Content-Disposition"] = content_disposition(filename)
    return resp


def export_response(filename: str, sheets: Sequence[SheetData]) -> HttpResponse:
    """The download of an export: one workbook, Chinese filename, strings never formulas."""
    return response(workbook_bytes(sheets), filename)


def template_bytes(sheets: Sequence[SheetSpec], notes: Sequence[str] = ()) -> bytes:
    """An import template: each sheet's headers (required ones marked *) and an example
    row, then a 说明 sheet. Built in the default language: it is the import format."""
    with translation.override(settings.LANGUAGE_CODE):
        data = [
            SheetData(
                str(spec.title or _("导入")),
                [
                    Column(f"{c.label}{'*' if c.required else ''}", c.key, width=c.width)
                    for c in spec.columns
                ],
                [[c.example for c in spec.columns]]
                if any(c.example is not None for c in spec.columns)
                else [],
            )
            for spec in sheets
        ]
        if notes:
            data.append(SheetData(_("说明"), [_("说明")], [[str(n)] for n in notes]))
        return workbook_bytes(data)
