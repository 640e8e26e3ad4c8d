"""Common eligibility, unknown facts -> review, and definite failure despite unknowns."""

import pytest

from oasis.rules import assess_frame
from oasis.rules.tests.factories import base_facts, statuses, with_year

TIERS = {
    "miit-2022": ("innovative_sme", "srdi_sme", "little_giant"),
    "miit-2026": ("innovative_sme", "tech_sme", "srdi_sme", "little_giant"),
}


@pytest.mark.parametrize("rule_set", ["miit-2022", "miit-2026"])
def test_each_compliance_failure_fails_every_tier(rule_set):
    bad = [
        ("independent_legal_person", False),
        ("abnormal_list", True),
        ("dishonest_list", True),
        ("serious_incident_3y", True),
        ("restricted_industry", True),
    ]
    ok = base_facts()["compliance"]
    facts = [base_facts(compliance={**ok, k: v}) for k, v in bad]
    facts.append(
        with_year(
            base_facts(),
            "2025",
            employees=1000,
            revenue=400_000_000,
            main_business_revenue=380_000_000,
            rd_expense=24_000_000,
        )
    )  # large
    res = assess_frame([{**f, "id": str(i)} for i, f in enumerate(facts)], rule_set)
    assert res["size_class"].to_list()[-1] == "large"
    for tier in TIERS[rule_set]:
        assert res[f"{tier}.status"].to_list() == ["not_qualified"] * len(facts), tier


@pytest.mark.parametrize("rule_set", ["miit-2022", "miit-2026"])
def test_unknown_compliance_gives_review(rule_set):
    f = base_facts(compliance={**base_facts()["compliance"], "dishonest_list": None})
    res = assess_frame([f], rule_set)
    for tier in TIERS[rule_set]:
        assert res[f"{tier}.status"][0] == "review"


def test_unknown_fact_that_cannot_matter_still_qualifies():
    # without R&D the innovative table still has 75 points and innovation 20 (IP)
    f = with_year(base_facts(rd_institution="none"), "2025", rd_expense=None)
    r = assess_frame([f], "miit-2026").row(0, named=True)
    assert (
        r["innovative_sme.status"],
        r["innovative_sme.score"],
        r["innovative_sme.score_max"],
    ) == ("qualified", None, 95.0)
    assert r["srdi_sme.status"] == "review"


def test_definite_failure_wins_over_unknowns():
    f = with_year(base_facts(niche_years=1), "2025", rd_expense=None)
    assert statuses([f], "miit-2026", "srdi_sme") == ["not_qualified"]


def test_empty_facts_are_all_review_or_fail():
    res = assess_frame([{"id": "X", "assessment_date": "2026-05-01"}], "miit-2026").row(
        0, named=True
    )
    assert res["size_class"] is None
    assert {t: res[f"{t}.status"] for t in TIERS["miit-2026"]} == {
        "innovative_sme": "review",
        "tech_sme": "review",
        "srdi_sme": "review",
        "little_giant": "review",
    }


def test_missing_inputs_listed_for_review_tiers():
    from oasis.rules import assess

    f = with_year(base_facts(market={"share": 0.2, "domestic_rank": 1}), "2024", rd_expense=None)
    v = assess([f], "miit-2026")["results"][0]["tiers"]
    assert v["srdi_sme"]["status"] == "review"
    assert v["srdi_sme"]["missing"] == ["years.2024.rd_expense", "market.leading_confirmed"]
    assert v["innovative_sme"]["missing"] == []
