"""Demo data for events and showcases, called by the demo generator after sharing's seed:
a full roadshow with a waitlist, a past salon with check-ins, a brand day to come, and
two showcases (one published). Deterministic for a given reference date."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from oasis.parks.models import Park
from oasis.sharing.demo import firms_and_members
from oasis.sharing.models import Offering

from .models import Event, Registration, Showcase


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def seed_events(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    firms, members = firms_and_members(park)
    if not firms:
        return
    # Shared brand: a full roadshow with a waitlist, a past salon with check-ins.
    brand = Offering.objects.filter(park=park, name="园区品牌活动").first()
    full = Event.objects.create(
        park=park,
        offering=brand,
        title="专精特新企业投融资路演（第 6 期）",
        kind=Event.Kind.ROADSHOW,
        starts_at=_local(reference_date + dt.timedelta(days=10), 14),
        ends_at=_local(reference_date + dt.timedelta(days=10), 17),
        venue="路演厅",
        capacity=max(1, len(members) - 1),
        description="八家企业路演，十家投资机构现场点评。",
    )
    past = Event.objects.create(
        park=park,
        offering=brand,
        title="汽车电子功能安全沙龙",
        kind=Event.Kind.SALON,
        starts_at=_local(reference_date - dt.timedelta(days=9), 14),
        ends_at=_local(reference_date - dt.timedelta(days=9), 16),
        venue="会议室 A（12 人）",
        capacity=30,
    )
    Event.objects.create(
        park=park,
        offering=brand,
        title="绿洲芯城品牌日",
        kind=Event.Kind.BRAND_DAY,
        starts_at=_local(reference_date + dt.timedelta(days=30), 9),
        ends_at=_local(reference_date + dt.timedelta(days=30), 17),
        venue="园区中央广场",
        capacity=200,
    )
    regs = []
    for i, user in enumerate(members):
        status = "registered" if i < full.capacity else "waitlisted"
        regs.append(Registration(event=full, user=user, enterprise=user.enterprise, status=status))
        regs.append(
            Registration(
                event=past,
                user=user,
                enterprise=user.enterprise,
                status="registered",
                checked_in_at=past.starts_at if i % 2 == 0 else None,
            )
        )
    Registration.objects.bulk_create(regs)

    Showcase.objects.create(
        enterprise=firms[0],
        headline=f"{firms[0].name}：园区共享智造的深度用户",
        published=True,
        published_at=timezone.now(),
        body="依托园区 SMT 中试线与共性技术中心，新产品从样机到小批量只用了六周。",
        products="车规级模组、测试服务",
    )
    if len(firms) > 1:
        Showcase.objects.create(
            enterprise=firms[1], headline=f"{firms[1].name} 企业风采", body="待园区审核发布。"
        )
