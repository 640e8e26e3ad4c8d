"""`oasis assess` and the cultivation API: success, bad input naming id and field, access."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oasis.cultivation.models import PoolEntry, Title
from oasis.rules.tests.factories import base_facts

from .factories import store_full_file

ON = "2026-05-01"


def _bad_batch() -> list[dict]:
    return [base_facts(id="E1"), base_facts(id="E2", years={"2025": {"revenue": "lots"}})]


def test_cli_prints_verdicts_for_a_list(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps([base_facts()]))
    out = io.StringIO()
    call_command("assess", str(path), "--rules", "miit-2022", stdout=out)
    data = json.loads(out.getvalue())
    assert data["rule_set"] == "miit-2022"
    assert [r["id"] for r in data["results"]] == ["E1"]
    assert data["results"][0]["tiers"]["innovative_sme"]["status"] == "qualified"


def test_cli_accepts_enterprises_object_and_date(tmp_path):
    f = base_facts()
    del f["assessment_date"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"enterprises": [f]}))
    out = io.StringIO()
    call_command("assess", str(path), "--date", "2026-05-01", stdout=out)
    assert json.loads(out.getvalue())["rule_set"] == "miit-2026"


def test_cli_bad_facts_exit_2_naming_id_and_field_no_output(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"enterprises": _bad_batch()}))
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("assess", str(path), stdout=out)
    assert exc.value.returncode == 2
    assert "enterprise 'E2', field 'years.2025.revenue': expected a number, got str" in str(
        exc.value
    )
    assert out.getvalue() == ""


def test_cli_malformed_json_exit_2(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text("[{")
    with pytest.raises(CommandError) as exc:
        call_command("assess", str(path))
    assert exc.value.returncode == 2
    assert "not valid JSON" in str(exc.value)


def test_cli_exit_status_and_stderr(tmp_path, oasis_cli):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(_bad_batch()))
    status, out, err = oasis_cli("assess", str(path))
    assert status == 2
    assert out == ""
    assert "'E2'" in err and "years.2025.revenue" in err


@pytest.mark.django_db
def test_api_assess_success(member_client):
    resp = member_client.post(
        f"/api/v1/cultivation/assess?rules=miit-2026&date={ON}",
        data=json.dumps({"enterprises": [base_facts()]}),
        content_type="application/json",
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["rule_set"] == "miit-2026"
    assert data["results"][0]["tiers"]["little_giant"]["status"] == "qualified"


@pytest.mark.django_db
def test_api_assess_400_names_enterprise_and_field(staff_client):
    resp = staff_client.post(
        "/api/v1/cultivation/assess", data=json.dumps(_bad_batch()), content_type="application/json"
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["fields"] == {"enterprises[E2].years.2025.revenue": ["expected a number, got str"]}
    assert "E2" in body["detail"]
    assert "results" not in body


@pytest.mark.django_db
def test_api_assess_400_on_bad_shape(staff_client):
    resp = staff_client.post(
        "/api/v1/cultivation/assess", data="{}", content_type="application/json"
    )
    assert resp.status_code == 400
    assert resp.json() == {
        "detail": "Invalid input.",
        "fields": {"enterprises": ['expected a list of facts or {"enterprises": [...]}']},
    }


@pytest.mark.django_db
def test_api_assess_requires_login(client):
    resp = client.post("/api/v1/cultivation/assess", data="[]", content_type="application/json")
    assert resp.status_code == 401


@pytest.mark.django_db
def test_api_verdict_scoped(
    staff_client, member_client, outsider_client, viewer_client, enterprise
):
    store_full_file(enterprise)
    url = f"/api/v1/cultivation/enterprises/{enterprise.pk}/verdict?date={ON}&rules=miit-2026"
    for c in (staff_client, member_client, viewer_client):
        resp = c.get(url)
        assert resp.status_code == 200
        assert resp.json()["results"][0]["tiers"]["little_giant"]["status"] == "qualified"
        assert resp.json()["results"][0]["id"] == str(enterprise.pk)
    assert outsider_client.get(url).status_code == 404
    assert (
        outsider_client.get(f"/api/v1/cultivation/enterprises/{enterprise.pk}/facts").status_code
        == 404
    )


@pytest.mark.django_db
def test_api_screening_list(staff_client, member_client, enterprise, django_assert_max_num_queries):
    store_full_file(enterprise)
    resp = staff_client.get(
        f"/api/v1/cultivation/screening?date={ON}&tier=little_giant&status=qualified"
    )
    assert resp.status_code == 200
    assert [i["enterprise_id"] for i in resp.json()["items"]] == [enterprise.pk]
    assert member_client.get("/api/v1/cultivation/screening").status_code == 403


@pytest.mark.django_db
def test_api_pool_and_titles(
    staff_client, staff, outsider_client, member_client, viewer_client, enterprise
):
    resp = staff_client.post(
        "/api/v1/cultivation/pool",
        data=json.dumps(
            {
                "enterprise_id": enterprise.pk,
                "target_tier": "srdi_sme",
                "target_year": 2027,
                "owner_id": staff.pk,
                "plan": "研发投入提升至 3%",
            }
        ),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    entry_id = resp.json()["id"]
    resp = staff_client.patch(
        f"/api/v1/cultivation/pool/{entry_id}",
        data=json.dumps({"progress": 40}),
        content_type="application/json",
    )
    assert resp.json()["progress"] == 40
    resp = staff_client.patch(
        f"/api/v1/cultivation/pool/{entry_id}",
        data=json.dumps({"progress": 140}),
        content_type="application/json",
    )
    assert resp.status_code == 400 and "progress" in resp.json()["fields"]
    assert staff_client.get("/api/v1/cultivation/pool").json()["count"] == 1
    assert outsider_client.get("/api/v1/cultivation/pool").json()["count"] == 0
    assert (
        outsider_client.patch(
            f"/api/v1/cultivation/pool/{entry_id}",
            data=json.dumps({"progress": 1}),
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        viewer_client.patch(
            f"/api/v1/cultivation/pool/{entry_id}",
            data=json.dumps({"progress": 1}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert member_client.get("/api/v1/cultivation/pool").status_code == 403
    assert PoolEntry.objects.get().progress == 40

    resp = staff_client.post(
        f"/api/v1/cultivation/enterprises/{enterprise.pk}/titles",
        data=json.dumps({"kind": "innovative_sme", "valid_until": "2028-01-31"}),
        content_type="application/json",
    )
    assert resp.status_code == 201
    title_id = resp.json()["id"]
    assert staff_client.get("/api/v1/cultivation/titles").json()["count"] == 1
    assert outsider_client.delete(f"/api/v1/cultivation/titles/{title_id}").status_code == 404
    assert member_client.delete(f"/api/v1/cultivation/titles/{title_id}").status_code == 403
    assert Title.objects.count() == 1
    assert staff_client.delete(f"/api/v1/cultivation/titles/{title_id}").status_code == 204
    assert Title.objects.count() == 0
