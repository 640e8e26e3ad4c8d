"""gunicorn settings for an Oasis app node: `gunicorn -c deploy/gunicorn.conf.py oasis.wsgi`.

Every value comes from the environment so the same file serves `make cluster`, the
container image and a hand-made server. No access log: the app writes one JSON line per
request itself (with the request id, without query strings or tokens)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads let a worker overlap database and cache waits; pages are mostly waiting.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 10  # longer than nginx's upstream keepalive_timeout (4 s)
# Recycle workers now and then: a slow leak never grows into an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = os.environ.get("GUNICORN_PROC_NAME", "oasis")


def child_exit(server, worker):
    """Prometheus multiprocess mode: forget the metrics files of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
