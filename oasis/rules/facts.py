"""Facts (the public input contract) -> validated, flat Polars frames.

One pass over the facts dicts both validates (collecting every problem) and
flattens into columns, so validation costs no second walk over 100k firms.  Money
becomes integer fen (Int64) and other decimals integer micro-units, so every
decision downstream is exact integer arithmetic (reading 2).  Absent or null facts
stay null: unknown, never zero.  Lists (titles, awards, equity financing) become
long frames keyed by row, aggregated per rule by the engine.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from oasis.rules.sizing import industry_group
from oasis.rules.tiers import Tier

MONEY_FIELDS = (
    "revenue",
    "main_business_revenue",
    "rd_expense",
    "total_assets",
    "total_liabilities",
    "net_profit",
    "total_cost_expense",
)
HEADCOUNT_FIELDS = ("employees", "rd_staff", "st_staff")
#: Scale of non-money decimals (niche years, market share, scores, provincial points).
MICRO = 1_000_000
#: Money beyond this (10 trillion CNY) is refused so products of two amounts stay in Int128.
MONEY_LIMIT_CNY = 10**13
MONEY_LIMIT_FEN = MONEY_LIMIT_CNY * 100

IP_FIELDS = ("class1", "class1_self_developed", "class1_high_value", "class1_applied", "class2")
TITLE_KINDS = (
    *(t.value for t in Tier),  # a tier is also a title a firm holds
    "high_tech_enterprise",
    "tech_innovation_demo",
    "ip_advantage",
    "ip_demo",
)
AWARD_LEVELS = ("national", "provincial")
MAIN_PRODUCT_FIELDS = ("chain_gap_filling", "basic_or_supplier", "other")
RD_INSTITUTIONS = ("national", "provincial", "municipal", "below_municipal", "none")
CHUANGKE_GROUPS = ("top50", "top500")
QUALITY_FIELDS = ("award", "certified", "own_brand", "standards")
QUALITATIVE_FIELDS = ("key_chain_role", "key_field", "info_system", "intl_certification")
COMPLIANCE_FIELDS = (
    "independent_legal_person",
    "abnormal_list",
    "dishonest_list",
    "serious_incident_3y",
    "restricted_industry",
)

_MONEY_COLS = [f"y{k}_{f}" for k in (1, 2, 3) for f in MONEY_FIELDS]
_HEAD_COLS = [f"y{k}_{f}" for k in (1, 2, 3) for f in HEADCOUNT_FIELDS]
_INT_COLS = [
    *_MONEY_COLS,
    *_HEAD_COLS,
    *(f"ip_{f}" for f in IP_FIELDS),
    "niche_years",
    "market_share",
    "market_domestic_rank",
    "digital_level",
    "provincial_points",
    "development_score_y0",
    "development_score_y1",
    "chuangke_year",
    "year",
]
_BOOL_COLS = [
    "strategic_emerging",
    "led_standard_5y",
    "is_re_review",
    "market_leading_confirmed",
    *(f"quality_{f}" for f in QUALITY_FIELDS),
    *(f"qualitative_{f}" for f in QUALITATIVE_FIELDS),
    *(f"compliance_{f}" for f in COMPLIANCE_FIELDS),
    "titles_known",
    "awards_known",
    "equity_known",
]
_STR_COLS = [
    "id",
    "industry_code",
    "industry_group",
    "main_product_field",
    "rd_institution",
    "chuangke_group",
]


class FactsError(Exception):
    """Malformed facts: names the enterprise and the field; raised before any output.

    ``problems`` lists every problem found (the first is the one in the message).
    """

    def __init__(
        self,
        enterprise_id: str | None,
        field: str,
        message: str,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"enterprise {enterprise_id!r}, field {field!r}: {message}")
        self.enterprise_id = enterprise_id
        self.field = field
        self.message = message
        self.problems = problems or [
            {"enterprise_id": enterprise_id, "field": field, "message": message}
        ]


@dataclass(frozen=True)
class FactsFrame:
    """Flattened facts: one row per firm in ``main`` plus long list frames keyed by ``row``."""

    main: pl.DataFrame
    titles: pl.DataFrame
    awards: pl.DataFrame
    equity: pl.DataFrame

    @property
    def height(self) -> int:
        return self.main.height


class _Reader:
    """Per-firm reader that records problems instead of stopping at the first."""

    __slots__ = ("eid", "problems")

    def __init__(self, eid: str | None, problems: list[dict[str, Any]]) -> None:
        self.eid = eid
        self.problems = problems

    def bad(self, field: str, message: str) -> None:
        self.problems.append({"enterprise_id": self.eid, "field": field, "message": message})

    def decimal(self, v: Any, field: str) -> Decimal | None:
        if v is None:
            return None
        t = type(v)
        if t is int:
            return Decimal(v)
        if t is float:
            d = Decimal(repr(v))  # repr round-trips: the decimal figure the caller typed
        elif t is Decimal:
            d = v
        else:
            self.bad(field, f"expected a number, got {type(v).__name__}")
            return None
        if not d.is_finite():
            self.bad(field, "must be a finite number")
            return None
        return d

    def scaled(
        self,
        v: Any,
        field: str,
        scale: int,
        what: str,
        *,
        signed: bool = False,
        lo: int | None = None,
        hi: int | None = None,
    ) -> int | None:
        if type(v) is int:  # fast path: most figures are whole numbers
            n = v * scale
        else:
            d = self.decimal(v, field)
            if d is None:
                return None
            try:
                q = d * scale
                if q != q.to_integral_value():
                    self.bad(field, f"more precision than {what} is not accepted")
                    return None
                n = int(q)
            except InvalidOperation:
                self.bad(field, "not a valid number")
                return None
        if not signed and n < 0:
            self.bad(field, "must not be negative")
            return None
        if lo is not None and n < lo or hi is not None and n > hi:
            self.bad(field, "out of range")
            return None
        return n

    def money(self, v: Any, field: str, signed: bool = False) -> int | None:
        return self.scaled(
            v,
            field,
            100,
            "one fen (2 decimals)",
            signed=signed,
            lo=-MONEY_LIMIT_FEN,
            hi=MONEY_LIMIT_FEN,
        )

    def integer(self, v: Any, field: str, lo: int = 0, hi: int | None = None) -> int | None:
        if v is None:
            return None
        if type(v) is not int:
            self.bad(field, f"expected an integer, got {type(v).__name__}")
            return None
        if v < lo or hi is not None and v > hi:
            self.bad(field, "out of range")
            return None
        return v

    def boolean(self, v: Any, field: str) -> bool | None:
        if v is None or type(v) is bool:
            return v
        self.bad(field, f"expected true/false, got {type(v).__name__}")
        return None

    def enum(self, v: Any, field: str, allowed: tuple[str, ...]) -> str | None:
        if v is None:
            return None
        if v not in allowed or type(v) is not str:
            self.bad(field, f"unknown value {v!r}; expected one of {list(allowed)}")
            return None
        return v

    def date(self, v: Any, field: str) -> dt.date | None:
        if v is None:
            return None
        if type(v) is dt.date:
            return v
        if type(v) is str and len(v) == 10:
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                pass
        self.bad(field, "expected a date YYYY-MM-DD")
        return None

    def obj(self, v: Any, field: str) -> dict[str, Any] | None:
        if v is None:
            return None
        if type(v) is not dict:
            self.bad(field, f"expected an object, got {type(v).__name__}")
            return None
        return v

    def lst(self, v: Any, field: str) -> list[Any] | None:
        if v is None:
            return None
        if type(v) is not list:
            self.bad(field, f"expected a list, got {type(v).__name__}")
            return None
        return v


def _year_map(r: _Reader, raw: dict[str, Any], field: str) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for k, v in raw.items():
        ks = str(k)
        if not (len(ks) == 4 and ks.isdigit()):
            r.bad(f"{field}.{ks}", "year keys must be 4-digit years")
            continue
        out[int(ks)] = v
    return out


def flatten_facts(
    facts: Iterable[dict[str, Any]],
    default_date: dt.date | None = None,
) -> tuple[FactsFrame, list[dict[str, Any]]]:
    """Validate and flatten; returns the frame and the list of ALL problems found."""
    # The loop allocates no reference cycles, but millions of container allocations
    # would trigger the cyclic GC over and over on a large heap: pause it.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _flatten(facts, default_date)
    finally:
        if was_enabled:
            gc.enable()


def _flatten(
    facts: Iterable[dict[str, Any]],
    default_date: dt.date | None,
) -> tuple[FactsFrame, list[dict[str, Any]]]:
    cols: dict[str, list[Any]] = {
        c: [] for c in [*_STR_COLS, *_INT_COLS, *_BOOL_COLS, "assessment_date"]
    }
    t_rows: list[int] = []
    t_kind: list[Any] = []
    t_until: list[Any] = []
    a_rows: list[int] = []
    a_level: list[Any] = []
    a_year: list[Any] = []
    a_rank: list[Any] = []
    e_rows: list[int] = []
    e_year: list[Any] = []
    e_amount: list[Any] = []
    problems: list[dict[str, Any]] = []
    money_apps = {k: [(f, cols[f"y{k}_{f}"].append) for f in MONEY_FIELDS] for k in (1, 2, 3)}
    head_apps = {k: [(f, cols[f"y{k}_{f}"].append) for f in HEADCOUNT_FIELDS] for k in (1, 2, 3)}
    ip_apps = [(f, cols[f"ip_{f}"].append) for f in IP_FIELDS]
    quality_apps = [(f, cols[f"quality_{f}"].append) for f in QUALITY_FIELDS]
    qualitative_apps = [(f, cols[f"qualitative_{f}"].append) for f in QUALITATIVE_FIELDS]
    compliance_apps = [(f, cols[f"compliance_{f}"].append) for f in COMPLIANCE_FIELDS]
    ap_assessment_date = cols["assessment_date"].append
    ap_awards_known = cols["awards_known"].append
    ap_chuangke_group = cols["chuangke_group"].append
    ap_chuangke_year = cols["chuangke_year"].append
    ap_digital_level = cols["digital_level"].append
    ap_equity_known = cols["equity_known"].append
    ap_id = cols["id"].append
    ap_industry_code = cols["industry_code"].append
    ap_industry_group = cols["industry_group"].append
    ap_is_re_review = cols["is_re_review"].append
    ap_led_standard_5y = cols["led_standard_5y"].append
    ap_main_product_field = cols["main_product_field"].append
    ap_market_domestic_rank = cols["market_domestic_rank"].append
    ap_market_leading_confirmed = cols["market_leading_confirmed"].append
    ap_market_share = cols["market_share"].append
    ap_niche_years = cols["niche_years"].append
    ap_provincial_points = cols["provincial_points"].append
    ap_rd_institution = cols["rd_institution"].append
    ap_strategic_emerging = cols["strategic_emerging"].append
    ap_titles_known = cols["titles_known"].append
    ap_year = cols["year"].append
    row = -1
    for f in facts:
        row += 1
        if type(f) is not dict:
            problems.append(
                {"enterprise_id": None, "field": f"[{row}]", "message": "expected an object"}
            )
            f = {}
        eid = f.get("id")
        r = _Reader(eid if type(eid) is str else None, problems)
        if type(eid) is not str:
            r.bad("id", "required, must be a string")
        ap_id(eid if type(eid) is str else None)

        adate = (
            r.date(f.get("assessment_date"), "assessment_date")
            if f.get("assessment_date") is not None
            else default_date
        )
        if adate is None and f.get("assessment_date") is None:
            r.bad("assessment_date", "required (or pass assessment_date to assess)")
        ap_assessment_date(adate)
        y = adate.year if adate else None
        ap_year(y)

        code = f.get("industry_code")
        grp = None
        if code is not None:
            if type(code) is not str:
                r.bad("industry_code", "expected a string")
                code = None
            else:
                grp = industry_group(code)
                if grp is None and _is_malformed_code(code):
                    r.bad("industry_code", f"not a GB/T 4754-2017 code: {code!r}")
        ap_industry_code(code)
        ap_industry_group(grp)

        years = f.get("years")
        if years is None:
            years = {}
        elif type(years) is not dict:
            r.bad("years", f"expected an object, got {type(years).__name__}")
            years = {}
        # Hot loop (100k firms x 30 figures): plain non-negative ints take an inline
        # fast path and a field path string is only built when there is a problem.
        for k in (1, 2, 3):
            key = str(y - k) if y else ""
            yd = years.get(key)
            if yd is None and y:
                yd = years.get(y - k)  # Python callers may key years by int
            if yd is None:
                yd = {}
            elif type(yd) is not dict:
                r.bad(f"years.{key}", f"expected an object, got {type(yd).__name__}")
                yd = {}
            for fld, app in money_apps[k]:
                v = yd.get(fld)
                if v is None:
                    app(None)
                elif type(v) is int and 0 <= v <= MONEY_LIMIT_CNY:
                    app(v * 100)
                else:
                    app(r.money(v, f"years.{key}.{fld}", signed=fld == "net_profit"))
            for fld, app in head_apps[k]:
                v = yd.get(fld)
                if v is None or (type(v) is int and v >= 0):
                    app(v)
                else:
                    app(r.integer(v, f"years.{key}.{fld}"))
        if len(years) > 3 or any(
            type(k) is not str or not (len(k) == 4 and k.isdigit()) for k in years
        ):
            ymap = _year_map(r, years, "years")
            for yk, yv in ymap.items():  # years we do not read must still be well-formed
                if y is None or yk not in (y - 1, y - 2, y - 3):
                    yd = r.obj(yv, f"years.{yk}") or {}
                    for fld in MONEY_FIELDS:
                        r.money(yd.get(fld), f"years.{yk}.{fld}", signed=fld == "net_profit")
                    for fld in HEADCOUNT_FIELDS:
                        r.integer(yd.get(fld), f"years.{yk}.{fld}")
        else:
            for yk, yv in years.items():
                if y is None or int(yk) not in (y - 1, y - 2, y - 3):
                    yd = r.obj(yv, f"years.{yk}") or {}
                    for fld in MONEY_FIELDS:
                        r.money(yd.get(fld), f"years.{yk}.{fld}", signed=fld == "net_profit")
                    for fld in HEADCOUNT_FIELDS:
                        r.integer(yd.get(fld), f"years.{yk}.{fld}")

        ap_niche_years(
            r.scaled(f.get("niche_years"), "niche_years", MICRO, "6 decimals")
            if f.get("niche_years") is not None
            else None
        )
        ip = r.obj(f.get("ip"), "ip") or {}
        for fld, app in ip_apps:
            v = ip.get(fld)
            app(v if v is None or (type(v) is int and v >= 0) else r.integer(v, f"ip.{fld}"))
        ap_strategic_emerging(r.boolean(f.get("strategic_emerging"), "strategic_emerging"))
        ap_main_product_field(
            r.enum(f.get("main_product_field"), "main_product_field", MAIN_PRODUCT_FIELDS)
        )
        ap_rd_institution(r.enum(f.get("rd_institution"), "rd_institution", RD_INSTITUTIONS))
        ap_digital_level(r.integer(f.get("digital_level"), "digital_level", 0, 4))
        ap_led_standard_5y(r.boolean(f.get("led_standard_5y"), "led_standard_5y"))
        ap_is_re_review(r.boolean(f.get("is_re_review"), "is_re_review"))
        pp = f.get("provincial_points")
        ap_provincial_points(
            r.scaled(pp, "provincial_points", MICRO, "6 decimals", lo=0, hi=15 * MICRO)
            if pp is not None
            else None
        )

        q = r.obj(f.get("quality"), "quality") or {}
        for fld, app in quality_apps:
            v = q.get(fld)
            app(v if v is None or type(v) is bool else r.boolean(v, f"quality.{fld}"))
        ql = r.obj(f.get("qualitative"), "qualitative") or {}
        for fld, app in qualitative_apps:
            v = ql.get(fld)
            app(v if v is None or type(v) is bool else r.boolean(v, f"qualitative.{fld}"))
        cp = r.obj(f.get("compliance"), "compliance") or {}
        for fld, app in compliance_apps:
            v = cp.get(fld)
            app(v if v is None or type(v) is bool else r.boolean(v, f"compliance.{fld}"))

        mk = r.obj(f.get("market"), "market") or {}
        share = mk.get("share")
        ap_market_share(
            r.scaled(share, "market.share", MICRO, "6 decimals", lo=0, hi=MICRO)
            if share is not None
            else None
        )
        ap_market_domestic_rank(r.integer(mk.get("domestic_rank"), "market.domestic_rank", lo=1))
        ap_market_leading_confirmed(
            r.boolean(mk.get("leading_confirmed"), "market.leading_confirmed")
        )

        ds = r.obj(f.get("development_score"), "development_score")
        dmap = _year_map(r, ds, "development_score") if ds else {}
        for k, col in ((0, "development_score_y0"), (1, "development_score_y1")):
            v = dmap.get(y - k) if y else None
            cols[col].append(
                r.scaled(v, f"development_score.{y - k if y else '?'}", MICRO, "6 decimals")
                if v is not None
                else None
            )

        # chuangke: absent/null = unknown; {} or false = known, no placing.
        ck = f.get("chuangke")
        ck_group = ck_year = None
        if ck is False:
            ck_group = "none"
        elif ck is not None:
            ckd = r.obj(ck, "chuangke")
            if ckd is not None:
                if not ckd:
                    ck_group = "none"
                else:
                    ck_group = r.enum(ckd.get("group"), "chuangke.group", CHUANGKE_GROUPS)
                    ck_year = r.integer(ckd.get("year"), "chuangke.year", lo=1900, hi=2999)
        ap_chuangke_group(ck_group)
        ap_chuangke_year(ck_year)

        titles = r.lst(f.get("titles"), "titles")
        ap_titles_known(titles is not None)
        for i, t in enumerate(titles or ()):
            td = r.obj(t, f"titles[{i}]")
            if td is None:
                continue
            t_rows.append(row)
            t_kind.append(r.enum(td.get("kind"), f"titles[{i}].kind", TITLE_KINDS))
            t_until.append(r.date(td.get("valid_until"), f"titles[{i}].valid_until"))
        awards = r.lst(f.get("awards"), "awards")
        ap_awards_known(awards is not None)
        for i, a in enumerate(awards or ()):
            ad = r.obj(a, f"awards[{i}]")
            if ad is None:
                continue
            a_rows.append(row)
            a_level.append(r.enum(ad.get("level"), f"awards[{i}].level", AWARD_LEVELS))
            a_year.append(r.integer(ad.get("year"), f"awards[{i}].year", lo=1900, hi=2999))
            a_rank.append(r.integer(ad.get("rank"), f"awards[{i}].rank", lo=1))
        equity = r.lst(f.get("equity_financing"), "equity_financing")
        ap_equity_known(equity is not None)
        for i, e in enumerate(equity or ()):
            ed = r.obj(e, f"equity_financing[{i}]")
            if ed is None:
                continue
            e_rows.append(row)
            e_year.append(
                r.integer(ed.get("year"), f"equity_financing[{i}].year", lo=1900, hi=2999)
            )
            e_amount.append(r.money(ed.get("amount"), f"equity_financing[{i}].amount"))

    schema: dict[str, Any] = {c: pl.Int64 for c in _INT_COLS}
    schema.update({c: pl.Boolean for c in _BOOL_COLS})
    schema.update({c: pl.String for c in _STR_COLS})
    schema["assessment_date"] = pl.Date
    n = row + 1
    main = pl.DataFrame(cols, schema=schema).with_columns(
        pl.Series("row", range(n), dtype=pl.Int64)
    )
    years_of = cols["year"]
    dates_of = cols["assessment_date"]
    titles_df = pl.DataFrame(
        {
            "row": t_rows,
            "kind": t_kind,
            "valid_until": t_until,
            "date": [dates_of[i] for i in t_rows],
        },
        schema={"row": pl.Int64, "kind": pl.String, "valid_until": pl.Date, "date": pl.Date},
    )
    awards_df = pl.DataFrame(
        {
            "row": a_rows,
            "level": a_level,
            "year": a_year,
            "rank": a_rank,
            "y": [years_of[i] for i in a_rows],
        },
        schema={
            "row": pl.Int64,
            "level": pl.String,
            "year": pl.Int64,
            "rank": pl.Int64,
            "y": pl.Int64,
        },
    )
    equity_df = pl.DataFrame(
        {"row": e_rows, "year": e_year, "amount": e_amount, "y": [years_of[i] for i in e_rows]},
        schema={"row": pl.Int64, "year": pl.Int64, "amount": pl.Int64, "y": pl.Int64},
    )
    return FactsFrame(main, titles_df, awards_df, equity_df), problems


def _is_malformed_code(code: str) -> bool:
    from oasis.rules.sizing import normalise_industry_code

    return normalise_industry_code(code) is None


def validate_facts(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check facts against the contract; return every problem as
    ``{"enterprise_id", "field", "message"}`` (empty list when all is well)."""
    if type(facts) is not list:
        return [{"enterprise_id": None, "field": "", "message": "expected a list of facts objects"}]
    _, problems = flatten_facts(facts)
    return problems


def facts_frame(
    facts: list[dict[str, Any]] | Iterable[dict[str, Any]], default_date: dt.date | None = None
) -> FactsFrame:
    """Validate and flatten, raising ``FactsError`` (naming the first problem) if any."""
    frame, problems = flatten_facts(facts, default_date)
    if problems:
        p = problems[0]
        raise FactsError(p["enterprise_id"], p["field"], p["message"], problems)
    return frame
