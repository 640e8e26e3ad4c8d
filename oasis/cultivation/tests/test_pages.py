"""Enterprise-page verdict, screening, export, profile editing: success, bad input, access."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from oasis.core.models import AuditEntry
from oasis.cultivation.models import InnovationProfile, Title
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory

from .factories import store_full_file

pytestmark = pytest.mark.django_db

ON = "2026-05-01"


def test_enterprise_page_shows_verdict_rows(staff_client, enterprise):
    store_full_file(enterprise, provincial_points=None)
    resp = staff_client.get(f"/enterprises/{enterprise.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="cultivation"' in html
    assert 'data-rule="rd_ratio"' in html  # innovative SME table, indicator by indicator
    assert "上年度研发费用投入占营业收入比重" in html
    assert f'href="/cultivation/enterprises/{enterprise.pk}/"' in html  # staff may edit


def test_enterprise_page_next_tier_path_links_park_services(member_client, enterprise):
    store_full_file(enterprise)
    FigureFactory._meta.model.objects.filter(enterprise=enterprise, year=2025).update(
        rd_expense=Decimal(1_000_000)
    )
    resp = member_client.get(f"/enterprises/{enterprise.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "/sharing/#shared_technology" in html
    assert (
        "/cultivation/enterprises/" not in html
    )  # a member reads, never edits the innovation file


def test_member_sees_only_own_verdict(member_client, enterprise, park):
    other = EnterpriseFactory(park=park)
    assert member_client.get(f"/enterprises/{other.pk}/").status_code == 404
    assert (
        member_client.get(f"/api/v1/cultivation/enterprises/{other.pk}/verdict").status_code == 404
    )
    assert (
        member_client.get(f"/api/v1/cultivation/enterprises/{enterprise.pk}/verdict").status_code
        == 200
    )


def _screening_park(park):
    firms = []
    for i in range(4):
        e = EnterpriseFactory(park=park, name=f"筛查企业{i}")
        store_full_file(e)
        firms.append(e)
    # 0: all tiers. 1: SRDI R&D ratio 2.8% (< 3%, within 10%): a near miss.
    FigureFactory._meta.model.objects.filter(enterprise=firms[1], year=2025).update(
        rd_expense=Decimal(2_800_000)
    )
    # 2: on the dishonest list: nothing qualifies. 3: profile unknown -> review.
    InnovationProfile.objects.filter(enterprise=firms[2]).update(compliance_dishonest_list=True)
    InnovationProfile.objects.filter(enterprise=firms[3]).update(compliance_abnormal_list=None)
    return firms


def test_screening_lists_every_firm_with_tiers(staff_client, park):
    firms = _screening_park(park)
    resp = staff_client.get(f"/cultivation/screening/?date={ON}&rules=miit-2026")
    assert resp.status_code == 200
    html = resp.content.decode()
    for f in firms:
        assert f'data-enterprise="{f.pk}"' in html
    run = resp.context["run"]
    assert run.rule_set.name == "miit-2026"
    assert run.counts["little_giant"] == {"qualified": 1, "not_qualified": 2, "review": 1}


def test_screening_filters_by_tier_and_status(staff_client, park):
    firms = _screening_park(park)
    resp = staff_client.get(
        f"/cultivation/screening/?date={ON}&rules=miit-2026&tier=srdi_sme&status=not_qualified"
    )
    assert [r.enterprise_id for r in resp.context["page"]] == [firms[1].pk, firms[2].pk]
    resp = staff_client.get(
        f"/cultivation/screening/?date={ON}&rules=miit-2026&tier=little_giant&status=review"
    )
    assert [r.enterprise_id for r in resp.context["page"]] == [firms[3].pk]


def test_screening_near_misses(staff_client, park):
    firms = _screening_park(park)
    resp = staff_client.get(f"/cultivation/screening/?date={ON}&rules=miit-2026&near_miss=true")
    rows = list(resp.context["page"])
    assert [r.enterprise_id for r in rows] == [firms[1].pk]
    assert rows[0].next_tier == "srdi_sme"
    assert "one_rule" in rows[0].near_miss and "rd_ratio_y1" in rows[0].near_miss


def test_screening_invalid_filter_is_400_with_message(staff_client, park):
    resp = staff_client.get("/cultivation/screening/?tier=champion")
    assert resp.status_code == 400
    assert resp.context["errors"] == ["筛选条件“梯度”的值“champion”无效，已忽略。"]


def test_screening_export_has_every_indicator(staff_client, park):
    firms = _screening_park(park)
    resp = staff_client.get(f"/cultivation/screening/export/?date={ON}&rules=miit-2022")
    assert resp.status_code == 200
    assert (
        resp["Content-Disposition"]
        == 'attachment; filename="screening-miit-2022-2026-05-01.xlsx"; '
        "filename*=UTF-8''screening-miit-2022-2026-05-01.xlsx"
    )
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header, machine, data = rows[0], rows[1], rows[2:]
    assert len(data) == 4
    assert machine[:4] == ("enterprise_id", "name", "uscc", "rule_set")
    assert "srdi_sme.p_rd_input.points" in machine and "little_giant.status" in machine
    assert "common.not_dishonest_list.passed" in machine
    by_id = {r[0]: dict(zip(machine, r)) for r in data}
    assert by_id[firms[0].pk]["innovative_sme.status"] == "符合"
    assert by_id[firms[0].pk]["rule_set"] == "miit-2022"
    assert by_id[firms[2].pk]["common.not_dishonest_list.passed"] is False
    assert header[1] == "企业名称"


def test_screening_refuses_members_and_hides_other_parks(member_client, outsider_client, park):
    _screening_park(park)
    assert member_client.get("/cultivation/screening/").status_code == 403
    assert member_client.get("/cultivation/screening/export/").status_code == 403
    resp = outsider_client.get(f"/cultivation/screening/?date={ON}")
    assert resp.status_code == 200
    assert resp.context["total"] == 0


def test_viewer_reads_screening_but_cannot_edit(viewer_client, enterprise):
    store_full_file(enterprise)
    assert viewer_client.get(f"/cultivation/screening/?date={ON}").status_code == 200
    resp = viewer_client.get(f"/enterprises/{enterprise.pk}/")
    assert (
        resp.status_code == 200
        and f"/cultivation/enterprises/{enterprise.pk}/" not in resp.content.decode()
    )
    assert viewer_client.get(f"/cultivation/enterprises/{enterprise.pk}/").status_code == 403
    assert (
        viewer_client.post(
            f"/cultivation/enterprises/{enterprise.pk}/", {"ip_class1": "3"}
        ).status_code
        == 403
    )
    assert not InnovationProfile.objects.filter(enterprise=enterprise, ip_class1=3).exists()


@pytest.mark.parametrize("n", [10, 200])
def test_screening_query_ceiling(staff_client, park, django_assert_max_num_queries, n):
    for i in range(n):
        e = EnterpriseFactory(park=park)
        if i == 0:
            store_full_file(e)
            continue
        FigureFactory(enterprise=e, year=2025)
        if i % 3 == 0:
            InnovationProfile.objects.create(enterprise=e, ip_class1=i)
    with django_assert_max_num_queries(14):
        resp = staff_client.get(f"/cultivation/screening/?date={ON}")
    assert resp.status_code == 200
    assert resp.context["total"] == n


def test_profile_edit_saves_with_audit_and_judgement_author(staff_client, staff, enterprise):
    resp = staff_client.get(f"/cultivation/enterprises/{enterprise.pk}/")
    assert resp.status_code == 200
    data = {
        "ip_class1": "4",
        "niche_years": "3.5",
        "digital_level": "2",
        "qualitative_key_field": "true",
        "titles_complete": "on",
    }
    resp = staff_client.post(f"/cultivation/enterprises/{enterprise.pk}/", data)
    assert resp.status_code == 302
    p = InnovationProfile.objects.get(enterprise=enterprise)
    assert (p.ip_class1, p.niche_years, p.digital_level, p.qualitative_key_field) == (
        4,
        Decimal("3.5"),
        2,
        True,
    )
    assert p.ip_class2 is None and p.strategic_emerging is None  # unknown stays NULL
    assert p.qualitative_by == staff and p.qualitative_at is not None
    assert (
        AuditEntry.objects.filter(
            model="cultivation.innovationprofile", object_id=str(p.pk)
        ).count()
        == 1
    )


def test_profile_edit_invalid_input_shows_exact_error(staff_client, enterprise):
    resp = staff_client.post(f"/cultivation/enterprises/{enterprise.pk}/", {"digital_level": "5"})
    assert resp.status_code == 400
    assert resp.context["form"].errors["digital_level"] == ["确保该值小于或等于4。"]
    assert not InnovationProfile.objects.filter(enterprise=enterprise).exists()


def test_outsider_and_member_cannot_edit_profile(outsider_client, member_client, enterprise):
    assert outsider_client.get(f"/cultivation/enterprises/{enterprise.pk}/").status_code == 404
    assert (
        outsider_client.post(
            f"/cultivation/enterprises/{enterprise.pk}/", {"ip_class1": "1"}
        ).status_code
        == 404
    )
    assert (
        member_client.post(
            f"/cultivation/enterprises/{enterprise.pk}/", {"ip_class1": "1"}
        ).status_code
        == 403
    )
    assert not InnovationProfile.objects.exists()


def test_title_record_add_and_delete(staff_client, enterprise):
    url = f"/cultivation/enterprises/{enterprise.pk}/titles/new/"
    resp = staff_client.post(
        url,
        {
            "kind": "srdi_sme",
            "certificate_no": "JS-2025-001",
            "valid_from": "2025-01-01",
            "valid_until": "2027-12-31",
        },
    )
    assert resp.status_code == 302
    title = Title.objects.get(enterprise=enterprise)
    assert title.valid_until == dt.date(2027, 12, 31)
    resp = staff_client.post(
        url, {"kind": "srdi_sme", "valid_from": "2025-01-01", "valid_until": "2024-12-31"}
    )
    assert resp.status_code == 400
    assert (
        staff_client.get(f"/cultivation/enterprises/{enterprise.pk}/bogus/new/").status_code == 404
    )
    resp = staff_client.post(f"/cultivation/enterprises/{enterprise.pk}/titles/{title.pk}/delete/")
    assert resp.status_code == 302
    assert not Title.objects.exists()
    assert AuditEntry.objects.filter(model="cultivation.title", action="delete").count() == 1


def test_anonymous_is_sent_to_login():
    resp = Client().get("/cultivation/screening/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_screening_is_cached_until_the_park_changes(
    staff_client, park, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from oasis.core.cache import park_data_changed

    firms = _screening_park(park)
    url = f"/cultivation/screening/?date={ON}&rules=miit-2026"
    first = staff_client.get(url).context["run"]
    with django_assert_max_num_queries(6):  # session, user, roles: no evaluation
        again = staff_client.get(url).context["run"]
    assert again.counts == first.counts
    InnovationProfile.objects.filter(enterprise=firms[0]).update(compliance_dishonest_list=True)
    with django_capture_on_commit_callbacks(execute=True):
        park_data_changed(park.pk)
    changed = staff_client.get(url).context["run"]
    assert changed.counts["little_giant"]["qualified"] == 0
