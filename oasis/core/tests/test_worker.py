"""The background worker: two workers never run one task, a dead worker's task is run
by another, and a task that keeps killing its workers is given up."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from oasis.core.models import AuditEntry, WorkerHeartbeat
from oasis.core.worker import MAX_ATTEMPTS, Worker

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def record_run(n: int) -> int:
    """The effect under test: one audit row per run of task `n`."""
    AuditEntry.objects.create(action="create", model="test.run", object_id=str(n), object_repr="")
    return n


def _worker(worker_id: str, **kw) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
        heartbeat_seconds=kw.get("heartbeat_seconds", 0.2),
        lost_seconds=kw.get("lost_seconds", 30),
    )


def _run_in_thread(worker: Worker, errors: list[BaseException]) -> threading.Thread:
    def target() -> None:
        try:
            worker.run()
        except BaseException as exc:  # surfaced by the test
            errors.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=target)
    t.start()
    return t


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_task(settings):
    settings.TASKS = DB_TASKS
    results = [record_run.enqueue(n) for n in range(40)]
    errors: list[BaseException] = []
    threads = [_run_in_thread(_worker(f"w{i}"), errors) for i in range(2)]
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    runs = list(AuditEntry.objects.filter(model="test.run").values_list("object_id", flat=True))
    assert sorted(runs, key=int) == [str(n) for n in range(40)]  # each exactly once
    rows = DBTaskResult.objects.filter(pk__in=[r.id for r in results])
    assert {row.status for row in rows} == {"SUCCESSFUL"}
    if connection.vendor == "postgresql":
        # SKIP LOCKED: each task claimed once. (SQLite's in-memory test database locks
        # whole tables, and a task that meets the lock is requeued: run once all the same.)
        assert all(len(row.worker_ids) == 1 for row in rows)
    assert WorkerHeartbeat.objects.count() == 0  # a worker that stops says so


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_task_is_run_by_another(settings):
    settings.TASKS = DB_TASKS
    lost = record_run.enqueue(1)
    DBTaskResult.objects.filter(pk=lost.id).update(
        status="RUNNING",
        worker_ids=["killed"],
        started_at=timezone.now() - dt.timedelta(minutes=2),
    )
    # A worker that still beats keeps its task.
    busy = record_run.enqueue(2)
    DBTaskResult.objects.filter(pk=busy.id).update(
        status="RUNNING", worker_ids=["busy"], started_at=timezone.now() - dt.timedelta(minutes=2)
    )
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="busy", host="h", pid=1, started_at=now, seen_at=now)
    WorkerHeartbeat.objects.create(
        worker_id="killed", host="h", pid=2, started_at=now, seen_at=now - dt.timedelta(minutes=1)
    )

    _worker("rescuer").run()

    rescued = DBTaskResult.objects.get(pk=lost.id)
    assert rescued.status == "SUCCESSFUL" and rescued.worker_ids == ["killed", "rescuer"]
    assert list(AuditEntry.objects.values_list("object_id", flat=True)) == ["1"]
    assert DBTaskResult.objects.get(pk=busy.id).status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_losing_its_workers_is_failed(settings):
    settings.TASKS = DB_TASKS
    doomed = record_run.enqueue(3)
    DBTaskResult.objects.filter(pk=doomed.id).update(
        status="RUNNING",
        worker_ids=[f"w{i}" for i in range(MAX_ATTEMPTS)],
        started_at=timezone.now() - dt.timedelta(minutes=2),
    )
    _worker("last").run()
    row = DBTaskResult.objects.get(pk=doomed.id)
    assert row.status == "FAILED"
    assert f"worker lost {MAX_ATTEMPTS} times" in row.traceback
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_recorded_failed_and_the_worker_goes_on(settings):
    settings.TASKS = DB_TASKS
    bad = record_run.enqueue("not a number")  # str(n) works; make the body fail instead
    DBTaskResult.objects.filter(pk=bad.id).update(task_path="oasis.core.tests.test_worker.nope")
    good = record_run.enqueue(4)
    _worker("w").run()
    assert DBTaskResult.objects.get(pk=bad.id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=good.id).status == "SUCCESSFUL"
