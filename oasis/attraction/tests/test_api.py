import json
from decimal import Decimal

import pytest

from oasis.attraction.models import Activity, Lead

API = "/api/v1/attraction"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def payload(park, **over):
    data = {
        "park_id": park.pk,
        "company_name": "常熟芯动力科技有限公司",
        "source": "direct",
        "industry_code": "3976",
        "expected_investment": "150000000",
        "negotiation_notes": "保密条款",
        "expected_jobs": 80,
    }
    data.update(over)
    return data


def test_create_list_detail(manager_client, manager, park):
    r = post(manager_client, f"{API}/leads", payload(park))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["company_name"] == "常熟芯动力科技有限公司"
        and body["owner_id"] == manager.pk
        and body["stage"] == "lead"
    )
    assert body["expected_investment"] == "150000000.00" and body["negotiation_notes"] == "保密条款"
    r = manager_client.get(f"{API}/leads")
    assert r.json()["count"] == 1
    assert manager_client.get(f"{API}/leads/{body['id']}").json()["confidential_visible"] is True


def test_create_invalid_exact_errors(manager_client, park):
    r = post(
        manager_client, f"{API}/leads", payload(park, uscc="91320000ABC", industry_code="9999")
    )
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {
            "uscc": ["统一社会信用代码应为18位，当前为11位。"],
            "industry_code": ["行业代码“9999”不在《国民经济行业分类》(GB/T 4754-2017)中。"],
        },
    }
    r = post(manager_client, f"{API}/leads", payload(park, company_name="x", expected_jobs=-1))
    assert r.status_code == 400
    assert set(r.json()["fields"]) == {"company_name", "expected_jobs"}
    assert Lead.objects.count() == 0


def test_duplicate_warning_and_confirm(manager_client, park):
    assert (
        post(
            manager_client, f"{API}/leads", payload(park, company_name="苏州绿洲智驾科技有限公司")
        ).status_code
        == 201
    )
    r = post(
        manager_client, f"{API}/leads", payload(park, company_name="绿洲智驾（苏州）科技有限公司")
    )
    assert r.status_code == 400
    assert r.json()["fields"] == {
        "duplicates": ["可能与已有记录重复：苏州绿洲智驾科技有限公司。确认无误后可勾选“仍然保存”。"]
    }
    r = post(
        manager_client,
        f"{API}/leads",
        payload(park, company_name="绿洲智驾（苏州）科技有限公司", confirm_duplicates=True),
    )
    assert r.status_code == 201


def test_stage_activities_history(manager_client, manager, park):
    lead_id = post(manager_client, f"{API}/leads", payload(park)).json()["id"]
    r = post(manager_client, f"{API}/leads/{lead_id}/stage", {"stage": "negotiation"})
    assert r.status_code == 200 and r.json()["stage"] == "negotiation"
    r = post(manager_client, f"{API}/leads/{lead_id}/stage", {"stage": "lost"})
    assert r.status_code == 400 and r.json()["fields"] == {"reason": ["标记流失须填写原因。"]}
    r = post(
        manager_client,
        f"{API}/leads/{lead_id}/activities",
        {"kind": "next_step", "body": "寄送方案"},
    )
    assert r.status_code == 400 and r.json()["fields"] == {"due_on": ["下一步须填写截止日期。"]}
    r = post(
        manager_client, f"{API}/leads/{lead_id}/activities", {"kind": "visit", "body": "实地考察"}
    )
    assert r.status_code == 201 and r.json()["actor_id"] == manager.pk
    assert [a["kind"] for a in manager_client.get(f"{API}/leads/{lead_id}/activities").json()] == [
        "visit"
    ]
    stages = manager_client.get(f"{API}/leads/{lead_id}/stages").json()
    assert [(s["from_stage"], s["to_stage"]) for s in stages] == [
        ("lead", "negotiation"),
        ("", "lead"),
    ]
    assert [s["value"] for s in manager_client.get(f"{API}/stages").json()] == [
        "lead",
        "negotiation",
        "visit",
        "intent",
        "signed",
        "settled",
        "lost",
    ]
    r = manager_client.patch(
        f"{API}/leads/{lead_id}", json.dumps({"intent": "high"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["intent"] == "high"


def test_viewer_sees_lead_without_confidential_fields(
    manager_client, viewer_client, officer_client, park
):
    lead_id = post(manager_client, f"{API}/leads", payload(park)).json()["id"]
    for c in (viewer_client, officer_client):
        body = c.get(f"{API}/leads/{lead_id}").json()
        assert body["company_name"] == "常熟芯动力科技有限公司" and body["expected_jobs"] == 80
        assert (
            body["expected_investment"] is None
            and body["negotiation_notes"] is None
            and body["confidential_visible"] is False
        )
        row = c.get(f"{API}/leads").json()["items"][0]
        assert row["expected_investment"] is None and row["negotiation_notes"] is None
        assert post(c, f"{API}/leads/{lead_id}/stage", {"stage": "visit"}).status_code == 403
        assert post(c, f"{API}/leads", payload(park, company_name="别的企业")).status_code == 404
    assert Lead.objects.get().stage == "lead"


def test_member_and_outsider_refused(manager_client, member_client, outsider_client, park):
    lead_id = post(manager_client, f"{API}/leads", payload(park)).json()["id"]
    before = Lead.objects.values().get()
    for url in (
        f"{API}/leads",
        f"{API}/leads/{lead_id}",
        f"{API}/leads/{lead_id}/activities",
        f"{API}/leads/{lead_id}/stages",
        f"{API}/stages",
    ):
        assert member_client.get(url).status_code == 403, url
    for url in (
        f"{API}/leads/{lead_id}",
        f"{API}/leads/{lead_id}/activities",
        f"{API}/leads/{lead_id}/stages",
    ):
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.get(f"{API}/leads").json()["count"] == 0
    for c, code in ((member_client, 403), (outsider_client, 404)):
        assert post(c, f"{API}/leads/{lead_id}/stage", {"stage": "visit"}).status_code == code
        assert (
            post(c, f"{API}/leads/{lead_id}/activities", {"kind": "note", "body": "x"}).status_code
            == code
        )
        assert post(c, f"{API}/leads/{lead_id}/claim", {}).status_code == code
        assert post(c, f"{API}/leads", payload(park, company_name="另一家")).status_code == code
        assert (
            c.patch(
                f"{API}/leads/{lead_id}",
                json.dumps({"intent": "low"}),
                content_type="application/json",
            ).status_code
            == code
        )
    assert Lead.objects.values().get() == before
    assert not Activity.objects.exists()


@pytest.mark.parametrize("n", [10, 200])
def test_api_list_fixed_queries(n, park, manager, manager_client, django_assert_max_num_queries):
    import datetime as dt

    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    Lead.objects.bulk_create(
        [
            Lead(
                park=park,
                company_name=f"企业{i}",
                owner=manager,
                created_at=now,
                last_activity_at=now,
                stage_entered_at=now,
                expected_investment=Decimal(i),
            )
            for i in range(n)
        ]
    )
    with django_assert_max_num_queries(6):
        r = manager_client.get(f"{API}/leads?limit=100")
    assert r.status_code == 200 and r.json()["count"] == n
