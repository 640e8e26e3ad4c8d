"""Excel in and out: list exports, the import template, and the validated import of
buildings, units and leases (all rows or none, every bad row listed).

Progress: validation reads row by row and records progress on the job as it goes (it is
most of the time of a large workbook); the writes then happen in one transaction, so that
a failure leaves nothing behind — and, since a transaction's progress would be invisible
to the page anyway, the job shows "writing" until it commits."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from oasis.accounts.models import User
from oasis.enterprises.models import Enterprise
from oasis.parks import services as park_services
from oasis.parks.models import Building, Floor, Park, Unit, UnitUse

from . import services
from .models import Cycle, ImportJob, Lease, LeaseUnit, RentBasis

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 200
MAX_ROWS = 50_000

# Column specs: (header, key, required)
BUILDING_COLUMNS = (
    ("楼宇编号", "code", True),
    ("楼宇名称", "name", True),
    ("主要用途", "use", True),
    ("地上层数", "floors_above", True),
    ("建筑面积", "gross_area", True),
    ("期数", "phase", False),
)
UNIT_COLUMNS = (
    ("楼宇编号", "building", True),
    ("楼层", "floor", True),
    ("房号", "code", True),
    ("用途", "use", True),
    ("面积", "area", True),
)
LEASE_COLUMNS = (
    ("合同编号", "number", False),
    ("统一社会信用代码", "uscc", False),
    ("企业名称", "tenant", False),
    ("单元", "units", True),
    ("起租日", "start_date", True),
    ("到期日", "end_date", True),
    ("计租方式", "rent_basis", False),
    ("租金单价", "rent_rate", True),
    ("物业费", "property_fee_rate", False),
    ("保证金", "deposit", False),
    ("年递增率", "escalation_pct", False),
    ("付款周期", "cycle", False),
    ("免租开始", "free_start", False),
    ("免租结束", "free_end", False),
)
SHEETS = (("楼宇", BUILDING_COLUMNS), ("单元", UNIT_COLUMNS), ("合同", LEASE_COLUMNS))


def _response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _sheet(title: str, headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> Workbook:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    return wb


def export_leases(qs: Any) -> HttpResponse:
    headers = [
        _("合同编号"),
        _("承租企业"),
        _("单元"),
        _("面积（㎡）"),
        _("起租日"),
        _("到期日"),
        _("租金单价"),
        _("计租方式"),
        _("付款周期"),
        _("状态"),
        _("应收未收"),
    ]
    rows = (
        [
            le.number,
            le.tenant.name,
            _("、").join(f"{lu.unit.building.code}-{lu.unit.code}" for lu in le.lease_units.all()),
            le.area,
            le.start_date,
            le.end_date,
            le.rent_rate,
            le.get_rent_basis_display(),
            le.get_cycle_display(),
            le.get_status_display(),
            le.outstanding,
        ]
        for le in qs.iterator(chunk_size=500)
    )
    return _response(_sheet(_("合同"), headers, rows), "leases.xlsx")


def export_bills(qs: Any) -> HttpResponse:
    headers = [
        _("合同编号"),
        _("承租企业"),
        _("期数"),
        _("类型"),
        _("账期开始"),
        _("账期结束"),
        _("应付日期"),
        _("租金"),
        _("物业费"),
        _("应收"),
        _("已收"),
        _("未收"),
        _("说明"),
    ]
    rows = (
        [
            b.lease.number,
            b.tenant.name,
            b.seq,
            b.get_kind_display(),
            b.period_start,
            b.period_end,
            b.due_date,
            b.rent,
            b.property_fee,
            b.amount,
            b.paid,
            b.amount - b.paid,
            b.note,
        ]
        for b in qs.iterator(chunk_size=1000)
    )
    return _response(_sheet(_("账单"), headers, rows), "bills.xlsx")


def export_ageing(rows: list[dict[str, Any]]) -> HttpResponse:
    headers = [_("承租企业"), _("0–30天"), _("31–90天"), _("91–180天"), _("180天以上"), _("合计")]
    data = (
        [r["tenant__name"], r["d0_30"], r["d31_90"], r["d91_180"], r["over_180"], r["total"]]
        for r in rows
    )
    return _response(_sheet(_("账龄"), headers, data), "ageing.xlsx")


def export_occupancy(data: dict[str, Any]) -> HttpResponse:
    headers = [_("范围"), _("名称"), _("可租面积"), _("已租面积"), _("已预订面积"), _("出租率%")]
    rows = [
        [
            _("园区"),
            "",
            data["park"].total_area,
            data["park"].leased_area,
            data["park"].reserved_area,
            data["park"].rate,
        ]
    ]
    rows += [
        [_("楼宇"), o.label, o.total_area, o.leased_area, o.reserved_area, o.rate]
        for o in data["buildings"]
    ]
    rows += [
        [_("用途"), o.label, o.total_area, o.leased_area, o.reserved_area, o.rate]
        for o in data["uses"]
    ]
    return _response(_sheet(_("出租率"), headers, rows), "occupancy.xlsx")


def template_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    examples = {
        "楼宇": ["F9", "9号厂房", "智能制造", 4, 12000, 2],
        "单元": ["F9", 1, "101", "智能制造", 1500],
        "合同": [
            "",
            "",
            "常熟临芯微电子有限公司",
            "F9-101",
            "2026-01-01",
            "2028-12-31",
            "元/㎡/天",
            1.2,
            5,
            50000,
            3,
            "季付",
            "2026-01-01",
            "2026-03-31",
        ],
    }
    for title, cols in SHEETS:
        ws = wb.create_sheet(title)
        ws.append([c[0] + ("*" if c[2] else "") for c in cols])
        ws.append(examples[title])
    notes = wb.create_sheet("说明")
    for line in (
        "带 * 的列必填；示例行请删除后再导入。",
        "用途：" + "、".join(str(label) for _v, label in UnitUse.choices),
        "计租方式：元/㎡/天 或 元/月；付款周期：月付、季付、半年付、年付。",
        "合同的单元写作 楼宇编号-房号，多个单元用分号或顿号分隔；企业按统一社会信用代码或名称匹配本园区企业。",
        "整个文件校验通过才会导入；有任何错误则一行也不导入，并列出每个错误的行号、列名和原因。",
    ):
        notes.append([line])
    return wb


def template_response() -> HttpResponse:
    # The template's sheets and headers are the import format (Chinese), so its notes
    # and choice labels stay in the same language whatever the page's language.
    with translation.override(settings.LANGUAGE_CODE):
        wb = template_workbook()
    return _response(wb, "leasing-import-template.xlsx")


# --- import --------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Preview:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0


@dataclass
class Plan:
    buildings: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    leases: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0


def _read(data: bytes) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]], list[RowError]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise ValidationError({"file": [_("无法读取该文件，请上传 .xlsx 格式的工作簿。")]}) from exc
    out: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    errors: list[RowError] = []
    for title, cols in SHEETS:
        out[title] = []
        if title not in wb.sheetnames:
            continue
        rows = wb[title].iter_rows(values_only=True)
        header = [str(h or "").strip().rstrip("*") for h in next(rows, [])]
        index = {}
        for label, key, _req in cols:
            if label in header:
                index[key] = header.index(label)
            else:
                errors.append(RowError(title, 1, label, _("缺少该列。")))
        if any(e.sheet == title for e in errors):
            continue
        for n, values in enumerate(rows, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            out[title].append(
                (n, {k: (values[i] if i < len(values) else None) for k, i in index.items()})
            )
    wb.close()
    return out, errors


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _decimal(v: Any) -> Decimal:
    try:
        return Decimal(_text(v))
    except InvalidOperation as exc:
        raise ValueError(_("不是有效的数字。")) from exc


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(_text(v).replace("/", "-"))
    except ValueError as exc:
        raise ValueError(_("不是有效的日期（应为 YYYY-MM-DD）。")) from exc


def _choice(v: Any, choices: Any) -> Any:
    text = _text(v)
    for value, label in choices:
        with translation.override(settings.LANGUAGE_CODE):
            default_label = str(label)  # the file is in the template's language
        # "元/月" matches "元/月（总价）": the part before a bracket is enough.
        if text in (str(value), str(label), default_label, default_label.split("（")[0]):
            return value
    raise ValueError(_("无效的选项：%(v)s") % {"v": text})


def validate(
    *,
    park: Park,
    sheets: dict[str, list[tuple[int, dict[str, Any]]]],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Check every row against the sheet, the other sheets and the database."""
    plan = Plan(total_rows=sum(len(r) for r in sheets.values()))
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)

    def err(sheet: str, row: int, column: str, reason: str) -> None:
        plan.errors.append(RowError(sheet, row, column, reason))

    def convert(
        sheet: str, n: int, raw: dict[str, Any], cols: tuple, conv: dict[str, Callable[[Any], Any]]
    ) -> dict[str, Any] | None:
        row: dict[str, Any] = {}
        ok = True
        for label, key, req in cols:
            value = raw.get(key)
            if value in (None, ""):
                if req:
                    err(sheet, n, label, _("必填。"))
                    ok = False
                row[key] = None
                continue
            try:
                row[key] = conv.get(key, _text)(value)
            except ValueError as exc:
                err(sheet, n, label, str(exc))
                ok = False
        return row if ok else None

    existing_buildings = {b.code: b for b in Building.objects.filter(park=park)}
    new_buildings: dict[str, int] = {}
    for n, raw in sheets["楼宇"]:
        tick()
        row = convert(
            "楼宇",
            n,
            raw,
            BUILDING_COLUMNS,
            {
                "use": lambda v: _choice(v, UnitUse.choices),
                "floors_above": lambda v: int(_decimal(v)),
                "gross_area": _decimal,
                "phase": lambda v: int(_decimal(v)),
            },
        )
        if row is None:
            continue
        if row["code"] in existing_buildings or row["code"] in new_buildings:
            err("楼宇", n, "楼宇编号", _("本园区已有该编号的楼宇。"))
            continue
        if not 1 <= row["floors_above"] <= 200:
            err("楼宇", n, "地上层数", _("应在 1 到 200 之间。"))
            continue
        if row["gross_area"] <= 0:
            err("楼宇", n, "建筑面积", _("必须大于零。"))
            continue
        new_buildings[row["code"]] = n
        plan.buildings.append({**row, "phase": row["phase"] or 1})

    existing_units = {
        (b, c): (pk, area)
        for pk, b, c, area in Unit.objects.filter(building__park=park).values_list(
            "pk", "building__code", "code", "area"
        )
    }
    new_units: dict[tuple[str, str], Decimal] = {}
    for n, raw in sheets["单元"]:
        tick()
        row = convert(
            "单元",
            n,
            raw,
            UNIT_COLUMNS,
            {
                "floor": lambda v: int(_decimal(v)),
                "use": lambda v: _choice(v, UnitUse.choices),
                "area": _decimal,
            },
        )
        if row is None:
            continue
        if row["building"] not in existing_buildings and row["building"] not in new_buildings:
            err("单元", n, "楼宇编号", _("楼宇不存在：%(c)s") % {"c": row["building"]})
            continue
        key = (row["building"], row["code"])
        if key in existing_units or key in new_units:
            err("单元", n, "房号", _("本楼宇已有该房号。"))
            continue
        if not Decimal("0.01") <= row["area"] <= Decimal("100000"):
            err("单元", n, "面积", _("面积应在 0.01 到 100000 ㎡ 之间。"))
            continue
        new_units[key] = row["area"]
        plan.units.append(row)

    firms = list(Enterprise.objects.filter(park=park).values_list("pk", "uscc", "name"))
    by_uscc = {u: pk for pk, u, _n in firms if u}
    by_name = {name: pk for pk, _u, name in firms}
    taken: dict[tuple[str, str], list[tuple[dt.date, dt.date, int]]] = {}
    for unit_id, start, end in LeaseUnit.objects.filter(
        occupies=True, unit__building__park=park
    ).values_list("unit_id", "start_date", "end_date"):
        taken.setdefault(("#", str(unit_id)), []).append((start, end, 0))
    numbers = set(Lease.objects.filter(park=park).values_list("number", flat=True))
    for n, raw in sheets["合同"]:
        tick()
        row = convert(
            "合同",
            n,
            raw,
            LEASE_COLUMNS,
            {
                "start_date": _date,
                "end_date": _date,
                "free_start": _date,
                "free_end": _date,
                "rent_rate": _decimal,
                "property_fee_rate": _decimal,
                "deposit": _decimal,
                "escalation_pct": _decimal,
                "rent_basis": lambda v: _choice(v, RentBasis.choices),
                "cycle": lambda v: _choice(v, Cycle.choices),
            },
        )
        if row is None:
            continue
        tenant_id = (
            by_uscc.get(row["uscc"].upper()) if row["uscc"] else by_name.get(row["tenant"] or "")
        )
        if tenant_id is None:
            err(
                "合同",
                n,
                "统一社会信用代码" if row["uscc"] else "企业名称",
                _("本园区没有该企业。"),
            )
            continue
        if row["end_date"] < row["start_date"]:
            err("合同", n, "到期日", _("到期日不能早于起租日。"))
            continue
        bad = False
        for name, label in (
            ("rent_rate", "租金单价"),
            ("property_fee_rate", "物业费"),
            ("deposit", "保证金"),
        ):
            if row[name] is not None and row[name] < 0:
                err("合同", n, label, _("不能为负数。"))
                bad = True
        if row["escalation_pct"] is not None and not 0 <= row["escalation_pct"] <= 100:
            err("合同", n, "年递增率", _("应在 0 到 100 之间。"))
            bad = True
        if bool(row["free_start"]) != bool(row["free_end"]) or (
            row["free_start"]
            and not row["start_date"] <= row["free_start"] <= row["free_end"] <= row["end_date"]
        ):
            err("合同", n, "免租结束", _("免租期需同时填写且在租期之内。"))
            bad = True
        if row["number"] and row["number"] in numbers:
            err("合同", n, "合同编号", _("本园区已有该合同编号。"))
            bad = True
        codes = [
            c.strip()
            for c in _text(raw.get("units")).replace("；", ";").replace("、", ";").split(";")
            if c.strip()
        ]
        unit_keys = []
        for code in codes:
            b, _sep, u = code.partition("-")
            key = (b, u)
            if key in existing_units:
                unit_keys.append(("#", str(existing_units[key][0])))
            elif key in new_units:
                unit_keys.append(key)
            else:
                err("合同", n, "单元", _("单元不存在：%(c)s") % {"c": code})
                bad = True
        for key in unit_keys:
            for start, end, other in taken.get(key, []):
                if start <= row["end_date"] and row["start_date"] <= end:
                    where = _("第 %(r)s 行的合同") % {"r": other} if other else _("已有合同")
                    err("合同", n, "单元", _("与%(w)s租期重叠。") % {"w": where})
                    bad = True
        if bad:
            continue
        for key in unit_keys:
            taken.setdefault(key, []).append((row["start_date"], row["end_date"], n))
        if row["number"]:
            numbers.add(row["number"])
        plan.leases.append({**row, "tenant_id": tenant_id, "unit_keys": unit_keys, "row": n})
    return plan


@transaction.atomic
def apply(*, actor: User, park: Park, plan: Plan) -> dict[str, int]:
    """Write a validated plan; any error rolls everything back."""
    services._require(actor, park.pk)
    buildings = {b["code"]: services_building(actor, park, b) for b in plan.buildings}
    buildings.update(
        {b.code: b for b in Building.objects.filter(park=park).exclude(code__in=buildings)}
    )
    floors = {(f.building_id, f.number): f for f in Floor.objects.filter(building__park=park)}
    new_units: dict[tuple[str, str], Unit] = {}
    for u in plan.units:
        b = buildings[u["building"]]
        floor = floors.get((b.pk, u["floor"]))
        if floor is None:
            floor = floors[(b.pk, u["floor"])] = Floor.objects.create(building=b, number=u["floor"])
        unit = Unit(building=b, floor=floor, code=u["code"], use=u["use"], area=u["area"])
        new_units[(u["building"], u["code"])] = unit
    park_services.units_create_many(actor=actor, park=park, units=list(new_units.values()))
    tenants = {e.pk: e for e in Enterprise.objects.filter(park=park).select_related("park")}
    for row in plan.leases:
        unit_ids = [int(k[1]) if k[0] == "#" else new_units[k].pk for k in row["unit_keys"]]
        data = {
            "number": row["number"] or "",
            "start_date": row["start_date"],
            "end_date": row["end_date"],
            "rent_basis": row["rent_basis"] or RentBasis.PER_SQM_DAY,
            "rent_rate": row["rent_rate"],
            "property_fee_rate": row["property_fee_rate"] or Decimal("0"),
            "deposit": row["deposit"] or Decimal("0"),
            "escalation_pct": row["escalation_pct"] or Decimal("0"),
            "cycle": row["cycle"] or Cycle.QUARTERLY,
        }
        free = [(row["free_start"], row["free_end"])] if row["free_start"] else []
        try:
            services.lease_create(
                actor=actor,
                tenant=tenants[row["tenant_id"]],
                unit_ids=unit_ids,
                data=data,
                free_periods=free,
                activate=True,
            )
        except ValidationError as exc:
            key = _("合同 第%(row)s行 %(field)s")
            raise ValidationError(
                {key % {"row": row["row"], "field": k}: v for k, v in exc.message_dict.items()}
            ) from exc
    return {"buildings": len(plan.buildings), "units": len(plan.units), "leases": len(plan.leases)}


def services_building(actor: User, park: Park, row: dict[str, Any]) -> Building:
    data = {k: row[k] for k in ("code", "name", "use", "floors_above", "gross_area", "phase")}
    return park_services.building_create(actor=actor, park=park, data=data)


def import_submit(*, actor: User, park: Park, upload: Any, dry_run: bool) -> Preview | ImportJob:
    """Dry run: validate now and return the preview. Otherwise store the file as a job for
    the background task (the caller enqueues it)."""
    services._require(actor, park.pk)
    data = upload.read()
    sheets, errors = _read(data)
    total = sum(len(r) for r in sheets.values())
    if total > MAX_ROWS:
        raise ValidationError({"file": [_("单次最多导入 %(n)s 行。") % {"n": MAX_ROWS}]})
    if dry_run:
        plan = validate(park=park, sheets=sheets)
        return Preview(
            counts={
                "buildings": len(plan.buildings),
                "units": len(plan.units),
                "leases": len(plan.leases),
            },
            errors=errors + plan.errors,
            total_rows=total,
        )
    job = ImportJob(
        park=park,
        created_by=actor if getattr(actor, "pk", None) else None,
        filename=getattr(upload, "name", "import.xlsx")[:200],
        total_rows=total,
    )
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.filename}", ContentFile(data), save=False)
    job.save()
    return job


def import_run(*, job_id: int) -> ImportJob:
    """Run a stored import (the task body). Safe to call twice: a finished job is left."""
    job = ImportJob.objects.select_related("park", "created_by").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    with job.file.open("rb") as fh:
        sheets, errors = _read(fh.read())

    def progress(n: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=n)

    plan = validate(park=job.park, sheets=sheets, progress=progress)
    errors += plan.errors
    # The leases and the job's "done" commit together: a worker killed before the
    # commit leaves the job to run again, one killed after leaves it done. Never twice.
    with transaction.atomic():
        if ImportJob.objects.select_for_update().get(pk=job.pk).status in (
            ImportJob.Status.DONE,
            ImportJob.Status.FAILED,
        ):
            return job
        if not errors and job.created_by is None:
            # The uploader's account is gone: nobody answers for these writes any more.
            errors = [RowError("", 0, "", _("没有执行该操作的权限。"))]
        elif not errors and job.created_by is not None:
            try:
                job.summary = apply(actor=job.created_by, park=job.park, plan=plan)
            except ValidationError as exc:
                errors = [RowError("", 0, k, m) for k, ms in exc.message_dict.items() for m in ms]
        job.errors = [e.as_dict() for e in errors]
        job.status = ImportJob.Status.FAILED if errors else ImportJob.Status.DONE
        job.processed_rows = job.total_rows
        job.finished_at = timezone.now()
        job.save(update_fields=["errors", "status", "processed_rows", "finished_at", "summary"])
    return job
