import json
from decimal import Decimal

import pytest
from django.test import Client

from oasis.core.models import AuditEntry
from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory, uscc_for
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory

VALID_USCC = "91130600738737199K"


def enterprise_form(park, **over):
    data = {
        "park": park.pk,
        "name": "常熟绿洲智驾科技有限公司",
        "uscc": VALID_USCC,
        "industry_code": "3670",
        "focus_industry": "automotive",
        "status": "signed",
        "legal_representative": "王芳",
        "founded_on": "2021-03-01",
        "registered_capital": "3000",
        "settled_on": "",
        "website": "",
        "description": "车载电子",
        "units": [],
    }
    data.update(over)
    return data


# --- list: search, filters, sorting, paging, query ceiling ---------------------------


def test_list_search_by_name_uscc_and_pinyin_initials(staff_client, park):
    a = EnterpriseFactory(park=park, name="临港芯星半导体有限公司")
    b = EnterpriseFactory(park=park, name="绿洲生物医药有限公司")

    def names(q):
        return [e.name for e in staff_client.get("/enterprises/", {"q": q}).context["page"]]

    assert names("芯星") == [a.name]
    assert names("lgxx") == [a.name]
    assert names("lvzhou") == [b.name]
    assert names(b.uscc[:17].lower()) == [b.name]  # a prefix, typed in lower case


def test_list_filters_and_sort(staff_client, park):
    EnterpriseFactory(
        park=park,
        name="乙公司",
        status="prospect",
        focus_industry="automotive",
        industry_code="3670",
    )
    EnterpriseFactory(
        park=park,
        name="甲公司",
        status="settled",
        focus_industry="new_energy",
        industry_code="4416",
    )

    def names(**q):
        return [e.name for e in staff_client.get("/enterprises/", q).context["page"]]

    assert names(status="prospect") == ["乙公司"]
    assert names(focus_industry="new_energy") == ["甲公司"]
    assert names(industry="D") == ["甲公司"]
    assert names(industry="36") == ["乙公司"]
    # Pinyin order: 甲 jia before 乙 yi (code-point order would put 乙 first).
    assert names(sort="name") == ["甲公司", "乙公司"]
    assert names(sort="-name") == ["乙公司", "甲公司"]


def test_list_filter_by_building(staff_client, park):
    b = BuildingFactory(park=park)
    unit = UnitFactory(floor=FloorFactory(building=b, number=1), building=b)
    inside = EnterpriseFactory(park=park)
    inside.units.add(unit)
    EnterpriseFactory(park=park)
    assert [
        e.pk for e in staff_client.get("/enterprises/", {"building": b.pk}).context["page"]
    ] == [inside.pk]


def test_list_bad_filter_is_reported_not_crashing(staff_client, park):
    r = staff_client.get("/enterprises/", {"sort": "drop table", "status": "bogus", "q": "甲"})
    assert r.status_code == 200
    # One plain sentence per bad parameter, by its label; the good one still filters.
    assert r.context["errors"] == [
        "筛选条件“排序”的值“drop table”无效，已忽略。",
        "筛选条件“状态”的值“bogus”无效，已忽略。",
    ]
    assert r.context["filters"].q == "甲" and r.context["filters"].sort == "name"


def test_list_paging(staff_client, park):
    EnterpriseFactory.create_batch(30, park=park)
    r = staff_client.get("/enterprises/", {"page": 2})
    assert len(r.context["page"]) == 5
    assert r.context["page"].paginator.count == 30


def test_list_htmx_returns_only_the_results_partial(staff_client, park):
    EnterpriseFactory(park=park, name="部分刷新有限公司")
    r = staff_client.get(
        "/enterprises/", {"q": "部分"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "部分刷新有限公司" in body and "<html" not in body


@pytest.mark.parametrize("rows", [10, 200])
def test_list_queries_do_not_grow_with_rows(
    staff_client, park, rows, django_assert_max_num_queries
):
    for e in EnterpriseFactory.create_batch(rows, park=park):
        FigureFactory(enterprise=e, year=2024)
        FigureFactory(enterprise=e, year=2025)
    with django_assert_max_num_queries(8):
        r = staff_client.get("/enterprises/")
    assert r.status_code == 200
    first = r.context["page"][0]
    assert first.latest_year == 2025 and first.latest_revenue == Decimal("50000000.00")


@pytest.mark.parametrize("rows", [10, 200])
def test_api_list_queries_do_not_grow_with_rows(
    staff_client, park, rows, django_assert_max_num_queries
):
    EnterpriseFactory.create_batch(rows, park=park)
    with django_assert_max_num_queries(6):
        r = staff_client.get("/api/v1/enterprises/?limit=100")
    assert r.json()["count"] == rows


# --- access: staff / member / outsider -------------------------------------------------


def test_staff_sees_only_their_parks(staff_client, enterprise, other_enterprise):
    names = [e.name for e in staff_client.get("/enterprises/").context["page"]]
    assert names == [enterprise.name]
    assert staff_client.get(f"/enterprises/{other_enterprise.pk}/").status_code == 404


def test_member_sees_and_edits_only_own_firm(member_client, enterprise, other_enterprise, park):
    sibling = EnterpriseFactory(park=park, name="同园区邻居有限公司")
    assert member_client.get("/enterprises/").url == f"/enterprises/{enterprise.pk}/"
    assert member_client.get(f"/enterprises/{enterprise.pk}/").status_code == 200
    for pk in (sibling.pk, other_enterprise.pk):
        assert member_client.get(f"/enterprises/{pk}/").status_code == 404
        assert member_client.get(f"/enterprises/{pk}/edit/").status_code == 404
        r = member_client.post(f"/enterprises/{pk}/figures/new/", {"year": 2025, "revenue": "1"})
        assert r.status_code == 404
    assert not AnnualFigure.objects.exists()
    assert member_client.get("/enterprises/new/").status_code == 403
    assert member_client.get("/api/v1/enterprises/").json()["items"][0]["id"] == enterprise.pk
    assert member_client.get("/api/v1/enterprises/").json()["count"] == 1
    assert member_client.get(f"/api/v1/enterprises/{sibling.pk}").status_code == 404


def test_member_edit_changes_only_member_fields(member_client, enterprise):
    r = member_client.post(
        f"/enterprises/{enterprise.pk}/edit/",
        {
            "legal_representative": "李强",
            "website": "https://example.cn",
            "description": "新描述",
            "name": "改名企图",
            "status": "exited",
        },
    )
    assert r.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.legal_representative == "李强" and enterprise.name == "常熟临芯微电子有限公司"
    assert enterprise.status == "settled"
    r = member_client.patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        json.dumps({"status": "exited"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.status == "settled"


def test_member_cannot_write_official_figures_directly(member_client, enterprise):
    """Members report through campaigns (oasis.portal); the park's acceptance writes them."""
    r = member_client.post(
        f"/enterprises/{enterprise.pk}/figures/new/",
        {"year": 2025, "revenue": "12000000", "headcount": "45"},
    )
    assert r.status_code == 403
    r = member_client.put(
        f"/api/v1/enterprises/{enterprise.pk}/figures/2025",
        json.dumps({"revenue": 1}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert r.json()["detail"] == "企业用户请通过数据填报提交年度数据，经园区审核后生效。"
    assert not AnnualFigure.objects.exists()


def test_outsider_cannot_read_or_change(outsider_client, enterprise):
    assert outsider_client.get(f"/enterprises/{enterprise.pk}/").status_code == 404
    r = outsider_client.post(
        f"/enterprises/{enterprise.pk}/edit/", enterprise_form(enterprise.park, name="篡改")
    )
    assert r.status_code == 404
    r = outsider_client.patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        json.dumps({"name": "篡改"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    enterprise.refresh_from_db()
    assert enterprise.name == "常熟临芯微电子有限公司"
    assert outsider_client.get("/api/v1/enterprises/").json()["count"] == 0


def test_viewer_reads_but_cannot_change(viewer_client, enterprise):
    assert viewer_client.get(f"/enterprises/{enterprise.pk}/").status_code == 200
    assert viewer_client.get(f"/enterprises/{enterprise.pk}/edit/").status_code == 403
    assert viewer_client.get("/enterprises/new/").status_code == 403
    r = viewer_client.put(
        f"/api/v1/enterprises/{enterprise.pk}/figures/2025",
        json.dumps({"revenue": 1}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not AnnualFigure.objects.exists()


# --- create / edit with bad input ---------------------------------------------------------


def test_create_enterprise(staff_client, park, staff):
    b = BuildingFactory(park=park)
    unit = UnitFactory(floor=FloorFactory(building=b, number=1), building=b)
    r = staff_client.post(
        "/enterprises/new/", enterprise_form(park, units=[unit.pk], uscc=VALID_USCC.lower())
    )
    e = Enterprise.objects.get(name="常熟绿洲智驾科技有限公司")
    assert r.status_code == 302 and r.url == f"/enterprises/{e.pk}/"
    assert (
        e.uscc == VALID_USCC
        and e.industry_section == "C"
        and e.search_key.startswith("cslzzjkjyxgs ")
    )
    assert list(e.units.all()) == [unit]
    entry = AuditEntry.objects.get(model="enterprises.enterprise", object_id=str(e.pk))
    assert entry.actor == staff and entry.changes["name"] == [None, e.name]
    assert "常熟绿洲智驾科技有限公司" in staff_client.get(f"/enterprises/{e.pk}/").content.decode()


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        (
            {"uscc": "91130600738737199A"},
            "uscc",
            "统一社会信用代码未通过校验，可能有字符输错，请逐位核对。",
        ),
        ({"uscc": "9113060073873719"}, "uscc", "统一社会信用代码应为18位，当前为16位。"),
        (
            {"industry_code": "3999"},
            "industry_code",
            "行业代码“3999”不在《国民经济行业分类》(GB/T 4754-2017)中。",
        ),
    ],
)
def test_create_rejects_bad_identifiers(staff_client, park, over, field, message):
    r = staff_client.post("/enterprises/new/", enterprise_form(park, **over))
    assert r.status_code == 400
    assert r.context["form"].errors[field] == [message]
    assert not Enterprise.objects.exists()


def test_duplicate_uscc_is_refused(staff_client, park, enterprise):
    r = staff_client.post("/enterprises/new/", enterprise_form(park, uscc=enterprise.uscc))
    assert r.status_code == 400
    assert r.context["form"].errors["uscc"] == ["该统一社会信用代码已存在。"]
    assert Enterprise.objects.count() == 1


def test_unit_of_another_park_is_refused(staff_client, park, other_park):
    b = BuildingFactory(park=other_park)
    foreign = UnitFactory(floor=FloorFactory(building=b, number=1), building=b)
    r = staff_client.post("/enterprises/new/", enterprise_form(park, units=[foreign.pk]))
    assert r.status_code == 400
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"revenue": "-1"}, "revenue", "不能为负数。"),
        ({"revenue": "5000000000000"}, "revenue", "数值超过1万亿元，请检查单位（应以元为单位）。"),
        (
            {"revenue": "100", "main_business_revenue": "200"},
            "main_business_revenue",
            "主营业务收入不能大于营业收入。",
        ),
        ({"headcount": "10", "rd_staff": "11"}, "rd_staff", "研发人员不能多于从业人数。"),
    ],
)
def test_bad_figures_are_refused(staff_client, enterprise, data, field, message):
    r = staff_client.post(f"/enterprises/{enterprise.pk}/figures/new/", {"year": 2025, **data})
    assert r.status_code == 400
    assert message in r.context["form"].errors[field]
    assert not AnnualFigure.objects.exists()
    r = staff_client.put(
        f"/api/v1/enterprises/{enterprise.pk}/figures/2025",
        json.dumps(data),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "Invalid input.", "fields": {field: [message]}}
    assert not AnnualFigure.objects.exists()


def test_figure_update_keeps_history(staff_client, enterprise):
    FigureFactory(enterprise=enterprise, year=2024, revenue=Decimal("1000000.00"))
    r = staff_client.post(
        f"/enterprises/{enterprise.pk}/figures/2024/",
        {"year": 2024, "revenue": "1500000", "main_business_revenue": "1400000", "headcount": 30},
    )
    assert r.status_code == 302
    page = staff_client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "1000000.00 → 1500000.00" in page


def test_contacts(staff_client, member_client, enterprise):
    r = staff_client.post(
        f"/enterprises/{enterprise.pk}/contacts/new/",
        {"name": "赵敏", "title": "总经理", "phone": "13800000000", "email": "bad"},
    )
    assert r.status_code == 400
    r = member_client.post(
        f"/enterprises/{enterprise.pk}/contacts/new/",
        {
            "name": "赵敏",
            "title": "总经理",
            "phone": "13800000000",
            "email": "zm@example.cn",
            "is_primary": "on",
        },
    )
    assert r.status_code == 302
    assert enterprise.contacts.get().is_primary


# --- API ---------------------------------------------------------------------------------


def test_api_create_and_errors(staff_client, park):
    body = {
        "park_id": park.pk,
        "name": "苏州新能储能有限公司",
        "uscc": uscc_for(999),
        "industry_code": "3841",
        "focus_industry": "new_energy",
    }
    r = staff_client.post("/api/v1/enterprises/", json.dumps(body), content_type="application/json")
    assert r.status_code == 201
    eid = r.json()["id"]
    r = staff_client.post("/api/v1/enterprises/", json.dumps(body), content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"uscc": ["该统一社会信用代码已存在。"]},
    }
    r = staff_client.post(
        "/api/v1/enterprises/",
        json.dumps({**body, "uscc": None, "industry_code": "ZZ", "focus_industry": "space"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "focus_industry" in r.json()["fields"]
    r = staff_client.patch(
        f"/api/v1/enterprises/{eid}",
        json.dumps({"status": "settled", "settled_on": "2025-05-01"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "settled"
    assert Enterprise.objects.count() == 1


def test_api_filters_match_the_page(staff_client, park):
    EnterpriseFactory(park=park, name="临港芯星半导体有限公司", status="settled")
    EnterpriseFactory(park=park, name="别的有限公司", status="prospect")
    r = staff_client.get("/api/v1/enterprises/", {"q": "lgxx"})
    assert [i["name"] for i in r.json()["items"]] == ["临港芯星半导体有限公司"]
    r = staff_client.get("/api/v1/enterprises/", {"status": "prospect"})
    assert [i["name"] for i in r.json()["items"]] == ["别的有限公司"]
    r = staff_client.get("/api/v1/enterprises/", {"sort": "evil"})
    assert r.status_code == 400 and "sort" in r.json()["fields"]


def test_api_figures(staff_client, enterprise, outsider_client):
    r = staff_client.put(
        f"/api/v1/enterprises/{enterprise.pk}/figures/2025",
        json.dumps({"revenue": "800000.5", "headcount": 12}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["revenue"] == "800000.50"
    assert (
        staff_client.get(f"/api/v1/enterprises/{enterprise.pk}/figures").json()[0]["year"] == 2025
    )
    assert outsider_client.get(f"/api/v1/enterprises/{enterprise.pk}/figures").status_code == 404
    assert (
        staff_client.put(
            f"/api/v1/enterprises/{enterprise.pk}/figures/1800",
            json.dumps({}),
            content_type="application/json",
        ).status_code
        == 400
    )


def test_api_requires_auth_and_csrf_for_sessions(enterprise, staff):
    assert Client().get("/api/v1/enterprises/").status_code == 401
    c = Client(enforce_csrf_checks=True)
    c.force_login(staff)
    r = c.patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        json.dumps({"name": "无CSRF"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.name != "无CSRF"


def test_openapi_docs_are_served_locally(staff_client):
    r = staff_client.get("/api/docs")
    assert r.status_code == 200
    assert "cdn" not in r.content.decode().lower()
    assert staff_client.get("/api/openapi.json").json()["info"]["title"] == "Oasis API"


def test_bearer_token_can_write_without_csrf(staff, enterprise):
    from oasis.accounts.services import api_token_create

    _token, clear = api_token_create(user=staff, name="sync")
    c = Client(enforce_csrf_checks=True)
    r = c.patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        json.dumps({"website": "https://example.cn"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {clear}",
    )
    assert r.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.website == "https://example.cn"


def test_full_width_uscc_from_an_input_method_is_normalised(staff_client, park):
    typed = "９１１３０６００７３８７３７１９９Ｋ"  # 91130600738737199K, typed full-width
    r = staff_client.post("/enterprises/new/", enterprise_form(park, uscc=typed))
    assert r.status_code == 302, r.context["form"].errors
    assert Enterprise.objects.get().uscc == "91130600738737199K"
