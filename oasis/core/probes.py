"""Probes and metrics for the machines that run Oasis, not for people.

`/healthz`: the process answers (no database: a database outage must not make the
orchestrator kill every healthy node). `/readyz`: this node can serve, i.e. the database,
the cache and the media storage all answer; 503 names what failed, so the proxy takes
the node out and the operator knows where to look. `/metrics`: Prometheus, behind a
bearer token."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from prometheus_client import Metric

logger = logging.getLogger(__name__)


@csrf_exempt
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    # A key of its own: concurrent probes must not read each other's value.
    value = secrets.token_hex(8)
    key = f"oasis:readyz:{value}"
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def _check_storage() -> None:
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # S3-compatible: the bucket exists and the keys open it
        bucket.meta.client.head_bucket(Bucket=bucket.name)
        return
    root = str(settings.MEDIA_ROOT)
    os.makedirs(root, exist_ok=True)
    if not os.access(root, os.W_OK):
        raise PermissionError(f"media directory is not writable: {root}")


READINESS_CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "cache": _check_cache,
    "storage": _check_storage,
}


@csrf_exempt
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready", never a 500
            logger.warning("readiness: %s failed: %s", name, exc)
            checks[name] = f"error: {type(exc).__name__}"
    failed = [name for name, result in checks.items() if result != "ok"]
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "checks": checks, "failed": failed},
        status=503 if failed else 200,
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@csrf_exempt
@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format: django-prometheus's request and response metrics (summed
    over this node's gunicorn workers in multiprocess mode) and the task queue."""
    if not _metrics_allowed(request):
        raise Http404
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry
    from prometheus_client.exposition import generate_latest

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    queue = CollectorRegistry()
    queue.register(_TaskQueueCollector())
    body = generate_latest(registry) + generate_latest(queue)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


class _TaskQueueCollector:
    """Tasks by status and live workers, read from the database at scrape time (the
    same figures on every node, so any node can be scraped for them)."""

    def collect(self) -> Iterable[Metric]:
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult
        from prometheus_client.core import GaugeMetricFamily

        from oasis.core.models import WorkerHeartbeat

        tasks = GaugeMetricFamily("oasis_tasks", "Background tasks by status", labels=["status"])
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id")):
            tasks.add_metric([row["status"]], row["n"])
        yield tasks
        workers = GaugeMetricFamily("oasis_workers_alive", "Workers with a fresh heartbeat")
        workers.add_metric([], WorkerHeartbeat.objects.alive().count())
        yield workers
