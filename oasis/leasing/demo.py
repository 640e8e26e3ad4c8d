"""Demo leases for the demo park: called by the demo generator after it has settled the
firms into their units (Enterprise.units). Deterministic for a given rng and day."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park, UnitUse

from . import schedule, services
from .models import (
    Bill,
    CreditRefund,
    DepositRefund,
    ImportJob,
    Lease,
    Payment,
    PaymentAllocation,
    Settlement,
)

# 元/㎡/天 by use, the going rates around Changshu for new park space.
RATES: dict[str, tuple[Decimal, Decimal]] = {
    UnitUse.MANUFACTURING: (Decimal("0.75"), Decimal("1.10")),
    UnitUse.RND: (Decimal("1.10"), Decimal("1.60")),
    UnitUse.OFFICE: (Decimal("1.80"), Decimal("2.80")),
    UnitUse.APARTMENT: (Decimal("1.20"), Decimal("1.60")),
    UnitUse.COMMERCIAL: (Decimal("2.50"), Decimal("4.00")),
}


def _rate(rng: random.Random, use: str) -> Decimal:
    lo, hi = RATES.get(use, RATES[UnitUse.OFFICE])
    return (lo + (hi - lo) * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.01"))


def seed_leasing(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    """Signed leases for the units the park's settled firms hold, with bills; most bills
    due before `reference_date` paid, some overdue; some leases expiring within 90 days
    and one of those already renewed."""
    firms = (
        Enterprise.objects.filter(park=park, status=Enterprise.Status.SETTLED)
        .prefetch_related("units")
        .order_by("pk")
    )
    taken: set[int] = set()
    expiring: list[Lease] = []
    for i, firm in enumerate(firms):
        units = [u for u in sorted(firm.units.all(), key=lambda u: u.pk) if u.pk not in taken]
        if not units:
            continue
        taken.update(u.pk for u in units)
        years = rng.choice([3, 3, 5])
        if rng.random() < 0.15:  # runs out within the next three months
            end = reference_date + dt.timedelta(days=rng.randint(10, 85))
            start = schedule.add_months(end + dt.timedelta(days=1), -12 * years)
        else:
            start = reference_date - dt.timedelta(days=rng.randint(30, 900))
            end = schedule.add_months(start, 12 * years) - dt.timedelta(days=1)
        free = []
        if rng.random() < 0.5:
            free = [
                (
                    start,
                    schedule.add_months(start, rng.choice([1, 2, 3])) - dt.timedelta(days=1),
                )
            ]
        data: dict[str, Any] = {
            "start_date": start,
            "end_date": end,
            "signed_on": start - dt.timedelta(days=rng.randint(5, 40)),
            "rent_basis": "sqm_day",
            "rent_rate": _rate(rng, units[0].use),
            "property_fee_rate": Decimal(rng.choice([4, 5, 6, 8])),
            "escalation_pct": Decimal(rng.choice([0, 3, 3, 5])),
            "deposit": (sum((u.area for u in units), Decimal(0)) * Decimal(3) * 30).quantize(
                Decimal("1")
            ),
            "cycle": rng.choice([3, 3, 3, 6, 12, 1]),
            "number": "",
        }
        if i % 7 == 3:  # a step table (阶梯租金) instead of a percentage
            rate = data["rent_rate"]
            data["escalation_pct"] = Decimal(0)
            data["rent_steps"] = [
                {"year": 2, "rate": str(rate + Decimal("0.10"))},
                {"year": 3, "rate": str(rate + Decimal("0.20"))},
            ]
        lease = services.lease_create(
            actor=None,
            tenant=firm,
            unit_ids=[u.pk for u in units],
            free_periods=free,
            activate=True,
            on=reference_date,
            data=data,
        )
        if lease.end_date <= reference_date + dt.timedelta(days=90):
            expiring.append(lease)
        _pay(rng, lease, reference_date)
    if expiring:
        old = expiring[0]
        services.lease_renew(
            actor=None,
            lease=old,
            end_date=schedule.add_months(old.end_date, 36),
            data={
                "rent_rate": (Decimal(old.rent_rate) * Decimal("1.05")).quantize(Decimal("0.01"))
            },
            deposit=services.CARRY,
        )
    _amend_one(reference_date)


def _amend_one(reference_date: dt.date) -> None:
    """A running lease re-priced from the first of this month (its history shows it)."""
    lease = (
        Lease.objects.filter(
            status=Lease.Status.ACTIVE,
            start_date__lt=reference_date.replace(day=1),
            end_date__gt=reference_date + dt.timedelta(days=365),
        )
        .order_by("pk")
        .first()
    )
    if lease is None:
        return
    in_force = schedule.rate_on(services.lease_terms(lease), reference_date.replace(day=1))
    services.lease_amend(
        actor=None,
        lease=lease,
        data={"rent_rate": (in_force.rent_rate + Decimal("0.05")).quantize(Decimal("0.01"))},
        effective_on=reference_date.replace(day=1),
        reason="市场调价",
    )


def _pay(rng: random.Random, lease: Lease, reference_date: dt.date) -> None:
    """Good payers pay every bill due a fortnight after its due date; a few stop paying
    some months back (they make the overdue and ageing figures)."""
    stops = (
        reference_date - dt.timedelta(days=rng.choice([400, 200, 100, 45]))
        if rng.random() < 0.2
        else None
    )
    for bill in lease.bills.filter(due_date__lte=reference_date).order_by("due_date"):
        paid_on = min(bill.due_date + dt.timedelta(days=rng.randint(0, 14)), reference_date)
        if stops is not None and bill.due_date >= stops:
            break
        if bill.amount > 0:
            services.payment_record(
                actor=None,
                lease=lease,
                amount=bill.amount,
                paid_on=paid_on,
                bill=bill,
                reference=f"YH{bill.pk:08d}",
            )


def unseed_leasing(*, park: Park) -> None:
    """Remove the park's leasing rows (leases protect their tenants and units, so the
    demo generator's reset must call this before deleting firms and space)."""
    Settlement.objects.filter(lease__park=park).delete()
    CreditRefund.objects.filter(lease__park=park).delete()
    DepositRefund.objects.filter(lease__park=park).delete()
    PaymentAllocation.objects.filter(payment__park=park).delete()
    Payment.objects.filter(park=park).delete()
    Bill.objects.filter(park=park).delete()
    # Successors point at predecessors (PROTECT): newest first.
    for lease in Lease.objects.filter(park=park).order_by("-start_date", "-pk"):
        lease.delete()
    ImportJob.objects.filter(park=park).delete()
