"""Worked examples for miit-2022 (工信部企业〔2022〕63号): every tier, band edges, direct paths."""

import pytest

from oasis.rules.tests.factories import base_facts, row, scaled, status, with_year

D22 = "2026-03-01"  # Y-1 = 2025, still before the 2026 rules
RS = "miit-2022"


def f22(**over):
    return base_facts(assessment_date=D22, **over)


def test_base_firm_qualifies_every_2022_tier():
    r = row(f22(), RS)
    assert r["size_class"] == "small"
    assert (r["innovative_sme.status"], r["innovative_sme.score"]) == ("qualified", 95.0)
    assert (r["srdi_sme.status"], r["srdi_sme.score"]) == ("qualified", 91.0)
    assert r["little_giant.status"] == "qualified"
    assert r["little_giant.score"] is None


# ----- innovative SME points table, every band edge (boundary takes the higher band)


@pytest.mark.parametrize(
    ("rd", "points"),
    [
        (5_000_000, 20),
        (4_999_999, 15),
        (3_000_000, 15),
        (2_999_999.99, 10),
        (2_000_000, 10),
        (1_999_999, 5),
        (1_000_000, 5),
        (999_999, 0),
        (0, 0),
    ],
)
def test_innovative_rd_ratio_bands(rd, points):
    r = row(with_year(f22(), "2025", rd_expense=rd), RS)
    assert r["innovative_sme.rd_ratio.points"] == points


@pytest.mark.parametrize(
    ("mbr_y1", "points"),
    [
        (11_500_000, 20),
        (11_499_999, 15),
        (11_000_000, 15),
        (10_999_999, 10),
        (10_500_000, 10),
        (10_499_999, 5),
        (10_000_000, 5),
        (9_999_999, 0),
    ],
)
def test_innovative_growth_bands_exact(mbr_y1, points):
    f = with_year(f22(), "2025", main_business_revenue=mbr_y1)
    f = with_year(f, "2024", main_business_revenue=10_000_000)
    assert row(f, RS)["innovative_sme.mbr_growth.points"] == points


def test_growth_value_is_exactly_15_percent():
    f = with_year(
        with_year(f22(), "2025", main_business_revenue=11_500_000),
        "2024",
        main_business_revenue=10_000_000,
    )
    assert row(f, RS)["innovative_sme.mbr_growth.value"] == pytest.approx(0.15)
    assert row(f, RS)["innovative_sme.mbr_growth.points"] == 20


@pytest.mark.parametrize(
    ("liab", "points"),
    [
        (44_000_000, 10),
        (44_000_001, 5),
        (60_000_000, 5),
        (60_000_001, 0),
    ],
)
def test_innovative_debt_bands(liab, points):
    assert (
        row(with_year(f22(), "2025", total_liabilities=liab), RS)[
            "innovative_sme.debt_ratio.points"
        ]
        == points
    )


@pytest.mark.parametrize(
    ("mbr", "points"),
    [
        (70_000_000, 20),
        (69_999_999, 15),
        (60_000_000, 15),
        (59_999_999, 10),
        (55_000_000, 10),
        (54_999_999, 5),
        (50_000_000, 5),
        (49_999_999, 0),
    ],
)
def test_innovative_main_business_share_bands(mbr, points):
    assert (
        row(with_year(f22(), "2025", main_business_revenue=mbr), RS)[
            "innovative_sme.mbr_share.points"
        ]
        == points
    )


@pytest.mark.parametrize(
    ("ip", "points"),
    [
        ({"class1": 2, "class1_self_developed": 1, "class1_high_value": 1, "class2": 0}, 20),
        ({"class1": 2, "class1_self_developed": 1, "class1_high_value": 0, "class2": 0}, 15),
        ({"class1": 2, "class1_self_developed": 0, "class1_high_value": 0, "class2": 0}, 10),
        ({"class1": 0, "class1_self_developed": 0, "class1_high_value": 0, "class2": 1}, 5),
        ({"class1": 0, "class1_self_developed": 0, "class1_high_value": 0, "class2": 0}, 0),
    ],
)
def test_innovative_ip_cases(ip, points):
    assert row(f22(ip=ip), RS)["innovative_sme.ip.points"] == points


def test_product_field_points():
    assert row(f22(strategic_emerging=False), RS)["innovative_sme.product_field.points"] == 5


def _weak_innovative(**over):
    """Scores under 60 (ip 0, rd 0, growth 0, debt 10, field 5, share 20 = 35) with no direct path."""
    f = f22(
        **{
            "ip": {"class1": 0, "class1_self_developed": 0, "class1_high_value": 0, "class2": 0},
            "rd_institution": "municipal",
            "strategic_emerging": False,
            **over,
        }
    )
    f = with_year(f, "2025", rd_expense=0, main_business_revenue=80_000_000)
    return with_year(f, "2024", main_business_revenue=85_000_000)


def test_weak_firm_fails_innovative():
    r = row(_weak_innovative(), RS)
    assert (r["innovative_sme.status"], r["innovative_sme.score"]) == ("not_qualified", 35.0)


def test_dimension_minimum_blocks_the_points_path():
    # total 80 but 成长性 = 0 + 10 < 15
    f = with_year(f22(rd_institution="none"), "2025", main_business_revenue=80_000_000)
    f = with_year(f, "2024", main_business_revenue=85_000_000)
    r = row(f, RS)
    assert r["innovative_sme.score"] == 80.0
    assert r["innovative_sme.points.passed"] is False
    assert r["innovative_sme.status"] == "not_qualified"


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"awards": [{"level": "provincial", "year": 2023, "rank": None}]}, "qualified"),
        ({"awards": [{"level": "national", "year": 2025, "rank": 9}]}, "qualified"),
        (
            {"awards": [{"level": "provincial", "year": 2022, "rank": 1}]},
            "not_qualified",
        ),  # outside Y-1..Y-3
        (
            {"awards": [{"level": "provincial", "year": 2026, "rank": 1}]},
            "not_qualified",
        ),  # current year
        ({"titles": [{"kind": "high_tech_enterprise", "valid_until": "2026-03-01"}]}, "qualified"),
        (
            {"titles": [{"kind": "high_tech_enterprise", "valid_until": "2026-02-28"}]},
            "not_qualified",
        ),
        ({"titles": [{"kind": "ip_demo", "valid_until": "2028-01-01"}]}, "qualified"),
        (
            {"titles": [{"kind": "tech_sme", "valid_until": "2028-01-01"}]},
            "not_qualified",
        ),  # not a direct condition
        ({"rd_institution": "national"}, "qualified"),
        ({"rd_institution": "provincial"}, "qualified"),
        ({"equity_financing": [{"year": 2023, "amount": 5_000_000}]}, "qualified"),
        (
            {
                "equity_financing": [
                    {"year": 2023, "amount": 2_500_000},
                    {"year": 2025, "amount": 2_500_000},
                ]
            },
            "qualified",
        ),
        ({"equity_financing": [{"year": 2023, "amount": 4_999_999.99}]}, "not_qualified"),
        ({"equity_financing": [{"year": 2022, "amount": 9_000_000}]}, "not_qualified"),
        ({"equity_financing": [{"year": 2024, "amount": None}]}, "review"),
        ({"equity_financing": None}, "review"),
    ],
)
def test_innovative_direct_paths(over, expected):
    assert status(_weak_innovative(**over), RS, "innovative_sme") == expected


# ----- SRDI SME 2022


def test_srdi_2022_points_breakdown():
    r = row(f22(), RS)
    got = {
        k.split(".")[1]: v
        for k, v in r.items()
        if k.startswith("srdi_sme.p_") and k.endswith(".points")
    }
    assert got == {
        "p_mbr_share": 5,
        "p_mbr_growth_2y": 10,
        "p_niche_years": 3,
        "p_product_field": 5,
        "p_digital": 5,
        "p_quality": 5,
        "p_net_margin": 10,
        "p_debt_ratio": 5,
        "p_provincial": 10,
        "p_ip": 10,
        "p_rd_input": 10,
        "p_rd_staff": 5,
        "p_rd_institution": 8,
    }


@pytest.mark.parametrize(
    ("niche", "expected"), [(2, "qualified"), (1.5, "not_qualified"), (None, "review")]
)
def test_srdi_2022_niche_years(niche, expected):
    assert status(f22(niche_years=niche), RS, "srdi_sme") == expected


@pytest.mark.parametrize(
    ("rd", "revenue", "expected"),
    [
        (1_000_000, 30_000_000, "qualified"),  # exactly 100万 and 3.33%
        (999_999, 30_000_000, "not_qualified"),
        (1_200_000, 40_000_000, "qualified"),  # exactly 3%
        (1_200_000, 40_000_001, "not_qualified"),
    ],
)
def test_srdi_2022_rd_conditions(rd, revenue, expected):
    f = with_year(
        f22(),
        "2025",
        rd_expense=rd,
        revenue=revenue,
        main_business_revenue=revenue,
        total_cost_expense=revenue,
    )
    assert status(f, RS, "srdi_sme") == expected


def test_srdi_2022_small_revenue_needs_equity():
    f = with_year(
        f22(), "2025", revenue=9_999_999, main_business_revenue=9_999_999, rd_expense=1_000_000
    )
    assert status(f, RS, "srdi_sme") == "not_qualified"
    f["equity_financing"] = [{"year": 2024, "amount": 20_000_000}]
    assert status(f, RS, "srdi_sme") == "qualified"


def _srdi_low(**over):
    """Known SRDI points 43 without the provincial item; no direct path."""
    f = f22(
        **{
            "rd_institution": "none",
            "digital_level": 0,
            "main_product_field": "other",
            "quality": {"award": False, "certified": False, "own_brand": False, "standards": False},
            **over,
        }
    )
    return with_year(f, "2025", rd_staff=0, net_profit=0)


@pytest.mark.parametrize(
    ("extra", "prov", "expected", "score"),
    [
        (
            {"main_product_field": "chain_gap_filling"},
            None,
            "review",
            None,
        ),  # 48 + up to 15 could pass
        ({}, None, "not_qualified", None),  # 43 + 15 < 60
        ({"main_product_field": "chain_gap_filling"}, 12, "qualified", 60.0),  # exactly 60
        ({"main_product_field": "chain_gap_filling"}, 11.5, "not_qualified", 59.5),
    ],
)
def test_srdi_2022_provincial_points_only_matter_when_they_can(extra, prov, expected, score):
    r = row(_srdi_low(provincial_points=prov, **extra), RS)
    assert r["srdi_sme.status"] == expected
    assert r["srdi_sme.score"] == score


def test_srdi_2022_unknown_provincial_points_when_clearly_passing():
    r = row(f22(provincial_points=None), RS)
    assert (r["srdi_sme.status"], r["srdi_sme.score"], r["srdi_sme.score_max"]) == (
        "qualified",
        None,
        96.0,
    )


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"awards": [{"level": "provincial", "year": 2024, "rank": 3}]}, "qualified"),
        ({"awards": [{"level": "provincial", "year": 2024, "rank": 4}]}, "not_qualified"),
        ({"awards": [{"level": "provincial", "year": 2024, "rank": None}]}, "review"),
        ({"awards": [{"level": "national", "year": 2023, "rank": 5}]}, "qualified"),
        ({"awards": [{"level": "national", "year": 2023, "rank": 6}]}, "not_qualified"),
        ({"equity_financing": [{"year": 2024, "amount": 60_000_000}]}, "qualified"),
        ({"equity_financing": [{"year": 2024, "amount": 59_999_999}]}, "not_qualified"),
        ({"chuangke": {"year": 2024, "group": "top500"}}, "qualified"),
        ({"chuangke": {"year": 2022, "group": "top50"}}, "not_qualified"),
        # Unknown placing: the points path fails, but this direct path could still pass.
        ({"chuangke": None}, "review"),
    ],
)
def test_srdi_2022_direct_paths(over, expected):
    f = _srdi_low(provincial_points=0, **over)
    assert status(f, RS, "srdi_sme") == expected


def test_srdi_2022_direct_rd_average():
    f = _srdi_low(provincial_points=0)
    f = with_year(f, "2025", rd_expense=10_000_000)
    f = with_year(f, "2024", rd_expense=10_000_000)
    assert status(f, RS, "srdi_sme") == "qualified"
    f = with_year(f, "2024", rd_expense=9_999_998)
    assert status(f, RS, "srdi_sme") == "not_qualified"


# ----- little giant 2022


@pytest.mark.parametrize(
    ("factor", "rd_y1", "rd_y2", "expected"),
    [
        (0.6, 3_600_000, 3_240_000, "qualified"),  # mid band (6000万): 6% both years
        (0.6, 3_599_999, 3_240_000, "not_qualified"),
        (0.6, 3_600_000, 3_239_999, "not_qualified"),
        (1, 3_000_000, 2_700_000, "qualified"),  # large band (1亿): 3% both years
        (1, 3_000_000, 2_699_999, "not_qualified"),
    ],
)
def test_little_giant_2022_rd_intensity_bands(factor, rd_y1, rd_y2, expected):
    f = with_year(scaled(f22(), factor), "2025", rd_expense=rd_y1)
    f = with_year(f, "2024", rd_expense=rd_y2)
    assert status(f, RS, "little_giant") == expected


def test_little_giant_2022_small_band_and_direct():
    f = with_year(scaled(f22(), 0.4), "2025", rd_expense=15_000_000, rd_staff=100)  # revenue 4000万
    f = with_year(f, "2024", rd_expense=15_000_000)
    assert status(f, RS, "little_giant") == "not_qualified"  # no 8000万 equity
    f["equity_financing"] = [{"year": 2025, "amount": 80_000_000}]
    assert status(f, RS, "little_giant") == "qualified"
    g = f22(rd_institution="none")
    assert status(g, RS, "little_giant") == "not_qualified"
    g["awards"] = [{"level": "national", "year": 2025, "rank": 3}]
    assert status(g, RS, "little_giant") == "qualified"
    g = f22(rd_institution="none", chuangke={"year": 2025, "group": "top50"})
    assert status(g, RS, "little_giant") == "qualified"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("niche_years", 2, "not_qualified"),
        (
            "market",
            {"share": 0.0999, "domestic_rank": 1, "leading_confirmed": True},
            "not_qualified",
        ),
        ("market", {"share": 0.10, "domestic_rank": None, "leading_confirmed": None}, "qualified"),
        (
            "qualitative",
            {
                "key_chain_role": None,
                "key_field": True,
                "info_system": True,
                "intl_certification": True,
            },
            "review",
        ),
        (
            "qualitative",
            {
                "key_chain_role": False,
                "key_field": None,
                "info_system": True,
                "intl_certification": True,
            },
            "not_qualified",
        ),
    ],
)
def test_little_giant_2022_conditions(path, value, expected):
    assert status(f22(**{path: value}), RS, "little_giant") == expected


def test_little_giant_2022_growth_and_debt():
    f = with_year(f22(), "2025", total_liabilities=56_000_000)  # 70% exactly
    assert status(f, RS, "little_giant") == "qualified"
    f = with_year(f22(), "2025", total_liabilities=56_000_001)
    assert status(f, RS, "little_giant") == "not_qualified"
    # average growth: (95/85 - 1 + 85/76 - 1) / 2 ; make Y-1 flat -> (0 + 11.8%) / 2 = 5.9% passes
    f = with_year(f22(), "2025", main_business_revenue=85_000_000)
    assert status(f, RS, "little_giant") == "qualified"
    f = with_year(f22(), "2025", main_business_revenue=80_000_000)
    assert status(f, RS, "little_giant") == "not_qualified"
