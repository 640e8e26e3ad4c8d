"""How much slower the dashboard and the enterprise list are than a trivial page, with
20,000 firms in the park, through gunicorn with DEBUG off.

Run from the project root:  .venv/bin/python benchmarks/web.py
The last line is `RESULT enterprises=20000 dashboard_over_trivial=X.XX list_over_trivial=Y.YY`
(targets: dashboard <= 10, list <= 5). "Trivial page" is /accounts/profile/: a minimal
authenticated page in the same base layout, so the ratios measure what the pages add
on top of session, user and layout. /ping/ (plain text, no session) is shown for scale.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common

ENTERPRISES = 20_000
NAME = "web"
TRIVIAL, DASHBOARD, LIST = "/accounts/profile/", "/dashboard/", "/enterprises/"


def main() -> None:
    _common.time_limit(290)
    started = time.perf_counter()
    env = _common.bench_env(NAME)
    _common.reset_database(NAME)
    _common.django_setup()
    print(f"migrate + collectstatic: {time.perf_counter() - started:.1f} s")

    from oasis.demo.generator import DEMO_PASSWORD, generate_park

    summary = generate_park(enterprises=ENTERPRISES, seed=2023)
    _common.close_db()
    print(
        f"seeded {summary.enterprises:,} enterprises, {summary.figures:,} figures, "
        f"{summary.units:,} units in {summary.total_seconds:.1f} s"
    )

    with _common.gunicorn(env) as port:
        session = _common.Session(port)
        try:
            _common.login(session, "parkadmin", DEMO_PASSWORD)
            timings = _common.measure(session, ["/ping/", TRIVIAL, DASHBOARD, LIST])
        finally:
            session.close()

    # The dashboard again with its cache off: what every request would cost without
    # it (and what the first request after a write costs). Printed, not in RESULT.
    cold_env = {**env, "DASHBOARD_CACHE_SECONDS": "0"}
    with _common.gunicorn(cold_env) as port:
        session = _common.Session(port)
        try:
            _common.login(session, "parkadmin", DEMO_PASSWORD)
            cold = _common.measure(session, [TRIVIAL, DASHBOARD])
        finally:
            session.close()

    _common.print_table(timings)
    median = {t.path: t.median_ms for t in timings}
    cold_median = {t.path: t.median_ms for t in cold}
    print(
        f"dashboard without its cache: {cold_median[DASHBOARD]:.2f} ms, "
        f"{cold_median[DASHBOARD] / cold_median[TRIVIAL]:.2f}x the trivial page"
    )
    print(f"total run time: {time.perf_counter() - started:.1f} s")
    print(
        f"RESULT enterprises={ENTERPRISES} "
        f"dashboard_over_trivial={median[DASHBOARD] / median[TRIVIAL]:.2f} "
        f"list_over_trivial={median[LIST] / median[TRIVIAL]:.2f}"
    )


if __name__ == "__main__":
    main()
