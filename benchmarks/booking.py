"""200 simultaneous booking attempts on 10 shared resources, through the real API on a
real server (gunicorn, DEBUG off) backed by PostgreSQL: do overlaps ever get in?

Run from the project root:  .venv/bin/python benchmarks/booking.py
It creates (drops and recreates) the database `oasis_bench_booking` on 127.0.0.1:5432
(user postgres; override with BENCH_PG_URL), builds its own park, firms, members with
API tokens and resources, then fires the attempts from threads: overlapping slots on
purpose, each in a member's logged-in session (cookie + CSRF header; bearer tokens are
not usable for POSTs while oasis/api.py lists SessionAuth first, see the note there). Afterwards it counts overlapping slot-holding
bookings by SQL. The last line is
`RESULT attempts=200 accepted=… rejected=… errors=… overlaps=…` (target: errors=0,
overlaps=0). Loopback only; the server is always stopped.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

DB_NAME = "oasis_bench_booking"
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ATTEMPTS = 200
RESOURCES = 10
FIRMS = 20
THREADS = 20
WORKERS = 4
VAR_DIR = _common.ROOT / "var" / "bench-booking"

OVERLAPS_SQL = """
SELECT count(*) FROM sharing_booking a JOIN sharing_booking b
  ON a.resource_id = b.resource_id AND a.id < b.id
 WHERE a.occupies AND b.occupies
   AND tstzrange(a.start, a."end", '[)') && tstzrange(b.start, b."end", '[)')
"""


def recreate_database() -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{DB_NAME}"


def environment(db_url: str) -> dict[str, str]:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _common.BENCH_DIR.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    env = {
        "OASIS_VAR_DIR": str(VAR_DIR),
        "DATABASE_URL": db_url,
        "CONN_MAX_AGE": "0",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-booking-not-secret-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": _common.HOST,
        "DJANGO_SETTINGS_MODULE": "oasis.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def seed() -> tuple[list[int], list[str], dt.date]:
    """A park, 20 settled firms with one member each, 10 resources open all week
    08:00–20:00 in 30-minute slots. Returns resource ids, usernames and the day."""
    from oasis.accounts.tests.factories import make_user
    from oasis.enterprises.tests.factories import EnterpriseFactory
    from oasis.parks.tests.factories import ParkFactory
    from oasis.sharing.models import Delivery, Offering, Resource, Share

    park = ParkFactory(name="基准测试园区")
    offering = Offering.objects.create(
        park=park,
        share=Share.MANUFACTURING,
        name="基准测试设备",
        operator="基准",
        delivery=Delivery.RESOURCE,
    )
    resources = [
        Resource.objects.create(
            offering=offering,
            park=park,
            name=f"设备{i:02d}",
            opens_at=dt.time(8),
            closes_at=dt.time(20),
            open_weekdays="1234567",
            slot_minutes=30,
            min_minutes=30,
            max_minutes=240,
            lead_hours=0,
            cancel_hours=0,
        )
        for i in range(RESOURCES)
    ]
    usernames = []
    for i in range(FIRMS):
        firm = EnterpriseFactory(park=park, name=f"基准企业{i:02d}有限公司")
        usernames.append(make_user(f"bench{i:02d}", enterprise=firm).username)
    return [r.pk for r in resources], usernames, dt.date.today() + dt.timedelta(days=3)


def sessions(port: int, usernames: list[str]) -> list[dict[str, str]]:
    """Log every member in through the real form; returns their request headers."""
    from oasis.accounts.tests.factories import PASSWORD

    out = []
    for name in usernames:
        s = _common.Session(port)
        try:
            _common.login(s, name, PASSWORD)
        finally:
            s.close()
        cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
        out.append({"Cookie": cookie, "X-CSRFToken": s.cookies["csrftoken"]})
    return out


def attempts(resource_ids: list[int], day: dt.date) -> list[dict[str, object]]:
    """Starts between 10:00 and 13:00, lengths 1–2 h: most attempts collide on purpose."""
    rng = random.Random(2026)
    tz = dt.timezone(dt.timedelta(hours=8))
    out = []
    for i in range(ATTEMPTS):
        start = dt.datetime.combine(day, dt.time(10), tzinfo=tz) + dt.timedelta(
            minutes=30 * rng.randrange(7)
        )
        end = start + dt.timedelta(minutes=30 * rng.randrange(2, 5))
        out.append(
            {
                "resource_id": resource_ids[i % len(resource_ids)],
                "start": start.isoformat(),
                "end": end.isoformat(),
            }
        )
    return out


def fire(
    port: int, auth: list[dict[str, str]], payloads: list[dict[str, object]]
) -> tuple[int, int, int, list[str]]:
    barrier = threading.Barrier(THREADS)
    counts = {"accepted": 0, "rejected": 0, "errors": 0}
    problems: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        if i < THREADS:
            barrier.wait(timeout=30)  # the first wave leaves together
        kind = "errors"
        try:
            conn = http.client.HTTPConnection(_common.HOST, port, timeout=30)
            conn.request(
                "POST",
                "/api/v1/sharing/bookings",
                body=json.dumps(payloads[i]),
                headers={
                    **auth[i % len(auth)],
                    "Content-Type": "application/json",
                    "Host": _common.HOST,
                },
            )
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status == 201:
                kind = "accepted"
            elif resp.status == 400 and "fields" in json.loads(body):
                kind = "rejected"
            else:
                with lock:
                    problems.append(f"HTTP {resp.status}: {body[:200]!r}")
        except Exception as exc:
            with lock:
                problems.append(repr(exc))
        with lock:
            counts[kind] += 1

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(one, range(len(payloads))))
    return counts["accepted"], counts["rejected"], counts["errors"], problems


def main() -> None:
    _common.time_limit(240)
    started = time.perf_counter()
    env = environment(recreate_database())
    _common.django_setup()
    resource_ids, usernames, day = seed()
    payloads = attempts(resource_ids, day)
    _common.close_db()
    print(
        f"database {DB_NAME} ready, {RESOURCES} resources, {FIRMS} members: {time.perf_counter() - started:.1f} s"
    )

    with _common.gunicorn(env, workers=WORKERS, log_name="gunicorn-booking") as port:
        auth = sessions(port, usernames)
        t0 = time.perf_counter()
        accepted, rejected, errors, problems = fire(port, auth, payloads)
        elapsed = time.perf_counter() - t0

    from django.db import connection

    from oasis.sharing.models import Booking

    with connection.cursor() as cur:
        cur.execute(OVERLAPS_SQL)
        overlaps = int(cur.fetchone()[0])
    stored = Booking.objects.filter(occupies=True).count()
    _common.close_db()
    for p in problems[:5]:
        print("problem:", p)
    print(
        f"{ATTEMPTS} attempts from {THREADS} threads against {WORKERS} gunicorn workers in {elapsed:.2f} s"
    )
    print(
        f"accepted {accepted} (stored {stored}), rejected {rejected}, errors {errors}, overlaps {overlaps}"
    )
    print(f"total run time: {time.perf_counter() - started:.1f} s")
    print(
        f"RESULT attempts={ATTEMPTS} accepted={accepted} rejected={rejected} errors={errors} overlaps={overlaps}"
    )


if __name__ == "__main__":
    main()
