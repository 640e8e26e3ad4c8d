"""Finance matching: the pure matcher's verdicts and reasons, needs matched with the
firm's consent, outcomes tracked by the operator only, and who may see a need."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oasis.accounts.tests.factories import logged_in, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.finance import matching, selectors, services
from oasis.finance.models import FinanceProduct, FinancingNeed, Institution, Match

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(park):
    inst = Institution.objects.create(park=park, name="常熟农商银行", kind="bank")
    return FinanceProduct.objects.create(
        institution=inst,
        name="科创贷",
        amount_min=Decimal("1000000"),
        amount_max=Decimal("10000000"),
        term_months_min=6,
        term_months_max=36,
        industries=["nextgen_it"],
        min_revenue=Decimal("20000000"),
        min_rd_ratio=Decimal("5"),
        required_figures=["revenue", "rd_expense"],
    )


def test_matching_pure_verdicts_and_reasons():
    terms = matching.Terms(
        Decimal("100"),
        Decimal("1000"),
        6,
        36,
        (),
        ("nextgen_it",),
        "srdi_sme",
        Decimal("1000"),
        Decimal("5"),
        ("revenue",),
    )
    firm = matching.FirmFacts(
        "nextgen_it",
        dt.date(2015, 1, 1),
        "srdi_sme",
        2025,
        Decimal("2000"),
        Decimal("200"),
        frozenset({"revenue"}),
    )
    today = dt.date(2026, 6, 1)
    assert (
        matching.match(firm, matching.Need(Decimal("500"), 12), terms, today=today).verdict
        == "eligible"
    )
    near = matching.match(firm, matching.Need(Decimal("1100"), 12), terms, today=today)
    assert near.verdict == "near" and near.reasons[0] == {
        "status": "near",
        "text": "金额 1100 元略高于产品上限 1000 元。",
    }
    low = matching.FirmFacts(
        "automotive", None, "innovative_sme", 2025, Decimal("900"), Decimal("10"), frozenset()
    )
    result = matching.match(low, matching.Need(Decimal("500"), None), terms, today=today)
    assert result.verdict == "not"
    assert [r["status"] for r in result.reasons] == ["ok", "fail", "near", "near", "fail", "near"]


def test_financing_need_matches_products_with_reasons(member_client, member, enterprise, product):
    FigureFactory(
        enterprise=enterprise, year=2025, revenue=Decimal("50000000"), rd_expense=Decimal("3000000")
    )
    r = member_client.post(
        "/api/v1/sharing/needs",
        {"amount": "5000000", "purpose": "购置测试设备", "term_months": 24, "consent": True},
        content_type="application/json",
    )
    assert r.status_code == 201
    need = FinancingNeed.objects.get()
    matches = member_client.get(f"/api/v1/sharing/needs/{need.pk}/matches").json()
    assert [(m["product_name"], m["verdict"]) for m in matches] == [("科创贷", "eligible")]
    texts = [x["text"] for x in matches[0]["reasons"]]
    assert "2025 年营业收入 50000000.00 元，不低于 20000000.00 元。" in texts
    assert "研发投入占比 6.00%，不低于 5.00%。" in texts
    page = member_client.get(f"/sharing/finance/needs/{need.pk}/")
    assert "科创贷" in page.content.decode() and "符合" in page.content.decode()


def test_need_without_consent_is_not_matched(member, product):
    need = services.need_create(
        actor=member, data={"amount": Decimal("5000000"), "purpose": "流动资金", "consent": False}
    )
    assert need.matches.count() == 0
    with pytest.raises(Exception, match="企业未同意"):
        services.need_match(actor=member, need=need)


def test_match_outcome_tracked_by_operator_only(
    member, operator_client, member_client, outsider_client, product
):
    FigureFactory(enterprise=member.enterprise, year=2025)
    need = services.need_create(
        actor=member, data={"amount": Decimal("2000000"), "purpose": "扩产", "consent": True}
    )
    m = need.matches.get()
    url = f"/api/v1/sharing/matches/{m.pk}/outcome"
    assert (
        member_client.post(url, {"outcome": "funded"}, content_type="application/json").status_code
        == 403
    )
    assert (
        outsider_client.post(
            url, {"outcome": "funded"}, content_type="application/json"
        ).status_code
        == 404
    )
    r = operator_client.post(url, {"outcome": "funded"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["fields"] == {"funded_amount": ["请填写放款金额。"]}
    r = operator_client.post(
        url, {"outcome": "funded", "funded_amount": "2000000"}, content_type="application/json"
    )
    assert r.json()["outcome"] == "funded"
    m.refresh_from_db()
    assert (m.outcome, m.funded_amount) == (Match.Outcome.FUNDED, Decimal("2000000.00"))


def test_need_access(member, park, outsider_client, product):
    need = services.need_create(
        actor=member, data={"amount": Decimal("2000000"), "purpose": "扩产", "consent": True}
    )
    neighbour = logged_in(make_user("neighbour", enterprise=EnterpriseFactory(park=park)))
    for c in (outsider_client, neighbour):
        assert c.get(f"/sharing/finance/needs/{need.pk}/").status_code == 404
        assert c.get(f"/api/v1/sharing/needs/{need.pk}/matches").status_code == 404
        assert c.get("/api/v1/sharing/needs").json()["count"] == 0


def test_firm_tier_adapter_returns_a_tier_or_none(enterprise):
    FigureFactory(enterprise=enterprise, year=2025)
    tier = selectors.firm_tier(enterprise)
    assert tier is None or tier in ("", "innovative_sme", "srdi_sme", "little_giant")


def test_outcome_through_the_need_page(member, operator_client, member_client, product):
    FigureFactory(enterprise=member.enterprise, year=2025)
    need = services.need_create(
        actor=member, data={"amount": Decimal("2000000"), "purpose": "扩产", "consent": True}
    )
    m = need.matches.get()
    url = f"/sharing/finance/needs/{need.pk}/"
    post = {"action": "outcome", "match": m.pk, "outcome": "funded"}
    r = operator_client.post(url, post, follow=True)
    assert [str(x) for x in r.context["messages"]] == ["请填写放款金额。"]
    for junk in ("abc", "", "0"):  # a bad id is refused with a sentence, never a 500
        r = operator_client.post(url, {**post, "match": junk, "funded_amount": "1"})
        assert r.status_code == 302
    assert member_client.post(url, {**post, "funded_amount": "1"}).status_code == 403
    r = operator_client.post(url, {**post, "funded_amount": "2000000"})
    assert r.status_code == 302 and r["Location"] == url
    m.refresh_from_db()
    assert (m.outcome, m.funded_amount) == ("funded", Decimal("2000000.00"))
