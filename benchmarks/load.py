"""Load test: 100 concurrent users for 3 minutes against `make cluster` (nginx, two
gunicorn nodes, two workers, PostgreSQL, Redis, S3) holding 50 parks of 300 firms.

Run from the project root:  .venv/bin/python benchmarks/load.py
It starts the cluster if it is not running, adds the parks it lacks (`oasis seed-parks`,
a few minutes the first time; kept for later runs), then runs locust headless:
- staff (park administrators of all 50 parks): dashboard, enterprise list, an enterprise
  file, the screening, a building's stacking plan, the lease list;
- members (firms of every park): the portal, a bookable resource and their bookings, a
  new ticket with a PDF attachment (a write, stored in S3) and its page, the report form.
Every journey also opens the trivial page (/accounts/profile/: session, user and layout),
so the two are measured under the same load. Last line:
`RESULT users=100 requests=… errors=0 p95_ms=… p95_over_trivial=…` (targets: errors 0,
p95_over_trivial ≤ 5). Environment: LOAD_USERS, LOAD_SECONDS, LOAD_PARKS to try others.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

USERS = int(os.environ.get("LOAD_USERS", "100"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "180"))
PARKS = int(os.environ.get("LOAD_PARKS", "50"))
FIRMS = int(os.environ.get("LOAD_FIRMS", "300"))
TRIVIAL = "/accounts/profile/"
PDF = b"%PDF-1.4\n%load test attachment\n" + b"0" * 4000


def plan() -> dict[str, object]:
    """Run in a child process with the cluster's settings: make sure the parks exist and
    return, per park, the logins and the ids the journeys visit."""
    import django

    django.setup()
    from django.core.management import call_command

    from oasis.accounts.models import User
    from oasis.demo import parks as many_parks
    from oasis.enterprises.models import Enterprise
    from oasis.parks.models import Building
    from oasis.portal.models import Campaign
    from oasis.sharing.models import Resource

    have = len(many_parks.parks_existing())
    if have < PARKS:
        print(f"seeding {PARKS - have} parks of {FIRMS} firms …", file=sys.stderr, flush=True)
        call_command("seed-parks", parks=PARKS - have, enterprises=FIRMS, stdout=sys.stderr)
    out = []
    for n, park in enumerate(many_parks.parks_existing()[:PARKS], start=1):
        members = list(
            User.objects.filter(enterprise__park=park, username__startswith=f"p{n:02d}-m")
            .order_by("pk")
            .values_list("username", flat=True)
        )
        out.append(
            {
                "admin": many_parks.park_admin(n),
                "members": members,
                "enterprises": list(
                    Enterprise.objects.filter(park=park)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:40]
                ),
                "buildings": list(
                    Building.objects.filter(park=park, floors__isnull=False)
                    .distinct()
                    .order_by("pk")
                    .values_list("pk", flat=True)
                ),
                "resources": list(
                    Resource.objects.filter(offering__park=park)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:5]
                ),
                "campaigns": list(
                    Campaign.objects.filter(park=park, status="open")
                    .order_by("pk")
                    .values_list("pk", flat=True)
                ),
            }
        )
    return {"parks": out}


def main() -> None:
    # locust runs on gevent: patch before anything imports ssl or sockets (boto3, requests).
    from gevent import monkey

    monkey.patch_all()
    import cluster

    started = __import__("time").perf_counter()
    cluster.up(seed=False)
    child = subprocess.run(
        [sys.executable, __file__, "--plan"],
        env=cluster.env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
    )
    journeys = json.loads(child.stdout)["parks"]
    print(
        f"data ready: {len(journeys)} parks ({__import__('time').perf_counter() - started:.0f} s)"
    )
    from _load_run import run  # imports locust (gevent patches the process): only now

    result = run(
        base=f"http://{cluster.HOST}:{cluster.PORT}",
        journeys=journeys,
        users=USERS,
        seconds=SECONDS,
        trivial=TRIVIAL,
        pdf=PDF,
    )
    print(result.table)
    for line in result.error_samples:
        print("error:", line)
    print(
        f"RESULT users={USERS} requests={result.requests} errors={result.errors} "
        f"p95_ms={result.p95_ms:.0f} p95_over_trivial={result.p95_ms / result.trivial_p95_ms:.2f}"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--plan"]:
        print(json.dumps(plan()))
    else:
        main()
