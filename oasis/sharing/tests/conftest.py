"""Sharing fixtures on top of the project's (park, member, operator…): a catalogue
with an instrument behind the training gate and a meeting room, and a fixed clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from oasis.sharing.models import Delivery, Offering, Resource, Share


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def instrument_offering(park):
    return Offering.objects.create(
        park=park,
        share=Share.TECHNOLOGY,
        name="光谱分析",
        operator="共性技术创新中心",
        delivery=Delivery.RESOURCE,
        price_resident=Decimal("200.00"),
        price_outside=Decimal("300.00"),
        free_quota=Decimal("1.00"),
    )


@pytest.fixture
def spectrometer(instrument_offering):
    return Resource.objects.create(
        offering=instrument_offering,
        park=instrument_offering.park,
        name="傅里叶红外光谱仪",
        opens_at=dt.time(8),
        closes_at=dt.time(20),
        open_weekdays="1234567",
        slot_minutes=30,
        min_minutes=30,
        max_minutes=240,
        lead_hours=2,
        training_required=True,
        cancel_hours=24,
    )


@pytest.fixture
def room(park):
    offering = Offering.objects.create(
        park=park,
        share=Share.DIGITAL,
        name="会议室",
        operator="园区运营中心",
        delivery=Delivery.RESOURCE,
        price_resident=Decimal("50.00"),
        price_outside=Decimal("80.00"),
    )
    return Resource.objects.create(
        offering=offering,
        park=park,
        name="路演厅",
        opens_at=dt.time(8),
        closes_at=dt.time(22),
        open_weekdays="1234567",
        slot_minutes=30,
        min_minutes=30,
        max_minutes=480,
        lead_hours=0,
        cancel_hours=2,
    )
