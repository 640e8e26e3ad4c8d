"""Demo data for the portal and the service desk, on top of the demo park
(`oasis.demo.generator.generate_park`). The lead's generator calls `seed_portal`.

Like the generator, this writes rows directly in bulk (no services, no audit rows: no
one "changed" them) and takes every date from `reference_date`, never today, so one
seed is one park. `delete_portal` removes what this made; call it before the
generator's `demo_delete`, since tickets and reports protect their firms and authors."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from oasis.accounts.models import ParkRole, Role, User
from oasis.core.texts import TextSource, written
from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.parks.models import Building, Park
from oasis.portal.models import (
    Campaign,
    Notice,
    NoticeRead,
    PeriodFigure,
    PeriodKind,
    Report,
    ReportReminder,
    ReportValues,
)
from oasis.tickets import services as ticket_services
from oasis.tickets.models import Category, Ticket, TicketMessage, sla_deadlines

Q_FIELDS = list(ReportValues.ANNUAL_FIGURE_FIELDS)
CENT = Decimal("0.01")


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _hm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _quarter_values(
    rng: random.Random, figure: AnnualFigure | None, growth: float = 1.0
) -> dict[str, Any]:
    revenue = (
        Decimal(str(figure.revenue))
        if figure and figure.revenue
        else Decimal(rng.randint(2, 80) * 1_000_000)
    )
    q = revenue / 4 * Decimal(str(round(growth * rng.uniform(0.9, 1.12), 3)))
    headcount = figure.headcount if figure and figure.headcount else rng.randint(20, 300)
    return {
        "revenue": q.quantize(CENT),
        "main_business_revenue": (q * Decimal("0.93")).quantize(CENT),
        "rd_expense": (q * Decimal(str(round(rng.uniform(0.03, 0.12), 3)))).quantize(CENT),
        "tax_paid": (q * Decimal("0.05")).quantize(CENT),
        "output_value": (q * Decimal("1.15")).quantize(CENT),
        "headcount": headcount,
        "rd_staff": max(1, headcount // rng.randint(4, 8)),
    }


def _user(park: Park, role: str) -> User | None:
    row = (
        ParkRole.objects.filter(park=park, role=role)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return row.user if row else None


@transaction.atomic
def seed_portal(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    """Campaigns (an annual one done, last quarter's closed, this quarter's in progress
    with submitted, returned, flagged and late firms, a monthly one just opened),
    notices with read receipts, and tickets in every state with threads, SLA breaches
    and ratings."""
    firms = list(
        Enterprise.objects.filter(park=park, status=Enterprise.Status.SETTLED).order_by("pk")
    )
    if not firms:
        return
    officer = _user(park, Role.SERVICE) or _user(park, Role.PARK_ADMIN)
    admin = _user(park, Role.PARK_ADMIN) or officer
    members = list(User.objects.filter(enterprise__park=park, is_active=True).order_by("pk"))
    annual = {
        f.enterprise_id: f
        for f in AnnualFigure.objects.filter(enterprise__in=firms, year=reference_date.year - 1)
    }
    _seed_campaigns(park, rng, reference_date, firms, annual, officer, members)
    _seed_notices(park, rng, reference_date, firms, admin, members)
    _seed_tickets(park, rng, reference_date, officer, members)
    # The shared services' requests (seeded by sharing) become requests of the desk too.
    ticket_services.service_requests_adopt()


def _quarter_of(day: dt.date) -> tuple[int, int]:
    """The last complete quarter before `day` (the one firms report now)."""
    q = (day.month - 1) // 3  # 0 means Q4 of last year
    return (day.year, q) if q else (day.year - 1, 4)


def _seed_campaigns(
    park: Park,
    rng: random.Random,
    ref: dt.date,
    firms: list[Enterprise],
    annual: dict[int, AnnualFigure],
    officer: User | None,
    members: list[User],
) -> None:
    year, quarter = _quarter_of(ref)
    prev_year, prev_quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    current = Campaign.objects.create(
        park=park,
        title=f"{year}年第{quarter}季度经济运行数据填报",
        kind=PeriodKind.QUARTERLY,
        year=year,
        period=quarter,
        fields=Q_FIELDS,
        opens_on=ref - dt.timedelta(days=25),
        due_on=ref - dt.timedelta(days=5),
        instructions="请按季度（非累计）口径填报，金额以元为单位。",
        created_by=officer,
    )
    previous = Campaign.objects.create(
        park=park,
        title=f"{prev_year}年第{prev_quarter}季度经济运行数据填报",
        kind=PeriodKind.QUARTERLY,
        year=prev_year,
        period=prev_quarter,
        fields=Q_FIELDS,
        opens_on=ref - dt.timedelta(days=120),
        due_on=ref - dt.timedelta(days=95),
        status=Campaign.Status.CLOSED,
        created_by=officer,
    )
    monthly_month = ref.month - 1 or 12
    Campaign.objects.create(
        park=park,
        title=f"{ref.year if ref.month > 1 else ref.year - 1}年{monthly_month}月重点企业月报",
        kind=PeriodKind.MONTHLY,
        year=ref.year if ref.month > 1 else ref.year - 1,
        period=monthly_month,
        fields=["revenue", "output_value", "headcount"],
        opens_on=ref,
        due_on=ref + dt.timedelta(days=10),
        created_by=officer,
    )
    annual_campaign = Campaign.objects.create(
        park=park,
        title=f"{ref.year - 1}年度企业数据年报",
        kind=PeriodKind.ANNUAL,
        year=ref.year - 1,
        period=0,
        fields=[*Q_FIELDS, "new_ip", "financing"],
        opens_on=dt.date(ref.year, 3, 1),
        due_on=dt.date(ref.year, 4, 30),
        status=Campaign.Status.CLOSED,
        created_by=officer,
    )
    reports: list[Report] = []
    period_figures: list[PeriodFigure] = []
    reviewed = _at(ref - dt.timedelta(days=2), 15)
    for firm in firms:
        fig = annual.get(firm.pk)
        # Last year's figures, accepted: the annual report mirrors the official figures.
        if fig is not None:
            reports.append(
                Report(
                    campaign=annual_campaign,
                    enterprise=firm,
                    status=Report.Status.ACCEPTED,
                    submitted_at=_at(dt.date(ref.year, 4, rng.randint(1, 28))),
                    reviewed_at=_at(dt.date(ref.year, 5, 6)),
                    reviewed_by=officer,
                    new_ip=rng.randint(0, 12),
                    financing=Decimal(rng.choice([0, 0, 0, 5, 20, 50]) * 1_000_000),
                    **{f: getattr(fig, f) for f in Q_FIELDS},
                )
            )
        # Last quarter: accepted, written to the official period figures.
        prev_values = _quarter_values(rng, fig)
        period_figures.append(
            PeriodFigure(
                enterprise=firm,
                kind=PeriodKind.QUARTERLY,
                year=prev_year,
                period=prev_quarter,
                **prev_values,
            )
        )
        reports.append(
            Report(
                campaign=previous,
                enterprise=firm,
                status=Report.Status.ACCEPTED,
                submitted_at=_at(previous.due_on - dt.timedelta(days=rng.randint(0, 10))),
                reviewed_at=_at(previous.due_on + dt.timedelta(days=3)),
                reviewed_by=officer,
                **prev_values,
            )
        )
        # The same quarter a year earlier, so this quarter's year-on-year check has a base.
        base = _quarter_values(rng, fig, growth=0.9)
        period_figures.append(
            PeriodFigure(
                enterprise=firm, kind=PeriodKind.QUARTERLY, year=year - 1, period=quarter, **base
            )
        )
        roll = rng.random()
        if roll < 0.12:
            continue  # late: nothing at all
        values = {
            **base,
            **{
                k: (v * Decimal("1.1")).quantize(CENT) if isinstance(v, Decimal) else v
                for k, v in base.items()
            },
        }
        flags: list[dict[str, str]] = []
        explanation = ""
        if roll > 0.9:  # a jump the firm explained
            values["revenue"] = (base["revenue"] * Decimal("2.4")).quantize(CENT)
            values["main_business_revenue"] = (values["revenue"] * Decimal("0.9")).quantize(CENT)
            flags = [
                {
                    "field": "revenue",
                    "code": "yoy_jump",
                    "message": f"营业收入同比变化 +140.0%（上年同期 {base['revenue']:,.0f}），超过 50%。",
                }
            ]
            explanation = rng.choice(
                ["新产线投产，订单大幅增加。", "本季度确认了一笔大额项目收入。", "并购子公司并表。"]
            )
        submitted_at = _at(
            current.opens_on + dt.timedelta(days=rng.randint(1, 18)), rng.randint(9, 17)
        )
        extra: dict[str, Any]
        if roll < 0.2:
            status, extra = Report.Status.DRAFT, {"submitted_at": None}
        elif roll < 0.3:
            status, extra = (
                Report.Status.RETURNED,
                {
                    "submitted_at": submitted_at,
                    "reviewed_at": reviewed,
                    "reviewed_by": officer,
                    "review_comment": rng.choice(
                        ["纳税额与税务系统数据不一致，请核对。", "研发人员数请按社保口径填报。"]
                    ),
                },
            )
        elif roll < 0.45:
            status, extra = (
                Report.Status.ACCEPTED,
                {"submitted_at": submitted_at, "reviewed_at": reviewed, "reviewed_by": officer},
            )
            period_figures.append(
                PeriodFigure(
                    enterprise=firm, kind=PeriodKind.QUARTERLY, year=year, period=quarter, **values
                )
            )
        else:
            status, extra = Report.Status.SUBMITTED, {"submitted_at": submitted_at}
        submitter = next((m for m in members if m.enterprise_id == firm.pk), None)
        reports.append(
            Report(
                campaign=current,
                enterprise=firm,
                status=status,
                flags=flags,
                explanation=explanation,
                submitted_by=submitter if extra.get("submitted_at") else None,
                **extra,
                **values,
            )
        )
    Report.objects.bulk_create(reports)
    PeriodFigure.objects.bulk_create(period_figures)
    # Link the accepted period figures to their reports (one query per campaign, not per row).
    by_firm = {
        (r.campaign_id, r.enterprise_id): r.pk
        for r in Report.objects.filter(campaign__in=[current, previous])
    }
    for pf in PeriodFigure.objects.filter(
        enterprise__in=firms,
        kind=PeriodKind.QUARTERLY,
        year__in=[year, prev_year],
        period__in=[quarter, prev_quarter],
    ):
        campaign = current if (pf.year, pf.period) == (year, quarter) else previous
        pf.report_id = by_firm.get((campaign.pk, pf.enterprise_id))
        pf.save(update_fields=["report"])
    done = {
        r.enterprise_id for r in reports if r.campaign_id == current.pk and r.status in Report.DONE
    }
    ReportReminder.objects.bulk_create(
        [
            ReportReminder(campaign=current, enterprise=f, kind=kind, sent_on=day)
            for f in firms
            if f.pk not in done
            for kind, day in (
                (ReportReminder.Kind.DUE_SOON, current.due_on - dt.timedelta(days=3)),
                (ReportReminder.Kind.OVERDUE, current.due_on + dt.timedelta(days=1)),
            )
        ]
    )


NOTICES = (
    (
        "关于组织申报{y}年度江苏省专精特新中小企业的通知",
        "",
        False,
        "各入驻企业：省工信厅{y}年度专精特新中小企业申报工作已启动，请有意向的企业于本月底前联系企业服务专员。",
    ),
    ("园区{m}月安全生产检查安排", "", True, "本月将对各楼宇开展消防与安全生产检查，请各企业配合。"),
    (
        "新能源汽车产业链对接会报名",
        "automotive",
        False,
        "园区将联合临港集团举办新能源汽车产业链供需对接会，欢迎汽车产业企业报名。",
    ),
    (
        "集成电路企业流片补贴政策解读",
        "nextgen_it",
        False,
        "常熟市对集成电路设计企业的流片费用给予补贴，详见附件政策原文。",
    ),
    (
        "{m}月人才公寓配租公告",
        "",
        False,
        "人才公寓新一批房源开放申请，符合条件的企业员工可在服务工单中提交“人才服务”申请。",
    ),
)


def _seed_notices(
    park: Park,
    rng: random.Random,
    ref: dt.date,
    firms: list[Enterprise],
    admin: User | None,
    members: list[User],
) -> None:
    building = (
        Building.objects.filter(park=park, units__enterprises__isnull=False)
        .order_by("code")
        .first()
    )
    notices = []
    for i, (title, industry, by_building, body) in enumerate(NOTICES):
        notices.append(
            Notice(
                park=park,
                title=title.format(y=ref.year, m=ref.month),
                body=body.format(y=ref.year, m=ref.month),
                audience_industry=industry,
                audience_building=building if by_building else None,
                published_at=_at(ref - dt.timedelta(days=3 + i * 6), 9 + i),
                published_by=admin,
            )
        )
    Notice.objects.bulk_create(notices)
    reads = []
    for notice in Notice.objects.filter(park=park).order_by("published_at"):
        for m in members:
            firm = m.enterprise
            assert firm is not None  # members belong to a firm
            if notice.audience_industry and firm.focus_industry != notice.audience_industry:
                continue
            if (
                notice.audience_building_id
                and not firm.units.filter(building_id=notice.audience_building_id).exists()
            ):
                continue
            if rng.random() < 0.6:  # some unread on purpose: the member sees them marked
                reads.append(
                    NoticeRead(
                        notice=notice,
                        user=m,
                        enterprise=firm,
                        read_at=notice.published_at + dt.timedelta(hours=rng.randint(1, 48)),
                    )
                )
    NoticeRead.objects.bulk_create(reads)


# (category, title, body, state, hours before the reference moment it was opened, rating)
TICKETS = (
    (
        Category.PROPERTY_REPAIR,
        "3楼洁净车间空调漏水",
        "车间东侧空调持续漏水，影响生产，请尽快处理。",
        "open_breached",
        30,
        None,
    ),
    (
        Category.POLICY,
        "研发费用加计扣除政策咨询",
        "想了解今年研发费用加计扣除比例及备案材料。",
        "open",
        2,
        None,
    ),
    (
        Category.REGISTRATION,
        "办理经营范围变更",
        "需要增加“技术进出口”经营范围，请协助办理。",
        "in_progress",
        50,
        None,
    ),
    (
        Category.TALENT,
        "申请人才公寓两套",
        "新引进两名研发骨干，申请人才公寓。",
        "in_progress_breached",
        240,
        None,
    ),
    (
        Category.PROPERTY_REPAIR,
        "门禁卡失效",
        "两张员工门禁卡无法刷开B座大门。",
        "resolved",
        20,
        None,
    ),
    (
        Category.POLICY,
        "专精特新申报材料清单",
        "请提供省专精特新申报的材料清单和时间表。",
        "closed",
        400,
        5,
    ),
    (Category.OTHER, "会议室预约咨询", "园区共享会议室能否周末使用？", "closed", 300, 4),
    (Category.PROPERTY_REPAIR, "停车位申请", "申请增加三个固定停车位。", "closed", 700, 3),
    (Category.TALENT, "高层次人才认定", "公司CTO能否申请常熟市高层次人才认定？", "closed", 900, 5),
)


def _seed_tickets(
    park: Park, rng: random.Random, ref: dt.date, officer: User | None, members: list[User]
) -> None:
    if not members:
        return
    now = _at(ref, 10)
    for i, (category, title, body, state, hours_ago, rating) in enumerate(TICKETS):
        author = members[i % len(members)]
        assert author.enterprise_id is not None  # members belong to a firm
        opened = now - dt.timedelta(hours=hours_ago, minutes=rng.randint(0, 50))
        response_due, resolution_due = sla_deadlines(category, opened)
        ticket = Ticket(
            park=park,
            enterprise_id=author.enterprise_id,
            opened_by=author,
            category=category,
            title=title,
            body=body,
            opened_at=opened,
            response_due_at=response_due,
            resolution_due_at=resolution_due,
        )
        # A reply's text, or an event's (text, source) as the service writes it.
        thread: list[tuple[User | None, str, str | tuple[str, TextSource], dt.datetime]] = []
        if state == "open_breached":
            ticket.response_breached = True
            ticket.escalated_at = response_due + dt.timedelta(minutes=5)
            thread.append(
                (
                    None,
                    "event",
                    written(ticket_services.RESPONSE_LATE_ESCALATED, due=_hm(response_due)),
                    ticket.escalated_at,
                )
            )
        elif state != "open":
            answered = opened + dt.timedelta(hours=rng.randint(1, 3))
            ticket.assignee = officer
            ticket.first_response_at = answered
            ticket.status = Ticket.Status.IN_PROGRESS
            thread.append(
                (officer, "event", written(ticket_services.ASSIGNED, name=str(officer)), answered)
            )
            thread.append(
                (
                    officer,
                    "reply",
                    "您好，已收到，正在协调相关部门处理。",
                    answered + dt.timedelta(minutes=10),
                )
            )
            thread.append(
                (author, "reply", "好的，谢谢，请尽快。", answered + dt.timedelta(hours=2))
            )
            if state == "in_progress_breached":
                ticket.resolution_breached = True
                ticket.escalated_at = resolution_due + dt.timedelta(minutes=5)
                thread.append(
                    (
                        None,
                        "event",
                        written(ticket_services.RESOLUTION_LATE_ESCALATED, due=_hm(resolution_due)),
                        ticket.escalated_at,
                    )
                )
            if state in ("resolved", "closed"):
                done = min(resolution_due, answered + dt.timedelta(hours=rng.randint(4, 30)))
                ticket.status = Ticket.Status.RESOLVED
                ticket.resolved_at = done
                thread.append((officer, "reply", "已处理完毕，请确认。", done))
                thread.append((officer, "event", written(ticket_services.RESOLVED), done))
                if state == "closed":
                    closed = done + dt.timedelta(hours=rng.randint(1, 20))
                    ticket.status = Ticket.Status.CLOSED
                    ticket.closed_at = closed
                    assert rating is not None  # every closed demo ticket is rated
                    ticket.rating = rating
                    ticket.rating_comment = {
                        5: "非常及时，感谢！",
                        4: "处理得不错。",
                        3: "解决了，但等得有点久。",
                    }[rating]
                    thread.append(
                        (author, "event", written(ticket_services.CONFIRMED, n=rating), closed)
                    )
        ticket.save()
        TicketMessage.objects.bulk_create(
            [
                TicketMessage(
                    ticket=ticket,
                    author=who,
                    kind=kind,
                    from_staff=who is None or not who.is_member,
                    body=text if isinstance(text, str) else text[0],
                    body_source=None if isinstance(text, str) else text[1],
                    created_at=at,
                )
                for who, kind, text, at in thread
            ]
        )


@transaction.atomic
def delete_portal(*, park: Park) -> None:
    """Remove the portal and service-desk rows of a park (before deleting the park)."""
    Ticket.objects.filter(park=park).delete()
    NoticeRead.objects.filter(notice__park=park).delete()
    Notice.objects.filter(park=park).delete()
    PeriodFigure.objects.filter(enterprise__park=park).delete()
    Report.objects.filter(campaign__park=park).delete()
    Report.objects.filter(enterprise__park=park).delete()
    Campaign.objects.filter(park=park).delete()
