"""Oasis tier rules engine: pure Python + Polars, no Django, no ORM.

Rule sets are data (``rulesets/*.toml``, one per official document and version);
the engine evaluates every rule as a column expression over a population of firms
(OpenFisca's idea) with three-valued logic for unknown facts and Publicodes-style
explanations ("missing" inputs).  ``assess`` on one firm is the same code path as
``assess_many`` on 100,000.

Public API::

    load_rule_set(name) -> RuleSet
    available_rule_sets() -> list[str]
    pick_rule_set(name, assessment_date) -> str
    validate_facts(facts) -> list[dict]            # every problem, nothing raised
    assess(facts, rule_set="auto", assessment_date=None, *, next_tier=True) -> dict
    assess_frame(facts, rule_set="auto", assessment_date=None) -> pl.DataFrame
    assess_many(facts, rule_sets=("miit-2022", "miit-2026"), assessment_date=None)
        -> dict[str, pl.DataFrame]
    explain(facts_frame, result_frame, rule_set, rows) -> list[dict]
    size_class(industry_code, employees, revenue, total_assets) -> str | None
    FactsError(enterprise_id, field, message)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from oasis.rules.engine import evaluate, prepare
from oasis.rules.explain import explain_rows
from oasis.rules.facts import FactsError, FactsFrame, _Reader, facts_frame, validate_facts
from oasis.rules.ruleset import RuleSet, available_rule_sets, load_rule_set, pick_rule_set
from oasis.rules.sizing import industry_group, size_expr

__all__ = [
    "FactsError",
    "FactsFrame",
    "RuleSet",
    "assess",
    "assess_frame",
    "assess_many",
    "available_rule_sets",
    "explain",
    "explain_rows",
    "facts_frame",
    "load_rule_set",
    "pick_rule_set",
    "size_class",
    "validate_facts",
]

Facts = Sequence[dict[str, Any]]


def _date(d: dt.date | str | None) -> dt.date | None:
    if d is None:
        return None
    if type(d) is dt.date:
        return d
    try:
        return dt.date.fromisoformat(str(d))
    except ValueError:
        raise FactsError(
            None, "assessment_date", f"expected a date YYYY-MM-DD, got {d!r}"
        ) from None


def _as_frame(facts: Facts | FactsFrame | dict[str, Any], default: dt.date | None) -> FactsFrame:
    if isinstance(facts, FactsFrame):
        return facts
    if isinstance(facts, dict):
        facts = [facts]
    if not isinstance(facts, (list, tuple)):
        raise FactsError(None, "", "expected a list of facts objects")
    return facts_frame(facts, default)


def _resolve(rule_set: str, default: dt.date | None, ff: FactsFrame) -> str:
    if rule_set != "auto" or default is not None:
        return pick_rule_set(rule_set, default)
    picks = {pick_rule_set("auto", d) for d in ff.main["assessment_date"].unique().to_list() if d}
    if len(picks) > 1:
        # One verdict carries one rule set; a batch straddling 2026-04-01 must say which.
        raise ValueError("facts straddle 2026-04-01: pass rule_set or assessment_date explicitly")
    return picks.pop() if picks else pick_rule_set("auto", dt.date.today())


def assess(
    facts: Facts | dict[str, Any],
    rule_set: str = "auto",
    assessment_date: dt.date | str | None = None,
    *,
    next_tier: bool = True,
) -> dict[str, Any]:
    """Verdict JSON (contract shape) for a list of facts objects.

    ``assessment_date`` fills in facts that have none and picks the rule set for
    ``auto``.  Raises ``FactsError`` on malformed facts before producing anything.
    """
    default = _date(assessment_date)
    ff = _as_frame(facts, default)
    name = _resolve(rule_set, default, ff)
    rs = load_rule_set(name)
    result = evaluate(ff, rs)
    return {
        "rule_set": name,
        "document": rs.document,
        "results": explain_rows(ff, result, rs, None, with_path=next_tier),
    }


def assess_frame(
    facts: Facts | FactsFrame, rule_set: str = "auto", assessment_date: dt.date | str | None = None
) -> pl.DataFrame:
    """Bulk screening of one rule set: one row per firm with per-tier status/score and
    per-rule passed/points/value columns (ready for an Excel export)."""
    default = _date(assessment_date)
    ff = _as_frame(facts, default)
    rs = load_rule_set(_resolve(rule_set, default, ff))
    return evaluate(ff, rs)


def assess_many(
    facts: Facts | FactsFrame,
    rule_sets: Iterable[str] = ("miit-2022", "miit-2026"),
    assessment_date: dt.date | str | None = None,
) -> dict[str, pl.DataFrame]:
    """Screen a population under several rule sets; facts are validated and flattened once."""
    ff = _as_frame(facts, _date(assessment_date))
    prepared = prepare(ff).collect().lazy()
    return {
        name: evaluate(ff, load_rule_set(pick_rule_set(name, None)), prepared) for name in rule_sets
    }


def explain(
    ff: FactsFrame,
    result: pl.DataFrame,
    rule_set: str | RuleSet,
    rows: Iterable[int] | None = None,
    *,
    next_tier: bool = True,
) -> list[dict[str, Any]]:
    """Full verdict entries (rules, gaps, missing, next-tier path) for chosen rows of a bulk result."""
    rs = rule_set if isinstance(rule_set, RuleSet) else load_rule_set(rule_set)
    return explain_rows(ff, result, rs, rows, with_path=next_tier)


def size_class(
    industry_code: str | None,
    employees: int | None,
    revenue: int | float | Decimal | None,
    total_assets: int | float | Decimal | None,
) -> str | None:
    """SME size class (micro/small/medium/large) from Y-1 figures in CNY; None if unknown.

    Runs the same Polars expression the engine uses, on a one-row frame.
    """
    problems: list[dict[str, Any]] = []
    r = _Reader(None, problems)
    row = {
        "industry_group": industry_group(industry_code) if isinstance(industry_code, str) else None,
        "y1_employees": r.integer(employees, "employees"),
        "y1_revenue": r.money(revenue, "revenue"),
        "y1_total_assets": r.money(total_assets, "total_assets"),
    }
    if problems:
        p = problems[0]
        raise FactsError(None, p["field"], p["message"], problems)
    df = pl.DataFrame(
        [row],
        schema={
            "industry_group": pl.String,
            "y1_employees": pl.Int64,
            "y1_revenue": pl.Int64,
            "y1_total_assets": pl.Int64,
        },
    )
    size: str | None = df.select(size_expr()).item()
    return size
