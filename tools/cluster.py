"""The production stack on one machine, without containers: `make cluster` / `make
cluster-stop` (python tools/cluster.py up|down|status|env).

    nginx :CLUSTER_PORT  →  gunicorn node 1 (:PORT+1), node 2 (:PORT+2)
    two `oasis worker`s  →  PostgreSQL (database oasis_cluster), Redis, S3 (moto server)

Every process runs in its own session with its pid in var/cluster/, so `down` (and the
fault test) can stop or kill exactly one of them. `up` starts whatever is not running,
so it also brings back a node or worker that was killed. Data: the database is
migrated and, when empty, gets the demo park; media live in the moto server's memory
(they vanish with it: this is a test stack, not a store)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "cluster"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PORT = int(os.environ.get("CLUSTER_PORT", "18480"))  # nginx; nodes PORT+1, +2; S3 PORT+9
NODES = 2
WORKERS = 2
S3_PORT = PORT + 9
PG_BASE = os.environ.get("CLUSTER_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("CLUSTER_DATABASE", "oasis_cluster")
METRICS_TOKEN = "cluster-metrics-token"


def env() -> dict[str, str]:
    """The production settings of every node and worker (loopback, so no TLS)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oasis.settings",
        "DEBUG": "0",
        "SECRET_KEY": "cluster-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://{HOST}:{PORT},http://localhost:{PORT}",
        "SECURE_COOKIES": "0",
        "OASIS_VAR_DIR": str(STATE / "var"),
        "DATABASE_URL": f"{PG_BASE}/{DATABASE}",
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "1",
        "REDIS_URL": os.environ.get("CLUSTER_REDIS", "redis://127.0.0.1:6379/0"),
        "CACHE_KEY_PREFIX": f"oasis-cluster-{PORT}",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": "oasis-media",
        "S3_ENDPOINT_URL": f"http://{HOST}:{S3_PORT}",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "cluster",
        "S3_SECRET_ACCESS_KEY": "cluster-secret",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "WORKER_HEARTBEAT_SECONDS": "2",
        "WORKER_LOST_SECONDS": "10",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": os.environ.get("CLUSTER_REQUEST_LOG_LEVEL", "INFO"),
        "TASKS_LOG_LEVEL": "INFO",
        "METRICS_TOKEN": METRICS_TOKEN,
        "GUNICORN_WORKERS": os.environ.get("CLUSTER_GUNICORN_WORKERS", "2"),
        "GUNICORN_THREADS": os.environ.get("CLUSTER_GUNICORN_THREADS", "4"),
        "PYTHONUNBUFFERED": "1",
    }


# ---------------------------------------------------------------------- processes


def _pidfile(name: str) -> Path:
    return STATE / f"{name}.pid"


def pid_of(name: str) -> int | None:
    try:
        pid = int(_pidfile(name).read_text())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    # A zombie still answers kill(0): look at its state.
    try:
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return None
    except (FileNotFoundError, IndexError):
        return None
    return pid


def _start(name: str, cmd: list[str], extra_env: dict[str, str] | None = None) -> int:
    if (pid := pid_of(name)) is not None:
        return pid
    log = (STATE / f"{name}.log").open("ab")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**env(), **(extra_env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: killed alone, with its children
    )
    _pidfile(name).write_text(str(proc.pid))
    return proc.pid


def kill(name: str, sig: int = signal.SIGTERM) -> bool:
    """Signal the whole process group of one component (a node is a gunicorn master and
    its workers). Returns False if it was not running."""
    pid = pid_of(name)
    if pid is None:
        return False
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return False
    return True


def node_names() -> list[str]:
    return [f"node{i}" for i in range(1, NODES + 1)]


def worker_names() -> list[str]:
    return [f"worker{i}" for i in range(1, WORKERS + 1)]


def node_port(name: str) -> int:
    return PORT + int(name.removeprefix("node"))


# ------------------------------------------------------------------------ pieces


def _http_ok(port: int, path: str, timeout: float = 2.0) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        conn.request("GET", path, headers={"Host": HOST})
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def _wait(what: str, check: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise SystemExit(f"cluster: {what} did not come up within {timeout:.0f} s (see {STATE}/)")


def _database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _s3() -> None:
    _start("s3", [str(BIN / "moto_server"), "-H", HOST, "-p", str(S3_PORT)])
    _wait("S3 (moto)", lambda: _http_ok(S3_PORT, "/moto-api/"))
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{HOST}:{S3_PORT}",
        region_name="us-east-1",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret",
    )
    if "oasis-media" not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket="oasis-media")


def _manage(*args: str) -> None:
    subprocess.run([str(BIN / "oasis"), *args], cwd=ROOT, env=env(), check=True)


def nginx_render(*, state: str, upstreams: list[str], listen: str, static_root: str | None) -> str:
    """deploy/nginx.conf.template filled in (also renders deploy/nginx.compose.conf)."""
    static = (
        f"    location /static/ {{\n      alias {static_root}/;\n      expires 30d;\n"
        '      add_header Cache-Control "public, immutable";\n    }\n'
        if static_root
        else ""
    )
    text = (ROOT / "deploy" / "nginx.conf.template").read_text()
    for key, value in {
        "${STATE}": state,
        "${MIME_TYPES}": "/etc/nginx/mime.types",
        "${UPSTREAMS}": "\n".join(
            f"    server {u} max_fails=3 fail_timeout=5s;" for u in upstreams
        ),
        "${LISTEN}": listen,
        "${STATIC_BLOCK}": static,
    }.items():
        text = text.replace(key, value)
    return text


def _nginx_conf() -> Path:
    text = nginx_render(
        state=str(STATE),
        upstreams=[f"{HOST}:{node_port(n)}" for n in node_names()],
        listen=f"{HOST}:{PORT}",
        static_root=str(STATE / "var" / "static"),
    )
    conf = STATE / "nginx.conf"
    conf.write_text("user root;\n" + text if os.geteuid() == 0 else text)
    return conf


def _nginx() -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("cluster: nginx is missing (apt-get install nginx-light)")
    conf = _nginx_conf()
    subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(STATE)], check=True)
    _start("nginx", [nginx, "-c", str(conf), "-p", str(STATE), "-g", "daemon off;"])


def up(*, seed: bool = True) -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "var").mkdir(exist_ok=True)
    _database()
    _s3()
    if not any(pid_of(n) for n in [*node_names(), *worker_names()]):
        _manage("migrate", "--noinput", "-v0")
        _manage("collectstatic", "--noinput", "-v0")
        if seed:
            _manage("seed-demo", "--quiet")
    for name in node_names():
        multiproc = STATE / f"metrics-{name}"
        shutil.rmtree(multiproc, ignore_errors=True) if pid_of(name) is None else None
        multiproc.mkdir(exist_ok=True)
        _start(
            name,
            [
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "oasis.wsgi",
            ],
            {
                "GUNICORN_BIND": f"{HOST}:{node_port(name)}",
                "GUNICORN_PROC_NAME": f"oasis-cluster-{name}",
                "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
            },
        )
    for name in worker_names():
        _start(
            name,
            [str(BIN / "oasis"), "worker", "--interval", "0.5", "--worker-id", f"cluster-{name}"],
        )
    _nginx()
    for name in node_names():
        _wait(f"{name} /readyz", lambda n=name: _http_ok(node_port(n), "/readyz"))
    _wait("nginx", lambda: _http_ok(PORT, "/readyz"))
    print(f"cluster up: http://{HOST}:{PORT}/ (nginx → {NODES} nodes, {WORKERS} workers)")
    print(f"  state, logs and pids in {STATE}/; `make cluster-stop` stops it")


def down() -> None:
    names = ["nginx", *node_names(), *worker_names(), "s3"]
    for name in names:
        kill(name, signal.SIGTERM)
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and any(pid_of(n) for n in names):
        time.sleep(0.2)
    for name in names:
        if kill(name, signal.SIGKILL):
            print(f"cluster: {name} did not stop in time and was killed")
        _pidfile(name).unlink(missing_ok=True)
    print("cluster stopped")


def status() -> dict[str, int | None]:
    names = ["nginx", *node_names(), *worker_names(), "s3"]
    return {n: pid_of(n) for n in names}


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command == "up":
        up(seed="--no-seed" not in sys.argv)
    elif command == "down":
        down()
    elif command == "status":
        print(json.dumps(status(), indent=1))
    else:
        raise SystemExit("usage: tools/cluster.py up [--no-seed] | down | status")


if __name__ == "__main__":
    main()
