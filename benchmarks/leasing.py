"""Leasing benchmark: the rent schedules of 10,000 five-year leases, then the park's
receivables ageing rebuilt (paid amounts recomputed from payments, then bucketed).

Builds its own data in its own SQLite database under var/bench-leasing/. Target: each
step under 10 s. Last line: RESULT leases=10000 schedule_s=… ageing_s=…
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-leasing"
DB = VAR / "leasing.sqlite3"
LEASES = 10_000

VAR.mkdir(parents=True, exist_ok=True)
for suffix in ("", "-wal", "-shm"):
    Path(f"{DB}{suffix}").unlink(missing_ok=True)
os.environ.update(
    {
        "OASIS_VAR_DIR": str(VAR),
        "DATABASE_URL": f"sqlite:///{DB}",
        "DJANGO_SETTINGS_MODULE": "oasis.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-leasing-not-secret-0123456789abcdefghijklmnop",
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from oasis.accounts.models import User  # noqa: E402
from oasis.enterprises.models import Enterprise  # noqa: E402
from oasis.leasing import selectors, services  # noqa: E402
from oasis.leasing.models import Bill, Lease, LeaseUnit, Payment, PaymentAllocation  # noqa: E402
from oasis.leasing.schedule import add_months  # noqa: E402
from oasis.parks.models import Building, Floor, Park, Unit  # noqa: E402

TODAY = dt.date(2027, 6, 15)


def build() -> tuple[Park, list[Lease]]:
    rng = random.Random(2023)
    call_command("migrate", verbosity=0)
    park = Park.objects.create(name="基准园区")
    buildings = Building.objects.bulk_create(
        [
            Building(
                park=park,
                name=f"{n}号楼",
                code=f"B{n:02d}",
                use="office",
                floors_above=25,
                gross_area=Decimal(30000),
            )
            for n in range(20)
        ]
    )
    floors = Floor.objects.bulk_create(
        [Floor(building=b, number=f) for b in buildings for f in range(1, 26)]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                building=fl.building,
                floor=fl,
                code=f"{fl.number:02d}{i:02d}",
                use="office",
                area=Decimal(rng.randint(60, 900)),
                status=Unit.Status.LEASED,
            )
            for fl in floors
            for i in range(20)
        ],
        batch_size=2000,
    )
    firms = Enterprise.objects.bulk_create(
        [
            Enterprise(park=park, name=f"基准企业{n}", industry_code="3976", status="settled")
            for n in range(2000)
        ],
        batch_size=2000,
    )
    leases = []
    for n, unit in enumerate(units[:LEASES]):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 540))
        per_sqm = rng.random() < 0.8
        leases.append(
            Lease(
                park=park,
                number=f"B{n:05d}",
                tenant=firms[n % len(firms)],
                area=unit.area,
                start_date=start,
                end_date=add_months(start, 60) - dt.timedelta(days=1),
                rent_basis="sqm_day" if per_sqm else "monthly",
                rent_rate=Decimal(rng.randint(80, 250)) / 100
                if per_sqm
                else Decimal(rng.randint(5000, 90000)),
                property_fee_rate=Decimal(rng.randint(3, 9)),
                escalation_pct=Decimal(rng.choice([0, 3, 5])),
                cycle=rng.choice([1, 3, 3, 3, 6, 12]),
                status=Lease.Status.ACTIVE,
                signed_on=start,
            )
        )
    Lease.objects.bulk_create(leases, batch_size=2000)
    LeaseUnit.objects.bulk_create(
        [
            LeaseUnit(
                lease=le, unit=u, start_date=le.start_date, end_date=le.end_date, occupies=True
            )
            for le, u in zip(leases, units)
        ],
        batch_size=5000,
    )
    return park, leases


def pay_some(park: Park) -> None:
    """Tenants paid most bills due a while ago: allocations straight from the bill rows."""
    rng = random.Random(7)
    due = list(
        Bill.objects.filter(park=park, due_date__lte=TODAY).values_list("pk", "lease_id", "amount")
    )
    payments, allocs = [], []
    for pk, lease_id, amount in due:
        if rng.random() < 0.85:
            payments.append(Payment(lease_id=lease_id, park=park, amount=amount, paid_on=TODAY))
            allocs.append((pk, amount))
    with transaction.atomic():
        Payment.objects.bulk_create(payments, batch_size=5000)
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(payment=p, bill_id=pk, amount=a)
                for p, (pk, a) in zip(payments, allocs)
            ],
            batch_size=5000,
        )
    print(f"payments: {len(payments):,} of {len(due):,} bills due by {TODAY}")


def main() -> None:
    park, leases = build()
    start = time.perf_counter()
    with transaction.atomic():
        bills = services.bills_generate_many(leases=leases)
    schedule_s = time.perf_counter() - start
    print(f"schedule: {LEASES:,} leases → {bills:,} bills in {schedule_s:.2f} s")
    pay_some(park)
    viewer = User.objects.create_superuser("bench", password="x")
    start = time.perf_counter()
    rebuilt = services.receivables_rebuild(park_id=park.pk)
    total, rows = selectors.receivables_ageing(user=viewer, park=park.pk, on=TODAY)
    ageing_s = time.perf_counter() - start
    print(
        f"ageing: {rebuilt:,} bills rebuilt, {len(rows):,} tenants, outstanding ¥{total.total:,.2f} "
        f"(0–30 {total.d0_30:,.2f} · 31–90 {total.d31_90:,.2f} · 91–180 {total.d91_180:,.2f} · >180 {total.over_180:,.2f})"
    )
    print(f"RESULT leases={LEASES} schedule_s={schedule_s:.2f} ageing_s={ageing_s:.2f}")


if __name__ == "__main__":
    main()
