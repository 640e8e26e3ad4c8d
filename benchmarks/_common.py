"""Helpers the benchmark scripts share: an isolated database under var/bench/, a real
gunicorn server on a free loopback port, a logged-in HTTP session and timing.

Every benchmark runs against production-like settings (DEBUG off, whitenoise's manifest
storage, gunicorn), because the figures we care about are what users would see.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
HOST = "127.0.0.1"  # loopback only: a benchmark never talks to the network


def bench_env(name: str) -> dict[str, str]:
    """Environment for this process and the server: own database file, own var/ dir,
    DEBUG off. Also applied to os.environ so Django in this process sees the same."""
    env = {
        "OASIS_VAR_DIR": str(BENCH_DIR),
        "DATABASE_URL": f"sqlite:///{BENCH_DIR / f'{name}.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": f"benchmark-only-{name}-not-secret-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "oasis.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def reset_database(name: str) -> Path:
    """Delete the old database file (with its WAL files) so every run starts clean."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def django_setup() -> None:
    """Configure Django in this process (call after `bench_env`), then migrate and collect
    static files: with DEBUG off the manifest storage refuses to render without them."""
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def close_db() -> None:
    """Close this process's connections so the server's workers see a quiet database."""
    from django.db import connections

    connections.close_all()


def time_limit(seconds: int) -> None:
    """Abort the whole run after `seconds`; `finally` blocks still stop the server."""

    def _expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"benchmark exceeded {seconds} s")

    signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, log_name: str = "gunicorn") -> Iterator[int]:
    """Run gunicorn on a free loopback port until the block ends; yields the port."""
    port = free_port()
    log = (BENCH_DIR / f"{log_name}.log").open("w")
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "oasis.wsgi",
        "-b",
        f"{HOST}:{port}",
        "-w",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, proc, timeout=30)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {proc.returncode}; see {BENCH_DIR}/gunicorn.log"
            )
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/ping/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"gunicorn did not answer /ping/ within {timeout} s")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float


class Session:
    """One HTTP client with its cookies. It reuses the connection when the server keeps
    it open; gunicorn's default sync workers close after each response, and http.client
    then reconnects by itself (a loopback connect is tens of microseconds)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        elapsed = time.perf_counter() - start
        # The cookies are Secure (DEBUG off) but this is loopback HTTP: keep them by hand.
        for raw in resp.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(raw).items():
                self.cookies[key] = morsel.value
        return Response(resp.status, data, dict(resp.headers), elapsed)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def close(self) -> None:
        self.conn.close()


def login(session: Session, username: str, password: str) -> None:
    """Log in through the real form. One attempt only: the throttle allows five failures."""
    page = session.get("/accounts/login/")
    token = session.cookies.get("csrftoken")
    if page.status != 200 or not token:
        raise RuntimeError(
            f"login page: HTTP {page.status}, csrftoken={'set' if token else 'missing'}"
        )
    resp = session.request(
        "POST",
        "/accounts/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token},
    )
    if resp.status != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login as {username!r} failed: HTTP {resp.status}")


@dataclass(frozen=True)
class Timing:
    path: str
    median_ms: float
    p90_ms: float
    min_ms: float
    bytes: int
    runs: int


def measure(session: Session, paths: list[str], *, runs: int = 30, warmup: int = 3) -> list[Timing]:
    """Median of `runs` GETs of each path after `warmup` unmeasured ones (caches, lazy
    imports). The paths take turns, so a burst of load from elsewhere on the machine
    slows all of them alike instead of skewing the ratio between two."""
    for _ in range(warmup):
        for path in paths:
            session.get(path)
    samples: dict[str, list[float]] = {path: [] for path in paths}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        for path in paths:
            resp = session.get(path)
            if resp.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {resp.status}")
            samples[path].append(resp.seconds * 1000)
            sizes[path] = len(resp.body)
    timings = []
    for path, ms in samples.items():
        ms.sort()
        timings.append(
            Timing(
                path, statistics.median(ms), ms[int(0.9 * (len(ms) - 1))], ms[0], sizes[path], runs
            )
        )
    return timings


def print_table(timings: list[Timing]) -> None:
    print(f"{'path':<22}{'median ms':>11}{'p90 ms':>9}{'min ms':>9}{'bytes':>10}")
    for t in timings:
        print(f"{t.path:<22}{t.median_ms:>11.2f}{t.p90_ms:>9.2f}{t.min_ms:>9.2f}{t.bytes:>10,}")
