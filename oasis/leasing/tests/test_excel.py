"""Workbook import: template, dry run, all-or-nothing with every bad row listed."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from oasis.leasing.excel import LEASE_COLUMNS, SHEETS, UNIT_COLUMNS
from oasis.leasing.models import ImportJob, Lease
from oasis.parks.models import Building, Unit


def workbook(buildings=(), units=(), leases=()):
    wb = Workbook()
    wb.remove(wb.active)
    for (title, cols), rows in zip(SHEETS, (buildings, units, leases)):
        ws = wb.create_sheet(title)
        ws.append([c[0] for c in cols])
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
    assert [c.value.rstrip("*") for c in wb["合同"][1]] == [c[0] for c in LEASE_COLUMNS]
    assert [c.value.rstrip("*") for c in wb["单元"][1]] == [c[0] for c in UNIT_COLUMNS]


def test_dry_run_previews_and_saves_nothing(leasing_client, park, enterprise):
    r = leasing_client.post(
        "/leasing/import/", {"park": park.pk, "file": good(enterprise), "dry_run": "on"}
    )
    assert r.status_code == 200
    assert "共 5 行：楼宇 1，单元 2，合同 2 可导入。" in r.content.decode()
    assert not Building.objects.filter(code="F9").exists() and ImportJob.objects.count() == 0


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
        ("单元", 3, "楼宇编号", "楼宇不存在：F8"),
        ("单元", 4, "用途", "无效的选项：厂房"),
        ("合同", 2, "到期日", "到期日不能早于起租日。"),
        ("合同", 3, "企业名称", "本园区没有该企业。"),
        ("合同", 4, "租金单价", "不能为负数。"),
        ("合同", 6, "单元", "与第 5 行的合同租期重叠。"),
        ("合同", 7, "单元", "单元不存在：X-1"),
    ]
    assert not Building.objects.filter(code="F9").exists() and Lease.objects.count() == 0
    assert (
        "与第 5 行的合同租期重叠。"
        in leasing_client.get(f"/leasing/import/{job.pk}/").content.decode()
    )


def test_not_a_workbook(leasing_client, park):
    r = leasing_client.post(
        "/leasing/import/",
        {"park": park.pk, "file": SimpleUploadedFile("x.xlsx", b"nope"), "dry_run": "on"},
    )
    assert (
        r.status_code == 400 and "无法读取该文件，请上传 .xlsx 格式的工作簿。" in r.content.decode()
    )


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
    assert [e["reason"] for e in job.errors] == ["没有执行该操作的权限。"]
    assert Lease.objects.count() == 0 and not Building.objects.filter(code="F9").exists()
