"""Verdict JSON shape and next-tier paths."""

import json

from oasis.rules import assess
from oasis.rules.tests.factories import base_facts, with_year


def test_verdict_shape_and_rule_fields():
    v = assess([base_facts()], "miit-2026")
    json.dumps(v, ensure_ascii=False)  # serialisable as is
    assert v["rule_set"] == "miit-2026"
    res = v["results"][0]
    assert (res["id"], res["size_class"]) == ("E1", "small")
    assert list(res["tiers"]) == ["innovative_sme", "tech_sme", "srdi_sme", "little_giant"]
    rd = next(r for r in res["tiers"]["innovative_sme"]["rules"] if r["id"] == "rd_ratio")
    assert rd == {
        "id": "rd_ratio",
        "label": "上年度研发费用投入占营业收入比重",
        "label_en": "Prior-year R&D expense / operating revenue",
        "passed": True,
        "points": 20,
        "points_max": 20,
        "value": 0.06,
        "threshold": ">= 0.05 -> 20; >= 0.03 -> 15; >= 0.02 -> 10; >= 0.01 -> 5",
        "gap": None,
        "confidence": "H",
        "help": "shared_technology",
    }
    assert res["next_tier"] is None  # already a little giant


def test_2022_results_have_no_tech_sme_key():
    v = assess([base_facts(assessment_date="2026-03-01")], "miit-2022")
    assert list(v["results"][0]["tiers"]) == ["innovative_sme", "srdi_sme", "little_giant"]


def test_gap_in_cny_of_rd_expense():
    f = with_year(
        base_facts(titles=[{"kind": "innovative_sme", "valid_until": "2027-12-31"}]),
        "2025",
        rd_expense=2_770_000,
    )
    res = assess([f], "miit-2026")["results"][0]
    rule = next(r for r in res["tiers"]["srdi_sme"]["rules"] if r["id"] == "rd_ratio_y1")
    assert (rule["passed"], rule["gap"], rule["gap_unit"]) == (False, 230_000, "cny")
    assert res["tiers"]["srdi_sme"]["status"] == "not_qualified"
    nt = res["next_tier"]
    assert nt["tier"] == "srdi_sme"
    assert nt["steps"] == [
        {
            "tier": "srdi_sme",
            "rule": "rd_ratio_y1",
            "action": "increase",
            "fact": "years.2025.rd_expense",
            "amount": 230_000,
            "unit": "cny",
            "text": "R&D expense 2025 short by ¥230,000",
            "help": "shared_technology",
        }
    ]


def test_next_tier_for_little_giant_lists_every_gap():
    f = with_year(base_facts(), "2024", rd_expense=5_000_000)  # 2-year total 1100万 < 1200万
    f["market"] = {"share": 0.05, "domestic_rank": 5, "leading_confirmed": True}
    res = assess([f], "miit-2026")["results"][0]
    assert res["tiers"]["srdi_sme"]["status"] == "qualified"
    nt = res["next_tier"]
    assert nt["tier"] == "little_giant"
    assert [(s["rule"], s["amount"], s["help"]) for s in nt["steps"]] == [
        ("rd_sum_2y", 1_000_000, "shared_technology"),
        ("market_share", 0.05, "shared_brand"),
    ]


def test_points_path_picks_the_cheapest_band_upgrade():
    # 2022 innovative: ip 0, rd 2% (10), growth 0 (5), debt 10, field 10, share 20 -> 55; no direct path
    f = base_facts(
        assessment_date="2026-03-01",
        rd_institution="none",
        ip={"class1": 0, "class1_self_developed": 0, "class1_high_value": 0, "class2": 0},
    )
    f = with_year(f, "2025", rd_expense=2_000_000, main_business_revenue=85_000_000)
    res = assess([f], "miit-2022")["results"][0]
    assert (res["tiers"]["innovative_sme"]["status"], res["tiers"]["innovative_sme"]["score"]) == (
        "not_qualified",
        55,
    )
    nt = res["next_tier"]
    assert nt["tier"] == "innovative_sme"
    # fewest changes: one R&D step to 5% gives innovation 20 and a total of 65
    assert [
        (s["rule"], s["amount"], s["points_from"], s["points_to"], s["help"]) for s in nt["steps"]
    ] == [("rd_ratio", 3_000_000, 10, 20, "shared_technology")]
