"""Charges from price rules and free quota, as a pure function (no ORM).

Quantities are hours (bookings) or counts (requests), rounded to 0.01; a firm's free
quota per offering per month is used up in time order; each line's amount is
(quantity − free) × unit price rounded half-up to the fen, and a statement's total is
the sum of its lines, so it reconciles to the fen by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Usage:
    ref: tuple[str, int]  # ("booking", id) or ("request", id)
    offering_id: int
    description: str
    quantity: Decimal
    when: dt.datetime


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    free_quota: Decimal


@dataclass(frozen=True)
class Line:
    ref: tuple[str, int]
    offering_id: int
    description: str
    quantity: Decimal
    free_quantity: Decimal
    unit_price: Decimal
    amount: Decimal


def price_lines(usages: Iterable[Usage], prices: dict[int, Price]) -> list[Line]:
    left = {oid: p.free_quota for oid, p in prices.items()}
    lines = []
    for u in sorted(usages, key=lambda u: (u.when, u.ref)):
        price = prices[u.offering_id]
        free = min(u.quantity, left[u.offering_id])
        left[u.offering_id] -= free
        amount = ((u.quantity - free) * price.unit_price).quantize(FEN, rounding=ROUND_HALF_UP)
        lines.append(
            Line(u.ref, u.offering_id, u.description, u.quantity, free, price.unit_price, amount)
        )
    return lines


def total(lines: Iterable[Line]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)
