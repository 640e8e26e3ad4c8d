"""Matching a firm's financing need to a product, as a pure function (no ORM).

Every criterion gives ok / near / fail with a reason; the verdict is `not` if any
fails, `near` if any is near (within 20 % of a threshold, or a figure not reported),
else `eligible`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from oasis.rules.tiers import LEVEL

NEAR_SHARE = Decimal("0.2")


@dataclass(frozen=True)
class FirmFacts:
    focus_industry: str
    founded_on: dt.date | None
    tier: str | None  # best tier held, "" none, None unknown
    year: int | None  # latest reported year
    revenue: Decimal | None
    rd_expense: Decimal | None
    reported: frozenset[str]  # figure fields reported in that year


@dataclass(frozen=True)
class Terms:
    amount_min: Decimal
    amount_max: Decimal
    term_months_min: int
    term_months_max: int
    stages: tuple[str, ...]
    industries: tuple[str, ...]
    min_tier: str
    min_revenue: Decimal | None
    min_rd_ratio: Decimal | None  # percent
    required_figures: tuple[str, ...]


@dataclass(frozen=True)
class Need:
    amount: Decimal
    term_months: int | None


@dataclass(frozen=True)
class Result:
    verdict: str  # eligible / near / not
    reasons: tuple[dict[str, str], ...]


def stage_of(founded_on: dt.date | None, today: dt.date) -> str | None:
    if founded_on is None:
        return None
    years = (today - founded_on).days / 365.25
    return "startup" if years < 3 else "growth" if years <= 10 else "mature"


def _near(value: Decimal, threshold: Decimal) -> bool:
    return value >= threshold * (1 - NEAR_SHARE)


def match(
    firm: FirmFacts,
    need: Need,
    terms: Terms,
    *,
    today: dt.date,
    labels: dict[str, str] | None = None,
) -> Result:
    labels = labels or {}
    reasons: list[dict[str, str]] = []

    def say(status: str, text: str) -> None:
        reasons.append({"status": status, "text": text})

    amount = need.amount
    if terms.amount_min <= amount <= terms.amount_max:
        say(
            "ok",
            _("金额 %(a)s 元在产品额度 %(lo)s–%(hi)s 元之内。")
            % {"a": amount, "lo": terms.amount_min, "hi": terms.amount_max},
        )
    elif amount > terms.amount_max and amount <= terms.amount_max * (1 + NEAR_SHARE):
        say(
            "near",
            _("金额 %(a)s 元略高于产品上限 %(hi)s 元。") % {"a": amount, "hi": terms.amount_max},
        )
    else:
        say(
            "fail",
            _("金额 %(a)s 元不在产品额度 %(lo)s–%(hi)s 元之内。")
            % {"a": amount, "lo": terms.amount_min, "hi": terms.amount_max},
        )

    if need.term_months is not None:
        if terms.term_months_min <= need.term_months <= terms.term_months_max:
            say("ok", _("期限 %(t)d 个月符合。") % {"t": need.term_months})
        else:
            say(
                "fail",
                _("期限 %(t)d 个月不在 %(lo)d–%(hi)d 个月之内。")
                % {"t": need.term_months, "lo": terms.term_months_min, "hi": terms.term_months_max},
            )

    if terms.industries:
        if firm.focus_industry in terms.industries:
            say(
                "ok",
                _("所属产业“%(i)s”在产品支持范围内。")
                % {"i": labels.get(firm.focus_industry, firm.focus_industry)},
            )
        else:
            say(
                "fail",
                _("所属产业“%(i)s”不在产品支持范围内。")
                % {"i": labels.get(firm.focus_industry, firm.focus_industry)},
            )

    if terms.stages:
        stage = stage_of(firm.founded_on, today)
        if stage is None:
            say("near", _("成立日期未知，无法判断发展阶段。"))
        elif stage in terms.stages:
            say("ok", _("发展阶段“%(s)s”符合。") % {"s": labels.get(stage, stage)})
        else:
            say("fail", _("发展阶段“%(s)s”不在产品目标阶段内。") % {"s": labels.get(stage, stage)})

    if terms.min_tier:
        need_rank = LEVEL.get(terms.min_tier, 0)
        if firm.tier is None:
            say(
                "near",
                _("梯度培育结果未知，须达到“%(t)s”。")
                % {"t": labels.get(terms.min_tier, terms.min_tier)},
            )
        elif LEVEL.get(firm.tier, 0) >= need_rank:
            say("ok", _("已达到“%(t)s”梯度。") % {"t": labels.get(terms.min_tier, terms.min_tier)})
        elif LEVEL.get(firm.tier, 0) == need_rank - 1:
            say(
                "near", _("距“%(t)s”还差一级。") % {"t": labels.get(terms.min_tier, terms.min_tier)}
            )
        else:
            say(
                "fail", _("未达到“%(t)s”梯度。") % {"t": labels.get(terms.min_tier, terms.min_tier)}
            )

    if terms.min_revenue is not None:
        if firm.revenue is None:
            say("near", _("未报送营业收入（要求不低于 %(m)s 元）。") % {"m": terms.min_revenue})
        elif firm.revenue >= terms.min_revenue:
            say(
                "ok",
                _("%(y)s 年营业收入 %(v)s 元，不低于 %(m)s 元。")
                % {"y": firm.year, "v": firm.revenue, "m": terms.min_revenue},
            )
        elif _near(firm.revenue, terms.min_revenue):
            say(
                "near",
                _("%(y)s 年营业收入 %(v)s 元，接近门槛 %(m)s 元。")
                % {"y": firm.year, "v": firm.revenue, "m": terms.min_revenue},
            )
        else:
            say(
                "fail",
                _("%(y)s 年营业收入 %(v)s 元，低于 %(m)s 元。")
                % {"y": firm.year, "v": firm.revenue, "m": terms.min_revenue},
            )

    if terms.min_rd_ratio is not None:
        if not firm.revenue or firm.rd_expense is None:
            say(
                "near",
                _("未报送研发费用或营业收入（要求研发投入占比不低于 %(m)s%%）。")
                % {"m": terms.min_rd_ratio},
            )
        else:
            ratio = (firm.rd_expense / firm.revenue * 100).quantize(Decimal("0.01"))
            if ratio >= terms.min_rd_ratio:
                say(
                    "ok",
                    _("研发投入占比 %(r)s%%，不低于 %(m)s%%。")
                    % {"r": ratio, "m": terms.min_rd_ratio},
                )
            elif _near(ratio, terms.min_rd_ratio):
                say(
                    "near",
                    _("研发投入占比 %(r)s%%，接近门槛 %(m)s%%。")
                    % {"r": ratio, "m": terms.min_rd_ratio},
                )
            else:
                say(
                    "fail",
                    _("研发投入占比 %(r)s%%，低于 %(m)s%%。")
                    % {"r": ratio, "m": terms.min_rd_ratio},
                )

    missing = [f for f in terms.required_figures if f not in firm.reported]
    if missing:
        say("near", _("尚须报送：%(f)s。") % {"f": _("、").join(labels.get(f, f) for f in missing)})
    elif terms.required_figures:
        say("ok", _("所需数据均已报送。"))

    statuses = {r["status"] for r in reasons}
    verdict = "not" if "fail" in statuses else "near" if "near" in statuses else "eligible"
    return Result(verdict, tuple(reasons))
