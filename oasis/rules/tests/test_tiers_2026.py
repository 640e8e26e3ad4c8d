"""Worked examples for miit-2026 (工信部企业〔2026〕2号): tech SME door, SRDI 2026, little giant 2026."""

import pytest

from oasis.rules.tests.factories import base_facts, row, scaled, statuses, with_year

RS = "miit-2026"


def test_base_firm_qualifies_every_2026_tier():
    r = row(base_facts(), RS)
    assert {
        t: r[f"{t}.status"] for t in ("innovative_sme", "tech_sme", "srdi_sme", "little_giant")
    } == {
        "innovative_sme": "qualified",
        "tech_sme": "qualified",
        "srdi_sme": "qualified",
        "little_giant": "qualified",
    }
    assert (r["innovative_sme.score"], r["tech_sme.score"]) == (95.0, 100.0)


# ----- 科技型中小企业 door


def test_tech_sme_st_staff_bands():
    cases = [(60, 20), (59, 16), (50, 16), (49, 12), (40, 12), (30, 8), (20, 4), (19, 0)]
    facts = [with_year(base_facts(), "2025", st_staff=st) for st, _ in cases]
    res = __import__("oasis.rules", fromlist=["assess_frame"]).assess_frame(
        [{**f, "id": str(i)} for i, f in enumerate(facts)], RS
    )
    assert res["tech_sme.st_staff_ratio.points"].to_list() == [p for _, p in cases]


def test_tech_sme_rd_input_takes_the_better_ratio_and_ip_cases():
    from oasis.rules import assess_frame

    rd_cases = [  # (rd, revenue, cost) -> points
        (6_000_000, 100_000_000, 80_000_000, 50),
        (5_999_999, 100_000_000, 80_000_000, 40),
        (2_000_000, 100_000_000, 80_000_000, 10),
        (1_999_999, 100_000_000, 80_000_000, 0),
        (3_000_000, 300_000_000, 10_000_000, 50),
        (1_000_000, 300_000_000, 10_000_000, 10),
    ]
    facts = [
        with_year(
            base_facts(),
            "2025",
            rd_expense=rd,
            revenue=rev,
            main_business_revenue=rev,
            total_cost_expense=cost,
        )
        for rd, rev, cost, _ in rd_cases
    ]
    res = assess_frame([{**f, "id": str(i)} for i, f in enumerate(facts)], RS)
    assert res["tech_sme.rd_input.points"].to_list() == [p for *_, p in rd_cases]
    ip_cases = [((1, 0), 30), ((0, 4), 24), ((0, 3), 18), ((0, 2), 12), ((0, 1), 6), ((0, 0), 0)]
    facts = [
        base_facts(
            ip={
                "class1": c1,
                "class1_self_developed": 0,
                "class1_high_value": 0,
                "class1_applied": 0,
                "class2": c2,
            }
        )
        for (c1, c2), _ in ip_cases
    ]
    res = assess_frame([{**f, "id": str(i)} for i, f in enumerate(facts)], RS)
    assert res["tech_sme.ip.points"].to_list() == [p for _, p in ip_cases]


def test_tech_sme_needs_st_staff_points_and_base_conditions():
    no_direct = {"rd_institution": "none", "titles": [], "led_standard_5y": False}
    f0 = with_year(base_facts(**no_direct), "2025", st_staff=0)  # 0 + 50 + 30 = 80 but S&T = 0
    f1 = with_year(base_facts(**no_direct), "2025", st_staff=19)  # 0 points too (9.5%)
    f2 = with_year(base_facts(**no_direct), "2025", st_staff=20)  # 4 points -> 84
    f3 = with_year(base_facts(), "2025", employees=501, st_staff=200)  # over 500 staff
    f4 = with_year(base_facts(), "2025", total_assets=200_000_001, total_liabilities=1)
    f5 = with_year(
        base_facts(**{**no_direct, "led_standard_5y": True}), "2025", st_staff=0
    )  # direct path
    f6 = with_year(
        base_facts(
            **{
                **no_direct,
                "titles": [{"kind": "high_tech_enterprise", "valid_until": "2026-05-01"}],
            }
        ),
        "2025",
        st_staff=0,
    )
    f7 = with_year(
        base_facts(**{**no_direct, "awards": [{"level": "national", "year": 2021, "rank": 3}]}),
        "2025",
        st_staff=0,
    )
    f8 = with_year(
        base_facts(**{**no_direct, "awards": [{"level": "national", "year": 2020, "rank": 3}]}),
        "2025",
        st_staff=0,
    )
    assert statuses([f0, f1, f2, f3, f4, f5, f6, f7, f8], RS, "tech_sme") == [
        "not_qualified",
        "not_qualified",
        "qualified",
        "not_qualified",
        "not_qualified",
        "qualified",
        "qualified",
        "qualified",
        "not_qualified",
    ]


# ----- 专精特新中小企业 2026: every condition


def test_srdi_2026_conditions():
    b = base_facts
    cases = [
        (b(), "qualified"),
        (b(niche_years=2.5), "not_qualified"),
        (b(niche_years=3), "qualified"),
        (
            with_year(
                b(),
                "2025",
                revenue=14_999_999,
                main_business_revenue=14_000_000,
                rd_expense=1_000_000,
                total_cost_expense=14_000_000,
            ),
            "not_qualified",
        ),
        (
            with_year(
                b(equity_financing=[{"year": 2024, "amount": 20_000_000}]),
                "2025",
                revenue=14_999_999,
                main_business_revenue=14_000_000,
                rd_expense=1_000_000,
                total_cost_expense=14_000_000,
            ),
            "qualified",
        ),
        (with_year(b(), "2025", main_business_revenue=79_999_999), "not_qualified"),
        (with_year(b(), "2025", main_business_revenue=80_000_000), "qualified"),
        (with_year(b(), "2025", total_liabilities=64_000_000), "qualified"),  # 80% exactly
        (with_year(b(), "2025", total_liabilities=64_000_001), "not_qualified"),
        (with_year(b(), "2024", rd_expense=999_999), "not_qualified"),
        (with_year(b(), "2024", rd_expense=2_700_000), "qualified"),  # 3% of 9000万
        (with_year(b(), "2024", rd_expense=2_699_999), "not_qualified"),
        (b(ip={"class1": 1, "class1_applied": 0}), "qualified"),  # waived: provincial institution
        (b(ip={"class1": 1, "class1_applied": 0}, rd_institution="municipal"), "not_qualified"),
        (
            b(
                ip={"class1": 1, "class1_applied": 0},
                rd_institution="none",
                awards=[{"level": "provincial", "year": 2024, "rank": 2}],
            ),
            "qualified",
        ),
        (b(market={"share": None, "domestic_rank": None, "leading_confirmed": None}), "review"),
        (b(market={"share": 0.5, "domestic_rank": 1, "leading_confirmed": False}), "not_qualified"),
        (b(development_score={"2026": 49.99}), "not_qualified"),
        (b(development_score={"2026": 50}), "qualified"),
        (b(development_score={"2025": 80}), "review"),
        (b(development_score={"2026": 40, "2025": 55}, is_re_review=True), "qualified"),
        (b(development_score={"2026": 40, "2025": 55}), "not_qualified"),
        (b(titles=[{"kind": "tech_sme", "valid_until": "2026-06-30"}]), "qualified"),
        (
            b(titles=[{"kind": "high_tech_enterprise", "valid_until": "2028-06-30"}]),
            "not_qualified",
        ),
    ]
    assert statuses([f for f, _ in cases], RS, "srdi_sme") == [s for _, s in cases]


@pytest.mark.parametrize(
    ("valid_until", "expected"),
    [
        ("2026-04-30", "not_qualified"),
        ("2026-05-01", "qualified"),
        ("2026-05-02", "qualified"),
        (None, "review"),
    ],
)
def test_title_expiry(valid_until, expected):
    f = base_facts(titles=[{"kind": "innovative_sme", "valid_until": valid_until}])
    assert statuses([f], RS, "srdi_sme") == [expected]


# ----- 小巨人 2026


def test_little_giant_2026_conditions():
    b = base_facts
    cagr_ok = with_year(
        with_year(b(), "2025", revenue=110_250_000, main_business_revenue=104_737_500),
        "2023",
        revenue=100_000_000,
    )  # exactly 5% compound
    cagr_low = with_year(cagr_ok, "2025", revenue=110_249_999)
    cases = [
        (b(), "qualified"),
        (cagr_ok, "qualified"),
        (cagr_low, "not_qualified"),
        ({**cagr_low, "is_re_review": True}, "qualified"),  # growth not assessed on re-review
        (with_year(b(), "2024", rd_expense=5_999_999), "not_qualified"),  # 2-year total 1199.9999万
        (
            with_year(
                with_year(scaled(b(), 0.5), "2025", rd_expense=6_000_000),
                "2024",
                rd_expense=6_000_000,
            ),
            "qualified",
        ),  # 5000万 revenue
        (
            with_year(
                with_year(scaled(b(), 0.49), "2025", rd_expense=6_000_000),
                "2024",
                rd_expense=6_000_000,
            ),
            "not_qualified",
        ),
        (with_year(b(), "2025", main_business_revenue=89_999_999), "not_qualified"),
        (with_year(b(), "2025", total_liabilities=60_000_000), "qualified"),  # 75%
        (with_year(b(), "2025", total_liabilities=60_000_001), "not_qualified"),
        (b(ip={"class1_applied": 3}), "not_qualified"),
        (
            b(ip={"class1_applied": 3}, awards=[{"level": "national", "year": 2025, "rank": 2}]),
            "qualified",
        ),
        (
            b(ip={"class1_applied": 3}, awards=[{"level": "provincial", "year": 2025, "rank": 1}]),
            "not_qualified",
        ),
        (b(market={"share": 0.09, "domestic_rank": 3}), "qualified"),
        (b(market={"share": 0.09, "domestic_rank": 4}), "not_qualified"),
        (b(market={"share": 0.09}), "review"),
        (b(qualitative={"key_field": None}), "review"),
        (b(development_score={"2026": 59}), "not_qualified"),
        (b(development_score={"2026": 59, "2025": 60}, is_re_review=True), "qualified"),
        (b(titles=[{"kind": "innovative_sme", "valid_until": "2027-12-31"}]), "not_qualified"),
        (b(niche_years=2.999999), "not_qualified"),
    ]
    assert statuses([f for f, _ in cases], RS, "little_giant") == [s for _, s in cases]
