"""Workbook import: template, dry run, all-or-nothing with every bad row listed."""

import datetime as dt
import io
import time
import zipfile
from decimal import Decimal
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from oasis.leasing import services
from oasis.leasing.excel import LEASE_COLUMNS, SHEETS, UNIT_COLUMNS
from oasis.leasing.models import ImportJob, Lease
from oasis.parks.models import Building, Unit


def workbook(buildings=(), units=(), leases=()):
    wb = Workbook()
    wb.remove(wb.active)
    for spec, rows in zip(SHEETS, (buildings, units, leases)):
        ws = wb.create_sheet(str(spec.title))
        ws.append([str(c.label) for c in spec.columns])
        for r in rows:
            ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("park.xlsx", buf.getvalue())


def good(enterprise):
    return workbook(
        buildings=[("F9", "9号厂房", "智能制造", 2, 6000, 2)],
        units=[("F9", 1, "101", "智能制造", 1500), ("F9", 2, "201", "研发生产", 800)],
        leases=[
            (
                "",
                enterprise.uscc,
                "",
                "F9-101",
                "2026-01-01",
                "2027-12-31",
                "元/㎡/天",
                1.2,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
            (
                "",
                "",
                enterprise.name,
                "F9-201",
                "2026-03-01",
                "2026-12-31",
                "元/月",
                30000,
                0,
                0,
                0,
                "月付",
                None,
                None,
            ),
        ],
    )


def test_template_downloads_with_every_column(staff_client):
    r = staff_client.get("/leasing/import/template.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["楼宇", "单元", "合同", "说明"]
    assert [c.value.rstrip("*") for c in wb["合同"][1]] == [str(c.label) for c in LEASE_COLUMNS]
    assert [c.value.rstrip("*") for c in wb["单元"][1]] == [str(c.label) for c in UNIT_COLUMNS]
    assert r["Content-Disposition"].startswith(
        'attachment; filename="leasing-import-template.xlsx"'
    )


def test_dry_run_checks_in_the_background_saves_nothing_then_confirms(
    leasing_client, park, enterprise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = leasing_client.post(
            "/leasing/import/", {"park": park.pk, "file": good(enterprise), "dry_run": "on"}
        )
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/leasing/import/{job.pk}/"
    assert (job.dry_run, job.status, job.summary) == (
        True,
        "done",
        {"buildings": 1, "units": 2, "leases": 2},
    )
    page = leasing_client.get(f"/leasing/import/{job.pk}/").content.decode()
    assert "校验通过：共 5 行，楼宇 1，单元 2，合同 2 可导入。" in page
    assert not Building.objects.filter(code="F9").exists() and Lease.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        r = leasing_client.post(f"/leasing/import/{job.pk}/confirm/")
    real = ImportJob.objects.exclude(pk=job.pk).get()
    assert r["Location"] == f"/leasing/import/{real.pk}/"
    assert (real.dry_run, real.status) == (False, "done")
    assert Lease.objects.filter(status="active").count() == 2
    # A finished real import cannot be confirmed again.
    assert leasing_client.post(f"/leasing/import/{real.pk}/confirm/").status_code == 400
    assert Lease.objects.count() == 2


def test_import_runs_as_a_task_and_reports_progress(
    leasing_client, park, enterprise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = leasing_client.post("/leasing/import/", {"park": park.pk, "file": good(enterprise)})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/leasing/import/{job.pk}/"
    assert (job.status, job.summary, job.processed_rows, job.total_rows) == (
        "done",
        {"buildings": 1, "units": 2, "leases": 2},
        5,
        5,
    )
    assert Lease.objects.filter(status="active").count() == 2
    assert Unit.objects.get(building__code="F9", code="101").status == Unit.Status.LEASED
    page = leasing_client.get(f"/leasing/import/{job.pk}/").content.decode()
    assert "已导入：楼宇 1，单元 2，合同 2。" in page


def test_broken_workbook_imports_nothing_and_lists_every_bad_row(
    leasing_client, park, enterprise, unit, django_capture_on_commit_callbacks
):
    upload = workbook(
        buildings=[
            ("F9", "9号厂房", "智能制造", 2, 6000, 2),
            ("F1", "重复", "智能制造", 2, 6000, 1),
        ],
        units=[
            ("F9", 1, "101", "智能制造", 1500),
            ("F8", 1, "101", "智能制造", 100),
            ("F9", 1, "102", "厂房", -5),
        ],
        leases=[
            (
                "",
                enterprise.uscc,
                "",
                "F9-101",
                "2026-01-01",
                "2025-12-31",
                "元/㎡/天",
                1.2,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
            (
                "",
                "",
                "不存在的企业",
                "F9-101",
                "2026-01-01",
                "2026-12-31",
                "元/㎡/天",
                1.2,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
            (
                "",
                "",
                enterprise.name,
                "F9-101",
                "2026-01-01",
                "2026-12-31",
                "元/㎡/天",
                -1,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
            (
                "",
                "",
                enterprise.name,
                "F9-101",
                "2026-01-01",
                "2026-12-31",
                "元/㎡/天",
                1,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
            (
                "",
                "",
                enterprise.name,
                "F9-101",
                "2026-06-01",
                "2027-12-31",
                "元/㎡/天",
                1,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
            (
                "",
                "",
                enterprise.name,
                "X-1",
                "2026-01-01",
                "2026-12-31",
                "元/㎡/天",
                1,
                5,
                0,
                3,
                "季付",
                None,
                None,
            ),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        leasing_client.post("/leasing/import/", {"park": park.pk, "file": upload})
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert [(e["sheet"], e["row"], e["column"], e["reason"]) for e in job.errors] == [
        ("楼宇", 3, "楼宇编号", "本园区已有该编号的楼宇。"),
        ("单元", 3, "楼宇编号", "本园区没有该楼宇：F8"),
        (
            "单元",
            4,
            "用途",
            "“厂房”不是可选值，应为：智能制造、研发生产、商务办公、人才公寓、商业休闲。",
        ),
        ("合同", 2, "到期日", "到期日不能早于起租日。"),
        ("合同", 3, "企业名称", "本园区没有该企业。"),
        ("合同", 4, "租金单价", "租金不能为负数。"),
        (
            "合同",
            6,
            "单元",
            "单元 F9-101 在 2026-01-01 至 2026-12-31 已由合同 ZL2026-0001 出租。"
            "（本文件第 5 行的合同）",
        ),
        ("合同", 7, "单元", "单元不存在：X-1"),
    ]
    assert not Building.objects.filter(code="F9").exists() and Lease.objects.count() == 0
    assert (
        "（本文件第 5 行的合同）"
        in leasing_client.get(f"/leasing/import/{job.pk}/").content.decode()
    )


def test_not_a_workbook(leasing_client, park):
    r = leasing_client.post(
        "/leasing/import/",
        {"park": park.pk, "file": SimpleUploadedFile("x.xlsx", b"nope"), "dry_run": "on"},
    )
    assert r.status_code == 400
    assert "无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿。" in r.content.decode()
    assert ImportJob.objects.count() == 0


def test_viewer_member_outsider_cannot_import(
    viewer_client, member_client, outsider_client, park, enterprise
):
    assert (
        viewer_client.post(
            "/leasing/import/", {"park": park.pk, "file": good(enterprise)}
        ).status_code
        == 403
    )
    assert (
        member_client.post(
            "/leasing/import/", {"park": park.pk, "file": good(enterprise)}
        ).status_code
        == 403
    )
    r = outsider_client.post("/leasing/import/", {"park": park.pk, "file": good(enterprise)})
    assert r.status_code == 400  # their own form; this park is not a choice
    assert ImportJob.objects.count() == 0 and not Building.objects.filter(code="F9").exists()


def test_an_import_whose_worker_died_runs_again_once(
    leasing_client, park, enterprise, settings, tmp_path
):
    """A worker killed mid-import leaves the job RUNNING with nothing written; the
    worker that takes it over imports it, and a third run changes nothing."""
    from oasis.leasing import excel

    settings.MEDIA_ROOT = tmp_path / "media"
    leasing_client.post("/leasing/import/", {"park": park.pk, "file": good(enterprise)})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)  # killed here

    assert excel.import_run(job_id=job.pk).status == "done"
    assert excel.import_run(job_id=job.pk).status == "done"
    assert Lease.objects.count() == 2 and Building.objects.filter(code="F9").count() == 1


def test_an_import_whose_uploader_is_gone_fails_and_writes_nothing(
    leasing_client, park, enterprise, settings, tmp_path
):
    """The uploader's account is deleted before the worker runs the job: the job fails
    with a row saying so and writes nothing (it used to raise in the worker and stay
    "running")."""
    from oasis.leasing import excel

    settings.MEDIA_ROOT = tmp_path / "media"
    leasing_client.post("/leasing/import/", {"park": park.pk, "file": good(enterprise)})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(created_by=None)

    job = excel.import_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert [e["reason"] for e in job.errors] == ["上传该文件的账号已不存在。"]
    assert Lease.objects.count() == 0 and not Building.objects.filter(code="F9").exists()


def test_ledger_forms_import(leasing_client, park, enterprise, django_capture_on_commit_callbacks):
    """Dates and amounts as real ledgers hold them, refused before by the old parser."""
    upload = workbook(
        buildings=[("F9", "9号厂房", "智能制造", "２", "6,000", 2)],
        units=[("F9", 1, "101", "智能制造", "1,500.00")],
        leases=[
            (
                "",
                enterprise.uscc,
                "",
                "F9-101",
                "2026.1.1",
                "2027年12月31日",
                "元/㎡/天",
                "1.20元",
                5,
                "5万元",
                "3%",
                "季付",
                "2026/1/1",
                46053,  # 2026-01-31 as an Excel serial
            )
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        leasing_client.post("/leasing/import/", {"park": park.pk, "file": upload})
    job = ImportJob.objects.get()
    assert (job.status, job.errors) == ("done", [])
    lease = Lease.objects.get()
    assert (lease.start_date, lease.end_date) == (dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert (lease.rent_rate, lease.deposit, lease.escalation_pct) == (
        Decimal("1.2"),
        Decimal("50000"),
        Decimal("3"),
    )
    period = lease.free_periods.get()
    assert (period.start_date, period.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def _wide_sheet() -> bytes:
    """5 KB on disk: a sheet declaring A1:XFD1048576 with a cell in column XFD."""
    base = workbook(buildings=[("F9", "9号厂房", "智能制造", 2, 6000, 2)]).read()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(
                    f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>'
                    for r in range(1, 300)
                )
                data = (
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData></worksheet>'
                ).encode()
            dst.writestr(info, data)
    return out.getvalue()


def test_import_bombs_are_a_form_error_at_once(leasing_client, park, settings):
    data = _wide_sheet()
    assert len(data) < 12_000
    assert leasing_client.get("/leasing/import/").status_code == 200  # warm the page up
    # CPU time, not wall time: the bound must hold on a loaded CI machine too.
    start = time.process_time()
    r = leasing_client.post(
        "/leasing/import/", {"park": park.pk, "file": SimpleUploadedFile("w.xlsx", data)}
    )
    assert time.process_time() - start < 2
    assert r.status_code == 400
    assert "列数过多：最多 200 列（第 1 行有第 XFD 列）。" in r.content.decode()
    assert ImportJob.objects.count() == 0

    settings.EXCEL_MAX_UPLOAD_BYTES = 1000
    r = leasing_client.post(
        "/leasing/import/",
        {"park": park.pk, "file": SimpleUploadedFile("big.xlsx", b"x" * 200_000)},
    )
    assert r.status_code == 413 and "文件过大：最大 0 MB。" in r.content.decode()
    assert ImportJob.objects.count() == 0


def test_exports_hold_no_formula_and_have_chinese_names(leasing_client, park, enterprise, unit):
    from oasis.enterprises.models import Enterprise

    Enterprise.objects.filter(pk=enterprise.pk).update(name='=HYPERLINK("http://x","点我")')
    enterprise.refresh_from_db()
    services.lease_create(
        actor=None,
        tenant=enterprise,
        unit_ids=[unit.pk],
        data={
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2026, 12, 31),
            "rent_rate": Decimal("1.2"),
        },
        activate=True,
    )
    for url, name in (
        ("/leasing/?export=xlsx", "合同台账"),
        ("/leasing/bills/?export=xlsx&state=all", "账单"),
        ("/leasing/receivables/?export=xlsx", "应收账龄"),
        ("/leasing/occupancy/?export=xlsx", "出租率"),
    ):
        r = leasing_client.get(url)
        assert r.status_code == 200, url
        assert f"filename*=UTF-8''{quote(name)}.xlsx" in r["Content-Disposition"], url
        ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
        cells = [c for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], url
    ws = load_workbook(io.BytesIO(leasing_client.get("/leasing/?export=xlsx").content)).worksheets[
        0
    ]
    assert ws["B2"].value == '=HYPERLINK("http://x","点我")' and ws["B2"].data_type == "s"


def test_an_oversized_upload_is_refused_before_the_body_is_read(leasing, park, settings):
    """The refusal comes from Content-Length, ahead of the CSRF check that would read the
    body: without a CSRF token, an oversized post is 413 (refused unread), a small one 403."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(leasing)
    settings.EXCEL_MAX_UPLOAD_BYTES = 1000
    big = {"park": park.pk, "file": SimpleUploadedFile("big.xlsx", b"x" * 200_000)}
    r = client.post("/leasing/import/", big)
    assert r.status_code == 413 and "文件过大" in r.content.decode()
    small = {"park": park.pk, "file": SimpleUploadedFile("s.xlsx", b"x" * 10)}
    assert client.post("/leasing/import/", small).status_code == 403
    assert ImportJob.objects.count() == 0
