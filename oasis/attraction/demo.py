"""Demo data for attraction: ambassadors, advisors and institutions, about 120 leads
spread over the pipeline with their stage history and follow-ups, a few lost with
reasons, and the park's signed / settled enterprises linked to signed leads with
agreements and yearly commitments. Deterministic for a given rng and date.

Called by the demo generator (oasis/demo); written with bulk inserts like it, so it
does not go through the services (no audit rows for demo data)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from oasis.accounts.models import ParkRole, Role
from oasis.core.identifiers import make_uscc
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.parks.models import Park, UnitUse

from . import rules
from .models import (
    PIPELINE,
    STAGE_RANK,
    Activity,
    Agreement,
    AttractionSettings,
    Commitment,
    Intent,
    Lead,
    Partner,
    Source,
    Stage,
    StageChange,
)

AMBASSADORS = [
    ("王建国", "上海临港集团", "招商中心副总"),
    ("刘晓峰", "上海市经信委（退休）", "产业处原处长"),
    ("陈静", "上海交大校友会", "秘书长"),
    ("张伟", "常熟市驻沪招商联络处", "主任"),
    ("周敏", "苏州市半导体行业协会", "副会长"),
    ("孙立新", "长三角汽车电子联盟", "理事"),
]
ADVISORS = [
    ("李明华", "复旦大学微电子学院", "教授 · 集成电路"),
    ("赵永强", "同济大学汽车学院", "教授 · 智能网联汽车"),
    ("何芳", "中科院上海药物所", "研究员 · 生物医药"),
    ("吴海涛", "上海交通大学", "教授 · 储能材料"),
    ("郑凯", "东南大学", "教授 · 工业互联网"),
]
INSTITUTIONS = [
    ("临港科创投资", "上海临港科技创新投资有限公司"),
    ("元禾控股", "苏州元禾控股股份有限公司"),
    ("常熟国发创投", "常熟市国发创业投资有限公司"),
    ("深创投华东", "深圳市创新投资集团华东总部"),
    ("君联资本", "君联资本管理股份有限公司"),
]
PLACES = ["上海", "苏州", "无锡", "杭州", "合肥", "南京", "宁波", "嘉兴"]
CORES = [
    "芯驰",
    "智行",
    "蓝海",
    "瑞能",
    "云启",
    "恒拓",
    "精诚",
    "星火",
    "启明",
    "博远",
    "鼎新",
    "睿联",
    "众和",
    "华锐",
    "天成",
    "中科微",
    "海纳",
    "凌云",
    "清源",
    "卓越",
    "景曜",
    "安泰",
    "德润",
    "思远",
    "宏图",
    "鑫达",
    "明峰",
    "致远",
    "新纪元",
    "长青",
    "天际",
    "正奇",
    "慧聚",
    "澄明",
    "光合",
    "嘉禾",
    "泰和",
    "铭泽",
    "优联",
    "辰星",
]
TRADES = {
    FocusIndustry.AUTOMOTIVE: ["汽车电子", "智能驾驶", "汽车零部件", "车联网"],
    FocusIndustry.NEXTGEN_IT: ["半导体", "微电子", "工业软件", "传感技术"],
    FocusIndustry.LIFE_HEALTH: ["生物医药", "医疗器械", "基因科技", "医学影像"],
    FocusIndustry.NEW_ENERGY: ["储能", "氢能", "光伏材料", "电池材料"],
    FocusIndustry.OTHER: ["新材料", "精密制造"],
}
CODES = {
    FocusIndustry.AUTOMOTIVE: ["3670", "3660"],
    FocusIndustry.NEXTGEN_IT: ["3973", "3976", "6513"],
    FocusIndustry.LIFE_HEALTH: ["2720", "3581"],
    FocusIndustry.NEW_ENERGY: ["3841", "3825"],
    FocusIndustry.OTHER: ["3311"],
}
LOST_REASONS = [
    "选择落户昆山，租金更低",
    "融资未到位，项目暂缓",
    "总部决定留在上海",
    "对厂房层高要求无法满足",
    "环评要求不符合园区准入",
    "竞争园区给出更优政策",
]
NOTES = {
    Activity.Kind.CALL: ["电话沟通用地与厂房需求", "电话了解融资进展", "确认考察时间"],
    Activity.Kind.VISIT: [
        "陪同参观标准厂房与人才公寓",
        "上门拜访企业上海总部",
        "考察共享智造中心产线",
    ],
    Activity.Kind.MEETING: ["与镇领导会谈扶持政策", "商务条款第二轮洽谈", "与投资机构三方会谈"],
    Activity.Kind.NOTE: ["企业关注人才公寓配套", "对方希望一年免租", "需求面积可能扩大"],
    Activity.Kind.NEXT_STEP: ["发送园区政策包", "安排产业顾问对接", "准备投资协议初稿"],
}
# Open stages the generated (not yet signed) leads sit in, with weights.
OPEN_MIX = [(Stage.LEAD, 30), (Stage.NEGOTIATION, 25), (Stage.VISIT, 15), (Stage.INTENT, 12)]


T = TypeVar("T")


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randrange(lo, hi)) * 100_000


def _pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@transaction.atomic
def seed_attraction(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    AttractionSettings.objects.update_or_create(
        park=park, defaults={"neglect_days": 30, "claim_limit": 40}
    )
    partners = Partner.objects.bulk_create(
        [
            Partner(park=park, kind=Partner.Kind.AMBASSADOR, name=n, organisation=o, title=t)
            for n, o, t in AMBASSADORS
        ]
        + [
            Partner(park=park, kind=Partner.Kind.ADVISOR, name=n, organisation=o, title=t)
            for n, o, t in ADVISORS
        ]
        + [
            Partner(park=park, kind=Partner.Kind.INSTITUTION, name=n, organisation=o)
            for n, o in INSTITUTIONS
        ]
    )
    by_kind = {k: [p for p in partners if p.kind == k] for k in Partner.Kind.values}
    owner_ids = sorted(
        set(
            ParkRole.objects.filter(park=park, role=Role.ATTRACTION).values_list(
                "user_id", flat=True
            )
        )
    )
    owner_ids = owner_ids or sorted(
        set(
            ParkRole.objects.filter(park=park, role=Role.PARK_ADMIN).values_list(
                "user_id", flat=True
            )
        )
    )

    plans: list[tuple[Lead, list[int], bool]] = []  # lead, days spent per stage, lost?

    def source_and_partner() -> tuple[str, Partner | None]:
        source = _pick(
            rng,
            [
                (Source.SHANGHAI, 25),
                (Source.AMBASSADOR, 25),
                (Source.ADVISOR, 15),
                (Source.INSTITUTION, 12),
                (Source.EXHIBITION, 13),
                (Source.DIRECT, 10),
            ],
        )
        kinds = {
            Source.AMBASSADOR: Partner.Kind.AMBASSADOR,
            Source.ADVISOR: Partner.Kind.ADVISOR,
            Source.INSTITUTION: Partner.Kind.INSTITUTION,
        }
        return source, (rng.choice(by_kind[kinds[source]]) if source in kinds else None)

    # 1. The park's signed and settled firms, as the leads they came from.
    firms = list(
        Enterprise.objects.filter(
            park=park, status__in=[Enterprise.Status.SIGNED, Enterprise.Status.SETTLED]
        ).order_by("pk")
    )
    firms = sorted(rng.sample(firms, min(len(firms), 24)), key=lambda f: f.pk)
    for firm in firms:
        settled = firm.status == Enterprise.Status.SETTLED
        end_day = firm.settled_on or reference_date - dt.timedelta(days=rng.randint(10, 90))
        durations = [rng.randint(5, 40) for _ in range(5 if settled else 4)]
        source, partner = source_and_partner()
        lead = Lead(
            park=park,
            company_name=firm.name,
            uscc=firm.uscc,
            focus_industry=firm.focus_industry,
            industry_code=firm.industry_code,
            source=source,
            partner=partner,
            intent=Intent.HIGH,
            stage=Stage.SETTLED if settled else Stage.SIGNED,
            enterprise=firm,
            need_area=Decimal(rng.randrange(800, 12000, 100)),
            need_use=rng.choice([UnitUse.MANUFACTURING, UnitUse.RND]),
            expected_investment=_money(rng, 200, 5000),
            expected_output=_money(rng, 500, 20000),
            expected_tax=_money(rng, 20, 800),
            expected_jobs=rng.randrange(30, 600, 10),
            negotiation_notes="租金前两年减半；人才公寓 20 套。",
            owner_id=rng.choice(owner_ids) if owner_ids else None,
            contact_name=rng.choice(["陈", "林", "黄", "徐", "马"])
            + rng.choice(["总", "经理", "董事长"]),
        )
        lead._demo_end = end_day  # type: ignore[attr-defined]
        plans.append((lead, durations, False))

    # 2. Leads still in the pipeline, and some lost.
    used = {rules.name_key(f.name) for f in Enterprise.objects.filter(park=park).only("name")}
    total = max(0, 120 - len(plans))
    for i in range(total):
        focus = rng.choice(
            [
                FocusIndustry.AUTOMOTIVE,
                FocusIndustry.NEXTGEN_IT,
                FocusIndustry.LIFE_HEALTH,
                FocusIndustry.NEW_ENERGY,
                FocusIndustry.AUTOMOTIVE,
                FocusIndustry.NEXTGEN_IT,
            ]
        )
        for _attempt in range(20):
            core = rng.choice(CORES)
            trade = rng.choice(TRADES[focus])
            name = f"{rng.choice(PLACES)}{core}{trade}{rng.choice(['科技', '技术', ''])}有限公司"
            if rules.name_key(name) not in used:
                break
        used.add(rules.name_key(name))
        lost = i % 9 == 4
        stage = _pick(rng, OPEN_MIX)
        reached = STAGE_RANK[stage]
        durations = [rng.randint(2, 35) for _ in range(reached + 1)]
        source, partner = source_and_partner()
        known = rng.random() < 0.3
        lead = Lead(
            park=park,
            company_name=name,
            focus_industry=focus,
            industry_code=rng.choice(CODES[focus]),
            uscc=make_uscc("310115", f"{rng.randrange(10**7, 10**8):08d}") if known else None,
            source=source,
            partner=partner,
            intent=rng.choice(Intent.values),
            stage=Stage.LOST if lost else stage,
            lost_reason=rng.choice(LOST_REASONS) if lost else "",
            need_area=Decimal(rng.randrange(300, 8000, 50)),
            need_use=rng.choice(UnitUse.values[:3]),
            need_timing=reference_date + dt.timedelta(days=rng.randint(30, 400)),
            expected_investment=_money(rng, 50, 3000),
            expected_output=_money(rng, 100, 15000),
            expected_tax=_money(rng, 5, 500),
            expected_jobs=rng.randrange(10, 400, 5),
            negotiation_notes=rng.choice(
                ["", "希望首年免租", "需配套 10 套人才公寓", "要求专项产业基金跟投"]
            ),
            owner_id=(rng.choice(owner_ids) if owner_ids and rng.random() < 0.85 else None),
            contact_name=rng.choice(["陈", "林", "黄", "徐", "马", "高", "罗"])
            + rng.choice(["总", "经理", "博士"]),
            contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
        )
        plans.append((lead, durations, lost))

    # Dates: each lead walks its stages from its creation day.
    changes: list[StageChange] = []
    walks: list[list[tuple[str, str, int, dt.datetime]]] = []  # each plan's stage changes
    for lead, durations, lost in plans:
        final_rank = STAGE_RANK[lead.stage] if not lost else len(durations) - 1
        # Firms' leads end on the move-in (or signing) day; the others reach their stage today.
        day = getattr(lead, "_demo_end", reference_date) - dt.timedelta(
            days=sum(durations[: final_rank + (1 if lost else 0)])
        )
        lead.created_at = _aware(day)
        lead.name_key = rules.name_key(lead.company_name)
        lead.max_rank = final_rank
        at = lead.created_at
        walk: list[tuple[str, str, int, dt.datetime]] = [("", Stage.LEAD, 0, at)]
        for r in range(1, final_rank + 1):
            spent = durations[r - 1] * 86400
            at = at + dt.timedelta(days=durations[r - 1])
            walk.append((PIPELINE[r - 1], PIPELINE[r], spent, at))
        if lost:
            at = at + dt.timedelta(days=durations[final_rank])
            walk.append((PIPELINE[final_rank], Stage.LOST, durations[final_rank] * 86400, at))
        walks.append(walk)
        lead.stage_entered_at = at
        lead.last_activity_at = at
    Lead.objects.bulk_create([p[0] for p in plans])

    activities: list[Activity] = []
    for (lead, _durations, lost), walk in zip(plans, walks, strict=True):
        for from_stage, to_stage, spent, at in walk:
            changes.append(
                StageChange(
                    lead=lead,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    seconds_in_stage=spent,
                    reason=lead.lost_reason if to_stage == Stage.LOST else "",
                    actor_id=lead.owner_id,
                    at=at,
                )
            )
        span = max(1, (lead.last_activity_at - lead.created_at).days)
        last = lead.created_at
        for _ in range(rng.randint(2, 7)):
            kind = rng.choice(
                [Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.MEETING, Activity.Kind.NOTE]
            )
            at = lead.created_at + dt.timedelta(days=rng.randint(0, span), hours=rng.randint(0, 8))
            last = max(last, at)
            activities.append(
                Activity(
                    lead=lead,
                    kind=kind,
                    body=rng.choice(NOTES[kind]),
                    actor_id=lead.owner_id,
                    at=at,
                )
            )
        if (
            lead.stage in (Stage.LEAD, Stage.NEGOTIATION, Stage.VISIT, Stage.INTENT)
            and rng.random() < 0.7
        ):
            due = reference_date + dt.timedelta(days=rng.randint(-5, 21))
            activities.append(
                Activity(
                    lead=lead,
                    kind=Activity.Kind.NEXT_STEP,
                    body=rng.choice(NOTES[Activity.Kind.NEXT_STEP]),
                    due_on=due,
                    actor_id=lead.owner_id,
                    at=last,
                )
            )
        if not lost and lead.stage in (Stage.LEAD, Stage.NEGOTIATION, Stage.VISIT, Stage.INTENT):
            # A few neglected ones, so the pool command has something to return.
            lead.last_activity_at = _aware(
                reference_date - dt.timedelta(days=rng.choice([2, 5, 9, 14, 40]))
            )
    StageChange.objects.bulk_create(changes)
    Activity.objects.bulk_create(activities)
    Lead.objects.bulk_update([p[0] for p in plans], ["last_activity_at"])

    # 3. Agreements and commitments for the signed firms.
    figures = {
        (f.enterprise_id, f.year): f for f in AnnualFigure.objects.filter(enterprise__in=firms)
    }
    agreements = []
    for lead, durations, _lost in plans[: len(firms)]:
        assert lead.enterprise_id is not None  # the settled firms' own leads
        signed_on = (lead.created_at + dt.timedelta(days=sum(durations[:4]))).date()
        agreements.append(
            Agreement(
                lead=lead,
                enterprise_id=lead.enterprise_id,
                signed_on=signed_on,
                total_investment=lead.expected_investment,
                created_by_id=lead.owner_id,
            )
        )
    Agreement.objects.bulk_create(agreements)
    commitments = []
    for agreement in agreements:
        first = agreement.signed_on.year
        for k, year in enumerate(range(first, first + 3)):
            f = figures.get((agreement.enterprise_id, year))
            factor = Decimal(str(round(rng.uniform(0.75, 1.15), 2)))  # some firms fall behind
            output = (
                (f.output_value * factor).quantize(Decimal("1"))
                if f and f.output_value
                else _money(rng, 300, 10000) * (k + 1)
            )
            tax = (
                (f.tax_paid * factor).quantize(Decimal("1"))
                if f and f.tax_paid
                else _money(rng, 10, 300) * (k + 1)
            )
            jobs = (
                int(f.headcount * factor)
                if f and f.headcount
                else rng.randrange(30, 300, 10) * (k + 1)
            )
            commitments.append(
                Commitment(
                    agreement=agreement,
                    year=year,
                    investment=_money(rng, 100, 2000),
                    output=output,
                    tax=tax,
                    jobs=jobs,
                )
            )
    Commitment.objects.bulk_create(commitments)
