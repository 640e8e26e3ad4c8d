"""Verdict JSON for chosen firms: per-rule explanations, gaps, missing inputs, next-tier path.

Decisions are never made here: statuses, passes and points are read from the result
frame the vectorised engine produced.  This module only explains them, so it can
be run lazily for the rows someone asks about (one firm, or a page of a list).

Gaps are exact (Fraction) and expressed in the unit of the fact to change: a
failed "R&D >= 3% of revenue" reports the CNY of R&D expense still missing.
The next-tier path is a small exhaustive search: fewest changes first (each
change weighted by an effort that defaults by rule kind), and each points-table
item is lowered to the smallest band that still passes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import polars as pl

from oasis.rules.engine import column_scale, effective_threshold
from oasis.rules.facts import HEADCOUNT_FIELDS, MONEY_FIELDS, FactsFrame
from oasis.rules.ruleset import Group, Quantity, Rule, RuleSet, TierRules, column_for
from oasis.rules.tiers import LEVEL

#: Default effort of fixing a failed rule, by kind: the path search prefers cheap
#: changes (more R&D) over slow or impossible ones (awards, compliance history).
EFFORT = {
    "compare": 1.0,
    "points": 1.0,
    "enum_in": 3.0,
    "title": 3.0,
    "equity": 3.0,
    "development_score": 2.0,
    "award": 10.0,
    "chuangke": 10.0,
    "flag": 2.0,
    "size_class": 100.0,
    "provide": 0.5,
}
COMMON_EFFORT = 100.0

FACT_EN = {
    "revenue": "operating revenue",
    "main_business_revenue": "main-business revenue",
    "rd_expense": "R&D expense",
    "total_assets": "total assets",
    "total_liabilities": "total liabilities",
    "net_profit": "net profit",
    "total_cost_expense": "total costs and expenses",
    "employees": "employees",
    "rd_staff": "R&D staff",
    "st_staff": "S&T staff",
}


def _unit_of(col: str) -> str:
    if col[:1] == "y" and col[1:2].isdigit():
        field = col[3:]
        return "cny" if field in MONEY_FIELDS else "people" if field in HEADCOUNT_FIELDS else ""
    return {
        "niche_years": "years",
        "market_share": "ratio",
        "market_domestic_rank": "rank",
        "digital_level": "level",
        "provincial_points": "points",
    }.get(col, "count")


def contract_path(path: str, year: int | None) -> str:
    """ "years[Y-1].rd_expense" -> "years.2025.rd_expense" for a firm assessed in 2026."""
    if path.startswith("years[Y-") and year is not None:
        k = int(path[8])
        return f"years.{year - k}{path[10:]}"
    return path


def _num(x: Fraction | None, unit: str) -> int | float | None:
    """Render an exact value for JSON: money/people round up (a shortfall is covered)."""
    if x is None:
        return None
    if unit == "cny":
        fen = math.ceil(x * 100)
        return fen // 100 if fen % 100 == 0 else fen / 100
    if unit in ("people", "count", "level", "rank"):
        return math.ceil(x)
    v = round(float(x), 6)
    return int(v) if v == int(v) else v


def _vals(q: Quantity, fr: dict[str, Any]) -> list[Fraction] | None:
    out = []
    for f in q.facts:
        col = column_for(f)
        v = fr.get(col)
        if v is None:
            return None
        out.append(Fraction(v, column_scale(col)))
    return out


def quantity_gap(q: Quantity, op: str, t: Fraction, fr: dict[str, Any]) -> Fraction | None:
    """How much the first fact of ``q`` must move to meet ``op t`` (positive = short)."""
    v = _vals(q, fr)
    if v is None:
        return None
    up = op in (">=", ">")
    k = q.kind
    if k == "value":
        need = t
        have = v[0]
    elif k == "ratio":
        need, have = t * v[1], v[0]
    elif k == "growth":
        need, have = (1 + t) * v[1], v[0]
    elif k == "mean_growth":
        a, b, c = v
        if c <= 0:
            return None
        need, have = b * (2 * (1 + t) - b / c), a
    elif k == "cagr":
        need, have = effective_threshold(q, t) * v[1], v[0]
    elif k == "sum":
        need, have = t, sum(v, Fraction(0))
    elif k == "mean":
        need, have = t * len(v), sum(v, Fraction(0))
    else:
        return None
    gap = need - have if up else have - need
    return gap if gap > 0 else Fraction(0)


def threshold_text(rule: Rule) -> str | None:
    """Human-readable threshold, in the rule's own terms."""
    k = rule.kind
    if rule.op and rule.threshold_text is not None:
        return f"{rule.op} {rule.threshold_text}"
    if k == "bands":
        return "; ".join(f"{rule.op} {b.text} -> {b.points}" for b in rule.bands)
    if k == "best_of":
        return " | ".join(threshold_text(o) or "" for o in rule.options) + " (better of)"
    if k == "cases":
        return "; ".join(f"{c.fact} >= {c.min} -> {c.points}" for c in rule.cases)
    if k == "enum_points":
        return "; ".join(f"{key} -> {p}" for key, p in rule.points_map)
    if k == "count_points":
        return f"{rule.per_item} per item, max {rule.cap}"
    if k == "per_unit_points":
        return f"1 per full {rule.per} years, max {rule.cap}"
    if k == "fact_points":
        return f"0-{rule.max_value}"
    if k == "flag":
        return f"== {str(rule.expect).lower()}"
    if k == "enum_in":
        return "in " + ", ".join(rule.values)
    if k == "title":
        return "valid title: " + ", ".join(rule.kinds)
    if k == "award":
        rank = f", rank <= {rule.max_rank}" if rule.max_rank else ""
        return f"{'/'.join(rule.levels)} award in last {rule.within_years} years{rank}"
    if k == "equity":
        return f">= {rule.threshold_text} CNY in last {rule.within_years} years"
    if k == "chuangke":
        return f"{'/'.join(rule.groups)} in last {rule.within_years} years"
    if k == "size_class":
        return "in " + ", ".join(rule.allowed)
    if k == "development_score":
        return f">= {rule.threshold_text}"
    return None


# --------------------------------------------------------------------------- steps


def _step(
    tier: str,
    rule: Rule,
    action: str,
    text: str,
    *,
    fact: str | None = None,
    amount: int | float | None = None,
    unit: str | None = None,
    points: tuple[float, float] | None = None,
) -> dict[str, Any]:
    s: dict[str, Any] = {
        "tier": tier,
        "rule": rule.id,
        "action": action,
        "fact": fact,
        "amount": amount,
        "unit": unit,
        "text": text,
        "help": rule.help,
    }
    if points is not None:
        s["points_from"], s["points_to"] = points
    return s


def _move_text(
    q: Quantity, gap: Fraction, op: str, year: int | None, rule: Rule
) -> tuple[str, str, str, Any]:
    col = column_for(q.facts[0])
    unit = _unit_of(col)
    path = contract_path(q.facts[0], year)
    field = col[3:] if col[:1] == "y" and col[1:2].isdigit() else col
    name = FACT_EN.get(field, field.replace("_", " "))
    when = f" {path.split('.')[1]}" if path.startswith("years.") else ""
    if q.kind in ("sum", "mean"):
        name, when = FACT_EN.get(field, field) + " (total of the years counted)", ""
    amount = _num(gap, unit)
    up = op in (">=", ">")
    shown = f"¥{amount:,}" if unit == "cny" else f"{amount}"
    verb = "short by" if up else "over by"
    return "increase" if up else "decrease", path, f"{name}{when} {verb} {shown}", (amount, unit)


def fail_steps(
    tier: str,
    rule: Rule,
    fr: dict[str, Any],
    passed: bool | None,
    year: int | None,
    common: bool,
    value: float | None = None,
) -> tuple[float, list[dict[str, Any]]]:
    """Cost and steps to turn a failed / unknown pass-fail rule into a pass."""
    if passed is True:
        return 0.0, []
    if passed is None:
        miss = missing_for(rule, fr, year, None)
        return EFFORT["provide"], [
            _step(
                tier,
                rule,
                "provide",
                f"provide {', '.join(miss) or 'the facts'} ({rule.label_en})",
                fact=", ".join(miss) or None,
            )
        ]
    effort = COMMON_EFFORT if common else EFFORT.get(rule.kind, 1.0)
    if rule.kind == "compare" and rule.quantity and rule.op and rule.threshold is not None:
        gap = quantity_gap(rule.quantity, rule.op, rule.threshold, fr)
        if gap is not None:
            action, path, text, (amount, unit) = _move_text(rule.quantity, gap, rule.op, year, rule)
            return effort, [_step(tier, rule, action, text, fact=path, amount=amount, unit=unit)]
    if rule.kind == "equity" and rule.threshold is not None:
        short = rule.threshold - Fraction(str(value or 0))
        amount = _num(short, "cny")
        return effort, [
            _step(
                tier,
                rule,
                "increase",
                f"new equity financing (last {rule.within_years} years) short by ¥{amount:,}",
                fact="equity_financing",
                unit="cny",
                amount=amount,
            )
        ]
    return effort, [
        _step(
            tier,
            rule,
            "obtain" if rule.kind in ("title", "award", "enum_in", "chuangke") else "change",
            f"{rule.label_en} ({threshold_text(rule)})",
            fact=(rule.fact or None),
        )
    ]


def upgrade_options(
    tier: str, rule: Rule, fr: dict[str, Any], pmin: float, pmax: float, year: int | None
) -> list[tuple[float, float, dict[str, Any]]]:
    """(points reached, cost, step) for each way to score more on a points rule."""
    opts: list[tuple[float, float, dict[str, Any]]] = []
    if pmin != pmax:
        miss = missing_for(rule, fr, year, None)
        opts.append(
            (
                pmax,
                EFFORT["provide"],
                _step(
                    tier,
                    rule,
                    "provide",
                    f"provide {', '.join(miss) or 'the facts'} ({rule.label_en}, up to {pmax:g} points)",
                    fact=", ".join(miss) or None,
                    points=(pmin, pmax),
                ),
            )
        )
        return opts
    k = rule.kind
    subs = rule.options if k == "best_of" else (rule,) if k == "bands" else ()
    best: dict[float, tuple[float, float, dict[str, Any]]] = {}
    for sub in subs:
        assert sub.quantity and sub.op
        for b in sub.bands:
            if b.points <= pmin:
                continue
            gap = quantity_gap(sub.quantity, sub.op, b.threshold, fr)
            if gap is None:
                continue
            action, path, text, (amount, unit) = _move_text(sub.quantity, gap, sub.op, year, rule)
            cost = EFFORT["points"] + 0.01 * float(gap if unit != "cny" else gap / 1_000_000)
            step = _step(
                tier,
                rule,
                action,
                f"{text} ({rule.label_en}: {pmin:g} -> {b.points} points)",
                fact=path,
                amount=amount,
                unit=unit,
                points=(pmin, b.points),
            )
            if b.points not in best or cost < best[b.points][1]:
                best[b.points] = (float(b.points), cost, step)
    opts.extend(best.values())
    if k == "cases":
        for c in rule.cases:
            if c.points <= pmin:
                continue
            have = fr.get(column_for(c.fact)) or 0
            need = max(c.min - have, 0)
            opts.append(
                (
                    float(c.points),
                    EFFORT["points"] + 0.1 * need,
                    _step(
                        tier,
                        rule,
                        "increase",
                        f"{c.fact} needs {need} more ({rule.label_en}: {pmin:g} -> {c.points} points)",
                        fact=c.fact,
                        amount=need,
                        unit="count",
                        points=(pmin, c.points),
                    ),
                )
            )
    elif k == "enum_points":
        for key, p in rule.points_map:
            if p > pmin:
                opts.append(
                    (
                        float(p),
                        EFFORT["enum_in"] + 0.01 * p,
                        _step(
                            tier,
                            rule,
                            "change",
                            f"{rule.fact} -> {key} ({rule.label_en}: {pmin:g} -> {p} points)",
                            fact=rule.fact,
                            points=(pmin, p),
                        ),
                    )
                )
    elif k == "count_points":
        off = [f for f in rule.facts if fr.get(column_for(f)) is False]
        for n in range(1, len(off) + 1):
            reach = min(rule.cap, pmin + n * rule.per_item)
            if reach > pmin:
                opts.append(
                    (
                        float(reach),
                        EFFORT["points"] * n,
                        _step(
                            tier,
                            rule,
                            "obtain",
                            f"meet {', '.join(off[:n])} ({rule.label_en}: {pmin:g} -> {reach:g} points)",
                            fact=", ".join(off[:n]),
                            points=(pmin, reach),
                        ),
                    )
                )
    elif k == "per_unit_points" and rule.quantity and rule.per is not None:
        col = column_for(rule.quantity.facts[0])
        v = Fraction(fr.get(col) or 0, column_scale(col))
        for p in range(int(pmin) + 1, rule.cap + 1):
            wait = p * rule.per - v
            opts.append(
                (
                    float(p),
                    2.0 * float(wait),
                    _step(
                        tier,
                        rule,
                        "wait",
                        f"{_num(wait, 'years')} more years in the niche ({pmin:g} -> {p} points)",
                        fact=rule.quantity.facts[0],
                        amount=_num(wait, "years"),
                        unit="years",
                        points=(pmin, p),
                    ),
                )
            )
    elif k == "fact_points" and pmin < rule.max_value:
        opts.append(
            (
                float(rule.max_value),
                5.0,
                _step(
                    tier,
                    rule,
                    "increase",
                    f"{rule.label_en}: up to {rule.max_value} points",
                    fact=column_for(rule.quantity.facts[0]) if rule.quantity else None,
                    points=(pmin, rule.max_value),
                ),
            )
        )
    return opts


def _points_plan(
    tier: TierRules, g: Group, rr: dict[str, dict[str, Any]], fr: dict[str, Any], year: int | None
) -> tuple[float, list[dict[str, Any]]] | None:
    items = list(g.items)
    cur = {i: float(rr[i]["_pmin"]) for i in items}
    dims = dict(g.dimension_minimums)

    def ok(pts: dict[str, float]) -> bool:
        if sum(pts.values()) < g.pass_mark:
            return False
        for d, m in dims.items():
            if sum(pts[i] for i in items if tier.rules[i].dimension == d) < m:
                return False
        return all(pts[r] > 0 for r in g.required_positive)

    if ok(cur):
        return 0.0, []
    opts = {
        i: sorted(
            upgrade_options(tier.key, tier.rules[i], fr, rr[i]["_pmin"], rr[i]["_pmax"], year)
        )
        for i in items
    }
    cand = [i for i in items if opts[i]]
    for k in range(1, len(cand) + 1):
        best: tuple[float, list[dict[str, Any]]] | None = None
        for combo in itertools.combinations(cand, k):
            top = dict(cur)
            for i in combo:
                top[i] = max(o[0] for o in opts[i])
            if not ok(top):
                continue
            # lower each chosen item to its cheapest band that keeps the pass
            chosen = {}
            pts = dict(top)
            for i in combo:
                for p, cost, step in sorted(opts[i], key=lambda o: (o[1], o[0])):
                    trial = {**pts, i: p}
                    if ok(trial):
                        pts, chosen[i] = trial, (cost, step)
                        break
            cost = sum(c for c, _ in chosen.values())
            if best is None or cost < best[0]:
                best = (cost, [s for _, s in chosen.values()])
        if best is not None:
            return best
    return None


def _plan(
    tier: TierRules,
    node: str,
    rs: RuleSet,
    rr: dict[str, dict[str, Any]],
    fr: dict[str, Any],
    year: int | None,
) -> tuple[float, list[dict[str, Any]]] | None:
    """Cheapest (cost, steps) making ``node`` pass; None if no known way."""
    if node == "common":
        cost = 0.0
        steps: list[dict[str, Any]] = []
        for r in rs.common:
            c, s = fail_steps(
                tier.key, r, fr, rr[r.id]["passed"], year, common=True, value=rr[r.id]["value"]
            )
            cost, steps = cost + c, steps + s
        return cost, steps
    if node in tier.rules:
        r = tier.rules[node]
        return fail_steps(
            tier.key, r, fr, rr[node]["passed"], year, common=False, value=rr[node]["value"]
        )
    g = tier.groups[node]
    if g.combine == "points":
        return _points_plan(tier, g, rr, fr, year)
    plans = [_plan(tier, i, rs, rr, fr, year) for i in g.items]
    if g.combine == "all_of":
        if any(p is None for p in plans):
            return None
        return sum(p[0] for p in plans if p), [s for p in plans if p for s in p[1]]
    found = [p for p in plans if p is not None]
    return min(found, key=lambda p: (p[0], len(p[1]))) if found else None


def next_tier(
    rs: RuleSet,
    statuses: dict[str, str],
    tier_rules: dict[str, dict[str, dict[str, Any]]],
    fr: dict[str, Any],
) -> dict[str, Any] | None:
    """The smallest set of changes reaching the tier above the highest qualified one."""
    qualified = [LEVEL.get(t, 0) for t, s in statuses.items() if s == "qualified"]
    level = max(qualified, default=0) + 1
    targets = [t for t in rs.tier_order if LEVEL.get(t) == level]
    if not targets:
        return None
    year = fr.get("year")
    best = None
    for t in targets:
        tier = rs.tiers[t]
        plan = _plan(tier, tier.root, rs, tier_rules[t], fr, year)
        if plan is not None and (best is None or plan[0] < best[1][0]):
            best = (t, plan)
    if best is None:
        return {"tier": targets[0], "steps": [], "cost": None, "reachable": False}
    t, (cost, steps) = best
    return {
        "tier": t,
        "label": rs.tiers[t].label,
        "label_en": rs.tiers[t].label_en,
        "cost": round(cost, 3),
        "steps": steps,
    }


# --------------------------------------------------------------------------- verdicts


def missing_for(rule: Rule, fr: dict[str, Any], year: int | None, _: Any) -> list[str]:
    """Contract paths of the unknown facts this rule reads."""
    out = []
    lists = {"titles": "titles_known", "awards": "awards_known", "equity_financing": "equity_known"}
    for path in rule.reads():
        if path in lists:
            out.append(path)
        elif path == "chuangke":
            if fr.get("chuangke_group") is None:
                out.append(path)
        elif path == "development_score":
            if fr.get("development_score_y0") is None:
                out.append(f"development_score.{year}")
            if (
                rule.re_review_years > 1
                and fr.get("is_re_review")
                and fr.get("development_score_y1") is None
            ):
                out.append(f"development_score.{year - 1 if year else '?'}")
        elif path == "industry_code":
            if fr.get("industry_group") is None:
                out.append(path)
        elif fr.get(column_for(path)) is None:
            out.append(contract_path(path, year))
    return out


def _clean(v: Any) -> Any:
    if isinstance(v, float):
        v = round(v, 6)
        return int(v) if v == int(v) and abs(v) < 1e15 else v
    return v


def verdict_for_row(
    rs: RuleSet, res: dict[str, Any], fr: dict[str, Any], with_path: bool = True
) -> dict[str, Any]:
    """One ``results[]`` entry of the verdict JSON."""
    year = fr.get("year")
    tiers: dict[str, Any] = {}
    tier_rules: dict[str, dict[str, dict[str, Any]]] = {}
    statuses: dict[str, str] = {}
    for key in rs.tier_order:
        tier = rs.tiers[key]
        rules_out = []
        rr: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        n_common = len(rs.common)
        for pos, rule in enumerate(rs.tier_rules(key)):
            prefix = "common" if pos < n_common else key
            base = f"{prefix}.{rule.id}"
            item: dict[str, Any] = {"id": rule.id, "label": rule.label, "label_en": rule.label_en}
            if rule.is_points:
                lo, hi = res[base + ".points"], res[base + ".points_max"]
                known = lo == hi
                item["passed"] = (lo == rule.max_points) if known else None
                item["points"] = _clean(lo) if known else None
                item["points_max"] = rule.max_points
                item["_pmin"], item["_pmax"] = lo, hi
            else:
                item["passed"] = res[base + ".passed"]
                item["points"] = None
            item["value"] = _clean(res[base + ".value"])
            item["threshold"] = threshold_text(rule)
            gap = None
            unit = None
            if item["passed"] is False:
                if (
                    rule.kind == "compare"
                    and rule.quantity
                    and rule.op
                    and rule.threshold is not None
                ):
                    g = quantity_gap(rule.quantity, rule.op, rule.threshold, fr)
                    unit = _unit_of(column_for(rule.quantity.facts[0]))
                    gap = _num(g, unit)
                elif (
                    rule.kind == "equity"
                    and rule.threshold is not None
                    and res[base + ".value"] is not None
                ):
                    unit = "cny"
                    gap = _num(rule.threshold - Fraction(str(res[base + ".value"])), unit)
                elif (
                    rule.kind == "development_score"
                    and rule.threshold is not None
                    and fr.get("development_score_y0") is not None
                ):
                    unit = "points"
                    gap = _num(
                        rule.threshold - Fraction(fr["development_score_y0"], 1_000_000), unit
                    )
            item["gap"] = gap
            if gap is not None:
                item["gap_unit"] = unit
            item["confidence"] = rule.confidence
            item["help"] = rule.help
            if item["passed"] is None:
                missing.extend(missing_for(rule, fr, year, None))
            rr[rule.id] = item
            rules_out.append(item)
        status = res[f"{key}.status"]
        statuses[key] = status
        tier_rules[key] = rr
        entry = {
            "status": status,
            "score": _clean(res[f"{key}.score"]),
            "rules": [{k: v for k, v in i.items() if not k.startswith("_")} for i in rules_out],
            "missing": list(dict.fromkeys(missing)) if status == "review" else [],
        }
        if tier.points_group is not None:
            entry["score_max"] = _clean(res[f"{key}.score_max"])
        tiers[key] = entry
    out = {"id": res["id"], "size_class": res["size_class"], "tiers": tiers}
    if with_path:
        out["next_tier"] = next_tier(rs, statuses, tier_rules, fr)
    return out


def explain_rows(
    ff: FactsFrame,
    result: pl.DataFrame,
    rs: RuleSet,
    rows: Iterable[int] | None = None,
    with_path: bool = True,
) -> list[dict[str, Any]]:
    """Verdict ``results[]`` entries for the given row numbers (all rows if None)."""
    if rows is None:
        res_rows = result.to_dicts()
        fact_rows = ff.main.to_dicts()
    else:
        idx = pl.Series("row", list(rows), dtype=pl.Int64)
        res_rows = result.join(idx.to_frame(), on="row", how="semi").sort("row").to_dicts()
        fact_rows = ff.main.join(idx.to_frame(), on="row", how="semi").sort("row").to_dicts()
    return [verdict_for_row(rs, r, f, with_path) for r, f in zip(res_rows, fact_rows)]
