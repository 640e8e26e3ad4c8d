"""Leasing in Excel: list exports, the import template, and the import of buildings, units
and leases — all through `oasis.core.excel`.

The import runs every row through the same services as the pages (`building_create`,
`unit_create`, `lease_create`), each row in a savepoint so that every bad row is named,
all inside one transaction that commits only when every row went through (and never for a
dry run). No rule of the domain is written here: "end ≥ start", overlaps, free periods
and numbering are the services' own. Dry runs and imports both run as a background job;
the page polls its progress (kept in the cache: the job's own row is inside the
import's transaction until it commits)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from oasis.accounts.models import User
from oasis.core import excel
from oasis.core.excel import Column, RowError, SheetData, SheetSpec
from oasis.core.validation import error_fields
from oasis.enterprises.models import Enterprise
from oasis.parks import services as park_services
from oasis.parks.models import Building, Floor, Park, Unit, UnitUse

from . import services
from .models import Cycle, ImportJob, RentBasis

PROGRESS_EVERY = 200
MAX_ROWS = 50_000

BUILDING_COLUMNS = (
    Column(gettext_lazy("楼宇编号"), "code", required=True, example="F9"),
    Column(gettext_lazy("楼宇名称"), "name", required=True, example="9号厂房"),
    Column(
        gettext_lazy("主要用途"), "use", excel.choice(UnitUse), required=True, example="智能制造"
    ),
    Column(
        gettext_lazy("地上层数"),
        "floors_above",
        excel.integer(minimum=1, maximum=200),
        required=True,
        example=4,
    ),
    Column(gettext_lazy("建筑面积"), "gross_area", excel.decimal(2), required=True, example=12000),
    Column(gettext_lazy("期数"), "phase", excel.integer(minimum=1, maximum=99), example=2),
)
UNIT_COLUMNS = (
    Column(gettext_lazy("楼宇编号"), "building", required=True, example="F9"),
    Column(
        gettext_lazy("楼层"),
        "floor",
        excel.integer(minimum=-10, maximum=200),
        required=True,
        example=1,
    ),
    Column(gettext_lazy("房号"), "code", required=True, example="101"),
    Column(gettext_lazy("用途"), "use", excel.choice(UnitUse), required=True, example="智能制造"),
    Column(gettext_lazy("面积"), "area", excel.decimal(2), required=True, example=1500),
)
LEASE_COLUMNS = (
    Column(gettext_lazy("合同编号"), "number", example=""),
    Column(gettext_lazy("统一社会信用代码"), "uscc", width=22, example=""),
    Column(gettext_lazy("企业名称"), "tenant", width=24, example="常熟临芯微电子有限公司"),
    Column(gettext_lazy("单元"), "units", required=True, example="F9-101"),
    Column(gettext_lazy("起租日"), "start_date", excel.date(), required=True, example="2026-01-01"),
    Column(gettext_lazy("到期日"), "end_date", excel.date(), required=True, example="2028-12-31"),
    Column(gettext_lazy("计租方式"), "rent_basis", excel.choice(RentBasis), example="元/㎡/天"),
    Column(
        gettext_lazy("租金单价"),
        "rent_rate",
        excel.amount(4, minimum=None),
        required=True,
        example=1.2,
    ),
    Column(gettext_lazy("物业费"), "property_fee_rate", excel.amount(minimum=None), example=5),
    Column(gettext_lazy("保证金"), "deposit", excel.amount(minimum=None), example=50000),
    Column(gettext_lazy("年递增率"), "escalation_pct", excel.percent(), example=3),
    Column(gettext_lazy("付款周期"), "cycle", excel.choice(Cycle), example="季付"),
    Column(gettext_lazy("免租开始"), "free_start", excel.date(), example="2026-01-01"),
    Column(gettext_lazy("免租结束"), "free_end", excel.date(), example="2026-03-31"),
)
BUILDINGS = SheetSpec(gettext_lazy("楼宇"), BUILDING_COLUMNS)
UNITS = SheetSpec(gettext_lazy("单元"), UNIT_COLUMNS)
LEASES = SheetSpec(gettext_lazy("合同"), LEASE_COLUMNS)
SHEETS = (BUILDINGS, UNITS, LEASES)

# Which column a service's error on a field belongs to.
_LEASE_FIELD_COLUMN = {
    "number": "number",
    "start_date": "start_date",
    "end_date": "end_date",
    "rent_basis": "rent_basis",
    "rent_rate": "rent_rate",
    "property_fee_rate": "property_fee_rate",
    "deposit": "deposit",
    "escalation_pct": "escalation_pct",
    "cycle": "cycle",
    "free_rent": "free_end",
    "units": "units",
    "__all__": "number",  # the one table-wide rule on a lease: its number is unique
}


# --- exports -----------------------------------------------------------------------------


def export_leases(qs: Any) -> HttpResponse:
    columns: list[Column | StrOrPromise] = [
        Column(_("合同编号"), "number", width=16),
        Column(_("承租企业"), "tenant", width=28),
        Column(_("单元"), "units", width=20),
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
    return excel.export_response(_("合同台账.xlsx"), [SheetData(_("合同"), columns, rows)])


def export_bills(qs: Any) -> HttpResponse:
    columns: list[Column | StrOrPromise] = [
        Column(_("合同编号"), "number", width=16),
        Column(_("承租企业"), "tenant", width=28),
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
        Column(_("说明"), "note", width=30),
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
    return excel.export_response(_("账单.xlsx"), [SheetData(_("账单"), columns, rows)])


def export_ageing(rows: list[dict[str, Any]]) -> HttpResponse:
    columns: list[Column | StrOrPromise] = [
        Column(_("承租企业"), "tenant", width=28),
        _("0–30天"),
        _("31–90天"),
        _("91–180天"),
        _("180天以上"),
        _("合计"),
    ]
    data = (
        [r["tenant__name"], r["d0_30"], r["d31_90"], r["d91_180"], r["over_180"], r["total"]]
        for r in rows
    )
    return excel.export_response(_("应收账龄.xlsx"), [SheetData(_("账龄"), columns, data)])


def export_occupancy(data: dict[str, Any]) -> HttpResponse:
    columns: list[Column | StrOrPromise] = [
        _("范围"),
        Column(_("名称"), "name", width=20),
        _("可租面积"),
        _("已租面积"),
        _("已预订面积"),
        _("出租率%"),
    ]
    park = data["park"]
    rows: list[list[Any]] = [
        [_("园区"), "", park.total_area, park.leased_area, park.reserved_area, park.rate]
    ]
    rows += [
        [_("楼宇"), o.label, o.total_area, o.leased_area, o.reserved_area, o.rate]
        for o in data["buildings"]
    ]
    rows += [
        [_("用途"), o.label, o.total_area, o.leased_area, o.reserved_area, o.rate]
        for o in data["uses"]
    ]
    return excel.export_response(_("出租率.xlsx"), [SheetData(_("出租率"), columns, rows)])


# --- template ----------------------------------------------------------------------------


def template_response() -> HttpResponse:
    """The template's sheets, headers and notes are the import format (Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        notes = [
            gettext_lazy("带 * 的列必填；示例行请删除后再导入。"),
            gettext_lazy("用途：%(uses)s")
            % {"uses": "、".join(str(label) for _v, label in UnitUse.choices)},
            gettext_lazy("计租方式：元/㎡/天 或 元/月；付款周期：月付、季付、半年付、年付。"),
            gettext_lazy(
                "合同的单元写作 楼宇编号-房号，多个单元用分号或顿号分隔；企业按统一社会信用代码或名称匹配本园区企业。"
            ),
            gettext_lazy(
                "日期可写作 2026-01-01、2026/1/1 或 2026年1月1日；金额可带千分位、元或万元。"
            ),
            gettext_lazy(
                "整个文件校验通过才会导入；有任何错误则一行也不导入，并列出每个错误的行号、列名和原因。"
            ),
        ]
        content = excel.template_bytes(SHEETS, notes=[str(n) for n in notes])
    return excel.response(content, "leasing-import-template.xlsx")


# --- import ------------------------------------------------------------------------------


def _label(columns: tuple[Column, ...], key: str) -> str:
    return next((str(c.label) for c in columns if c.key == key), "")


def _service_errors(
    row: excel.Row, exc: ValidationError, columns: tuple[Column, ...], fields: dict[str, str]
) -> None:
    for field_name, messages in error_fields(exc).items():
        column = _label(columns, fields.get(field_name, field_name))
        for message in messages:
            row.error(column, message)


def _unit_codes(raw: Any) -> list[str]:
    text = excel.text(raw) if raw is not None else ""
    return [c.strip() for c in text.replace("；", ";").replace("、", ";").split(";") if c.strip()]


class _Progress:
    def __init__(self, job_id: int | None) -> None:
        self.job_id, self.done = job_id, 0

    def tick(self) -> None:
        self.done += 1
        if self.job_id and self.done % PROGRESS_EVERY == 0:
            cache.set(progress_key(self.job_id), self.done, 3600)


def progress_key(job_id: int) -> str:
    return f"leasing-import-progress:{job_id}"


def job_progress(job: ImportJob) -> int:
    """Rows processed so far: the cache while the job runs, the row once it is done."""
    if job.status == ImportJob.Status.RUNNING:
        return int(cache.get(progress_key(job.pk)) or job.processed_rows)
    return job.processed_rows


def _run_rows(
    *, actor: User, park: Park, reading: excel.Reading, progress: _Progress
) -> dict[str, int]:
    """Every row through its service, each in a savepoint; bad rows collect errors on
    themselves. The caller's transaction decides whether any of it stays."""
    counts = {"buildings": 0, "units": 0, "leases": 0}
    sheet_rows = {spec.title: reading.sheets.get(str(spec.title), []) for spec in SHEETS}

    for row in sheet_rows[BUILDINGS.title]:
        progress.tick()
        if not row.ok:
            continue
        data = {**row.values, "phase": row.values["phase"] or 1}
        try:
            with transaction.atomic():
                park_services.building_create(actor=actor, park=park, data=data)
            counts["buildings"] += 1
        except ValidationError as exc:
            _service_errors(row, exc, BUILDING_COLUMNS, {"__all__": "code"})

    buildings = {b.code: b for b in Building.objects.filter(park=park)}
    floors = {(f.building_id, f.number): f for f in Floor.objects.filter(building__park=park)}
    for row in sheet_rows[UNITS.title]:
        progress.tick()
        if not row.ok:
            continue
        building = buildings.get(row.values["building"])
        if building is None:
            row.error(
                _label(UNIT_COLUMNS, "building"),
                _("本园区没有该楼宇：%(c)s") % {"c": row.values["building"]},
            )
            continue
        try:
            with transaction.atomic():
                floor = floors.get((building.pk, row.values["floor"]))
                if floor is None:
                    floor = Floor.objects.create(building=building, number=row.values["floor"])
                data = {k: row.values[k] for k in ("code", "use", "area")}
                park_services.unit_create(actor=actor, floor=floor, data=data)
            floors[(building.pk, floor.number)] = floor
            counts["units"] += 1
        except ValidationError as exc:
            _service_errors(row, exc, UNIT_COLUMNS, {"__all__": "code"})

    units = {
        (b, c): pk
        for pk, b, c in Unit.objects.filter(building__park=park).values_list(
            "pk", "building__code", "code"
        )
    }
    firms = list(Enterprise.objects.filter(park=park).select_related("park"))
    by_uscc = {e.uscc: e for e in firms if e.uscc}
    by_name = {e.name: e for e in firms}
    made: dict[str, int] = {}  # lease number → the row that made it
    for row in sheet_rows[LEASES.title]:
        progress.tick()
        v = row.values
        tenant = (
            by_uscc.get((v["uscc"] or "").upper()) if v["uscc"] else by_name.get(v["tenant"] or "")
        )
        if tenant is None:
            column = "uscc" if v["uscc"] else "tenant"
            reason = (
                _("本园区没有该企业。")
                if v["uscc"] or v["tenant"]
                else _("请填写统一社会信用代码或企业名称。")
            )
            row.error(_label(LEASE_COLUMNS, column), reason)
        unit_ids = []
        for code in _unit_codes(v["units"]):
            b, _sep, u = code.partition("-")
            if (b, u) in units:
                unit_ids.append(units[(b, u)])
            else:
                row.error(_label(LEASE_COLUMNS, "units"), _("单元不存在：%(c)s") % {"c": code})
        if not row.ok or tenant is None:
            continue
        data = {
            "number": v["number"] or "",
            "start_date": v["start_date"],
            "end_date": v["end_date"],
            "rent_basis": v["rent_basis"] or RentBasis.PER_SQM_DAY,
            "rent_rate": v["rent_rate"],
            "property_fee_rate": v["property_fee_rate"] or Decimal("0"),
            "deposit": v["deposit"] or Decimal("0"),
            "escalation_pct": v["escalation_pct"] or Decimal("0"),
            "cycle": v["cycle"] or Cycle.QUARTERLY,
        }
        free: list[tuple[dt.date, dt.date]] = []
        if v["free_start"] or v["free_end"]:
            if not (v["free_start"] and v["free_end"]):
                row.error(_label(LEASE_COLUMNS, "free_end"), _("免租开始和免租结束需同时填写。"))
                continue
            free = [(v["free_start"], v["free_end"])]
        try:
            with transaction.atomic():
                lease = services.lease_create(
                    actor=actor,
                    tenant=tenant,
                    unit_ids=unit_ids,
                    data=data,
                    free_periods=free,
                    activate=True,
                )
            made[lease.number] = row.number
            counts["leases"] += 1
        except ValidationError as exc:
            before = len(row.errors)
            _service_errors(row, exc, LEASE_COLUMNS, _LEASE_FIELD_COLUMN)
            # An overlap with a lease of this file names that lease's row, not its number
            # (which the rolled-back import never keeps).
            for i in range(before, len(row.errors)):
                e = row.errors[i]
                for number, other in made.items():
                    if number in e.reason:
                        row.errors[i] = RowError(
                            e.sheet,
                            e.row,
                            e.column,
                            e.reason + _("（本文件第 %(r)s 行的合同）") % {"r": other},
                        )
    return counts


class _Rollback(Exception):
    pass


def import_rows(
    *,
    actor: User,
    park: Park,
    reading: excel.Reading,
    dry_run: bool,
    job_id: int | None = None,
) -> tuple[dict[str, int], list[RowError]]:
    """Run the rows; keep them only when every row went through and this is no dry run.
    Returns the counts (what would be or was imported) and every error."""
    progress = _Progress(job_id)
    counts: dict[str, int] = {}
    errors: list[RowError] = list(reading.errors)
    try:
        with transaction.atomic():
            if not errors:
                counts = _run_rows(actor=actor, park=park, reading=reading, progress=progress)
            errors += [e for row in reading.rows for e in row.errors]
            if dry_run or errors:
                raise _Rollback
    except _Rollback:
        pass
    except PermissionDenied as exc:  # the uploader lost the right to change this park
        counts, errors = {}, [RowError("", 0, "", str(exc))]
    return counts, errors


def import_submit(*, actor: User, park: Park, upload: Any, dry_run: bool) -> ImportJob:
    """Check the file can be read within bounds (a clear form error if not), then store it
    as a job for the background task (the caller enqueues it)."""
    services._require(actor, park.pk)
    limits = excel.Limits.from_settings(rows=MAX_ROWS)
    data = excel.read_bytes(upload, limits)
    reading = excel.read(data, SHEETS, limits=limits)
    job = ImportJob(
        park=park,
        created_by=actor,
        filename=(getattr(upload, "name", None) or "import.xlsx")[:200],
        total_rows=reading.total_rows,
        dry_run=dry_run,
    )
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.filename}", ContentFile(data), save=False)
    job.save()
    return job


def import_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """Import for real the file a clean dry run checked."""
    services._require(actor, job.park_id)
    if not job.dry_run or job.status != ImportJob.Status.DONE:
        raise ValidationError(_("只有校验通过的预览可以确认导入。"))
    with job.file.open("rb") as fh:
        data = fh.read()
    new = ImportJob(
        park_id=job.park_id,
        created_by=actor,
        filename=job.filename,
        total_rows=job.total_rows,
        dry_run=False,
    )
    new.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.filename}", ContentFile(data), save=False)
    new.save()
    return new


def import_run(*, job_id: int) -> ImportJob:
    """Run a stored import (the task body). Safe to call twice: a finished job is left."""
    job = ImportJob.objects.select_related("park", "created_by").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    with job.file.open("rb") as fh:
        data = fh.read()
    try:
        reading = excel.read(data, SHEETS, limits=excel.Limits.from_settings(rows=MAX_ROWS))
    except excel.WorkbookRefused as exc:
        reading = excel.Reading(errors=[RowError("", 0, "", exc.reason)])
    if job.created_by is None:  # the account that uploaded it was deleted meanwhile
        _finish(job, {}, [RowError("", 0, "", _("上传该文件的账号已不存在。"))])
        return job
    actor = job.created_by
    if job.dry_run:
        summary, errors = import_rows(
            actor=actor, park=job.park, reading=reading, dry_run=True, job_id=job.pk
        )
        _finish(job, summary, errors)
        return job
    # The rows and the job's "done" commit together: a worker killed before the commit
    # leaves the job to run again, one killed after leaves it done. Never twice.
    with transaction.atomic():
        if ImportJob.objects.select_for_update().get(pk=job.pk).status in (
            ImportJob.Status.DONE,
            ImportJob.Status.FAILED,
        ):
            return job
        summary, errors = import_rows(
            actor=actor, park=job.park, reading=reading, dry_run=False, job_id=job.pk
        )
        _finish(job, summary, errors)
    return job


def _finish(job: ImportJob, summary: dict[str, int], errors: list[RowError]) -> None:
    job.summary = summary
    job.errors = [e.as_dict() for e in errors]
    job.status = ImportJob.Status.FAILED if errors else ImportJob.Status.DONE
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save(update_fields=["errors", "status", "processed_rows", "finished_at", "summary"])
    cache.delete(progress_key(job.pk))
