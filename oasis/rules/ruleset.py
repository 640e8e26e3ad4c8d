"""Rule sets as data: load the TOML files in ``rulesets/`` into frozen dataclasses.

A rule set is one official document + version (``miit-2022``, ``miit-2026``).  The
code here only knows the *kinds* of rule (compare, bands, title, award…); every
threshold, band, point value, label and confidence mark lives in the TOML so that a
corrected threshold is a data edit.  See docs/rules.md for the layout.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from oasis.rules.tiers import Tier

RULESETS_DIR = Path(__file__).parent / "rulesets"

#: Date from which ``auto`` picks the 2026 rules (工信部企业〔2026〕2号 in force).
MIIT_2026_FROM = dt.date(2026, 4, 1)

COMBINES = ("all_of", "any_of", "points")
QUANTITY_KINDS = ("value", "ratio", "growth", "mean_growth", "cagr", "sum", "mean")
BOOLEAN_KINDS = (
    "compare",
    "flag",
    "enum_in",
    "title",
    "award",
    "equity",
    "chuangke",
    "size_class",
    "development_score",
)
POINTS_KINDS = (
    "bands",
    "best_of",
    "cases",
    "enum_points",
    "count_points",
    "per_unit_points",
    "fact_points",
)
OPS = (">=", ">", "<=", "<", "==")
HELP_KEYS = (
    "shared_technology",
    "ip_services",
    "shared_finance",
    "shared_digital",
    "shared_brand",
    "shared_manufacturing",
)
_YEAR_PATH = re.compile(r"^years\[Y-([123])\]\.([a-z_]+)$")


class RuleSetError(Exception):
    """A rule-set file is malformed (a programming/data error, not a facts error)."""


def column_for(path: str) -> str:
    """Map a contract fact path ("years[Y-1].revenue", "ip.class1") to a frame column."""
    m = _YEAR_PATH.match(path)
    if m:
        return f"y{m.group(1)}_{m.group(2)}"
    return path.replace(".", "_")


@dataclass(frozen=True)
class Quantity:
    """A number a rule reads, kept as an exact rational num/den (see engine)."""

    kind: str
    facts: tuple[str, ...]
    cagr_years: int = 1


@dataclass(frozen=True)
class Band:
    threshold: Fraction
    text: str
    points: int


@dataclass(frozen=True)
class Case:
    fact: str
    min: int
    points: int


@dataclass(frozen=True)
class Rule:
    """One leaf criterion.  Only the fields its ``kind`` needs are set."""

    id: str
    kind: str
    label: str
    label_en: str
    confidence: str
    source: str = ""
    help: str | None = None
    dimension: str | None = None
    quantity: Quantity | None = None
    unit: str = ""
    op: str | None = None
    threshold: Fraction | None = None
    threshold_text: str | None = None
    bands: tuple[Band, ...] = ()
    options: tuple[Rule, ...] = ()
    cases: tuple[Case, ...] = ()
    fact: str | None = None
    facts: tuple[str, ...] = ()
    expect: bool | None = None
    values: tuple[str, ...] = ()
    points_map: tuple[tuple[str, int], ...] = ()
    per_item: int = 0
    per: Fraction | None = None
    cap: int = 0
    max_value: int = 0
    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    within_years: int = 0
    max_rank: int | None = None
    groups: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    re_review_years: int = 1
    skip_if_re_review: bool = False

    @property
    def is_points(self) -> bool:
        return self.kind in POINTS_KINDS

    @property
    def max_points(self) -> int:
        """Best score the rule can give (0 for pass/fail rules)."""
        if self.kind == "bands":
            return max(b.points for b in self.bands)
        if self.kind == "best_of":
            return max(o.max_points for o in self.options)
        if self.kind == "cases":
            return max(c.points for c in self.cases)
        if self.kind == "enum_points":
            return max(p for _, p in self.points_map)
        if self.kind in ("count_points", "per_unit_points"):
            return self.cap
        if self.kind == "fact_points":
            return self.max_value
        return 0

    def reads(self) -> tuple[str, ...]:
        """Contract fact paths this rule reads (for ``missing``)."""
        out: list[str] = []
        if self.quantity is not None:
            out.extend(self.quantity.facts)
        for o in self.options:
            out.extend(o.reads())
        out.extend(c.fact for c in self.cases)
        if self.fact:
            out.append(self.fact)
        out.extend(self.facts)
        extra = {
            "title": ["titles"],
            "award": ["awards"],
            "equity": ["equity_financing"],
            "chuangke": ["chuangke"],
            "development_score": ["development_score"],
            "size_class": [
                "industry_code",
                "years[Y-1].employees",
                "years[Y-1].revenue",
                "years[Y-1].total_assets",
            ],
        }.get(self.kind, [])
        out.extend(extra)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Group:
    """A combinator: all_of / any_of over items, or a points table with a pass mark."""

    id: str
    combine: str
    items: tuple[str, ...]
    pass_mark: int = 0
    dimension_minimums: tuple[tuple[str, int], ...] = ()
    required_positive: tuple[str, ...] = ()


@dataclass(frozen=True)
class TierRules:
    """One tier's rules in a rule set: its groups, its rules and the group at the root."""

    key: str
    label: str
    label_en: str
    source: str
    confidence: str
    title_kind: str
    root: str
    groups: dict[str, Group] = field(hash=False)
    rules: dict[str, Rule] = field(hash=False)

    @property
    def points_group(self) -> Group | None:
        """The tier's points table, whose total is reported as the tier score."""
        for g in self.groups.values():
            if g.combine == "points":
                return g
        return None


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    document: str
    effective_from: dt.date
    tier_order: tuple[str, ...]
    common: tuple[Rule, ...]
    tiers: dict[str, TierRules] = field(hash=False)

    def tier_rules(self, tier: str) -> list[Rule]:
        """Rules listed in a tier's verdict: common eligibility first, then the tier's own."""
        return [*self.common, *self.tiers[tier].rules.values()]


def _frac(text: Any, where: str) -> Fraction:
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        raise RuleSetError(f"{where}: thresholds must be decimal strings or integers, got {text!r}")
    return Fraction(str(text))


def _quantity(spec: dict[str, Any], where: str) -> Quantity | None:
    found = [k for k in QUANTITY_KINDS if k in spec]
    if not found:
        return None
    if len(found) > 1:
        raise RuleSetError(f"{where}: more than one quantity ({found})")
    k = found[0]
    raw = spec[k]
    facts = (raw,) if isinstance(raw, str) else tuple(raw)
    need = {"value": 1, "ratio": 2, "growth": 2, "mean_growth": 3, "cagr": 2}.get(k)
    if need is not None and len(facts) != need:
        raise RuleSetError(f"{where}: {k} needs {need} facts")
    return Quantity(kind=k, facts=facts, cagr_years=int(spec.get("cagr_years", 1)))


def _bands(raw: list[Any], where: str) -> tuple[Band, ...]:
    bands = tuple(Band(_frac(t, where), str(t), int(p)) for t, p in raw)
    pts = [b.points for b in bands]
    # First match wins, so bands must run from best to worst; this is what makes a
    # boundary value take the higher-scoring band (reading 1).
    if pts != sorted(pts, reverse=True):
        raise RuleSetError(f"{where}: bands must be listed best first")
    return bands


def _rule(rid: str, spec: dict[str, Any], where: str) -> Rule:
    kind = spec.get("kind")
    if kind not in BOOLEAN_KINDS + POINTS_KINDS and not (
        where.endswith("option") and "bands" in spec
    ):
        raise RuleSetError(f"{where}: unknown kind {kind!r}")
    help_key = spec.get("help")
    if help_key is not None and help_key not in HELP_KEYS:
        raise RuleSetError(f"{where}: unknown help key {help_key!r}")
    op = spec.get("op")
    if op is not None and op not in OPS:
        raise RuleSetError(f"{where}: unknown op {op!r}")
    conf = spec.get("confidence", "M")
    if conf not in ("H", "M", "L"):
        raise RuleSetError(f"{where}: confidence must be H, M or L")
    quantity = _quantity(spec, where)
    if kind in ("compare", "bands", "per_unit_points", "fact_points") and quantity is None:
        raise RuleSetError(f"{where}: {kind} needs a quantity")
    if quantity is not None and quantity.kind == "cagr" and op not in (">=", ">"):
        raise RuleSetError(f"{where}: cagr compares only with >= or >")
    rule = Rule(
        id=rid,
        kind=str(kind or "bands"),
        label=str(spec.get("label", rid)),
        label_en=str(spec.get("label_en", rid)),
        confidence=conf,
        source=str(spec.get("source", "")),
        help=help_key,
        dimension=spec.get("dimension"),
        quantity=quantity,
        unit=str(spec.get("unit", "")),
        op=op,
        threshold=_frac(spec["threshold"], where) if "threshold" in spec else None,
        threshold_text=str(spec["threshold"]) if "threshold" in spec else None,
        bands=_bands(spec["bands"], where) if "bands" in spec else (),
        options=tuple(
            _rule(f"{rid}[{i}]", {**o, "kind": "bands"}, f"{where}.option")
            for i, o in enumerate(spec.get("options", ()))
        ),
        cases=tuple(
            Case(str(c["fact"]), int(c["min"]), int(c["points"])) for c in spec.get("cases", ())
        ),
        fact=spec.get("fact"),
        facts=tuple(spec.get("facts", ())),
        expect=spec.get("expect"),
        values=tuple(spec.get("values", ())),
        points_map=tuple((str(k), int(v)) for k, v in spec.get("points", {}).items()),
        per_item=int(spec.get("per_item", 0)),
        per=_frac(spec["per"], where) if "per" in spec else None,
        cap=int(spec.get("cap", 0)),
        max_value=int(spec.get("max", 0)),
        kinds=tuple(spec.get("kinds", ())),
        levels=tuple(spec.get("levels", ())),
        within_years=int(spec.get("within_years", 0)),
        max_rank=spec.get("max_rank"),
        groups=tuple(spec.get("groups", ())),
        allowed=tuple(spec.get("allowed", ())),
        re_review_years=int(spec.get("re_review_years", 1)),
        skip_if_re_review=bool(spec.get("skip_if_re_review", False)),
    )
    if rule.kind in ("compare",) and (rule.op is None or rule.threshold is None):
        raise RuleSetError(f"{where}: compare needs op and threshold")
    return rule


def _read(name: str) -> dict[str, Any]:
    path = RULESETS_DIR / f"{name}.toml"
    if not path.is_file():
        raise KeyError(f"unknown rule set {name!r}; available: {available_rule_sets()}")
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _tier(key: str, spec: dict[str, Any], common_ids: set[str], where: str) -> TierRules:
    if "inherit" in spec:
        # The tier is defined by another document (2026 keeps the 2022 innovative-SME
        # table): reuse it so one edit changes both, but keep our own source note.
        base = _read(str(spec["inherit"]))["tiers"][key]
        spec = {**base, **{k: v for k, v in spec.items() if k != "inherit"}}
    rules = {rid: _rule(rid, r, f"{where}.rules.{rid}") for rid, r in spec.get("rules", {}).items()}
    clash = common_ids & set(rules)
    if clash:
        raise RuleSetError(f"{where}: rule ids clash with common rules: {sorted(clash)}")
    groups: dict[str, Group] = {}
    for gid, g in spec.get("groups", {}).items():
        if g.get("combine") not in COMBINES:
            raise RuleSetError(f"{where}.groups.{gid}: combine must be one of {COMBINES}")
        groups[gid] = Group(
            id=gid,
            combine=g["combine"],
            items=tuple(g["items"]),
            pass_mark=int(g.get("pass_mark", 0)),
            dimension_minimums=tuple(
                (str(k), int(v)) for k, v in g.get("dimension_minimums", {}).items()
            ),
            required_positive=tuple(g.get("required_positive", ())),
        )
    for g in groups.values():
        for item in g.items:
            if item != "common" and item not in rules and item not in groups:
                raise RuleSetError(f"{where}.groups.{g.id}: unknown item {item!r}")
            if g.combine == "points" and (item not in rules or not rules[item].is_points):
                raise RuleSetError(
                    f"{where}.groups.{g.id}: points tables take points rules only ({item})"
                )
            if g.combine != "points" and item in rules and rules[item].is_points:
                raise RuleSetError(
                    f"{where}.groups.{g.id}: points rule {item} outside a points table"
                )
    if spec.get("root") not in groups:
        raise RuleSetError(f"{where}: root must name a group")
    return TierRules(
        key=key,
        label=str(spec["label"]),
        label_en=str(spec["label_en"]),
        source=str(spec.get("source", "")),
        confidence=str(spec.get("confidence", "M")),
        title_kind=str(spec.get("title_kind", key)),
        root=str(spec["root"]),
        groups=groups,
        rules=rules,
    )


@cache
def load_rule_set(name: str) -> RuleSet:
    """Load a rule set by name (``miit-2022``, ``miit-2026``); cached, immutable."""
    data = _read(name)
    meta = data["meta"]
    common = tuple(
        _rule(rid, r, f"{name}.common.rules.{rid}") for rid, r in data["common"]["rules"].items()
    )
    common_ids = {r.id for r in common}
    tiers = {k: _tier(k, t, common_ids, f"{name}.tiers.{k}") for k, t in data["tiers"].items()}
    order = tuple(meta["tier_order"])
    if set(order) != set(tiers):
        raise RuleSetError(f"{name}: tier_order must list every tier")
    unknown = set(order) - set(Tier)
    if unknown:
        raise RuleSetError(f"{name}: unknown tiers {sorted(unknown)} (see oasis/rules/tiers.py)")
    eff = meta["effective_from"]
    return RuleSet(
        name=str(meta["name"]),
        title=str(meta["title"]),
        document=str(meta["document"]),
        effective_from=eff if isinstance(eff, dt.date) else dt.date.fromisoformat(str(eff)),
        tier_order=order,
        common=common,
        tiers=tiers,
    )


def available_rule_sets() -> list[str]:
    """Names of the shipped tier rule sets (the sizing table is not one of them)."""
    return sorted(p.stem for p in RULESETS_DIR.glob("miit-*.toml"))


def pick_rule_set(name: str, assessment_date: dt.date | str | None) -> str:
    """Resolve ``auto`` by date (on or after 2026-04-01 -> miit-2026); else check the name."""
    if name != "auto":
        if name not in available_rule_sets():
            raise KeyError(f"unknown rule set {name!r}; available: {available_rule_sets()}")
        return name
    if assessment_date is None:
        raise ValueError("rule_set='auto' needs an assessment date")
    d = (
        dt.date.fromisoformat(assessment_date)
        if isinstance(assessment_date, str)
        else assessment_date
    )
    return "miit-2026" if d >= MIIT_2026_FROM else "miit-2022"
