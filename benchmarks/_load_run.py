"""The locust side of the load and fault tests: staff and member journeys, run headless
from Python, with every response time kept (for exact percentiles) and every write the
server acknowledged (for the fault test to look for afterwards).

Importing this module imports locust, which monkey-patches the process for gevent: the
callers import it only after their setup (Django, subprocesses) is done."""

from __future__ import annotations

import itertools
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

PASSWORD = "oasis-demo-2026"
_ids = itertools.count(1)


@dataclass
class Run:
    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)  # titles of tickets the server confirmed


@dataclass
class Result:
    requests: int
    errors: int
    p95_ms: float
    trivial_p95_ms: float
    table: str
    acked: list[str]
    error_samples: list[str]


STATE = Run()
CONFIG: dict[str, Any] = {}


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Any, **kw: Any) -> None:
    STATE.samples.setdefault(name, []).append(response_time)
    if exception is not None:
        STATE.errors.append(f"{request_type} {name}: {str(exception)[:160]}")


class _Journey(HttpUser):
    abstract = True
    wait_time = between(1, 4)

    def _login(self, username: str) -> None:
        self.client.get("/accounts/login/", name="login")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login {username}: HTTP {r.status_code}")

    def _get(self, path: str, name: str) -> Any:
        with self.client.get(path, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            return r

    def trivial(self) -> None:
        self._get(CONFIG["trivial"], "trivial")


class Staff(_Journey):
    weight = 3

    def on_start(self) -> None:
        self.park = random.choice(CONFIG["journeys"])
        self._login(self.park["admin"])

    @task
    def day(self) -> None:
        p = self.park
        self.trivial()
        self._get("/dashboard/", "dashboard")
        self._get("/enterprises/?page=2", "enterprise list")
        self._get(f"/enterprises/{random.choice(p['enterprises'])}/", "enterprise file")
        self._get("/cultivation/screening/", "screening")
        if p["buildings"]:
            self._get(f"/leasing/buildings/{random.choice(p['buildings'])}/stack/", "stacking plan")
        self._get("/leasing/", "lease list")


class Member(_Journey):
    weight = 2

    def on_start(self) -> None:
        parks = [p for p in CONFIG["journeys"] if p["members"]]
        self.park = random.choice(parks)
        self._login(random.choice(self.park["members"]))

    @task
    def day(self) -> None:
        p = self.park
        self.trivial()
        self._get("/portal/", "portal")
        if p["resources"]:
            self._get(f"/sharing/resources/{random.choice(p['resources'])}/", "resource")
        self._get("/sharing/bookings/", "bookings")
        self._ticket()
        if p["campaigns"]:
            self._get(f"/portal/campaigns/{random.choice(p['campaigns'])}/report/", "report form")

    def _ticket(self) -> None:
        token = self.client.cookies.get("csrftoken", "")
        title = f"负载测试工单 {next(_ids)}-{random.randrange(10**9)}"
        with self.client.post(
            "/tickets/new/",
            data={
                "category": "property_repair",
                "title": title,
                "body": "空调不制冷，请安排检修。",
                "csrfmiddlewaretoken": token,
            },
            files={"files": ("报修照片.pdf", CONFIG["pdf"], "application/pdf")},
            name="ticket create",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            location = r.headers.get("Location", "")
            if r.status_code == 302 and re.fullmatch(r"/tickets/\d+/", location):
                STATE.acked.append(title)  # the client saw success: it must be stored
            else:
                r.failure(f"HTTP {r.status_code}")
                return
        self._get(location, "ticket")


def run(
    *,
    base: str,
    journeys: list[dict[str, Any]],
    users: int,
    seconds: int,
    trivial: str,
    pdf: bytes,
    during: Any = None,
) -> Result:
    """Run the journeys for `seconds`; `during(elapsed_seconds)` is called every second
    (the fault test injects its faults there)."""
    CONFIG.update(journeys=journeys, trivial=trivial, pdf=pdf)
    for cls in (Staff, Member):
        cls.host = base
    env = Environment(user_classes=[Staff, Member], events=events)
    runner = env.create_local_runner()
    # Ramp up over ~50 s: a hundred simultaneous logins (PBKDF2) would measure the hash.
    runner.start(users, spawn_rate=max(1, users // 50))
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        gevent.sleep(1)
        if during is not None:
            during(time.monotonic() - started)
    runner.quit()
    runner.greenlet.join(timeout=30)

    names = sorted(STATE.samples)
    lines = [f"{'request':<18}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}"]
    for name in names:
        values = sorted(STATE.samples[name])
        lines.append(
            f"{name:<18}{len(values):>8}{values[len(values) // 2]:>9.0f}{_p95(values):>9.0f}"
        )
    journey = [v for n, vs in STATE.samples.items() if n not in ("trivial", "login") for v in vs]
    return Result(
        requests=sum(len(v) for v in STATE.samples.values()),
        errors=len(STATE.errors),
        p95_ms=_p95(journey),
        trivial_p95_ms=_p95(STATE.samples.get("trivial", [])) or 1.0,
        table="\n".join(lines),
        acked=list(STATE.acked),
        error_samples=STATE.errors[:10],
    )
