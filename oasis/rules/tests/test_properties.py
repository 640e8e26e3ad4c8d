"""Property tests: monotonicity in R&D expense, and unknowns only ever move towards review."""

import copy
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from oasis.rules import assess_frame
from oasis.rules.bench_engine import random_facts

POINT_TIERS = {
    "miit-2022": ("innovative_sme", "srdi_sme"),
    "miit-2026": ("innovative_sme", "tech_sme"),
}
TIERS = {
    "miit-2022": ("innovative_sme", "srdi_sme", "little_giant"),
    "miit-2026": ("innovative_sme", "tech_sme", "srdi_sme", "little_giant"),
}


def _paths(f):
    out = []
    for k, v in f.items():
        if k in ("id", "assessment_date"):
            continue
        if isinstance(v, dict):
            out += [(k, kk) for kk in v if not isinstance(v[kk], dict)]
            out += [(k, kk, kkk) for kk in v if isinstance(v[kk], dict) for kkk in v[kk]]
        out.append((k,))
    return out


def _drop(f, path):
    d = f
    for p in path[:-1]:
        d = d[p]
    d[path[-1]] = None


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 50_000_000))
def test_raising_rd_expense_never_lowers_a_score(seed, extra):
    base = random_facts(40, seed=seed)
    more = copy.deepcopy(base)
    for f in more:
        y = f["years"]["2025"]
        if y["rd_expense"] is not None:
            y["rd_expense"] += extra
    for rs, tiers in POINT_TIERS.items():
        a, b = assess_frame(base, rs), assess_frame(more, rs)
        for t in tiers:
            for col in (f"{t}.points.score_min", f"{t}.points.score_max"):
                assert all(y >= x for x, y in zip(a[col].to_list(), b[col].to_list())), (rs, col)


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 10**6))
def test_removing_a_fact_only_moves_towards_review(seed):
    rnd = random.Random(seed)
    base = random_facts(60, seed=seed)
    less = copy.deepcopy(base)
    for f in less:
        _drop(f, rnd.choice(_paths(f)))
    for rs, tiers in TIERS.items():
        a, b = assess_frame(base, rs), assess_frame(less, rs)
        for t in tiers:
            for x, y in zip(a[f"{t}.status"].to_list(), b[f"{t}.status"].to_list()):
                assert y == x or y == "review", (rs, t, x, y)
