"""Attraction funnel at scale: 50,000 leads and 500,000 activities (bulk-created in
its own SQLite database under var/bench-attraction/), then the funnel report and the
weighted pipeline progress computed in the database.

    .venv/bin/python benchmarks/attraction.py

Last line: RESULT leads=50000 activities=500000 funnel_s=… (target: under 2 s)."""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-attraction"
DB = BENCH_DIR / "attraction.sqlite3"
LEADS = 50_000
ACTIVITIES = 500_000
OWNERS = 25
BATCH = 5_000


def setup() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{DB}",
            "OASIS_VAR_DIR": str(BENCH_DIR),
            "DJANGO_SETTINGS_MODULE": "oasis.settings",
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-attraction-not-secret-0123456789abcdefghijklmnop",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build() -> tuple[object, object]:
    from django.db import transaction

    from oasis.accounts.models import Role
    from oasis.accounts.tests.factories import make_user
    from oasis.attraction.models import (
        PIPELINE,
        STAGE_RANK,
        Activity,
        Lead,
        Partner,
        Source,
        Stage,
        StageChange,
    )
    from oasis.enterprises.models import FocusIndustry
    from oasis.parks.tests.factories import ParkFactory

    rng = random.Random(5)
    park = ParkFactory(name="基准园区")
    admin = make_user("bench-admin", park=park, role=Role.PARK_ADMIN)
    owners = [make_user(f"bench-zs{i:02d}", park=park, role=Role.ATTRACTION) for i in range(OWNERS)]
    partners = Partner.objects.bulk_create(
        [
            Partner(park=park, kind=kind, name=f"{kind}-{i}")
            for kind in Partner.Kind.values
            for i in range(30)
        ]
    )
    by_kind = {k: [p for p in partners if p.kind == k] for k in Partner.Kind.values}
    start = dt.datetime(2023, 7, 1, tzinfo=dt.UTC)
    sources = Source.values
    industries = FocusIndustry.values
    day = dt.timedelta(days=1)
    with transaction.atomic():
        leads = []
        plans = []
        for i in range(LEADS):
            created = start + dt.timedelta(minutes=rng.randrange(0, 900 * 24 * 60))
            reached = min(5, int(rng.expovariate(0.9)))
            lost = reached < 4 and rng.random() < 0.3
            stage = Stage.LOST if lost else PIPELINE[reached]
            source = rng.choice(sources)
            partner = rng.choice(by_kind[source]) if source in by_kind else None
            durations = [rng.randint(1, 40) for _ in range(reached + 1)]
            leads.append(
                Lead(
                    park=park,
                    company_name=f"基准企业{i}",
                    name_key=f"基准企业{i}",
                    source=source,
                    partner=partner,
                    focus_industry=rng.choice(industries),
                    owner=rng.choice(owners) if rng.random() < 0.9 else None,
                    stage=stage,
                    max_rank=STAGE_RANK[PIPELINE[reached]],
                    lost_reason="预算不足" if lost else "",
                    expected_investment=Decimal(rng.randrange(1, 500)) * 1_000_000,
                    expected_output=Decimal(rng.randrange(1, 800)) * 1_000_000,
                    expected_jobs=rng.randrange(5, 500),
                    created_at=created,
                    stage_entered_at=created + sum(durations[:-1]) * day,
                    last_activity_at=created,
                )
            )
            plans.append((reached, lost, durations))
        Lead.objects.bulk_create(leads, batch_size=BATCH)
        changes = []
        for lead, (reached, lost, durations) in zip(leads, plans):
            at = lead.created_at
            changes.append(StageChange(lead=lead, from_stage="", to_stage=Stage.LEAD, at=at))
            for r in range(1, reached + 1):
                at += durations[r - 1] * day
                changes.append(
                    StageChange(
                        lead=lead,
                        from_stage=PIPELINE[r - 1],
                        to_stage=PIPELINE[r],
                        seconds_in_stage=durations[r - 1] * 86400,
                        at=at,
                    )
                )
            if lost:
                at += durations[reached] * day
                changes.append(
                    StageChange(
                        lead=lead,
                        from_stage=PIPELINE[reached],
                        to_stage=Stage.LOST,
                        seconds_in_stage=durations[reached] * 86400,
                        reason="预算不足",
                        at=at,
                    )
                )
        StageChange.objects.bulk_create(changes, batch_size=BATCH)
        kinds = [Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.MEETING, Activity.Kind.NOTE]
        batch = []
        for n in range(ACTIVITIES):
            lead = leads[n % LEADS]
            batch.append(
                Activity(
                    lead_id=lead.pk,
                    kind=kinds[n % 4],
                    body="跟进",
                    at=lead.created_at + (n // LEADS) * day,
                )
            )
            if len(batch) == BATCH:
                Activity.objects.bulk_create(batch)
                batch = []
        if batch:
            Activity.objects.bulk_create(batch)
    return park, admin


def main() -> None:
    t = time.perf_counter()
    setup()
    park, admin = build()
    from django.db import connection

    from oasis.attraction import selectors
    from oasis.attraction.models import Activity, Lead, StageChange

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    leads, activities, changes = (
        Lead.objects.count(),
        Activity.objects.count(),
        StageChange.objects.count(),
    )
    print(
        f"built {leads:,} leads, {changes:,} stage changes, {activities:,} activities in {time.perf_counter() - t:.1f} s"
    )
    timings = []
    for _ in range(3):
        admin = type(admin).objects.get(pk=admin.pk)  # fresh user: no cached roles
        start = time.perf_counter()
        report = selectors.funnel_report(user=admin, park_id=park.pk)
        progress = selectors.pipeline_progress(user=admin, park=park)
        timings.append(time.perf_counter() - start)
    totals = report["totals"]
    print(
        f"funnel totals: leads={totals['total']} reached={totals['reached']} lost={totals['lost']} conversion={totals['conversion']}%"
    )
    print(
        f"groups: source={len(report['source'])} industry={len(report['focus_industry'])} owner={len(report['owner'])} month={len(report['month'])}"
    )
    print(
        f"weighted progress: enterprises={progress['enterprises']} output={progress['output']} jobs={progress['jobs']}"
    )
    print("funnel runs (s): " + ", ".join(f"{s:.3f}" for s in timings))
    print(f"RESULT leads={leads} activities={activities} funnel_s={min(timings):.3f}")


if __name__ == "__main__":
    main()
