"""SME sizing (工信部联企业〔2011〕300号) for all 16 industry groups, at their edges."""

import pytest

from oasis.rules import size_class
from oasis.rules.sizing import industry_group, sizing_table

# One GB/T 4754 code per group, at different code levels.
CODES = {
    "agriculture": "A01",
    "industry": "C",
    "construction": "47",
    "wholesale": "F51",
    "retail": "5211",
    "transport": "5411",
    "warehousing": "59",
    "postal": "G60",
    "accommodation": "611",
    "catering": "H62",
    "information_transmission": "6311",
    "software_it": "I65",
    "real_estate_development": "7010",
    "property_management": "702",
    "leasing_business": "L",
    "other": "M7310",
}


def _args(bounds: dict[str, int], fill: dict[str, int]) -> tuple:
    v = {**fill, **bounds}
    # money bounds are stored in fen; size_class takes CNY; unused measures stay unknown
    money = [v[m] / 100 if m in v else None for m in ("revenue", "total_assets")]
    return (v.get("employees"), *money)


def _edges():
    for key, g in sizing_table().groups.items():
        code = CODES[key]
        top = {m: b for m, b in g.sme_cap.items()}
        big = {"employees": 10**6, "revenue": 10**15, "total_assets": 10**15}
        yield key, code, _args(top, big), "large"  # every cap reached: large
        for m in g.sme_cap:
            yield (
                key,
                code,
                _args({**top, m: top[m] - (1 if m == "employees" else 100)}, big),
                "medium",
            )
        yield key, code, _args(g.medium, big), "medium"  # medium bounds inclusive
        for m in g.medium:
            below = {**g.medium, m: g.medium[m] - (1 if m == "employees" else 100)}
            yield key, code, _args(below, g.small), "small"
        yield key, code, _args(g.small, g.small), "small"
        for m in g.small:
            yield (
                key,
                code,
                _args({**g.small, m: g.small[m] - (1 if m == "employees" else 100)}, g.small),
                "micro",
            )


EDGES = list(_edges())


def test_all_16_groups_covered():
    assert len(sizing_table().groups) == 16
    assert {e[0] for e in EDGES} == set(CODES)
    assert {industry_group(c) for c in CODES.values()} == set(CODES)


@pytest.mark.parametrize(
    ("group", "code", "args", "expected"), EDGES, ids=[f"{e[0]}-{i}" for i, e in enumerate(EDGES)]
)
def test_sizing_edges(group, code, args, expected):
    assert size_class(code, *args) == expected


@pytest.mark.parametrize(
    ("code", "emp", "rev", "assets", "expected"),
    [
        ("3911", 1000, 400_000_000, None, "large"),  # 工业: both caps reached
        ("3911", 999, 500_000_000, None, "medium"),  # one measure below the cap -> SME
        ("3911", 300, 20_000_000, None, "medium"),
        ("3911", 299, 20_000_000, None, "small"),
        ("3911", 20, 3_000_000, None, "small"),
        ("3911", 19, 3_000_000, None, "micro"),
        ("3911", 20, 2_999_999.99, None, "micro"),
        ("I65", 100, 10_000_000, None, "medium"),  # 软件: medium from 100 staff + 1000万
        ("I65", 10, 500_000, None, "small"),
        ("I65", 10, 499_999, None, "micro"),
        (
            "7010",
            None,
            2_000_000_000,
            100_000_000,
            "large",
        ),  # 房地产开发: 20亿 revenue and 1亿 assets
        ("7010", None, 10_000_000, 50_000_000, "medium"),
        ("J66", 300, None, None, "large"),  # 其他未列明: staff only
        ("J66", 9, None, None, "micro"),
        ("C", None, 1_000_000, None, "micro"),  # revenue alone decides micro
        ("C", None, 10_000_000, None, None),  # staff unknown: could be small or medium
        ("F", 10, 10_000_000, None, None),  # too coarse: wholesale or retail
        (None, 10, 10_000_000, None, None),
    ],
)
def test_sizing_examples(code, emp, rev, assets, expected):
    assert size_class(code, emp, rev, assets) == expected


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("C", "industry"),
        ("39", "industry"),
        ("3911", "industry"),
        ("C3911", "industry"),
        ("53", "other"),
        ("5411", "transport"),
        ("K70", None),
        ("7030", "other"),
        ("G", None),
        ("X", None),
        ("C51", None),
        ("391", "industry"),
    ],
)
def test_industry_code_levels(code, group):
    assert industry_group(code) == group
