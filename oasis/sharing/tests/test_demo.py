"""The demo seeds all five shares on a generated park, consistently."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from oasis.demo.generator import generate_park
from oasis.parks.models import Park
from oasis.sharing import selectors
from oasis.sharing.demo import seed_sharing
from oasis.sharing.models import (
    Booking,
    Certification,
    Offering,
    ServiceRequest,
    Share,
    Statement,
)

pytestmark = pytest.mark.django_db


def test_seed_sharing_builds_every_share_without_overlaps():
    summary = generate_park(enterprises=30, seed=1, stdout=None)
    park = Park.objects.get(pk=summary.park_id)
    ref = dt.date(2026, 5, 20)
    seed_sharing(park=park, rng=random.Random(1), reference_date=ref)

    shares = set(Offering.objects.filter(park=park).values_list("share", flat=True))
    assert shares == set(Share.values)
    names = set(Offering.objects.values_list("name", flat=True))
    assert {
        "SMT 中试线",
        "工业级 3D 打印",
        "电磁兼容（EMC）测试",
        "材料与光谱分析",
        "园区算力平台",
        "会议与路演空间",
        "知识产权服务",
        "数字化转型诊断",
    } <= names
    assert Certification.objects.filter(expires_on__lt=ref).exists()
    assert Certification.objects.filter(expires_on__gte=ref).exists()

    bookings = list(Booking.objects.filter(occupies=True).order_by("resource_id", "start"))
    assert len(bookings) > 100
    for a, b in zip(bookings, bookings[1:]):
        if a.resource_id == b.resource_id:
            assert a.end <= b.start, (a.pk, b.pk)
    assert Booking.objects.filter(start__date__lt=ref, status="completed").exists()
    assert Booking.objects.filter(start__date__gt=ref, status="confirmed").exists()

    statement = Statement.objects.get()
    assert statement.month == dt.date(2026, 4, 1)
    assert sum(ln.amount for ln in statement.lines.all()) == statement.total > 0

    assert set(ServiceRequest.objects.values_list("status", flat=True)) >= {
        "submitted",
        "assigned",
        "delivered",
        "closed",
    }

    util = selectors.sharing_utilisation(park=park, month=dt.date(2026, 5, 1))
    assert util["hours_booked"] > 0 and util["firms_served"] > 1 and util["revenue"] > 0
