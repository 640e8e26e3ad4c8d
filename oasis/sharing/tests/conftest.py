"""Sharing fixtures on top of the project's (park, member, operator…): a catalogue
with an instrument behind the training gate and a meeting room, and a fixed clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from oasis.sharing.models import Share

from .factories import make_offering, make_resource


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def instrument_offering(park):
    return make_offering(
        park,
        name="光谱分析",
        share=Share.TECHNOLOGY,
        operator="共性技术创新中心",
        price_resident=Decimal("200.00"),
        price_outside=Decimal("300.00"),
        free_quota=Decimal("1.00"),
    )


@pytest.fixture
def spectrometer(instrument_offering):
    return make_resource(
        instrument_offering, name="傅里叶红外光谱仪", lead_hours=2, training_required=True
    )


@pytest.fixture
def room(park):
    offering = make_offering(
        park, name="会议室", price_resident=Decimal("50.00"), price_outside=Decimal("80.00")
    )
    return make_resource(
        offering, name="路演厅", closes_at=dt.time(22), max_minutes=480, cancel_hours=2
    )
