"""Malformed input: FactsError names the enterprise and field, before any output."""

import pytest

from oasis.rules import FactsError, assess, size_class, validate_facts
from oasis.rules.tests.factories import base_facts, with_year


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        (with_year(base_facts(), "2025", revenue="100"), "years.2025.revenue"),
        (with_year(base_facts(), "2025", revenue=-1), "years.2025.revenue"),
        (with_year(base_facts(), "2025", rd_expense=1.005), "years.2025.rd_expense"),
        (with_year(base_facts(), "2025", employees=10.5), "years.2025.employees"),
        (base_facts(assessment_date="2026-13-01"), "assessment_date"),
        (base_facts(assessment_date="01/05/2026"), "assessment_date"),
        (
            base_facts(titles=[{"kind": "golden_sme", "valid_until": "2027-01-01"}]),
            "titles[0].kind",
        ),
        (
            base_facts(titles=[{"kind": "tech_sme", "valid_until": "2027-02-30"}]),
            "titles[0].valid_until",
        ),
        (base_facts(rd_institution="city"), "rd_institution"),
        (base_facts(main_product_field="chain"), "main_product_field"),
        (base_facts(awards=[{"level": "county", "year": 2024, "rank": 1}]), "awards[0].level"),
        (base_facts(digital_level=5), "digital_level"),
        (base_facts(strategic_emerging="yes"), "strategic_emerging"),
        (base_facts(market={"share": 1.5}), "market.share"),
        (base_facts(provincial_points=16), "provincial_points"),
        (base_facts(industry_code="Z99"), "industry_code"),
        (base_facts(years=[]), "years"),
        (base_facts(chuangke={"year": 2024, "group": "top5000"}), "chuangke.group"),
        (base_facts(id=7), "id"),
    ],
)
def test_factserror_names_enterprise_and_field(facts, field):
    with pytest.raises(FactsError) as exc:
        assess([base_facts(id="OK"), facts], "miit-2026")
    assert exc.value.field == field
    assert exc.value.enterprise_id == (None if field == "id" else "E1")


def test_validate_reports_all_problems():
    bad1 = with_year(base_facts(id="A", rd_institution="city"), "2025", revenue="x")
    bad2 = base_facts(id="B", assessment_date="2026-02-30")
    problems = validate_facts([base_facts(), bad1, bad2])
    assert [(p["enterprise_id"], p["field"]) for p in problems] == [
        ("A", "years.2025.revenue"),
        ("A", "rd_institution"),
        ("B", "assessment_date"),
    ]
    assert validate_facts([base_facts()]) == []


def test_missing_date_uses_argument_or_fails():
    f = base_facts()
    del f["assessment_date"]
    with pytest.raises(FactsError) as exc:
        assess([f])
    assert exc.value.field == "assessment_date"
    assert assess([f], assessment_date="2026-05-01")["rule_set"] == "miit-2026"


def test_size_class_rejects_bad_numbers():
    with pytest.raises(FactsError):
        size_class("C", "many", 1, 1)
