"""Many parks at once, for load tests and a group's demo: `oasis seed-parks --parks 50
--enterprises 300`.

Each park is built by the demo park's own bulk functions (space, firms, figures), gets its
logins (`p01-admin` … park administrator, `p01-m0` … members of its first settled firms),
leases with their bills written in bulk (the services would audit every one of tens of
thousands of rows), and the sharing and portal demo seeds (bookable resources, reporting
campaigns, notices, tickets). One transaction per park, so a stopped run keeps whole parks.

The parks are marked in their description; `--reset` deletes exactly those."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.db import transaction

from oasis.accounts.models import ParkRole, Role, User
from oasis.enterprises.models import Enterprise
from oasis.leasing import schedule
from oasis.leasing import services as leasing
from oasis.leasing.models import Lease, LeaseUnit
from oasis.parks.models import Building, Floor, Park, Unit

from . import generator

MARKER = "（批量演示园区，由 oasis seed-parks 生成，可用 --reset 删除。）"
MEMBERS_PER_PARK = 10
_DOMAIN_SEEDS = (
    ("oasis.sharing.demo", "seed_sharing"),
    ("oasis.finance.demo", "seed_finance"),
    ("oasis.events.demo", "seed_events"),
    ("oasis.portal.demo", "seed_portal"),
)


@dataclass
class ParksSummary:
    parks: int = 0
    enterprises: int = 0
    leases: int = 0
    bills: int = 0
    users: int = 0
    seconds: float = 0.0


def park_admin(n: int) -> str:
    return f"p{n:02d}-admin"


def park_member(n: int, k: int) -> str:
    return f"p{n:02d}-m{k}"


def parks_existing() -> list[Park]:
    return list(Park.objects.filter(description__contains=MARKER).order_by("pk"))


def parks_delete() -> int:
    """Delete every park this module made, with its rows and logins."""
    parks = parks_existing()
    for park in parks:
        generator._delete_domains(park)
        User.objects.filter(enterprise__park=park).delete()
        User.objects.filter(park_roles__park=park).delete()
        Enterprise.objects.filter(park=park).delete()
        Unit.objects.filter(building__park=park).delete()
        Floor.objects.filter(building__park=park).delete()
        Building.objects.filter(park=park).delete()
        park.delete()
    return len(parks)


def _leases(rng: random.Random, park: Park, n: int) -> tuple[int, int]:
    """One active lease per settled firm over the units it occupies, and its bills."""
    links = Enterprise.units.through.objects.filter(enterprise__park=park).select_related("unit")
    by_firm: dict[int, list[Unit]] = {}
    for link in links:
        by_firm.setdefault(link.enterprise_id, []).append(link.unit)
    leases, lease_units = [], []
    for seq, (firm_id, units) in enumerate(sorted(by_firm.items()), start=1):
        start = generator.REFERENCE_DATE - dt.timedelta(days=rng.randint(30, 900))
        lease = Lease(
            park=park,
            number=f"P{n:02d}-{start.year}-{seq:04d}",
            tenant_id=firm_id,
            area=sum((u.area for u in units), Decimal(0)),
            start_date=start,
            end_date=schedule.add_months(start, 36) - dt.timedelta(days=1),
            rent_basis="sqm_day",
            rent_rate=Decimal(rng.randint(80, 180)) / 100,
            property_fee_rate=Decimal(rng.randint(3, 8)),
            deposit=Decimal(0),
            escalation_pct=Decimal(rng.choice([0, 3, 5])),
            cycle=rng.choice([1, 3, 3, 6]),
            status=Lease.Status.ACTIVE,
            signed_on=start,
        )
        leases.append(lease)
        lease_units += [(lease, u) for u in units]
    Lease.objects.bulk_create(leases, batch_size=2000)
    LeaseUnit.objects.bulk_create(
        [
            LeaseUnit(
                lease=le, unit=u, start_date=le.start_date, end_date=le.end_date, occupies=True
            )
            for le, u in lease_units
        ],
        batch_size=2000,
    )
    return len(leases), leasing.bills_generate_many(leases=leases)


def _users(park: Park, n: int, password: str) -> int:
    firms = list(
        Enterprise.objects.filter(park=park, status=Enterprise.Status.SETTLED, units__isnull=False)
        .distinct()
        .order_by("pk")[:MEMBERS_PER_PARK]
    )
    domain = generator.DEMO_EMAIL_DOMAIN
    admin = User(
        username=park_admin(n),
        display_name=f"园区{n:02d}管理员",
        email=f"{park_admin(n)}@{domain}",
        password=password,
    )
    members = [
        User(
            username=park_member(n, k),
            display_name=f"园区{n:02d}企业用户{k}",
            email=f"{park_member(n, k)}@{domain}",
            enterprise=firm,
            is_enterprise_admin=True,
            password=password,
        )
        for k, firm in enumerate(firms)
    ]
    User.objects.bulk_create([admin, *members])
    ParkRole.objects.create(user=admin, park=park, role=Role.PARK_ADMIN)
    return 1 + len(members)


def generate_parks(
    *, parks: int, enterprises: int, seed: int = 2023, stdout: generator.Writer | None = None
) -> ParksSummary:
    started = time.perf_counter()
    summary = ParksSummary()
    password = make_password(generator.DEMO_PASSWORD)
    first = len(parks_existing()) + 1
    for n in range(first, first + parks):
        rng = random.Random(f"{seed}:park:{n}")
        with transaction.atomic():
            park = Park.objects.create(
                name=f"绿洲园区{n:02d}",
                short_name=f"园区{n:02d}",
                city="江苏省苏州市常熟市",
                opened_on=generator.OPENED_ON,
                description=MARKER,
                land_mu=Decimal(460),
                planned_floor_area=Decimal(generator.PLANNED_FLOOR_AREA),
                target_enterprises=enterprises,
                target_jobs_min=6000,
                target_jobs_max=8000,
                target_output=Decimal(50_000_000_000),
                target_residents=3000,
            )
            demo = generator.DemoSummary(park_id=park.pk)
            pools = generator._create_space(rng, park, demo)
            generator._write_firms(rng, park, enterprises, pools, demo, None)
            summary.users += _users(park, n, password)
            leases, bills = _leases(rng, park, n)
            for module, function in _DOMAIN_SEEDS:
                getattr(import_module(module), function)(
                    park=park,
                    rng=random.Random(f"{seed}:{n}:{module}"),
                    reference_date=generator.REFERENCE_DATE,
                )
        summary.parks += 1
        summary.enterprises += demo.enterprises
        summary.leases += leases
        summary.bills += bills
        if stdout is not None:
            stdout.write(
                f"  {park.name}：企业 {demo.enterprises}，合同 {leases}，账单 {bills}"
                f"（累计 {time.perf_counter() - started:.0f} 秒）"
            )
    summary.seconds = time.perf_counter() - started
    return summary
