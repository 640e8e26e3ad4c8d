"""Reads of the cultivation app, always scoped by the user.

Verdicts are computed, not stored: the facts are read from the database in columns
(`facts.build_facts_frame`) and evaluated by the engine's bulk path; the enterprise page
is that same path on a one-firm queryset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can, user_is_staff
from oasis.core.cache import parks_cache_key
from oasis.core.selectors import first_or_404
from oasis.enterprises.models import Enterprise
from oasis.enterprises.selectors import enterprise_get_for_user, enterprise_queryset_for_user
from oasis.parks.models import Park
from oasis.parks.selectors import park_ids_for_user
from oasis.rules import RuleSet, assess_frame, explain, load_rule_set, pick_rule_set
from oasis.rules.tiers import LEVEL

from .facts import build_facts_frame
from .filters import PoolFilter, ScreeningFilter
from .models import PoolEntry, Reminder, Title

#: Park services named by the engine's `help` keys, linked to the service catalogue.
HELP_SERVICES: dict[str, tuple[Any, str]] = {
    "shared_technology": (_("共享技术：共性技术中心、实验室与专家"), "/sharing/#shared_technology"),
    "ip_services": (_("知识产权服务"), "/sharing/#ip_services"),
    "shared_finance": (_("共享金融：投资机构、银行与基金"), "/sharing/#shared_finance"),
    "shared_digital": (_("共享数字：数字化转型服务"), "/sharing/#shared_digital"),
    "shared_brand": (_("共享品牌：市场推广与活动"), "/sharing/#shared_brand"),
    "shared_manufacturing": (_("共享智造：产线与测试平台"), "/sharing/#shared_manufacturing"),
}
STATUS_LABELS = {"qualified": _("符合"), "not_qualified": _("不符合"), "review": _("待核实")}
SIZE_LABELS = {"micro": _("微型"), "small": _("小型"), "medium": _("中型"), "large": _("大型")}
NEAR_MISS_SHARE = Fraction(1, 10)


def assessment_day(on: dt.date | None = None) -> dt.date:
    return on or timezone.localdate()


def rule_set_for(name: str | None, on: dt.date) -> RuleSet:
    return load_rule_set(pick_rule_set(name or "auto", on))


# ------------------------------------------------------------------ one firm


def enterprise_verdict(
    *, enterprise: Enterprise, rule_set: str | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """The verdict JSON (contract shape, one result) of a stored firm. The caller has
    already passed the access helper for ``enterprise``. Cached like the screening, under
    the park's data version: the firm's page and the portal show it on every visit."""
    on = assessment_day(on)
    rs = rule_set_for(rule_set, on)
    key = parks_cache_key(f"verdict:{enterprise.pk}", [enterprise.park_id], on.isoformat(), rs.name)
    cached: dict[str, Any] | None = cache.get(key)
    if cached is not None:
        return cached
    ff, _ = build_facts_frame(Enterprise.objects.filter(pk=enterprise.pk), on)
    result = assess_frame(ff, rs.name)
    verdict = {
        "rule_set": rs.name,
        "document": rs.document,
        "assessment_date": on.isoformat(),
        "results": explain(ff, result, rs, rows=[0]),
    }
    cache.set(key, verdict, timeout=settings.DASHBOARD_CACHE_SECONDS)
    return verdict


def verdict_get_for_user(
    *, user: User, enterprise_id: int, rule_set: str | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    enterprise = enterprise_get_for_user(user=user, pk=enterprise_id)
    return enterprise_verdict(enterprise=enterprise, rule_set=rule_set, on=on)


FACT_LABELS = {
    "revenue": _("营业收入"),
    "main_business_revenue": _("主营业务收入"),
    "rd_expense": _("研发费用"),
    "total_assets": _("资产总额"),
    "total_liabilities": _("负债总额"),
    "net_profit": _("净利润"),
    "total_cost_expense": _("成本费用总额"),
    "employees": _("从业人数"),
    "rd_staff": _("研发人员"),
    "st_staff": _("科技人员"),
    "equity_financing": _("新增股权融资"),
}


def rule_set_label(label: str, label_en: str | None = None) -> str:
    """A rule-set label (tier or rule) in the page's language. The rule sets carry a
    Chinese label and an English one; in English a catalogue translation of the Chinese
    label wins (the tiers are also model choices), then the rule set's own English."""
    if not (get_language() or "").startswith("en"):
        return label
    translated = gettext(label)
    return translated if translated != label else (label_en or label)


def _rule_label(rs: RuleSet, tier: str, rule_id: str) -> str:
    rule = rs.tiers[tier].rules.get(rule_id) or next(
        (r for r in rs.common if r.id == rule_id), None
    )
    return rule_set_label(rule.label, rule.label_en) if rule else rule_id


def step_text(rs: RuleSet, step: dict[str, Any]) -> str:
    """A next-tier step in the page's language (the engine writes English)."""
    label = _rule_label(rs, step["tier"], step["rule"])
    fact, amount, unit = step.get("fact") or "", step.get("amount"), step.get("unit")
    if step["action"] in ("increase", "decrease") and amount is not None:
        shown = f"¥{amount:,}" if unit == "cny" else f"{amount}"
        parts = fact.split(".")
        if len(parts) == 3 and parts[0] == "years":
            what = gettext("%(year)s 年%(fact)s") % {
                "year": parts[1],
                "fact": FACT_LABELS.get(parts[2], parts[2]),
            }
        else:
            what = str(FACT_LABELS.get(fact, fact))
        if step["action"] == "increase":
            text = gettext("%(what)s还差 %(amount)s") % {"what": what, "amount": shown}
        else:
            text = gettext("%(what)s超出 %(amount)s") % {"what": what, "amount": shown}
        return gettext("%(label)s：%(text)s") % {"label": label, "text": text}
    if "points_to" in step:
        return gettext("%(label)s：%(a)s → %(b)s 分") % {
            "label": label,
            "a": f"{step['points_from']:g}",
            "b": f"{step['points_to']:g}",
        }
    if step["action"] == "provide":
        return gettext("补充数据：%(fact)s（%(label)s）") % {"fact": fact, "label": label}
    return gettext("达成：%(label)s") % {"label": label}


def _help(key: str | None) -> dict[str, Any] | None:
    if key is None or key not in HELP_SERVICES:
        return None
    label, url = HELP_SERVICES[key]
    return {"key": key, "label": label, "url": url}


def verdict_panel(
    *, user: User, enterprise: Enterprise, rule_set: str | None = None, on: dt.date | None = None
) -> dict[str, Any]:
    """What the enterprise page shows: tiers indicator by indicator and the path.
    ``enterprise`` comes from `enterprise_get_for_user`, so a member only ever gets their own."""
    verdict = enterprise_verdict(enterprise=enterprise, rule_set=rule_set, on=on)
    rs = load_rule_set(verdict["rule_set"])
    entry = verdict["results"][0]
    tiers = []
    for key in rs.tier_order:
        t = entry["tiers"][key]
        rules = [
            {
                **r,
                "label": rule_set_label(r["label"], r.get("label_en")),
                "help_link": _help(r.get("help")),
            }
            for r in t["rules"]
        ]
        tiers.append(
            {
                "key": key,
                "label": rule_set_label(rs.tiers[key].label, rs.tiers[key].label_en),
                "status": t["status"],
                "status_label": STATUS_LABELS[t["status"]],
                "score": t["score"],
                "score_max": t.get("score_max"),
                "rules": rules,
                "missing": t["missing"],
            }
        )
    path = entry.get("next_tier")
    if path:
        steps = [
            {**s, "text_zh": step_text(rs, s), "help_link": _help(s.get("help"))}
            for s in path.get("steps", [])
        ]
        helps = {s["help_link"]["key"]: s["help_link"] for s in steps if s["help_link"]}
        path = {**path, "steps": steps, "services": list(helps.values())}
        if "label" in path:
            path["label"] = rule_set_label(path["label"], path.get("label_en"))
    return {
        "rule_set": rs.name,
        "document": rs.document,
        "assessment_date": verdict["assessment_date"],
        "size_class": entry["size_class"],
        "tiers": tiers,
        "next_tier": path,
        "can_change": cultivation_can_change(user=user, enterprise=enterprise),
        "enterprise_id": enterprise.pk,
    }


def cultivation_can_change(*, user: User, enterprise: Enterprise) -> bool:
    """Only park staff with the enterprise-change capability edit the innovation file
    (qualitative judgements are the park's); members and viewers read."""
    if getattr(user, "is_member", False):
        return False
    return user_can(user, enterprise.park_id, roles.ENTERPRISE_CHANGE)


# ------------------------------------------------------------------ screening


@dataclass
class ScreeningRow:
    enterprise_id: int
    name: str
    uscc: str | None
    row: int
    size_class: str | None
    statuses: list[tuple[str, str, Any]]  # (tier, status, score)
    top_tier: str | None
    next_tier: str | None
    steps: list[dict[str, Any]]
    near_miss: list[str] = field(default_factory=list)

    @property
    def size_label(self) -> Any:
        return SIZE_LABELS.get(self.size_class) if self.size_class else None


@dataclass
class Screening:
    rule_set: RuleSet
    assessment_date: dt.date
    rows: list[ScreeningRow]
    result: pl.DataFrame
    counts: dict[str, dict[str, int]]

    @property
    def tiers(self) -> list[tuple[str, str]]:
        return [
            (k, rule_set_label(self.rule_set.tiers[k].label, self.rule_set.tiers[k].label_en))
            for k in self.rule_set.tier_order
        ]


def screening_queryset(*, user: User) -> QuerySet[Enterprise]:
    """Firms the screening covers: settled firms the user may see. Members see none
    (a member's verdict is on their own enterprise page)."""
    if not user.is_authenticated or getattr(user, "is_member", False):
        raise PermissionDenied
    return enterprise_queryset_for_user(user).filter(status=Enterprise.Status.SETTLED)


def _near_miss(rs: RuleSet, entry: dict[str, Any]) -> list[str]:
    """Why a firm is a near miss for its next tier: it fails by exactly one change, or a
    failed threshold (or the points pass mark) is within 10%."""
    path = entry.get("next_tier")
    if not path or not path.get("tier"):
        return []
    target = path["tier"]
    t = entry["tiers"][target]
    if t["status"] != "not_qualified":
        return []  # `review` lacks data, it is not "almost there"
    reasons = []
    common = {r.id for r in rs.common}
    steps = path.get("steps") or []
    if len(steps) == 1 and steps[0]["rule"] not in common:
        reasons.append("one_rule")
    tier = rs.tiers[target]
    rules = {r.id: r for r in tier.rules.values()}
    for item in t["rules"]:
        rule = rules.get(item["id"])
        if (
            item["passed"] is not False
            or rule is None
            or rule.threshold is None
            or item["value"] is None
        ):
            continue
        value = Fraction(str(item["value"]))
        op = rule.op or ">="
        if (
            rule.threshold > 0
            and op in (">=", ">")
            and value >= rule.threshold * (1 - NEAR_MISS_SHARE)
        ):
            reasons.append(item["id"])
        elif op in ("<=", "<") and value <= rule.threshold * (1 + NEAR_MISS_SHARE):
            reasons.append(item["id"])
    pg = tier.points_group
    score = t.get("score")
    if (
        pg is not None
        and score is not None
        and pg.pass_mark
        and pg.pass_mark * (1 - NEAR_MISS_SHARE) <= score < pg.pass_mark
    ):
        reasons.append("points")
    return reasons


def screening_run(*, user: User, filters: ScreeningFilter) -> Screening:
    """Every firm in the user's scope under one rule set, with the next-tier path and
    near misses. A fixed number of queries whatever the number of firms.

    Evaluating a park's firms costs about a second, so the result is cached under the
    data versions of the parks in scope (oasis.core.cache): a write that marks its park
    changed shows on the next request; `DASHBOARD_CACHE_SECONDS` bounds the rest."""
    on = assessment_day(filters.date)
    rs = rule_set_for(filters.rules, on)
    qs = screening_queryset(user=user)
    key = parks_cache_key(
        "screening", _scope_parks(user), on.isoformat(), rs.name, get_language() or ""
    )
    cached: Screening | None = cache.get(key)
    if cached is not None:
        return cached
    screening = _screening_compute(qs, on, rs)
    cache.set(key, screening, timeout=settings.DASHBOARD_CACHE_SECONDS)
    return screening


def _scope_parks(user: User) -> list[int]:
    parks = park_ids_for_user(user, roles.VIEW)
    if parks is None:  # platform superuser: every park
        return list(Park.objects.order_by("pk").values_list("pk", flat=True))
    return sorted(parks)


def _screening_compute(qs: QuerySet[Enterprise], on: dt.date, rs: RuleSet) -> Screening:
    ff, ids = build_facts_frame(qs, on)
    result = assess_frame(ff, rs.name)
    entries = explain(ff, result, rs)
    names = {pk: (name, uscc) for pk, name, uscc in qs.order_by().values_list("pk", "name", "uscc")}
    rows = []
    counts: dict[str, dict[str, int]] = {
        k: {"qualified": 0, "not_qualified": 0, "review": 0} for k in rs.tier_order
    }
    for i, (eid, entry) in enumerate(zip(ids, entries)):
        statuses = []
        top = None
        for k in rs.tier_order:
            st = entry["tiers"][k]["status"]
            counts[k][st] += 1
            statuses.append((k, st, entry["tiers"][k]["score"]))
            if st == "qualified" and (top is None or LEVEL[k] > LEVEL[top]):
                top = k
        path = entry.get("next_tier") or {}
        name, uscc = names[eid]
        rows.append(
            ScreeningRow(
                enterprise_id=eid,
                name=name,
                uscc=uscc,
                row=i,
                size_class=entry["size_class"],
                statuses=statuses,
                top_tier=top,
                next_tier=path.get("tier"),
                steps=path.get("steps") or [],
                near_miss=_near_miss(rs, entry),
            )
        )
    rows.sort(key=lambda r: (r.name, r.enterprise_id))
    return Screening(rule_set=rs, assessment_date=on, rows=rows, result=result, counts=counts)


def screening_rows(screening: Screening, filters: ScreeningFilter) -> list[ScreeningRow]:
    """The rows the filters keep. `status` applies to `tier` (or, without a tier, to the
    firm's next tier)."""
    rows = screening.rows
    if filters.q:
        term = filters.q.strip()
        rows = [r for r in rows if term in r.name or (r.uscc or "").startswith(term.upper())]
    if filters.tier:
        tier = str(filters.tier)
        if tier not in screening.rule_set.tiers:
            return []
        if filters.status:
            rows = [
                r for r in rows if dict((k, s) for k, s, _ in r.statuses)[tier] == filters.status
            ]
        else:
            rows = [r for r in rows if r.top_tier == tier]
    elif filters.status:
        rows = [
            r
            for r in rows
            if r.next_tier and dict((k, s) for k, s, _ in r.statuses)[r.next_tier] == filters.status
        ]
    if filters.near_miss:
        rows = [r for r in rows if r.near_miss]
    return rows


# ------------------------------------------------------------------ pool and titles


def _staff_scope(user: User) -> set[int] | None:
    if not user.is_authenticated or getattr(user, "is_member", False) or not user_is_staff(user):
        raise PermissionDenied
    return park_ids_for_user(user, roles.VIEW)


def pool_entry_queryset_for_user(user: User) -> QuerySet[PoolEntry]:
    parks = _staff_scope(user)
    qs = PoolEntry.objects.all()
    return qs if parks is None else qs.filter(enterprise__park_id__in=parks)


def pool_entry_list(*, user: User, filters: PoolFilter) -> QuerySet[PoolEntry]:
    qs = pool_entry_queryset_for_user(user).select_related("enterprise", "owner")
    return filters.filter_equal(qs).order_by("target_year", "enterprise__name", "id")


def pool_entry_get_for_user(*, user: User, pk: int) -> PoolEntry:
    return first_or_404(
        pool_entry_queryset_for_user(user).select_related("enterprise").filter(pk=pk)
    )


def title_queryset_for_user(user: User) -> QuerySet[Title]:
    """Titles of the firms the user may see (a member: their own firm's)."""
    return Title.objects.filter(enterprise__in=enterprise_queryset_for_user(user).values("pk"))


def tiers_held(*, enterprise_id: int, on: dt.date) -> list[str]:
    """The tiers a firm holds a title for that is still valid on `on`."""
    return list(
        Title.objects.filter(enterprise_id=enterprise_id, valid_until__gte=on)
        .values_list("kind", flat=True)
        .distinct()
    )


def enterprise_ids_holding(*, tier: str, on: dt.date) -> QuerySet[Title, Any]:
    """The ids of the firms holding `tier` on `on`, as a subquery (`pk__in=`)."""
    return Title.objects.filter(kind=tier, valid_until__gte=on).values("enterprise_id")


def title_list(*, user: User, expiring_before: dt.date | None = None) -> QuerySet[Title]:
    _staff_scope(user)
    qs = title_queryset_for_user(user).select_related("enterprise")
    if expiring_before:
        qs = qs.filter(valid_until__lte=expiring_before)
    return qs.order_by("valid_until", "id")


def title_get_for_user(*, user: User, pk: int) -> Title:
    return first_or_404(title_queryset_for_user(user).select_related("enterprise").filter(pk=pk))


def reminder_list(*, user: User, open_only: bool = True) -> QuerySet[Reminder]:
    parks = _staff_scope(user)
    qs = Reminder.objects.select_related("title", "title__enterprise")
    if parks is not None:
        qs = qs.filter(title__enterprise__park_id__in=parks)
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return qs.order_by("due_on", "id")


def enterprise_records(*, enterprise: Enterprise) -> dict[str, Any]:
    """The innovation file of one firm for its edit page (five small queries)."""
    from .models import InnovationProfile

    return {
        "profile": InnovationProfile.objects.filter(enterprise=enterprise).first(),
        "titles": list(enterprise.titles.order_by("valid_until", "id")),
        "awards": list(enterprise.awards.order_by("-year", "id")),
        "equity": list(enterprise.equity_rounds.order_by("-year", "id")),
        "scores": list(enterprise.development_scores.order_by("-year")),
        "extra": list(enterprise.extra_figures.order_by("-year")),
    }
