"""SME sizing (工信部联企业〔2011〕300号) from GB/T 4754-2017 codes, vectorised.

The thresholds and the code -> industry-group mapping are data
(``rulesets/sme-sizing-2011.toml``).  ``size_expr`` builds one Polars expression
used by the bulk engine; the scalar ``size_class`` runs that same expression on a
one-row frame so there is a single implementation.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from oasis.rules.ruleset import RULESETS_DIR

MEASURES = ("employees", "revenue", "total_assets")
#: Frame columns holding the Y-1 figures the sizing reads (reading 8).
MEASURE_COLUMNS = {
    "employees": "y1_employees",
    "revenue": "y1_revenue",
    "total_assets": "y1_total_assets",
}
MONEY_MEASURES = ("revenue", "total_assets")
_FEN_PER_10K_CNY = 10_000 * 100
_CODE = re.compile(r"^([A-T])?(\d{2,4})?$")


@dataclass(frozen=True)
class SizingGroup:
    key: str
    number: int
    label: str
    label_en: str
    # measure -> bound, money already in fen so it compares with frame columns
    sme_cap: dict[str, int]
    medium: dict[str, int]
    small: dict[str, int]


@dataclass(frozen=True)
class SizingTable:
    document: str
    groups: dict[str, SizingGroup]
    sections: dict[str, tuple[int, int]]
    prefixes: dict[str, str]
    default_group: str


def _bounds(raw: dict[str, Any]) -> dict[str, int]:
    out = {}
    for m, v in raw.items():
        if m not in MEASURES:
            raise ValueError(f"unknown sizing measure {m!r}")
        out[m] = int(v) * _FEN_PER_10K_CNY if m in MONEY_MEASURES else int(v)
    return out


@lru_cache(maxsize=1)
def sizing_table() -> SizingTable:
    """The 2011 sizing table, loaded once."""
    with (RULESETS_DIR / "sme-sizing-2011.toml").open("rb") as fh:
        data = tomllib.load(fh)
    groups = {
        k: SizingGroup(
            k,
            int(g["number"]),
            g["label"],
            g["label_en"],
            _bounds(g["sme_cap"]),
            _bounds(g["medium"]),
            _bounds(g["small"]),
        )
        for k, g in data["groups"].items()
    }
    imap = data["industry_map"]
    return SizingTable(
        document=data["meta"]["document"],
        groups=groups,
        sections={k: (int(a), int(b)) for k, (a, b) in data["gbt4754"]["sections"].items()},
        prefixes=dict(imap["prefixes"]),
        default_group=str(imap["default_group"]),
    )


def normalise_industry_code(code: str) -> str | None:
    """ "39" / "C39" / "3911" -> "C3911"-style (section letter + digits); None if malformed."""
    m = _CODE.match(code.strip().upper())
    if not m or not (m.group(1) or m.group(2)):
        return None
    letter, digits = m.group(1), m.group(2) or ""
    if len(digits) == 1:
        return None
    if digits:
        div = int(digits[:2])
        found = [s for s, (a, b) in sizing_table().sections.items() if a <= div <= b]
        if not found or (letter and letter != found[0]):
            return None
        letter = found[0]
    return f"{letter}{digits}"


@lru_cache(maxsize=4096)
def industry_group(code: str) -> str | None:
    """Sizing group for a GB/T 4754 code at any level, or None if the code is too coarse.

    Longest matching prefix wins.  A code is too coarse when a longer prefix under it
    maps to a different group ("F" could be wholesale or retail; "K70" could be
    development or property management): sizing then stays unknown -> review.
    """
    norm = normalise_industry_code(code)
    if norm is None:
        return None
    t = sizing_table()
    best = None
    for p in t.prefixes:
        if norm.startswith(p) and (best is None or len(p) > len(best)):
            best = p
    group = t.prefixes[best] if best else t.default_group
    below = {g for p, g in t.prefixes.items() if p.startswith(norm) and len(p) > len(norm)}
    if below - {group}:
        return None
    return group


def size_expr(group_col: str = "industry_group") -> pl.Expr:
    """Polars expression: size class (micro/small/medium/large, null = unknown)."""
    t = sizing_table()

    def bound(attr: str, m: str) -> pl.Expr:
        mapping = {k: getattr(g, attr)[m] for k, g in t.groups.items() if m in getattr(g, attr)}
        return pl.col(group_col).replace_strict(mapping, default=None, return_dtype=pl.Int64)

    below_cap, ge_med, ge_small = [], [], []
    for m in MEASURES:
        v = pl.col(MEASURE_COLUMNS[m])
        cap, med, sml = bound("sme_cap", m), bound("medium", m), bound("small", m)
        # A measure the group does not use must not make the result unknown: it is
        # False for "any below the cap" and True for "all reach the bound".
        below_cap.append(pl.when(cap.is_null()).then(False).otherwise(v < cap))
        ge_med.append(pl.when(med.is_null()).then(True).otherwise(v >= med))
        ge_small.append(pl.when(sml.is_null()).then(True).otherwise(v >= sml))
    sme = pl.any_horizontal(below_cap)  # Kleene: one known "below" is enough
    med = pl.all_horizontal(ge_med)
    small = pl.all_horizontal(ge_small)
    return (
        pl.when(pl.col(group_col).is_null())
        .then(None)
        .when(sme.not_())
        .then(pl.lit("large"))
        .when(sme & med)
        .then(pl.lit("medium"))
        .when(sme & med.not_() & small)
        .then(pl.lit("small"))
        .when(sme & small.not_())
        .then(pl.lit("micro"))
        .otherwise(None)
    )
