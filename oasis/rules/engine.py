"""The vectorised evaluator: every rule is a Polars column expression over all firms.

Ideas taken from OpenFisca (formulas evaluated over a whole population at once) and
Publicodes (declarative combinators, unknown inputs propagate).  Three-valued logic
throughout: a rule column is True / False / null, where null means "unknown" and
Polars' Kleene ``&``/``|``/any_horizontal/all_horizontal make "False and unknown" =
False and "True or unknown" = True, which is exactly the contract's review rule.

Exactness: money is Int64 fen, other decimals Int64 micro-units; a threshold p/q is
tested by cross-multiplying in Int128 (num*q >= den*p), never via a float.  Points
are kept as Int64 micro-points so provincial points with decimals add exactly.
Points rules carry a [min, max] range: unknown inputs give min (unknown = worst)
and max (unknown = best); a table is decided only when the whole range agrees.

A single-firm ``assess`` is this same path on a one-row frame.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from oasis.rules.facts import MICRO, FactsFrame
from oasis.rules.ruleset import Group, Quantity, Rule, RuleSet, TierRules, column_for
from oasis.rules.sizing import size_expr

#: Points are carried in micro-points (exact sums of fractional provincial points).
PSCALE = MICRO
_I128 = pl.Int128
_NULL_BOOL = pl.lit(None, dtype=pl.Boolean)


def column_scale(col: str) -> int:
    """Integer scale of a frame column: fen for money, micro-units for decimals, 1 else."""
    from oasis.rules.facts import MONEY_FIELDS

    if col[:1] == "y" and col[1:2].isdigit() and col[3:] in MONEY_FIELDS:
        return 100
    if col in ("niche_years", "market_share", "provincial_points") or col.startswith(
        "development_score"
    ):
        return MICRO
    return 1


def _c(path: str) -> pl.Expr:
    return pl.col(column_for(path)).cast(_I128)


def rational(q: Quantity) -> tuple[pl.Expr, pl.Expr]:
    """Exact num/den (Int128) of a quantity; den <= 0 means the ratio is undefined."""
    cols = [column_for(f) for f in q.facts]
    s = [column_scale(c) for c in cols]
    x = [_c(f) for f in q.facts]
    k = q.kind
    if k == "value":
        return x[0], pl.lit(s[0], _I128)
    if k == "ratio":
        return x[0] * s[1], x[1] * s[0]
    if k in ("growth", "cagr"):
        return (x[0] - x[1], x[1]) if k == "growth" else (x[0], x[1])
    if k == "mean_growth":
        a, b, c = x
        # mean of (a/b - 1) and (b/c - 1), over the common denominator 2bc
        return (a - b) * c + (b - c) * b, 2 * b * c
    if k == "sum":
        # sum_horizontal skips nulls; callers guard with _any_null so unknown stays unknown
        return pl.sum_horizontal(x), pl.lit(s[0], _I128)
    if k == "mean":
        return pl.sum_horizontal(x), pl.lit(s[0] * len(x), _I128)
    raise ValueError(k)


def _any_null(q: Quantity) -> pl.Expr:
    return pl.any_horizontal([pl.col(column_for(f)).is_null() for f in q.facts])


#: Quantity -> name of its materialised columns (``<name>.num/.den/.null``).  Reading a
#: quantity from columns computed once keeps the expression graph small, which is
#: what Polars' planner time grows with (it dominates single-firm latency).
QCols = dict[Quantity, str]


def _rat(q: Quantity, qc: QCols | None) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    if qc is not None and q in qc:
        n = qc[q]
        return pl.col(n + ".num"), pl.col(n + ".den"), pl.col(n + ".null")
    num, den = rational(q)
    return num, den, _any_null(q)


def display_value(q: Quantity, qc: QCols | None = None) -> pl.Expr:
    """Float64 value for display only (never used for a decision)."""
    num, den, null = _rat(q, qc)
    v = num.cast(pl.Float64) / den.cast(pl.Float64)
    if q.kind == "cagr":
        v = v.pow(1.0 / q.cagr_years) - 1.0
    return pl.when(null).then(None).when(den <= 0).then(None).otherwise(v)


def effective_threshold(q: Quantity, t: Fraction) -> Fraction:
    """Threshold in num/den terms: a CAGR test g >= t is ratio >= (1+t)^n (monotone)."""
    return (1 + t) ** q.cagr_years if q.kind == "cagr" else t


def compare(q: Quantity, op: str, t: Fraction, qc: QCols | None = None) -> pl.Expr:
    """Three-valued exact comparison of a quantity with a decimal threshold."""
    num, den, null = _rat(q, qc)
    t = effective_threshold(q, t)
    lhs, rhs = num * t.denominator, den * pl.lit(t.numerator, _I128)
    cmp = {">=": lhs >= rhs, ">": lhs > rhs, "<=": lhs <= rhs, "<": lhs < rhs, "==": lhs == rhs}[op]
    # Null inputs stay null (unknown); a zero/negative denominator is an undefined
    # ratio, which never meets a threshold (docs/rules.md, reading 11).
    return pl.when(null).then(_NULL_BOOL).when(den <= 0).then(False).otherwise(cmp)


def _first_match(conds: list[pl.Expr], points: list[int]) -> tuple[pl.Expr, pl.Expr]:
    """[min, max] points of a best-first case list with three-valued conditions."""

    def chain(fill: bool) -> pl.Expr:
        e: Then | ChainedThen | None = None
        for c, p in zip(conds, points):
            cc = c.fill_null(fill)
            e = (
                pl.when(cc).then(pl.lit(p * PSCALE))
                if e is None
                else e.when(cc).then(pl.lit(p * PSCALE))
            )
        assert e is not None
        return e.otherwise(pl.lit(0)).cast(pl.Int64)

    return chain(False), chain(True)


def points_range(rule: Rule, qc: QCols | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(min, max) micro-points of a points rule."""
    k = rule.kind
    if k == "bands":
        assert rule.quantity and rule.op
        return _first_match(
            [compare(rule.quantity, rule.op, b.threshold, qc) for b in rule.bands],
            [b.points for b in rule.bands],
        )
    if k == "best_of":
        rs = [points_range(o, qc) for o in rule.options]
        return pl.max_horizontal([r[0] for r in rs]), pl.max_horizontal([r[1] for r in rs])
    if k == "cases":
        return _first_match(
            [pl.col(column_for(c.fact)) >= c.min for c in rule.cases],
            [c.points for c in rule.cases],
        )
    if k == "enum_points":
        fact_col = pl.col(column_for(rule.fact or ""))
        mapping = {key: p * PSCALE for key, p in rule.points_map}
        v = fact_col.cast(pl.String).replace_strict(mapping, default=None, return_dtype=pl.Int64)
        return v.fill_null(0), v.fill_null(rule.max_points * PSCALE)
    if k == "count_points":
        cols = [pl.col(column_for(f)) for f in rule.facts]
        sure = pl.sum_horizontal([c.fill_null(False).cast(pl.Int64) for c in cols])
        maybe = pl.sum_horizontal([c.fill_null(True).cast(pl.Int64) for c in cols])
        cap = pl.lit(rule.cap * PSCALE)
        return (
            pl.min_horizontal(sure * (rule.per_item * PSCALE), cap),
            pl.min_horizontal(maybe * (rule.per_item * PSCALE), cap),
        )
    if k == "per_unit_points":
        assert rule.quantity and rule.per is not None
        col = column_for(rule.quantity.facts[0])
        v = pl.col(col)
        units = (v * rule.per.denominator) // (rule.per.numerator * column_scale(col))
        # min_horizontal skips nulls, so unknown must be kept unknown explicitly
        pts = (
            pl.when(v.is_null())
            .then(None)
            .otherwise(pl.min_horizontal(units, pl.lit(rule.cap)) * PSCALE)
        )
        return pts.fill_null(0), pts.fill_null(rule.cap * PSCALE)
    if k == "fact_points":
        assert rule.quantity
        col = column_for(rule.quantity.facts[0])
        # provincial points arrive in micro-units already, = micro-points
        v = (
            pl.when(pl.col(col).is_null())
            .then(None)
            .otherwise(
                pl.min_horizontal(
                    pl.col(col) * (PSCALE // column_scale(col)), pl.lit(rule.max_value * PSCALE)
                )
            )
        )
        return v.fill_null(0), v.fill_null(rule.max_value * PSCALE)
    raise ValueError(k)


def _feature(prefix: str, rule: Rule) -> str:
    return f"__{prefix}.{rule.id}"


def boolean_rule(prefix: str, rule: Rule, qc: QCols | None = None) -> pl.Expr:
    """Three-valued pass/fail of a non-points rule."""
    k = rule.kind
    if k == "compare":
        assert rule.quantity and rule.op and rule.threshold is not None
        e = compare(rule.quantity, rule.op, rule.threshold, qc)
    elif k == "flag":
        e = pl.col(column_for(rule.fact or "")) == rule.expect
    elif k == "enum_in":
        e = pl.col(column_for(rule.fact or "")).is_in(list(rule.values))
    elif k in ("title", "award", "equity"):
        f = _feature(prefix, rule)
        known = pl.col(
            {"title": "titles_known", "award": "awards_known", "equity": "equity_known"}[k]
        )
        hit = pl.col(f + ".hit").fill_null(False)
        unsure = pl.col(f + ".unsure").fill_null(False)
        e = pl.when(hit).then(True).when(unsure | known.not_()).then(_NULL_BOOL).otherwise(False)
    elif k == "chuangke":
        g, y = pl.col("chuangke_group"), pl.col("chuangke_year")
        inwin = (y >= pl.col("year") - rule.within_years) & (y <= pl.col("year") - 1)
        e = (
            pl.when(g.is_null())
            .then(_NULL_BOOL)
            .when(g == "none")
            .then(False)
            .otherwise(g.is_in(list(rule.groups)) & inwin)
        )
    elif k == "size_class":
        e = pl.col("size_class").is_in(list(rule.allowed))
    elif k == "development_score":
        assert rule.threshold is not None
        t = rule.threshold
        tests = [
            pl.col(f"development_score_y{i}") * t.denominator >= t.numerator * MICRO
            for i in range(rule.re_review_years)
        ]
        # A re-reviewed firm passes on any of the last N years; an applicant on this year's.
        e = (
            pl.when(pl.col("is_re_review").fill_null(False))
            .then(pl.any_horizontal(tests))
            .otherwise(tests[0])
        )
    else:
        raise ValueError(k)
    if rule.skip_if_re_review:
        # is_re_review unknown is read as "applying" (docs/rules.md, reading 12)
        e = pl.when(pl.col("is_re_review").fill_null(False)).then(True).otherwise(e)
    return e


def rule_value(prefix: str, rule: Rule, qc: QCols | None = None) -> pl.Expr:
    """Display value of a rule (Float64), null where there is no single number."""
    if rule.quantity is not None and rule.kind != "per_unit_points" and rule.kind != "fact_points":
        return display_value(rule.quantity, qc)  # den carries the scale for plain values
    if rule.quantity is not None:
        col = column_for(rule.quantity.facts[0])
        return pl.col(col).cast(pl.Float64) / column_scale(col)
    if rule.kind == "best_of":
        q = rule.options[-1].quantity
        return display_value(q, qc) if q else pl.lit(None, dtype=pl.Float64)
    if rule.kind == "equity":
        return pl.col(_feature(prefix, rule) + ".sum").fill_null(0).cast(pl.Float64) / 100
    if rule.kind == "development_score":
        return pl.col("development_score_y0").cast(pl.Float64) / MICRO
    return pl.lit(None, dtype=pl.Float64)


def _list_features(ff: FactsFrame, rs: RuleSet) -> list[tuple[pl.DataFrame, str]]:
    """Per-firm aggregates for title/award/equity rules, one group_by per list frame."""
    title_aggs: list[pl.Expr] = []
    award_aggs: list[pl.Expr] = []
    equity_aggs: list[pl.Expr] = []
    for prefix, rule in _all_rules(rs):
        f = _feature(prefix, rule)
        if rule.kind == "title":
            m = pl.col("kind").is_in(list(rule.kinds)) & (pl.col("valid_until") >= pl.col("date"))
            title_aggs += [
                m.fill_null(False).any().alias(f + ".hit"),
                m.is_null().any().alias(f + ".unsure"),
            ]
        elif rule.kind == "award":
            y = pl.col("year")
            m = (
                pl.col("level").is_in(list(rule.levels))
                & (y >= pl.col("y") - rule.within_years)
                & (y <= pl.col("y") - 1)
            )
            if rule.max_rank is not None:
                m = m & (pl.col("rank") <= rule.max_rank)
            award_aggs += [
                m.fill_null(False).any().alias(f + ".hit"),
                m.is_null().any().alias(f + ".unsure"),
            ]
        elif rule.kind == "equity":
            assert rule.threshold is not None
            y = pl.col("year")
            inwin = (y >= pl.col("y") - rule.within_years) & (y <= pl.col("y") - 1)
            sure = inwin.fill_null(False) & pl.col("amount").is_not_null()
            total = pl.when(sure).then(pl.col("amount")).otherwise(0).sum()
            # an entry with unknown year or amount that could fall in the window
            unsure = (inwin.is_null() | (inwin.fill_null(False) & pl.col("amount").is_null())).any()
            t = rule.threshold
            hit = total * t.denominator >= t.numerator * 100
            equity_aggs += [
                total.alias(f + ".sum"),
                hit.alias(f + ".hit"),
                unsure.alias(f + ".unsure"),
            ]
    out = []
    for frame, aggs in ((ff.titles, title_aggs), (ff.awards, award_aggs), (ff.equity, equity_aggs)):
        if aggs:
            out.append((frame.group_by("row").agg(aggs), "row"))
    return out


def _all_rules(rs: RuleSet) -> list[tuple[str, Rule]]:
    out = [("common", r) for r in rs.common]
    for key, tier in rs.tiers.items():
        out += [(key, r) for r in tier.rules.values()]
    return out


def _group_expr(tier: TierRules, gid: str, cols: dict[str, pl.Expr]) -> pl.Expr:
    g = tier.groups[gid]

    def item(name: str) -> pl.Expr:
        if name == "common":
            return pl.col("common.passed")
        if name in tier.groups:
            return _group_expr(tier, name, cols)
        return pl.col(f"{tier.key}.{name}.passed")

    if g.combine == "all_of":
        return pl.all_horizontal([item(i) for i in g.items])
    if g.combine == "any_of":
        return pl.any_horizontal([item(i) for i in g.items])
    return _points_status(tier, g, cols)


def _points_status(tier: TierRules, g: Group, cols: dict[str, pl.Expr]) -> pl.Expr:
    def lo(r: str) -> pl.Expr:
        return pl.col(f"{tier.key}.{r}.points")

    def hi(r: str) -> pl.Expr:
        return pl.col(f"{tier.key}.{r}.points_max")

    total_lo = pl.sum_horizontal([lo(i) for i in g.items])
    total_hi = pl.sum_horizontal([hi(i) for i in g.items])
    cols[f"{tier.key}.{g.id}.score_min"] = total_lo
    cols[f"{tier.key}.{g.id}.score_max"] = total_hi
    sure = [total_lo >= g.pass_mark * PSCALE]
    fail = [total_hi < g.pass_mark * PSCALE]
    for dim, minimum in g.dimension_minimums:
        members = [i for i in g.items if tier.rules[i].dimension == dim]
        sure.append(pl.sum_horizontal([lo(i) for i in members]) >= minimum * PSCALE)
        fail.append(pl.sum_horizontal([hi(i) for i in members]) < minimum * PSCALE)
    for r in g.required_positive:
        sure.append(lo(r) > 0)
        fail.append(hi(r) == 0)
    return (
        pl.when(pl.all_horizontal(sure))
        .then(True)
        .when(pl.any_horizontal(fail))
        .then(False)
        .otherwise(_NULL_BOOL)
    )


def prepare(ff: FactsFrame) -> pl.LazyFrame:
    """Facts frame with the rule-set-independent derived column (size class)."""
    return ff.main.lazy().with_columns(size_expr().alias("size_class"))


def evaluate(ff: FactsFrame, rs: RuleSet, prepared: pl.LazyFrame | None = None) -> pl.DataFrame:
    """Evaluate one rule set over every firm; returns the result frame.

    Columns: ``row``, ``id``, ``size_class``; per rule ``<tier>.<rule>.passed`` /
    ``.value`` (and ``.points`` / ``.points_max`` for points rules, in points);
    ``common.<rule>.*`` for common eligibility; per group ``<tier>.<group>.passed``;
    per tier ``<tier>.status``, ``<tier>.score``, ``<tier>.score_max``.
    """
    lf = prepared if prepared is not None else prepare(ff)
    for agg, key in _list_features(ff, rs):
        # Polars 2 does not keep row order in joins unless asked; results must align with the facts.
        lf = lf.join(agg.lazy(), on=key, how="left", maintain_order="left")
    qc: QCols = {}
    qexprs: dict[str, pl.Expr] = {}
    for _, rule in _all_rules(rs):
        for q in [rule.quantity, *(o.quantity for o in rule.options)]:
            if q is not None and q not in qc:
                name = qc[q] = f"__q{len(qc)}"
                num, den = rational(q)
                qexprs.update(
                    {name + ".num": num, name + ".den": den, name + ".null": _any_null(q)}
                )
    lf = lf.with_columns(**qexprs)
    leaf: dict[str, pl.Expr] = {}
    out_cols = ["row", "id", "size_class"]
    for prefix, rule in _all_rules(rs):
        base = f"{prefix}.{rule.id}"
        if rule.is_points:
            lo, hi = points_range(rule, qc)
            leaf[base + ".points"] = lo
            leaf[base + ".points_max"] = hi
            out_cols += [base + ".points", base + ".points_max"]
        else:
            leaf[base + ".passed"] = boolean_rule(prefix, rule, qc)
            out_cols.append(base + ".passed")
        leaf[base + ".value"] = rule_value(prefix, rule, qc).cast(pl.Float64)
        out_cols.append(base + ".value")
    lf = lf.with_columns(**leaf)
    lf = lf.with_columns(
        pl.all_horizontal([pl.col(f"common.{r.id}.passed") for r in rs.common]).alias(
            "common.passed"
        )
    )
    out_cols.append("common.passed")
    groups: dict[str, pl.Expr] = {}
    for key, tier in rs.tiers.items():
        extra: dict[str, pl.Expr] = {}
        for gid in tier.groups:
            groups[f"{key}.{gid}.passed"] = _group_expr(tier, gid, extra)
            out_cols.append(f"{key}.{gid}.passed")
        groups.update(extra)
        out_cols += list(extra)
    lf = lf.with_columns(**groups)
    final: dict[str, pl.Expr] = {}
    for key, tier in rs.tiers.items():
        root = pl.col(f"{key}.{tier.root}.passed")
        final[f"{key}.status"] = (
            pl.when(root)
            .then(pl.lit("qualified"))
            .when(root.not_())
            .then(pl.lit("not_qualified"))
            .otherwise(pl.lit("review"))
        )
        pg = tier.points_group
        if pg is not None:
            lo, hi = pl.col(f"{key}.{pg.id}.score_min"), pl.col(f"{key}.{pg.id}.score_max")
            final[f"{key}.score"] = (
                pl.when(lo == hi).then(lo.cast(pl.Float64) / PSCALE).otherwise(None)
            )
            final[f"{key}.score_max"] = hi.cast(pl.Float64) / PSCALE
        else:
            final[f"{key}.score"] = pl.lit(None, dtype=pl.Float64)
            final[f"{key}.score_max"] = pl.lit(None, dtype=pl.Float64)
        out_cols += [f"{key}.status", f"{key}.score", f"{key}.score_max"]
    lf = lf.with_columns(**final)
    # Points go out in points (Float64; whole numbers except provincial decimals).
    # Quantities are materialised once above, so common-subexpression elimination
    # costs more planning time than it saves (measured: 0.33 s vs 0.60 s per 100k).
    res = lf.select(out_cols).collect(optimizations=pl.QueryOptFlags(comm_subexpr_elim=False))
    pts = [
        c
        for c in res.columns
        if c.endswith((".points", ".points_max", ".score_min", ".score_max"))
        and not c.endswith(("status",))
    ]
    pts = [c for c in pts if res.schema[c] != pl.Float64]
    return res.with_columns([(pl.col(c).cast(pl.Float64) / PSCALE).alias(c) for c in pts])


Evaluator = Callable[[FactsFrame, RuleSet], pl.DataFrame]
