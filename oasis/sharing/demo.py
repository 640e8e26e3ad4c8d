"""Demo data for the five shares, called by the demo generator after the park, its firms
and its users exist: `seed_sharing(park=…, rng=…, reference_date=…)`.

Deterministic for a given rng seed and reference date. Rows are written directly (like
the generator does) except where a service's logic is the point: statements are issued
through the service, as the park's sharing operator.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from oasis.accounts.models import ParkRole, Role, User
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park

from . import services
from .models import (
    Booking,
    Certification,
    Delivery,
    Offering,
    RequestKind,
    Resource,
    ServiceRequest,
    Share,
)

D = Decimal

# (share, name, operator, delivery, request kind, unit, resident, outside, free quota, description)
OFFERINGS: tuple[tuple[Any, ...], ...] = (
    (
        Share.DIGITAL,
        "园区算力平台",
        "园区数字化运营中心",
        Delivery.RESOURCE,
        "",
        "hour",
        "60",
        "90",
        "10",
        "GPU 训练与仿真算力，按小时计费，入驻企业每月 10 小时免费。",
    ),
    (
        Share.DIGITAL,
        "会议与路演空间",
        "园区运营中心",
        Delivery.RESOURCE,
        "",
        "hour",
        "80",
        "150",
        "4",
        "路演厅与会议室，入驻企业每月 4 小时免费。",
    ),
    (
        Share.DIGITAL,
        "数字化转型诊断",
        "江苏省智能制造服务商（入驻）",
        Delivery.REQUEST,
        RequestKind.DIGITAL,
        "each",
        "0",
        "8000",
        "1",
        "上门诊断、出具数字化转型路线图，入驻企业每月一次免费。",
    ),
    (
        Share.MANUFACTURING,
        "SMT 中试线",
        "绿洲芯城共享工厂",
        Delivery.RESOURCE,
        "",
        "hour",
        "680",
        "980",
        "0",
        "贴片、回流焊与 AOI 全流程中试线，需运营方审批排产。",
    ),
    (
        Share.MANUFACTURING,
        "工业级 3D 打印",
        "绿洲芯城共享工厂",
        Delivery.RESOURCE,
        "",
        "hour",
        "220",
        "320",
        "2",
        "金属与尼龙增材制造，须经培训认证后自主使用。",
    ),
    (
        Share.TECHNOLOGY,
        "电磁兼容（EMC）测试",
        "产业共性技术创新中心",
        Delivery.RESOURCE,
        "",
        "hour",
        "900",
        "1300",
        "0",
        "3 米法预测试暗室与传导测试台，须经培训认证。",
    ),
    (
        Share.TECHNOLOGY,
        "材料与光谱分析",
        "产业共性技术创新中心",
        Delivery.RESOURCE,
        "",
        "hour",
        "260",
        "380",
        "1",
        "傅里叶红外光谱仪，须经培训认证。",
    ),
    (
        Share.TECHNOLOGY,
        "共性技术中心委托检测",
        "产业共性技术创新中心",
        Delivery.REQUEST,
        RequestKind.TEST,
        "each",
        "1500",
        "2400",
        "0",
        "可靠性、环境与失效分析委托检测，出具报告。",
    ),
    (
        Share.TECHNOLOGY,
        "知识产权服务",
        "园区知识产权服务站",
        Delivery.REQUEST,
        RequestKind.IP,
        "each",
        "500",
        "1200",
        "1",
        "专利检索、布局与申请辅导。",
    ),
    (
        Share.FINANCE,
        "融资需求对接",
        "园区金融服务中心",
        Delivery.MATCHING,
        "",
        "each",
        "0",
        "0",
        "0",
        "银行、基金与担保机构产品匹配，企业授权后按年度数据与培育梯度评估。",
    ),
    (
        Share.BRAND,
        "园区品牌活动",
        "园区品牌部",
        Delivery.EVENT,
        "",
        "each",
        "0",
        "0",
        "0",
        "路演、沙龙、培训与园区品牌日。",
    ),
    (
        Share.BRAND,
        "品牌推广支持",
        "园区品牌部",
        Delivery.REQUEST,
        RequestKind.BRAND,
        "each",
        "0",
        "3000",
        "1",
        "新品发布、展会联合参展与媒体推广。",
    ),
)

# (offering name, resource, opens, closes, weekdays, slot, min, max, lead h, approval, training, quota h, cancel h)
RESOURCES: tuple[tuple[Any, ...], ...] = (
    (
        "园区算力平台",
        "GPU 算力集群（8×A800）",
        8,
        23,
        "1234567",
        60,
        60,
        720,
        1,
        False,
        False,
        "120",
        2,
    ),
    ("会议与路演空间", "路演厅", 8, 22, "1234567", 30, 60, 480, 2, False, False, None, 4),
    ("会议与路演空间", "会议室 A（12 人）", 8, 20, "12345", 30, 30, 240, 0, False, False, None, 2),
    ("SMT 中试线", "SMT 中试线 1 号线", 8, 20, "123456", 60, 240, 720, 48, True, False, "80", 48),
    (
        "工业级 3D 打印",
        "金属 3D 打印机（SLM）",
        8,
        20,
        "12345",
        60,
        60,
        480,
        24,
        False,
        True,
        "40",
        24,
    ),
    (
        "电磁兼容（EMC）测试",
        "EMC 预测试暗室",
        9,
        18,
        "12345",
        30,
        60,
        240,
        24,
        False,
        True,
        "20",
        24,
    ),
    ("材料与光谱分析", "傅里叶红外光谱仪", 8, 18, "12345", 30, 30, 180, 2, False, True, None, 12),
)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def operator_of(park: Park) -> User | None:
    """The park's sharing operator, else a park administrator, else nobody."""
    for role in (Role.SHARING, Role.PARK_ADMIN):
        row = (
            ParkRole.objects.filter(park=park, role=role)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if row is not None:
            return row.user
    return None


def firms_and_members(park: Park) -> tuple[list[Enterprise], list[User]]:
    """The park's settled firms, the firm of the demo member logins first (its people
    see bookings, a statement, requests and a matched financing need when they log in),
    and the park's member users."""
    firms = list(
        Enterprise.objects.filter(park=park, status=Enterprise.Status.SETTLED).order_by("pk")
    )
    members = list(User.objects.filter(enterprise__park=park).order_by("pk"))
    if firms:
        home = (members[0].enterprise if members else None) or firms[0]
        firms = [home, *(f for f in firms if f.pk != home.pk)]
    return firms, members


@transaction.atomic
def seed_sharing(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    """Create the catalogue of all five shares with resources and rules, certifications,
    bookings over the six weeks before `reference_date` and two weeks after, an issued
    statement and service requests. Finance and events seed their own parts
    (finance.demo, events.demo), from this catalogue."""
    firms, members = firms_and_members(park)
    operator = operator_of(park)
    if not firms:
        return

    offerings = {}
    for share, name, op, delivery, kind, unit, res, out, free, desc in OFFERINGS:
        offerings[name] = Offering.objects.create(
            park=park,
            share=share,
            name=name,
            operator=op,
            delivery=delivery,
            request_kind=kind,
            price_unit=unit,
            price_resident=D(res),
            price_outside=D(out),
            free_quota=D(free),
            description=desc,
        )
    resources = []
    for (
        oname,
        name,
        opens,
        closes,
        days,
        slot,
        lo,
        hi,
        lead,
        approval,
        training,
        quota,
        cancel,
    ) in RESOURCES:
        resources.append(
            Resource.objects.create(
                offering=offerings[oname],
                park=park,
                name=name,
                opens_at=dt.time(opens),
                closes_at=dt.time(closes),
                open_weekdays=days,
                slot_minutes=slot,
                min_minutes=lo,
                max_minutes=hi,
                lead_hours=lead,
                approval_required=approval,
                training_required=training,
                monthly_quota_hours=D(quota) if quota else None,
                cancel_hours=cancel,
                location="共享服务中心" if "会议" in name or "路演" in name else "共性技术创新中心",
            )
        )

    # Certifications: the home firm's people are trained on the 3D printer and the
    # spectrometer (valid) and on the EMC chamber (expired); others on some instruments.
    gated = [r for r in resources if r.training_required]
    certs = []
    for i, user in enumerate(members):
        at_home = user.enterprise_id == firms[0].pk
        for j, r in enumerate(gated):
            if at_home and r.name == "EMC 预测试暗室":
                certs.append(
                    Certification(
                        resource=r,
                        user=user,
                        certified_on=reference_date - dt.timedelta(days=400),
                        expires_on=reference_date - dt.timedelta(days=35),
                    )
                )
            elif at_home or (i + j) % 3 == 0:
                certs.append(
                    Certification(
                        resource=r,
                        user=user,
                        certified_on=reference_date - dt.timedelta(days=60 + 7 * j),
                        expires_on=reference_date + dt.timedelta(days=300 - 7 * j),
                    )
                )
    Certification.objects.bulk_create(certs)

    # Bookings: per resource per open day, up to three disjoint slots in the morning,
    # the early afternoon and the late afternoon, so none overlap by construction.
    member_firm_ids = {u.enterprise_id for u in members}
    booker_for = {u.enterprise_id: u for u in members}
    pool = firms[: max(12, min(len(firms), 24))]
    bookings = []
    start_day = reference_date - dt.timedelta(days=42)
    for r in resources:
        day = start_day
        while day <= reference_date + dt.timedelta(days=14):
            if day.isoweekday() in r.weekdays:
                open_h, close_h = r.opens_at.hour, r.closes_at.hour
                windows = [
                    (open_h, open_h + (close_h - open_h) // 3),
                    (open_h + (close_h - open_h) // 3, open_h + 2 * (close_h - open_h) // 3),
                    (open_h + 2 * (close_h - open_h) // 3, close_h),
                ]
                for lo, hi in windows:
                    if rng.random() > 0.45:
                        continue
                    length_h = max(r.min_minutes // 60, min(hi - lo, rng.choice([1, 2, 2, 3, 4])))
                    if lo + length_h > hi or length_h * 60 > r.max_minutes:
                        continue
                    firm = rng.choice(pool)
                    if firm.pk in member_firm_ids and rng.random() < 0.5:
                        firm = firms[0]
                    start = _local(day, lo)
                    end = start + dt.timedelta(hours=length_h)
                    booker = booker_for.get(firm.pk) or operator or members[0]
                    if day < reference_date:
                        roll = rng.random()
                        status = (
                            "no_show"
                            if roll < 0.05
                            else "cancelled"
                            if roll < 0.12
                            else "completed"
                        )
                        used = None
                        if status == "completed":
                            used = max(30, length_h * 60 - rng.choice([0, 0, 0, 15, 30]))
                    else:
                        status = (
                            "pending" if r.approval_required and rng.random() < 0.5 else "confirmed"
                        )
                        used = None
                    bookings.append(
                        Booking(
                            resource=r,
                            enterprise=firm,
                            booked_by=booker,
                            start=start,
                            end=end,
                            status=status,
                            occupies=status in Booking.HOLDING,
                            used_minutes=used,
                            purpose=rng.choice(
                                [
                                    "样品验证",
                                    "小批量试产",
                                    "客户来访",
                                    "算法训练",
                                    "预认证测试",
                                    "成分分析",
                                    "季度评审",
                                ]
                            ),
                        )
                    )
            day += dt.timedelta(days=1)
    Booking.objects.bulk_create(bookings)

    # Requests in every state.
    req_offerings = [o for o in offerings.values() if o.delivery == Delivery.REQUEST]
    titles: dict[str, list[str]] = {
        RequestKind.DIGITAL: ["MES 系统选型诊断", "车间数据采集方案"],
        RequestKind.TEST: ["高低温循环可靠性测试", "PCB 失效分析"],
        RequestKind.IP: ["车载雷达专利布局", "发明专利申请辅导"],
        RequestKind.BRAND: ["新品发布会联合推广", "慕尼黑电子展联合参展"],
    }
    requests = []
    states = ["submitted", "assigned", "delivered", "closed", "closed", "closed"]
    for i in range(14):
        o = req_offerings[i % len(req_offerings)]
        firm = firms[0] if i < 4 else rng.choice(pool)
        state = states[i % len(states)]
        delivered = (
            reference_date - dt.timedelta(days=rng.randint(1, 40))
            if state in ("delivered", "closed")
            else None
        )
        requests.append(
            ServiceRequest(
                offering=o,
                enterprise=firm,
                submitted_by=booker_for.get(firm.pk) or operator or members[0],
                title=rng.choice(titles[o.request_kind]),
                detail="（演示数据）",
                status=state,
                assignee=operator if state != "submitted" else None,
                delivered_on=delivered,
                delivery_note="已交付报告与建议。" if delivered else "",
                rating=rng.choice([4, 5, 5]) if state == "closed" else None,
            )
        )
    ServiceRequest.objects.bulk_create(requests)

    # Last month's statement of the first firm, issued by the operator.
    if operator is not None:
        last_month = (reference_date.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        services.statement_issue(actor=operator, enterprise=firms[0], month=last_month)
