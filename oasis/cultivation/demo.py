"""Demo cultivation data for a park the demo generator made.

`seed_cultivation(park=…, rng=…, reference_date=…)` gives every settled firm an
innovation profile, extra yearly figures, awards, equity rounds and development scores
drawn from the shared random stream, then grants titles the way the real process
does: by running the tier engine and giving most firms that qualify the title (so the
title registry agrees with the verdicts, and a firm only reaches SRDI after holding a
tier-1 title). Near misses and firms one tier short go into the cultivation pool.

Like the generator it bypasses the services on purpose (no actor, no audit rows) and
writes with bulk_create; it reads the firms' annual figures in one query.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from oasis.accounts.models import ParkRole, Role
from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.parks.models import Park
from oasis.rules.tiers import GRADIENT

from .models import (
    Award,
    DevelopmentScore,
    EquityFinancing,
    ExtraFigure,
    InnovationProfile,
    PoolEntry,
    Title,
)

TITLE_YEARS = 3
PLANS = {
    "innovative_sme": "梳理知识产权与研发投入，准备创新型中小企业自评。",
    "tech_sme": "完善科技人员台账，申报科技型中小企业入库。",
    "srdi_sme": "补齐研发费用占比，对接共享技术中心，申报省级专精特新中小企业。",
    "little_giant": "对接投资机构完成新一轮股权融资，申报国家级专精特新“小巨人”。",
}


def _yuan(x: float) -> Decimal:
    return Decimal(round(x / 1000) * 1000)


def _title_dates(rng: random.Random, reference_date: dt.date) -> tuple[dt.date, dt.date]:
    """A title granted in the last three years; about one in eight lapses within a few months."""
    if rng.random() < 0.12:
        until = reference_date + dt.timedelta(days=rng.randint(10, 170))
        start = until.replace(year=until.year - TITLE_YEARS) + dt.timedelta(days=1)
    else:
        start = reference_date - dt.timedelta(days=rng.randint(30, 365 * TITLE_YEARS - 200))
        until = start.replace(year=start.year + TITLE_YEARS) - dt.timedelta(days=1)
    return start, until


def _profile(rng: random.Random, e: Enterprise, strength: float, star: bool) -> InnovationProfile:
    """Facts drawn around a firm's 'strength' (0 weak … 1 strong); a few left unknown.
    A 'star' (large, research-heavy) is fully documented: the park watches it closely."""

    def maybe(value: Any, p_unknown: float = 0.04) -> Any:
        return None if not star and rng.random() < p_unknown else value

    s = strength
    class1 = max(0, int(rng.gauss(1 + 8 * s, 2))) + (4 if star else 0)
    founded = e.founded_on.year if e.founded_on else 2015
    return InnovationProfile(
        enterprise=e,
        ip_class1=maybe(class1),
        ip_class1_self_developed=maybe(min(class1, int(class1 * rng.uniform(0.3, 1)))),
        ip_class1_high_value=maybe(min(class1, int(class1 * rng.uniform(0, 0.5) * s + (s > 0.6)))),
        ip_class1_applied=maybe(
            min(class1, max(int(class1 > 0), int(class1 * rng.uniform(0.3 + 0.5 * star, 1))))
        ),
        ip_class2=maybe(max(0, int(rng.gauss(3 + 10 * s, 3)))),
        niche_years=maybe(Decimal(max(1, min(20, 2026 - founded - rng.randint(0, 3))))),
        strategic_emerging=maybe(rng.random() < 0.4 + 0.5 * s),
        main_product_field=maybe(
            rng.choices(
                ("chain_gap_filling", "basic_or_supplier", "other"), (1 + 3 * s, 2, 3 - 2 * s)
            )[0]
        ),
        rd_institution=maybe(
            rng.choices(
                ("national", "provincial", "municipal", "below_municipal", "none"),
                (0.2 * s, 2 * s, 2, 1, 3 - 2 * s),
            )[0]
        ),
        digital_level=maybe(min(4, max(0, int(rng.gauss(1 + 2.5 * s, 0.8))))),
        quality_award=maybe(rng.random() < 0.1 + 0.4 * s),
        quality_certified=maybe(rng.random() < 0.6 + 0.4 * s),
        quality_own_brand=maybe(rng.random() < 0.4 + 0.5 * s),
        quality_standards=maybe(rng.random() < 0.1 + 0.6 * s),
        chuangke_group=maybe(
            rng.choices(("none", "top500", "top50"), (10, 1 + 2 * s, 0.2 + s))[0], 0.2
        ),
        chuangke_year=2024,
        market_share=maybe(
            Decimal(int(rng.uniform(0.08 * star, 0.05 + 0.3 * s) * 1000)) / 1000, 0.15
        ),
        market_domestic_rank=maybe(max(1, int(rng.gauss(25 - 22 * s, 4))), 0.15),
        market_leading_confirmed=maybe(rng.random() < 0.2 + 0.75 * s, 0.1),
        provincial_points=maybe(Decimal(min(15, max(0, int(rng.gauss(5 + 8 * s, 3))))), 0.3),
        led_standard_5y=maybe(rng.random() < 0.05 + 0.3 * s),
        compliance_independent_legal_person=True,
        compliance_abnormal_list=maybe(rng.random() < 0.015, 0.02),
        compliance_dishonest_list=rng.random() < 0.005,
        compliance_serious_incident_3y=maybe(False, 0.02),
        compliance_restricted_industry=False,
        qualitative_key_chain_role=maybe(rng.random() < 0.1 + 0.6 * s, 0.3),
        qualitative_key_field=maybe(star or rng.random() < 0.2 + 0.6 * s, 0.3),
        qualitative_info_system=maybe(rng.random() < 0.4 + 0.5 * s, 0.3),
        qualitative_intl_certification=maybe(rng.random() < 0.1 + 0.5 * s, 0.3),
        is_re_review=False,
        titles_complete=True,
        awards_complete=True,
        equity_complete=True,
    )


def _verdicts(park: Park, reference_date: dt.date) -> dict[int, dict[str, str]]:
    """Tier statuses of every settled firm under the rule set in force (bulk path)."""
    from oasis.rules import assess_frame, pick_rule_set

    from .facts import build_facts_frame

    qs = Enterprise.objects.filter(park=park, status=Enterprise.Status.SETTLED)
    ff, ids = build_facts_frame(qs, reference_date)
    res = assess_frame(ff, pick_rule_set("auto", reference_date))
    tiers = [c[:-7] for c in res.columns if c.endswith(".status")]
    rows = res.select([f"{t}.status" for t in tiers]).rows()
    return {eid: dict(zip(tiers, row)) for eid, row in zip(ids, rows)}


def _grant(
    rng: random.Random,
    park: Park,
    reference_date: dt.date,
    tier: str,
    kinds: tuple[str, ...],
    share: float,
    requires: tuple[str, ...] = (),
) -> None:
    held = set(
        Title.objects.filter(enterprise__park=park, kind__in=kinds).values_list(
            "enterprise_id", flat=True
        )
    )
    titles = []
    for eid, st in sorted(_verdicts(park, reference_date).items()):
        if eid in held or st.get(tier) != "qualified" or rng.random() >= share:
            continue
        if requires and not any(st.get(r) == "qualified" for r in requires):
            continue
        start, until = _title_dates(rng, reference_date)
        titles.append(
            Title(
                enterprise_id=eid,
                kind=kinds[0],
                valid_from=start,
                valid_until=until,
                certificate_no=f"{kinds[0][:2].upper()}{start.year}{eid:05d}",
            )
        )
    Title.objects.bulk_create(titles)


@transaction.atomic
def seed_cultivation(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    """Fill the park's settled firms with believable cultivation data (deterministic for a seed)."""
    firms = list(
        Enterprise.objects.filter(park=park, status=Enterprise.Status.SETTLED).order_by("pk")
    )
    if not firms:
        return
    figures: dict[int, list[dict[str, Any]]] = {}
    for row in (
        AnnualFigure.objects.filter(enterprise__in=firms)
        .order_by("enterprise_id", "-year")
        .values("enterprise_id", "year", "revenue", "rd_expense", "headcount")
    ):
        figures.setdefault(row["enterprise_id"], []).append(dict(row))
    y = reference_date.year
    profiles, extra, awards, equity, scores, titles = [], [], [], [], [], []
    for e in firms:
        rows = figures.get(e.pk, [])
        latest = rows[0] if rows else None
        rd_ratio = (
            float(latest["rd_expense"] / latest["revenue"])
            if latest and latest["rd_expense"] and latest["revenue"]
            else 0.0
        )
        # Strength: mostly R&D intensity and size, plus luck.
        revenue = float(latest["revenue"]) if latest and latest["revenue"] else 0.0
        strength = max(
            0.0, min(1.0, rng.gauss(0.25 + 3 * rd_ratio + (0.15 if revenue > 5e7 else 0), 0.2))
        )
        star = revenue >= 5e7 and rd_ratio >= 0.05 and rng.random() < 0.6
        if star:
            strength = max(strength, 0.9)
        profiles.append(_profile(rng, e, strength, star))
        for r in rows:
            if r["revenue"] is None:
                continue
            extra.append(
                ExtraFigure(
                    enterprise=e,
                    year=r["year"],
                    total_cost_expense=_yuan(float(r["revenue"]) * rng.uniform(0.75, 1.02)),
                    st_staff=(
                        max(1, int(r["headcount"] * rng.uniform(0.1, 0.2 + 0.4 * strength)))
                        if r["headcount"]
                        else None
                    ),
                )
            )
        if rng.random() < 0.05 + 0.25 * strength:
            awards.append(
                Award(
                    enterprise=e,
                    name="科学技术奖",
                    level=rng.choice(("national", "provincial", "provincial")),
                    year=y - rng.randint(1, 4),
                    rank=rng.randint(1, 6),
                )
            )
        if rng.random() < 0.1 + 0.4 * strength:
            equity.append(
                EquityFinancing(
                    enterprise=e,
                    year=y - rng.randint(1, 3),
                    amount=_yuan(rng.lognormvariate(16.5 + 1.5 * strength, 0.8)),
                    investor=rng.choice(
                        ("临港科创基金", "常熟产业投资", "苏州天使母基金", "长三角协同创新基金")
                    ),
                )
            )
        # The official evaluation score exists for firms that took part (most firms of some size).
        if revenue >= 1e7 and rng.random() < 0.85:
            score = min(100, max(20, int(rng.gauss(45 + 35 * strength, 8))))
            scores.append(DevelopmentScore(enterprise=e, year=y, score=Decimal(score)))
        if rng.random() < 0.25:
            start, until = _title_dates(rng, reference_date)
            titles.append(
                Title(
                    enterprise=e,
                    kind="high_tech_enterprise",
                    valid_from=start,
                    valid_until=until,
                    certificate_no=f"GR{start.year}32{e.pk:06d}",
                )
            )
    InnovationProfile.objects.bulk_create(profiles)
    ExtraFigure.objects.bulk_create(extra, batch_size=2000)
    Award.objects.bulk_create(awards)
    EquityFinancing.objects.bulk_create(equity)
    DevelopmentScore.objects.bulk_create(scores)
    Title.objects.bulk_create(titles)

    # Titles follow the verdicts, tier by tier, as the real process does.
    _grant(rng, park, reference_date, "innovative_sme", ("innovative_sme",), 0.85)
    _grant(rng, park, reference_date, "tech_sme", ("tech_sme",), 0.6)
    _grant(rng, park, reference_date, "srdi_sme", ("srdi_sme",), 0.9)
    _grant(rng, park, reference_date, "little_giant", ("little_giant",), 0.8)
    _seed_pool(rng, park, reference_date)


def _seed_pool(rng: random.Random, park: Park, reference_date: dt.date) -> None:
    """The firms one tier short (and a few more) go into the pool, with an owner."""
    owners = list(
        ParkRole.objects.filter(park=park, role__in=(Role.SERVICE, Role.PARK_ADMIN))
        .select_related("user")
        .order_by("role", "user_id")
    )
    order = GRADIENT
    entries = []
    for eid, st in sorted(_verdicts(park, reference_date).items()):
        top = max((i for i, t in enumerate(order) if st.get(t) == "qualified"), default=-1)
        if st.get("tech_sme") == "qualified":
            top = max(top, 0)
        if top + 1 >= len(order) or rng.random() > 0.35:
            continue
        target = order[top + 1]
        progress = rng.choice((0, 10, 20, 30, 40, 50, 60, 80))
        entries.append(
            PoolEntry(
                enterprise_id=eid,
                target_tier=target,
                target_year=reference_date.year + rng.choice((0, 1, 1, 2)),
                owner=rng.choice(owners).user if owners else None,
                plan=PLANS[target],
                progress=progress,
                status=PoolEntry.Status.ACTIVE,
            )
        )
    PoolEntry.objects.bulk_create(entries)
