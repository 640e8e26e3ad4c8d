"""Confidential investment figures (a lead's expected investment, an agreement's total
investment) are summed only for those who may see them: park administrators and
attraction managers of the park. Every other role sees "***" and sums nothing, on the
partner list, the partner page and the partner export."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from oasis.accounts.models import ParkRole, Role
from oasis.accounts.tests.factories import logged_in, make_user
from oasis.attraction.models import Agreement, Lead, Partner
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import ParkFactory


@pytest.fixture
def signed(park, make_lead, ambassador):
    """Two leads brought by the ambassador, signed for 3 亿 and 1.2 亿 = 4.2 亿 (42,000 万)."""
    for name, total in (("甲签约科技有限公司", "300000000"), ("乙签约科技有限公司", "120000000")):
        lead = make_lead(name, expected_investment=Decimal("990000000"))
        Lead.objects.filter(pk=lead.pk).update(partner=ambassador)
        Agreement.objects.create(
            lead=lead,
            enterprise=EnterpriseFactory(park=park, name=name),
            signed_on="2026-03-01",
            total_investment=Decimal(total),
        )
    return ambassador


def _export_value(client):
    r = client.get("/attraction/partners/?export=xlsx")
    sheet = load_workbook(
        io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    return {row[1]: row[7] for row in rows[1:]}["李大使"]


def test_partner_sums_for_those_who_may_see_them(signed, manager_client, staff_client):
    for client in (manager_client, staff_client):
        page = client.get("/attraction/partners/").context["page"]
        assert [p.signed_value for p in page] == [Decimal("420000000.00")]
        stats = client.get(f"/attraction/partners/{signed.pk}/").context["stats"]
        assert stats.signed_value == Decimal("420000000.00")
        assert _export_value(client) == 420000000.0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SERVICE, Role.LEASING, Role.SHARING])
def test_other_roles_sum_nothing_confidential(signed, park, role):
    client = logged_in(make_user(f"conf_{role}", park=park, role=role))
    r = client.get("/attraction/partners/")
    assert [(p.signed_count, p.signed_value) for p in r.context["page"]] == [(0, None)]
    body = r.content.decode()
    assert "42,000" not in body and "42000" not in body and "***" in body
    r = client.get(f"/attraction/partners/{signed.pk}/")
    assert r.context["stats"].signed_value is None
    assert "42,000" not in r.content.decode() and "42000" not in r.content.decode()
    assert _export_value(client) is None


def test_confidentiality_is_decided_per_park(signed, park):
    """A manager in park A who is only a viewer in park B sums park A's partner, not B's."""
    other = ParkFactory(name="乙园")
    partner_b = Partner.objects.create(park=other, kind="ambassador", name="乙园大使")
    lead_b = Lead.objects.create(
        park=other, company_name="乙园签约有限公司", source="direct", partner=partner_b
    )
    Agreement.objects.create(
        lead=lead_b,
        enterprise=EnterpriseFactory(park=other),
        signed_on="2026-03-01",
        total_investment=Decimal("70000000"),
    )
    user = make_user("conf_mixed", park=park, role=Role.ATTRACTION)
    ParkRole.objects.create(user=user, park=other, role=Role.VIEWER)
    page = logged_in(user).get("/attraction/partners/").context["page"]
    assert {p.name: p.signed_value for p in page} == {
        "李大使": Decimal("420000000.00"),
        "乙园大使": None,
    }
