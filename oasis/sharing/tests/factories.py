"""Catalogue rows for every app's tests: an offering, a bookable resource with its rules,
the EMC test service that request tests file against."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from oasis.parks.models import Park
from oasis.sharing.models import Delivery, Offering, Resource, Share


def make_offering(park: Park, *, name: str, **fields: Any) -> Offering:
    """An active offering of the park, delivered as a bookable resource unless told."""
    values: dict[str, Any] = {
        "share": Share.DIGITAL,
        "operator": "园区运营中心",
        "delivery": Delivery.RESOURCE,
        **fields,
    }
    return Offering.objects.create(park=park, name=name, **values)


def make_emc_offering(park: Park, **fields: Any) -> Offering:
    """The EMC test service, filed as a request and charged per test."""
    values: dict[str, Any] = {
        "share": Share.TECHNOLOGY,
        "operator": "共性技术创新中心",
        "delivery": Delivery.REQUEST,
        "request_kind": "test",
        "price_resident": Decimal("800.00"),
        "price_outside": Decimal("1200.00"),
        "price_unit": "each",
        **fields,
    }
    return make_offering(park, name="EMC 检测", **values)


def make_resource(offering: Offering, *, name: str, **rules: Any) -> Resource:
    """A resource of `offering`, open 8:00–20:00 every day in 30-minute slots, booked for
    30 minutes to 4 hours, unless `rules` say otherwise."""
    values: dict[str, Any] = {
        "opens_at": dt.time(8),
        "closes_at": dt.time(20),
        "open_weekdays": "1234567",
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 240,
        "lead_hours": 0,
        "cancel_hours": 24,
        **rules,
    }
    return Resource.objects.create(offering=offering, park=offering.park, name=name, **values)
