import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from oasis.attraction import selectors, services
from oasis.attraction.models import Lead, StageChange

HEAD = [
    "企业名称",
    "统一社会信用代码",
    "来源渠道",
    "引荐人/机构",
    "意向程度",
    "主导产业",
    "行业代码",
    "预计投资（元）",
    "预计就业人数",
    "负责人（用户名）",
]


def xlsx(rows, head=HEAD):
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("leads.xlsx", buf.getvalue())


def upload(client, park, rows, **extra):
    data = {"park": park.pk, "file": xlsx(rows), **extra}
    return client.post("/attraction/leads/import/", data)


GOOD = [
    ["常熟新材料有限公司", "", "直接来访", "", "高", "新能源", "4416", 50000000, 100, "zhaoshang"],
    ["临港智造科技有限公司", "", "招商大使", "李大使", "中", "汽车", "3670", "", 200, ""],
]


def test_import_dry_run_then_real(manager_client, manager, park, ambassador):
    r = upload(manager_client, park, GOOD, dry_run="on")
    assert r.status_code == 200 and r.context["result"].valid == 2 and Lead.objects.count() == 0
    r = upload(manager_client, park, GOOD)
    assert r.status_code == 302
    leads = {lead.company_name: lead for lead in Lead.objects.all()}
    assert (
        leads["常熟新材料有限公司"].owner == manager
        and leads["常熟新材料有限公司"].focus_industry == "new_energy"
    )
    assert (
        leads["临港智造科技有限公司"].partner == ambassador
        and leads["临港智造科技有限公司"].owner is None
    )


def test_import_all_or_nothing_lists_every_bad_row(manager_client, park, ambassador):
    rows = GOOD + [
        ["", "", "直接来访", "", "", "", "", "", "", ""],
        ["坏数据有限公司", "123", "飞鸽传书", "", "", "", "9999", "abc", "1.5", "nobody"],
        ["缺大使有限公司", "", "招商大使", "", "", "", "", "", "", ""],
        ["常熟新材料股份有限公司", "", "直接来访", "", "", "", "", "", "", ""],
    ]
    r = upload(manager_client, park, rows)
    assert r.status_code == 400
    errors = [(e.row, e.column, e.reason) for e in r.context["result"].errors]
    assert errors == [
        (4, "企业名称", "必填。"),
        (
            5,
            "来源渠道",
            "“飞鸽传书”不是可选值，应为：上海推荐、招商大使、产业顾问、投融资机构、展会、直接来访。",
        ),
        (5, "统一社会信用代码", "统一社会信用代码应为18位，当前为3位。"),
        (5, "行业代码", "行业代码“9999”不在《国民经济行业分类》(GB/T 4754-2017)中。"),
        (5, "负责人（用户名）", "本园区没有用户名为“nobody”的员工。"),
        (5, "预计就业人数", "“1.5”无法识别，应为整数，如 12。"),
        (
            5,
            "预计投资（元）",
            "“abc”无法识别，应为金额，如 1,234.50、12.5万元（最多 2 位小数）。",
        ),
        (6, "引荐人/机构", "来源为招商大使、产业顾问或投融资机构时，须选择引荐人/机构。"),
        (7, "企业名称", "与第 2 行重复。"),
    ]
    assert Lead.objects.count() == 0


def test_import_warns_about_existing_duplicates(manager_client, park, make_lead):
    make_lead("苏州常熟新材料有限公司")
    r = upload(manager_client, park, GOOD[:1])
    assert r.status_code == 400
    assert [(row, name) for row, name, _d in r.context["result"].duplicates] == [
        (2, "常熟新材料有限公司")
    ]
    assert Lead.objects.count() == 1
    r = upload(manager_client, park, GOOD[:1], confirm_duplicates="on")
    assert r.status_code == 302 and Lead.objects.count() == 2


def test_import_bad_file_and_missing_columns(manager_client, park):
    r = manager_client.post(
        "/attraction/leads/import/",
        {"park": park.pk, "file": SimpleUploadedFile("x.xlsx", b"not a zip")},
    )
    assert r.status_code == 400 and r.context["file_errors"] == [
        "无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿。"
    ]
    r = manager_client.post(
        "/attraction/leads/import/", {"park": park.pk, "file": xlsx([["a"]], head=["名称"])}
    )
    assert r.context["file_errors"] == ["缺少必填列：企业名称、来源渠道。"]
    r = manager_client.post(
        "/attraction/leads/import/", {"park": park.pk, "file": SimpleUploadedFile("x.csv", b"a,b")}
    )
    assert r.context["form"].errors["file"] == ["请上传 .xlsx 格式的 Excel 文件。"]


def test_import_access(viewer_client, outsider_client, member_client, park):
    assert (
        viewer_client.post(
            "/attraction/leads/import/", {"park": park.pk, "file": xlsx(GOOD)}
        ).status_code
        == 403
    )
    assert (
        member_client.post(
            "/attraction/leads/import/", {"park": park.pk, "file": xlsx(GOOD)}
        ).status_code
        == 403
    )
    r = outsider_client.post("/attraction/leads/import/", {"park": park.pk, "file": xlsx(GOOD)})
    assert r.status_code == 400 and "park" in r.context["form"].errors
    assert Lead.objects.count() == 0
    assert viewer_client.get("/attraction/leads/import/template/").status_code == 200


# --- funnel -------------------------------------------------------------------------


def test_funnel_numbers_exact(park, manager, staff, ambassador):
    t0 = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)

    def lead(name, **data):
        data.setdefault("source", "direct")
        return services.lead_create(
            actor=manager,
            park=park,
            data={"company_name": name, **data},
            now=t0,
            confirm_duplicates=True,
        )

    a = lead(
        "甲科技有限公司",
        source="ambassador",
        partner=ambassador,
        focus_industry="automotive",
        expected_output=Decimal("100000000"),
        expected_jobs=100,
    )
    b = lead(
        "乙电子有限公司",
        focus_industry="automotive",
        expected_output=Decimal("200000000"),
        expected_jobs=50,
    )
    c = lead("丙生物有限公司", focus_industry="life_health")
    lead("丁能源有限公司", focus_industry="new_energy")
    # a: lead 2d → negotiation 4d → visit 1d → intent 3d → signed
    when = t0
    for stage, days in (("negotiation", 2), ("visit", 4), ("intent", 1), ("signed", 3)):
        when += days * day
        services.lead_move(actor=manager, lead=a, stage=stage, now=when)
    # b: lead 6d → negotiation; c: lead 1d → lost
    services.lead_move(actor=manager, lead=b, stage="negotiation", now=t0 + 6 * day)
    services.lead_move(actor=manager, lead=c, stage="lost", reason="预算不足", now=t0 + day)

    report = selectors.funnel_report(user=staff, park_id=park.pk)
    assert report["totals"] == {
        "label": "—",
        "total": 4,
        "lost": 1,
        "reached": [4, 2, 1, 1, 1, 0],
        "conversion": 25.0,
    }
    by_source = {r["label"]: r for r in report["source"]}
    assert (
        by_source["招商大使"]["reached"] == [1, 1, 1, 1, 1, 0]
        and by_source["招商大使"]["conversion"] == 100.0
    )
    assert by_source["招商大使"]["days"] == [2.0, 4.0, 1.0, 3.0, None]
    assert by_source["直接来访"]["total"] == 3 and by_source["直接来访"]["lost"] == 1
    assert by_source["直接来访"]["days"] == [3.5, None, None, None, None]  # (6 + 1) / 2
    by_industry = {r["label"]: (r["total"], r["reached"][4]) for r in report["focus_industry"]}
    assert by_industry == {"汽车": (2, 1), "生命健康": (1, 0), "新能源": (1, 0)}
    assert [(r["label"], r["total"]) for r in report["owner"]] == [("zhaoshang", 4)]
    assert [(r["label"], r["total"]) for r in report["month"]] == [("2025-01", 4)]
    assert StageChange.objects.count() == 4 + 6

    progress = selectors.pipeline_progress(user=staff, park=park)
    # a signed (0.90), b negotiation (0.15), c lost (0), d lead (0.05)
    assert progress["enterprises"] == 1.1
    assert progress["output"] == Decimal("120000000")  # 0.9 × 1亿 + 0.15 × 2亿
    assert progress["jobs"] == 98  # 0.9 × 100 + 0.15 × 50 = 97.5 → 98
    assert (progress["open_count"], progress["signed_count"]) == (2, 1)


def test_funnel_page_access(
    manager_client, viewer_client, member_client, outsider_client, make_lead
):
    make_lead("甲科技有限公司")
    r = manager_client.get("/attraction/funnel/")
    assert r.status_code == 200 and r.context["report"]["totals"]["total"] == 1
    assert viewer_client.get("/attraction/funnel/").status_code == 200
    assert member_client.get("/attraction/funnel/").status_code == 403
    assert outsider_client.get("/attraction/funnel/").context["report"]["totals"]["total"] == 0


def test_settings_page(staff_client, manager_client, outsider_client, park):
    assert manager_client.get(f"/attraction/settings/{park.pk}/").status_code == 403
    assert outsider_client.get(f"/attraction/settings/{park.pk}/").status_code == 404
    r = staff_client.post(
        f"/attraction/settings/{park.pk}/", {"neglect_days": "0", "claim_limit": "5"}
    )
    assert r.status_code == 400 and r.context["form"].errors == {
        "neglect_days": ["确保该值大于或等于1。"]
    }
    assert (
        staff_client.post(
            f"/attraction/settings/{park.pk}/", {"neglect_days": "14", "claim_limit": "5"}
        ).status_code
        == 302
    )
    s = selectors.settings_for(park)
    assert (s.neglect_days, s.claim_limit) == (14, 5)
