"""From the database to the tier engine's facts, for one firm or a whole park.

The engine's expensive step is flattening Python facts dicts into columns. Here the
columns come straight from SQL: each query returns exact integers in the engine's own
units (money in fen, other decimals in micro-units, computed by the database), the
rows go into Polars column-wise, and the frames are assembled with the same column
names and types as `oasis.rules.facts` produces. No per-firm ORM objects, no dicts.

One firm is the same function on a one-firm queryset, so the enterprise page and the
park screening run the same engine path (`assess_frame` on one row or on many).

NULL stays NULL (unknown). The database constraints and the services' `full_clean()`
guarantee what the engine's validator would otherwise check (types, ranges, codes).
"""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connections
from django.db.models import BigIntegerField, CharField, F, Func, IntegerField, QuerySet
from django.db.models.functions import Cast

from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.rules import FactsFrame
from oasis.rules.facts import (
    COMPLIANCE_FIELDS,
    HEADCOUNT_FIELDS,
    IP_FIELDS,
    MICRO,
    MONEY_FIELDS,
    QUALITATIVE_FIELDS,
    QUALITY_FIELDS,
)
from oasis.rules.sizing import industry_group

from .models import Award, DevelopmentScore, EquityFinancing, ExtraFigure, Title

_FIGURE_MONEY = tuple(f for f in MONEY_FIELDS if f != "total_cost_expense")
_PROFILE_BOOLS = (
    "strategic_emerging",
    "led_standard_5y",
    "is_re_review",
    "market_leading_confirmed",
    *(f"quality_{f}" for f in QUALITY_FIELDS),
    *(f"qualitative_{f}" for f in QUALITATIVE_FIELDS),
    *(f"compliance_{f}" for f in COMPLIANCE_FIELDS),
)
_PROFILE_INTS = (
    *(f"ip_{f}" for f in IP_FIELDS),
    "market_domestic_rank",
    "digital_level",
    "chuangke_year",
)
_PROFILE_MICRO = ("niche_years", "market_share", "provincial_points")
_PROFILE_STRS = ("main_product_field", "rd_institution", "chuangke_group")


class _Scaled(Func):
    """round(x * scale) as a 64-bit integer, computed by the database. (Django's Round
    and Cast would wrap the decimal in two more CASTs, which SQLite pays per value.)"""

    template = "CAST(ROUND(%(expressions)s * %(scale)s) AS BIGINT)"
    output_field = BigIntegerField()


def _scaled(field: str, scale: int) -> _Scaled:
    return _Scaled(F(field), scale=int(scale))


def _flag(field: str) -> Cast:
    # An expression, not the bare column: on SQLite a bare boolean column would go
    # through Django's per-value converter (1.4M calls on 100k firms).
    return Cast(F(field), IntegerField())


def _day(field: str) -> Cast:
    return Cast(F(field), CharField(max_length=10))  # 'YYYY-MM-DD', no per-value date parsing


def _fetch(qs: QuerySet[Any], columns: dict[str, Any]) -> pl.DataFrame:
    """Run a values() query through the raw cursor into a Polars frame, column-wise.

    Django's per-row converters are skipped (they are the cost at 100k rows); the few
    backend differences (SQLite returns 0/1 for booleans and text for dates) are
    normalised per column. (Measured: letting SQLite serialise columns to JSON or CSV
    for Polars to parse was slower than this on 300k rows.)
    """
    # Aliases c0, c1…: names equal to model fields would clash with them in values().
    exprs = {
        f"c{i}": (F(expr) if isinstance(expr, str) else expr)
        for i, (expr, _) in enumerate(columns.values())
    }
    sql, params = qs.order_by().values(**exprs).query.sql_with_params()
    return _fetch_rows(connections[qs.db], sql, params, list(columns), columns)


def _fetch_rows(
    connection: Any, sql: str, params: Any, names: list[str], columns: dict[str, Any]
) -> pl.DataFrame:
    # Millions of small tuples would set off the cyclic GC again and again over a
    # large heap; none of them can form a cycle, so pause it (as the engine does).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        data = list(zip(*rows)) if rows else [() for _ in names]
        del rows
    finally:
        if was_enabled:
            gc.enable()
    series = []
    for name, values in zip(names, data):
        dtype = columns[name][1]
        if dtype == pl.Boolean:
            s = pl.Series(name, values, dtype=pl.Int64, strict=False).cast(pl.Boolean)
        elif dtype == pl.Date:
            first = next((v for v in values if v is not None), None)
            if isinstance(first, str):
                s = (
                    pl.Series(name, values, dtype=pl.String)
                    .str.slice(0, 10)
                    .str.to_date("%Y-%m-%d")
                )
            else:
                s = pl.Series(name, values, dtype=pl.Date)
        else:
            s = pl.Series(name, values, dtype=dtype)
        series.append(s)
    return pl.DataFrame(series)


def reference_years(assessment_date: dt.date) -> tuple[int, int, int]:
    y = assessment_date.year
    return y - 1, y - 2, y - 3


def build_facts_frame(
    enterprises: QuerySet[Enterprise], assessment_date: dt.date
) -> tuple[FactsFrame, list[int]]:
    """The engine's input for every firm of ``enterprises`` (already scoped by the caller).

    Returns the frame and the enterprise ids in row order (facts ``id`` is ``str(pk)``).
    A fixed number of queries (seven), whatever the number of firms.
    """
    y = assessment_date.year
    ids = enterprises.order_by().values("pk")
    prof = "innovation_profile__"
    main_cols: dict[str, tuple[Any, Any]] = {
        "eid": ("pk", pl.Int64),
        "industry_code": ("industry_code", pl.String),
        "has_profile": (F(prof + "id"), pl.Int64),
        "titles_complete": (_flag(prof + "titles_complete"), pl.Boolean),
        "awards_complete": (_flag(prof + "awards_complete"), pl.Boolean),
        "equity_complete": (_flag(prof + "equity_complete"), pl.Boolean),
    }
    for c in _PROFILE_BOOLS:
        main_cols[c] = (_flag(prof + c), pl.Boolean)
    for c in _PROFILE_INTS:
        main_cols[c] = (F(prof + c), pl.Int64)
    for c in _PROFILE_MICRO:
        main_cols[c] = (_scaled(prof + c, MICRO), pl.Int64)
    for c in _PROFILE_STRS:
        main_cols[c] = (F(prof + c), pl.String)
    main = _fetch(enterprises, main_cols).sort("eid")

    years = (y - 1, y - 2, y - 3)
    fig_cols: dict[str, tuple[Any, Any]] = {
        "eid": ("enterprise_id", pl.Int64),
        "fy": ("year", pl.Int64),
    }
    for f in _FIGURE_MONEY:
        fig_cols[f] = (_scaled(f, 100), pl.Int64)
    fig_cols["employees"] = ("headcount", pl.Int64)
    fig_cols["rd_staff"] = ("rd_staff", pl.Int64)
    figures = _fetch(AnnualFigure.objects.filter(enterprise__in=ids, year__in=years), fig_cols)
    extra = _fetch(
        ExtraFigure.objects.filter(enterprise__in=ids, year__in=years),
        {
            "eid": ("enterprise_id", pl.Int64),
            "fy": ("year", pl.Int64),
            "total_cost_expense": (_scaled("total_cost_expense", 100), pl.Int64),
            "st_staff": ("st_staff", pl.Int64),
        },
    )
    yearly = figures.join(extra, on=["eid", "fy"], how="full", coalesce=True)
    for k, year in enumerate(years, start=1):
        part = yearly.filter(pl.col("fy") == year).drop("fy")
        part = part.rename({c: f"y{k}_{c}" for c in part.columns if c != "eid"})
        main = main.join(part, on="eid", how="left", maintain_order="left")

    scores = _fetch(
        DevelopmentScore.objects.filter(enterprise__in=ids, year__in=(y, y - 1)),
        {
            "eid": ("enterprise_id", pl.Int64),
            "sy": ("year", pl.Int64),
            "score": (_scaled("score", MICRO), pl.Int64),
        },
    )
    for k in (0, 1):
        part = scores.filter(pl.col("sy") == y - k).select(
            "eid", pl.col("score").alias(f"development_score_y{k}")
        )
        main = main.join(part, on="eid", how="left", maintain_order="left")

    row_of = main.select("eid", pl.int_range(pl.len(), dtype=pl.Int64).alias("row"))
    titles = _fetch(
        Title.objects.filter(enterprise__in=ids),
        {
            "eid": ("enterprise_id", pl.Int64),
            "kind": ("kind", pl.String),
            "valid_until": (_day("valid_until"), pl.Date),
        },
    )
    awards = _fetch(
        Award.objects.filter(enterprise__in=ids),
        {
            "eid": ("enterprise_id", pl.Int64),
            "level": ("level", pl.String),
            "year": ("year", pl.Int64),
            "rank": ("rank", pl.Int64),
        },
    )
    equity = _fetch(
        EquityFinancing.objects.filter(enterprise__in=ids),
        {
            "eid": ("enterprise_id", pl.Int64),
            "year": ("year", pl.Int64),
            "amount": (_scaled("amount", 100), pl.Int64),
        },
    )

    # A list is known when it is marked complete or has at least one row recorded.
    main = main.with_columns(
        titles_known=pl.col("titles_complete").fill_null(False)
        | pl.col("eid").is_in(titles["eid"].implode()),
        awards_known=pl.col("awards_complete").fill_null(False)
        | pl.col("eid").is_in(awards["eid"].implode()),
        equity_known=pl.col("equity_complete").fill_null(False)
        | pl.col("eid").is_in(equity["eid"].implode()),
    )
    codes = main["industry_code"].unique().to_list()
    groups = {c: industry_group(c) for c in codes if c is not None}
    main = main.with_columns(
        id=pl.col("eid").cast(pl.String),
        industry_group=pl.col("industry_code").replace_strict(
            groups, default=None, return_dtype=pl.String
        ),
        assessment_date=pl.lit(assessment_date, dtype=pl.Date),
        year=pl.lit(y, dtype=pl.Int64),
        row=pl.int_range(pl.len(), dtype=pl.Int64),
    )
    main = _conform(main)

    titles_df = (
        titles.join(row_of, on="eid", how="inner")
        .select("row", "kind", "valid_until", pl.lit(assessment_date, dtype=pl.Date).alias("date"))
        .sort("row", maintain_order=True)
    )
    awards_df = (
        awards.join(row_of, on="eid", how="inner")
        .select("row", "level", "year", "rank", pl.lit(y, dtype=pl.Int64).alias("y"))
        .sort("row", maintain_order=True)
    )
    equity_df = (
        equity.join(row_of, on="eid", how="inner")
        .select("row", "year", "amount", pl.lit(y, dtype=pl.Int64).alias("y"))
        .sort("row", maintain_order=True)
    )
    return FactsFrame(main, titles_df, awards_df, equity_df), row_of["eid"].to_list()


def _main_schema() -> dict[str, Any]:
    """Column names and types of the engine's main facts frame, in its order."""
    from oasis.rules.facts import _BOOL_COLS, _INT_COLS, _STR_COLS

    schema: dict[str, Any] = {c: pl.Int64 for c in _INT_COLS}
    schema.update({c: pl.Boolean for c in _BOOL_COLS})
    schema.update({c: pl.String for c in _STR_COLS})
    schema["assessment_date"] = pl.Date
    schema["row"] = pl.Int64
    return schema


def _conform(df: pl.DataFrame) -> pl.DataFrame:
    """Exactly the engine's columns, types and order; facts nobody recorded are null."""
    out = []
    for name, dtype in _main_schema().items():
        if name in df.columns:
            out.append(pl.col(name).cast(dtype))
        else:
            out.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(out)


# ------------------------------------------------------------------ contract rendering


def _money(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _micro(v: int | None) -> Decimal | None:
    if v is None:
        return None
    d = Decimal(v) / MICRO
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def facts_dicts(ff: FactsFrame, rows: list[int] | None = None) -> list[dict[str, Any]]:
    """The contract's facts objects (assessment-facts.md) for chosen rows of a frame.

    What the engine reads, nothing more: Y-1…Y-3 figures and this year's and last
    year's development scores. Unknown facts are left out. Money is Decimal (exact);
    `json_default` renders it for JSON.
    """
    main = ff.main if rows is None else ff.main.filter(pl.col("row").is_in(rows))
    titles: dict[int, list[dict[str, Any]]] = {}
    for r, kind, until, _ in ff.titles.iter_rows():
        titles.setdefault(r, []).append({"kind": kind, "valid_until": until.isoformat()})
    awards: dict[int, list[dict[str, Any]]] = {}
    for r, level, year, rank, _ in ff.awards.iter_rows():
        awards.setdefault(r, []).append({"level": level, "year": year, "rank": rank})
    equity: dict[int, list[dict[str, Any]]] = {}
    for r, year, amount, _ in ff.equity.iter_rows():
        equity.setdefault(r, []).append({"year": year, "amount": _money(amount)})
    out = []
    for m in main.iter_rows(named=True):
        y = m["year"]
        f: dict[str, Any] = {
            "id": m["id"],
            "assessment_date": m["assessment_date"].isoformat(),
            "industry_code": m["industry_code"],
        }
        years: dict[str, Any] = {}
        for k in (1, 2, 3):
            fig = {}
            for fld in MONEY_FIELDS:
                v = m[f"y{k}_{fld}"]
                if v is not None:
                    fig[fld] = _money(v)
            for fld in HEADCOUNT_FIELDS:
                v = m[f"y{k}_{fld}"]
                if v is not None:
                    fig[fld] = v
            if fig:
                years[str(y - k)] = fig
        f["years"] = years
        if m["niche_years"] is not None:
            f["niche_years"] = _micro(m["niche_years"])
        ip = {fld: m[f"ip_{fld}"] for fld in IP_FIELDS if m[f"ip_{fld}"] is not None}
        if ip:
            f["ip"] = ip
        for key in (
            "strategic_emerging",
            "main_product_field",
            "rd_institution",
            "digital_level",
            "led_standard_5y",
            "is_re_review",
        ):
            if m[key] is not None:
                f[key] = m[key]
        if m["provincial_points"] is not None:
            f["provincial_points"] = _micro(m["provincial_points"])
        for group, fields in (
            ("quality", QUALITY_FIELDS),
            ("qualitative", QUALITATIVE_FIELDS),
            ("compliance", COMPLIANCE_FIELDS),
        ):
            d = {fld: m[f"{group}_{fld}"] for fld in fields if m[f"{group}_{fld}"] is not None}
            if d:
                f[group] = d
        market: dict[str, Any] = {}
        if m["market_share"] is not None:
            market["share"] = _micro(m["market_share"])
        if m["market_domestic_rank"] is not None:
            market["domestic_rank"] = m["market_domestic_rank"]
        if m["market_leading_confirmed"] is not None:
            market["leading_confirmed"] = m["market_leading_confirmed"]
        if market:
            f["market"] = market
        if m["chuangke_group"] == "none":
            f["chuangke"] = {}
        elif m["chuangke_group"] is not None:
            f["chuangke"] = {"group": m["chuangke_group"], "year": m["chuangke_year"]}
        scores = {
            str(y - k): _micro(m[f"development_score_y{k}"])
            for k in (0, 1)
            if m[f"development_score_y{k}"] is not None
        }
        if scores:
            f["development_score"] = scores
        row = m["row"]
        if m["titles_known"]:
            f["titles"] = titles.get(row, [])
        if m["awards_known"]:
            f["awards"] = awards.get(row, [])
        if m["equity_known"]:
            f["equity_financing"] = equity.get(row, [])
        out.append(f)
    return out


def enterprise_facts(enterprise: Enterprise, assessment_date: dt.date) -> dict[str, Any]:
    """The contract facts object of one stored firm (same reader as the bulk path)."""
    ff, _ = build_facts_frame(Enterprise.objects.filter(pk=enterprise.pk), assessment_date)
    return facts_dicts(ff)[0]


def json_default(value: Any) -> Any:
    """JSON for exact decimals: whole numbers as integers, others as their decimal text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
