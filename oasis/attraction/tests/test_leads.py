import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import make_user
from oasis.attraction import selectors, services
from oasis.attraction.models import Activity, Lead, Partner, Stage, StageChange
from oasis.core.models import AuditEntry
from oasis.enterprises.tests.factories import EnterpriseFactory

VALID_USCC = "91130600738737199K"


def lead_form(park, **over):
    data = {
        "park": park.pk,
        "company_name": "苏州绿洲智驾科技有限公司",
        "uscc": "",
        "source": "direct",
        "partner": "",
        "intent": "high",
        "contact_name": "陈总",
        "contact_phone": "13800000000",
        "contact_title": "CEO",
        "focus_industry": "automotive",
        "industry_code": "3670",
        "need_area": "3000",
        "need_use": "manufacturing",
        "need_timing": "2026-06-01",
        "expected_investment": "200000000",
        "expected_output": "500000000",
        "expected_tax": "20000000",
        "expected_jobs": "300",
        "negotiation_notes": "要求三年租金减半",
    }
    data.update(over)
    return data


# --- create -------------------------------------------------------------------------


def test_manager_creates_a_lead_owned_by_them(manager_client, manager, park):
    r = manager_client.post("/attraction/leads/new/", lead_form(park))
    lead = Lead.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/attraction/leads/{lead.pk}/"
    assert lead.owner == manager
    assert lead.stage == Stage.LEAD
    assert lead.name_key == "绿洲智驾"
    assert lead.expected_investment == Decimal("200000000.00")
    change = StageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.actor) == ("", "lead", manager)
    assert (
        AuditEntry.objects.filter(
            model="attraction.lead", object_id=str(lead.pk), action="create"
        ).count()
        == 1
    )


def test_create_from_an_ambassador_requires_the_partner(manager_client, park, ambassador):
    r = manager_client.post("/attraction/leads/new/", lead_form(park, source="ambassador"))
    assert r.status_code == 400
    assert r.context["form"].errors["partner"] == [
        "来源为招商大使、产业顾问或投融资机构时，须选择引荐人/机构。"
    ]
    r = manager_client.post(
        "/attraction/leads/new/", lead_form(park, source="advisor", partner=ambassador.pk)
    )
    assert r.context["form"].errors["partner"] == ["引荐人/机构的类型与来源渠道不符。"]
    r = manager_client.post(
        "/attraction/leads/new/", lead_form(park, source="ambassador", partner=ambassador.pk)
    )
    assert r.status_code == 302
    assert Lead.objects.get().partner == ambassador


def test_create_invalid_input_exact_errors(manager_client, park):
    r = manager_client.post(
        "/attraction/leads/new/", lead_form(park, expected_jobs="-1", need_timing="tomorrow")
    )
    assert r.status_code == 400
    assert r.context["form"].errors == {
        "expected_jobs": ["确保该值大于或等于0。"],
        "need_timing": ["输入一个有效的日期。"],
    }
    r = manager_client.post(
        "/attraction/leads/new/", lead_form(park, uscc="91320000ABC", industry_code="9999")
    )
    assert r.status_code == 400
    assert r.context["form"].errors == {
        "uscc": ["统一社会信用代码应为18位，当前为11位。"],
        "industry_code": ["行业代码“9999”不在《国民经济行业分类》(GB/T 4754-2017)中。"],
    }
    assert Lead.objects.count() == 0


def test_create_bad_uscc_check_character(manager_client, park):
    r = manager_client.post("/attraction/leads/new/", lead_form(park, uscc=VALID_USCC[:-1] + "J"))
    assert r.context["form"].errors["uscc"] == [
        "统一社会信用代码未通过校验，可能有字符输错，请逐位核对。"
    ]


def test_viewer_officer_member_cannot_create(
    viewer_client, officer_client, member_client, outsider_client, park
):
    for c in (viewer_client, officer_client):
        assert c.get("/attraction/leads/new/").status_code == 403
        assert c.post("/attraction/leads/new/", lead_form(park)).status_code == 403
    assert member_client.post("/attraction/leads/new/", lead_form(park)).status_code == 403
    # The outsider may create in their own park only; this park is not offered.
    r = outsider_client.post("/attraction/leads/new/", lead_form(park))
    assert r.status_code == 400 and "park" in r.context["form"].errors
    assert Lead.objects.count() == 0


# --- duplicates ---------------------------------------------------------------------


def test_duplicate_near_identical_chinese_name_warns_then_proceeds(manager_client, park, make_lead):
    first = make_lead("苏州绿洲智驾科技有限公司")
    r = manager_client.post(
        "/attraction/leads/new/", lead_form(park, company_name="绿洲智驾（苏州）科技有限公司")
    )
    assert r.status_code == 400
    assert [(d.kind, d.id, d.reason) for d in r.context["duplicates"]] == [
        ("lead", first.pk, "name")
    ]
    assert "可能与已有记录重复：苏州绿洲智驾科技有限公司" in r.context["form"].non_field_errors()[0]
    assert Lead.objects.count() == 1
    r = manager_client.post(
        "/attraction/leads/new/",
        lead_form(park, company_name="绿洲智驾（苏州）科技有限公司", confirm_duplicates="on"),
    )
    assert r.status_code == 302
    assert Lead.objects.count() == 2


def test_duplicate_same_uscc_as_an_enterprise(manager_client, park):
    firm = EnterpriseFactory(park=park, name="完全不同名称有限公司", uscc=VALID_USCC)
    r = manager_client.post(
        "/attraction/leads/new/",
        lead_form(park, company_name="另一个名字", uscc=VALID_USCC.lower()),
    )
    assert r.status_code == 400
    assert [(d.kind, d.id, d.reason) for d in r.context["duplicates"]] == [
        ("enterprise", firm.pk, "uscc")
    ]


def test_different_names_are_not_duplicates(park, make_lead):
    make_lead("苏州绿洲智驾科技有限公司")
    assert (
        selectors.lead_duplicates(park_id=park.pk, company_name="常熟华芯半导体有限公司", uscc=None)
        == []
    )
    assert (
        selectors.lead_duplicates(
            park_id=park.pk, company_name="上海绿洲智驾股份有限公司", uscc=None
        )[0].reason
        == "name"
    )


# --- detail, confidential fields, access --------------------------------------------


def test_detail_shows_confidential_fields_to_attraction_only(
    manager_client, staff_client, viewer_client, officer_client, make_lead
):
    lead = make_lead(
        expected_investment=Decimal("123450000"), negotiation_notes="底价：每平米 28 元"
    )
    for c in (manager_client, staff_client):
        body = c.get(f"/attraction/leads/{lead.pk}/").content.decode()
        assert "12,345.00" in body and "底价：每平米 28 元" in body
    for c in (viewer_client, officer_client):
        r = c.get(f"/attraction/leads/{lead.pk}/")
        body = r.content.decode()
        assert r.status_code == 200 and lead.company_name in body
        assert "12,345.00" not in body and "底价" not in body and "expected-investment" not in body


def test_list_hides_confidential_column_for_viewer(viewer_client, manager_client, make_lead):
    make_lead(expected_investment=Decimal("123450000"))
    assert "12,345.00" in manager_client.get("/attraction/leads/").content.decode()
    body = viewer_client.get("/attraction/leads/").content.decode()
    assert "12,345.00" not in body and "***" in body


def test_member_gets_403_or_404_everywhere(member_client, make_lead, ambassador):
    lead = make_lead()
    for url in (
        "/attraction/",
        "/attraction/leads/",
        "/attraction/pool/",
        "/attraction/partners/",
        "/attraction/funnel/",
        "/attraction/leads/import/",
        "/attraction/leads/new/",
        f"/attraction/leads/{lead.pk}/",
        f"/attraction/partners/{ambassador.pk}/",
        f"/attraction/leads/{lead.pk}/sign/",
        f"/attraction/leads/{lead.pk}/edit/",
    ):
        assert member_client.get(url).status_code in (403, 404), url
    for url in (
        f"/attraction/leads/{lead.pk}/move/",
        f"/attraction/leads/{lead.pk}/activities/",
        f"/attraction/leads/{lead.pk}/claim/",
    ):
        assert member_client.post(
            url, {"stage": "negotiation", "kind": "note", "body": "x"}
        ).status_code in (403, 404)
    lead.refresh_from_db()
    assert lead.stage == "lead" and not lead.activities.exists()


def test_outsider_gets_404_and_nothing_changes(outsider_client, make_lead, ambassador):
    lead = make_lead()
    before = Lead.objects.values().get(pk=lead.pk)
    assert outsider_client.get("/attraction/").status_code == 200
    assert lead.company_name not in outsider_client.get("/attraction/").content.decode()
    assert outsider_client.get("/attraction/leads/").context["page"].paginator.count == 0
    for url in (
        f"/attraction/leads/{lead.pk}/",
        f"/attraction/leads/{lead.pk}/edit/",
        f"/attraction/leads/{lead.pk}/sign/",
        f"/attraction/partners/{ambassador.pk}/",
    ):
        assert outsider_client.get(url).status_code == 404, url
    for url, data in (
        (f"/attraction/leads/{lead.pk}/move/", {"stage": "negotiation"}),
        (f"/attraction/leads/{lead.pk}/activities/", {"kind": "note", "body": "x"}),
        (f"/attraction/leads/{lead.pk}/claim/", {}),
        (f"/attraction/leads/{lead.pk}/assign/", {"owner": ""}),
        (f"/attraction/leads/{lead.pk}/edit/", lead_form(lead.park)),
    ):
        assert outsider_client.post(url, data).status_code == 404, url
    assert Lead.objects.values().get(pk=lead.pk) == before
    assert not Activity.objects.exists()


def test_viewer_cannot_move_or_add_activities(viewer_client, make_lead):
    lead = make_lead()
    assert (
        viewer_client.post(
            f"/attraction/leads/{lead.pk}/move/", {"stage": "negotiation"}
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(
            f"/attraction/leads/{lead.pk}/activities/", {"kind": "note", "body": "x"}
        ).status_code
        == 403
    )
    lead.refresh_from_db()
    assert lead.stage == "lead"


def test_edit_lead(manager_client, make_lead, park):
    lead = make_lead("旧名称有限公司")
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/edit/", lead_form(park, company_name="新名称电子有限公司")
    )
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.company_name == "新名称电子有限公司" and lead.name_key == "新名称电子"


# --- pipeline -----------------------------------------------------------------------


def test_move_through_stages_records_who_and_when(manager, manager_client, make_lead):
    lead = make_lead()
    for stage in ("negotiation", "visit", "intent", "signed"):
        r = manager_client.post(f"/attraction/leads/{lead.pk}/move/", {"stage": stage})
        assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "signed" and lead.max_rank == 4
    changes = list(
        StageChange.objects.filter(lead=lead)
        .order_by("at", "id")
        .values_list("from_stage", "to_stage", "actor")
    )
    assert changes == [
        ("", "lead", manager.pk),
        ("lead", "negotiation", manager.pk),
        ("negotiation", "visit", manager.pk),
        ("visit", "intent", manager.pk),
        ("intent", "signed", manager.pk),
    ]


def test_move_from_the_board_returns_204_or_400_text(manager_client, make_lead):
    lead = make_lead()
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/move/", {"stage": "visit"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert r.status_code == 204
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/move/", {"stage": "lost"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert r.status_code == 400 and r.content.decode() == "标记流失须填写原因。"
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/move/", {"stage": "settled"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert r.content.decode() == "须先完成签约（关联企业并录入投资协议）才能入驻。"
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/move/", {"stage": "bogus"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert r.status_code == 400
    assert r.content.decode() == "阶段：选择一个有效的选项。 bogus 不在可用的选项中。"
    lead.refresh_from_db()
    assert lead.stage == "visit"


def test_lost_with_reason_keeps_furthest_stage(manager, make_lead):
    lead = make_lead()
    services.lead_move(actor=manager, lead=lead, stage="intent")
    lead = services.lead_move(actor=manager, lead=lead, stage="lost", reason="选择了昆山")
    assert (lead.stage, lead.lost_reason, lead.max_rank) == ("lost", "选择了昆山", 3)
    lead = services.lead_move(actor=manager, lead=lead, stage="negotiation")
    assert lead.lost_reason == "" and lead.max_rank == 3


def test_seconds_in_stage_is_recorded(manager, make_lead):
    lead = make_lead()
    t0 = lead.stage_entered_at
    services.lead_move(actor=manager, lead=lead, stage="negotiation", now=t0 + dt.timedelta(days=3))
    assert StageChange.objects.get(lead=lead, to_stage="negotiation").seconds_in_stage == 3 * 86400


def test_activities_recorded_with_who_and_when(manager, manager_client, make_lead):
    lead = make_lead()
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/activities/", {"kind": "call", "body": "电话沟通需求"}
    )
    assert r.status_code == 302
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/activities/", {"kind": "next_step", "body": "发送方案"}
    )
    assert r.status_code == 400
    assert r.context["activity_form"].errors["due_on"] == ["下一步须填写截止日期。"]
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/activities/",
        {"kind": "next_step", "body": "发送方案", "due_on": "2026-01-10"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        r.status_code == 200
        and "发送方案" in r.content.decode()
        and "<html" not in r.content.decode()
    )
    acts = list(lead.activities.values_list("kind", "actor", "due_on"))
    assert acts == [("next_step", manager.pk, dt.date(2026, 1, 10)), ("call", manager.pk, None)]
    step = lead.activities.get(kind="next_step")
    assert (
        manager_client.post(f"/attraction/leads/{lead.pk}/activities/{step.pk}/done/").status_code
        == 302
    )
    step.refresh_from_db()
    assert step.done


def test_board_shows_columns_and_counts(manager_client, make_lead, manager):
    a = make_lead("甲科技有限公司")
    make_lead("乙电子有限公司")
    services.lead_move(actor=manager, lead=a, stage="visit")
    r = manager_client.get("/attraction/")
    cols = {c.stage: c.count for c in r.context["columns"]}
    assert cols == {
        "lead": 1,
        "negotiation": 0,
        "visit": 1,
        "intent": 0,
        "signed": 0,
        "settled": 0,
        "lost": 0,
    }
    assert "attraction-board.js" in r.content.decode()
    r = manager_client.get(
        "/attraction/", {"q": "甲"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board"
    )
    assert (
        "<html" not in r.content.decode()
        and "甲科技有限公司" in r.content.decode()
        and "乙电子" not in r.content.decode()
    )


def test_list_filters(manager_client, make_lead, manager, ambassador):
    make_lead("甲科技有限公司", focus_industry="automotive")
    make_lead("乙电子有限公司", source="ambassador", partner=ambassador, intent="high")

    def names(**q):
        return [
            lead.company_name
            for lead in manager_client.get("/attraction/leads/", q).context["page"]
        ]

    assert names(focus_industry="automotive") == ["甲科技有限公司"]
    assert names(source="ambassador") == ["乙电子有限公司"]
    assert names(partner=ambassador.pk) == ["乙电子有限公司"]
    assert names(intent="high") == ["乙电子有限公司"]
    assert sorted(names(owner=manager.pk)) == ["乙电子有限公司", "甲科技有限公司"]
    r = manager_client.get("/attraction/leads/", {"sort": "drop", "stage": "x"})
    assert r.status_code == 200 and r.context["errors"] == [
        "筛选条件“排序”的值“drop”无效，已忽略。",
        "筛选条件“阶段”的值“x”无效，已忽略。",
    ]


@pytest.mark.parametrize("n", [10, 200])
def test_board_and_list_fixed_query_count(
    n, park, manager, manager_client, django_assert_max_num_queries
):
    stages = ["lead", "negotiation", "visit", "intent", "signed", "settled"]
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    Lead.objects.bulk_create(
        [
            Lead(
                park=park,
                company_name=f"企业{i}",
                name_key=f"企业{i}",
                stage=stages[i % 6],
                owner=manager,
                created_at=now,
                last_activity_at=now,
                stage_entered_at=now,
                max_rank=i % 6,
            )
            for i in range(n)
        ]
    )
    # 15: the page's 14 and the header's unread-message count.
    with django_assert_max_num_queries(15):
        assert manager_client.get("/attraction/").status_code == 200
    with django_assert_max_num_queries(10):
        assert manager_client.get("/attraction/leads/").status_code == 200
    with django_assert_max_num_queries(10):
        assert manager_client.get("/attraction/pool/").status_code == 200


# --- pool ---------------------------------------------------------------------------


def test_claim_from_pool_with_limit(park, manager, manager_client, staff, make_lead):
    services.settings_save(actor=staff, park=park, data={"claim_limit": 1, "neglect_days": 30})
    pooled = [
        services.lead_create(
            actor=staff,
            park=park,
            data={"company_name": f"公海企业{i}号", "source": "direct"},
            owner=False,
            confirm_duplicates=True,
        )
        for i in range(2)
    ]
    assert all(lead.owner is None for lead in pooled)
    assert {lead.pk for lead in manager_client.get("/attraction/pool/").context["page"]} == {
        p.pk for p in pooled
    }
    assert manager_client.post(f"/attraction/leads/{pooled[0].pk}/claim/").status_code == 302
    pooled[0].refresh_from_db()
    assert pooled[0].owner == manager
    r = manager_client.post(f"/attraction/leads/{pooled[1].pk}/claim/", follow=True)
    assert "招商王 已持有 1 条线索，达到上限 1 条。" in r.content.decode()
    pooled[1].refresh_from_db()
    assert pooled[1].owner is None


def test_the_history_the_platform_writes_reads_in_each_readers_language(
    park, manager, manager_client, staff, staff_client
):
    lead = services.lead_create(
        actor=staff,
        park=park,
        data={"company_name": "公海企业", "source": "direct"},
        owner=False,
        confirm_duplicates=True,
    )
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert manager_client.post(f"/attraction/leads/{lead.pk}/claim/").status_code == 302
    assert Activity.objects.get(lead=lead, kind="system").body == "从公海认领"
    page = f"/attraction/leads/{lead.pk}/"
    assert "Claimed from the lead pool" in manager_client.get(page).content.decode()
    assert "从公海认领" in staff_client.get(page).content.decode()


def test_only_park_admin_assigns(park, manager, manager_client, staff_client, make_lead):
    lead = make_lead()
    other = make_user("zhaoshang2", park=park, role=Role.ATTRACTION)
    assert (
        manager_client.post(f"/attraction/leads/{lead.pk}/assign/", {"owner": other.pk}).status_code
        == 403
    )
    assert (
        staff_client.post(f"/attraction/leads/{lead.pk}/assign/", {"owner": other.pk}).status_code
        == 302
    )
    lead.refresh_from_db()
    assert lead.owner == other
    viewer = make_user("v2", park=park, role=Role.VIEWER)
    with pytest.raises(ValidationError) as exc:
        services.lead_assign(
            actor=lead.park.staff_roles.get(role=Role.PARK_ADMIN).user, lead=lead, owner=viewer
        )
    assert exc.value.message_dict == {"owner": ["负责人须为该园区的招商经理或园区管理员。"]}


def test_reclaim_command_is_idempotent(park, manager, staff, make_lead):
    from django.core.management import call_command

    services.settings_save(actor=staff, park=park, data={"neglect_days": 10, "claim_limit": 50})
    quiet = make_lead("冷淡企业有限公司")
    busy = make_lead("活跃企业有限公司")
    signed = make_lead("已签约企业有限公司")
    services.lead_move(actor=manager, lead=signed, stage="signed")
    t0 = quiet.last_activity_at
    Lead.objects.filter(pk__in=[quiet.pk, signed.pk]).update(
        last_activity_at=t0 - dt.timedelta(days=11)
    )
    Lead.objects.filter(pk=busy.pk).update(last_activity_at=t0 - dt.timedelta(days=9))
    call_command("attraction-reclaim-pool", now=t0.isoformat())
    call_command("attraction-reclaim-pool", now=t0.isoformat())
    owners = dict(Lead.objects.values_list("company_name", "owner"))
    assert owners == {
        "冷淡企业有限公司": None,
        "活跃企业有限公司": manager.pk,
        "已签约企业有限公司": manager.pk,
    }
    assert Activity.objects.filter(lead=quiet, kind="system").count() == 1
    assert services.pool_reclaim(now=t0) == 0


# --- partners -----------------------------------------------------------------------


def test_partner_records_survive_reassignment(park, manager, staff, ambassador, make_lead):
    a = make_lead("甲科技有限公司", source="ambassador", partner=ambassador, industry_code="3670")
    make_lead("乙电子有限公司", source="ambassador", partner=ambassador)
    for s in ("negotiation", "signed"):
        services.lead_move(actor=manager, lead=a, stage=s)
    services.lead_convert(
        actor=manager,
        lead=a,
        sign=services.SignInput(
            signed_on=dt.date(2025, 5, 1), total_investment=Decimal("80000000")
        ),
    )
    other = make_user("zhaoshang2", park=park, role=Role.ATTRACTION)
    services.lead_assign(actor=staff, lead=a, owner=other)
    p = selectors.partner_list(user=staff).get(pk=ambassador.pk)
    assert (p.leads_count, p.signed_count, p.signed_value) == (2, 1, Decimal("80000000.00"))


def test_partner_pages(
    staff_client, manager_client, viewer_client, outsider_client, member_client, park, ambassador
):
    r = manager_client.post(
        "/attraction/partners/new/",
        {
            "park": park.pk,
            "kind": "advisor",
            "name": "张顾问",
            "organisation": "复旦大学",
            "active": "on",
        },
    )
    assert r.status_code == 302
    adv = Partner.objects.get(name="张顾问")
    r = manager_client.post(
        "/attraction/partners/new/",
        {"park": park.pk, "kind": "advisor", "name": "张顾问", "active": "on"},
    )
    assert r.status_code == 400 and r.context["form"].errors["name"] == [
        "同类型中已有同名的合作方。"
    ]
    assert manager_client.get(f"/attraction/partners/{adv.pk}/").status_code == 200
    assert viewer_client.get("/attraction/partners/").status_code == 200
    assert (
        viewer_client.post(
            "/attraction/partners/new/", {"park": park.pk, "kind": "advisor", "name": "x"}
        ).status_code
        == 403
    )
    assert outsider_client.get(f"/attraction/partners/{adv.pk}/edit/").status_code == 404
    assert member_client.get("/attraction/partners/").status_code == 403
    names = [p.name for p in staff_client.get("/attraction/partners/").context["page"]]
    assert names == ["张顾问", "李大使"]


def test_exports_are_xlsx(manager_client, viewer_client, make_lead):
    import io

    from openpyxl import load_workbook

    make_lead("导出企业有限公司", expected_investment=Decimal("5000000"))
    for url in (
        "/attraction/leads/?export=xlsx",
        "/attraction/pool/?export=xlsx",
        "/attraction/partners/?export=xlsx",
        "/attraction/funnel/?export=xlsx",
    ):
        r = manager_client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith(
            "application/vnd.openxmlformats"
        ), url
    rows = list(
        load_workbook(
            io.BytesIO(manager_client.get("/attraction/leads/?export=xlsx").content)
        ).active.values
    )
    assert rows[1][0] == "导出企业有限公司" and 5000000 in rows[1]
    rows = list(
        load_workbook(
            io.BytesIO(viewer_client.get("/attraction/leads/?export=xlsx").content)
        ).active.values
    )
    assert rows[1][0] == "导出企业有限公司" and 5000000 not in rows[1]


def test_permission_errors_in_services(viewer, outsider, park):
    with pytest.raises(PermissionDenied):
        services.lead_create(actor=viewer, park=park, data={"company_name": "x公司"})
    with pytest.raises(PermissionDenied):
        services.lead_create(actor=outsider, park=park, data={"company_name": "x公司"})


def test_exports_write_hostile_names_as_text(manager_client, make_lead, ambassador):
    """A name like =HYPERLINK(…) is exported as text, never a live formula."""
    import io
    from urllib.parse import quote

    from openpyxl import load_workbook

    from oasis.attraction.models import Lead

    lead = make_lead("恶意企业有限公司")
    Lead.objects.filter(pk=lead.pk).update(
        company_name='=HYPERLINK("http://evil.example","点我")', contact_name="@SUM(A1)"
    )
    ambassador.__class__.objects.filter(pk=ambassador.pk).update(name="+1+cmd|' /C calc'!A0")
    for url, name in (
        ("/attraction/leads/?export=xlsx", "招商线索"),
        ("/attraction/pool/?export=xlsx", "公海线索"),
        ("/attraction/partners/?export=xlsx", "合作方"),
        ("/attraction/funnel/?export=xlsx", "招商漏斗"),
    ):
        r = manager_client.get(url)
        assert f"filename*=UTF-8''{quote(name)}.xlsx" in r["Content-Disposition"], url
        ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
        assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    ws = load_workbook(
        io.BytesIO(manager_client.get("/attraction/leads/?export=xlsx").content)
    ).worksheets[0]
    assert ws["A2"].value == '=HYPERLINK("http://evil.example","点我")'
    ws = load_workbook(
        io.BytesIO(manager_client.get("/attraction/partners/?export=xlsx").content)
    ).worksheets[0]
    assert "+1+cmd|' /C calc'!A0" in [c.value for c in ws[2]]


def test_lead_uscc_with_spaces_and_full_width_is_normalised(manager_client, park):
    spaced = " ".join(VALID_USCC[i : i + 4] for i in range(0, 18, 4))
    typed = spaced.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = manager_client.post("/attraction/leads/new/", lead_form(park, uscc=typed))
    assert r.status_code == 302, r.context["form"].errors
    assert Lead.objects.get().uscc == VALID_USCC


def test_new_lead_form_prefilled_from_a_partner_and_junk_ignored(manager_client, park, ambassador):
    r = manager_client.get("/attraction/leads/new/", {"partner": ambassador.pk})
    assert r.status_code == 200 and r.context["form"].initial["partner"] == ambassador.pk
    for junk in ("abc", "-1", "99999"):  # never a 500: the form is simply blank
        r = manager_client.get("/attraction/leads/new/", {"partner": junk})
        assert r.status_code == 200 and "partner" not in r.context["form"].initial
