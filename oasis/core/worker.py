"""The background worker (`oasis worker`): django-tasks-db's database worker, made to
survive what production does to it.

- **Two workers never run one task**: a task is claimed in a transaction with
  `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL) or an exclusive transaction (SQLite), as
  django-tasks-db does; the claim records the worker's id.
- **A killed worker loses no task**: every worker refreshes a heartbeat row; any worker
  hands a task back to the queue when the worker that claimed it stopped beating
  (`WORKER_LOST_SECONDS`), and gives up on a task after `MAX_ATTEMPTS` lost runs.
- **A database restart is waited out**: the worker does not exit; a task interrupted by
  the outage goes back to the queue instead of being marked failed.

Because a task may run again after its worker died, every task must be idempotent: its
effect and the record that it happened commit in one transaction (see
`leasing.excel.import_run`)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerHeartbeat
from .observability import request_id_reset, request_id_set

logger = logging.getLogger("oasis.worker")

# A task whose worker was lost this many times is marked failed rather than tried again:
# it is probably what kills its workers.
MAX_ATTEMPTS = 5


class DatabaseUnavailable(Exception):
    """The database connection broke (restart, network): wait and try again."""


def _connection_broken(exc: BaseException) -> bool:
    if not isinstance(exc, DatabaseError):
        return False
    if isinstance(exc, Exception) and is_locked_database_exception(exc):  # type: ignore[arg-type]
        return True
    try:
        return not connection.is_usable()
    except Exception:
        return True


def _reset_connection() -> None:
    try:
        connection.close()
    except Exception:
        # Closing a dead connection can raise; Django forgets it either way.
        connection.connection = None


def wait_for_database(*, max_sleep: float = 5.0, deadline: float | None = None) -> None:
    """Block until the database answers (backing off up to `max_sleep` between tries)."""
    delay = 0.2
    while True:
        _reset_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except DatabaseError as exc:
            if deadline is not None and time.monotonic() > deadline:
                raise DatabaseUnavailable(str(exc)) from exc
            logger.warning("database unavailable, retrying in %.1f s: %s", delay, exc)
            time.sleep(delay)
            delay = min(max_sleep, delay * 2)


class Worker(DBWorker):
    def __init__(self, **kwargs: Any) -> None:
        self.heartbeat_seconds = float(kwargs.pop("heartbeat_seconds"))
        self.lost_seconds = float(kwargs.pop("lost_seconds"))
        super().__init__(**kwargs)
        self.current_task_id = ""
        self._stop = threading.Event()
        self._last_reap = 0.0

    # ----------------------------------------------------------------- heartbeat

    def _beat(self) -> None:
        now = timezone.now()
        updated = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
            seen_at=now, task_id=self.current_task_id
        )
        if not updated:
            WorkerHeartbeat.objects.create(
                worker_id=self.worker_id,
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=now,
                seen_at=now,
                task_id=self.current_task_id,
            )

    def _heartbeat_loop(self) -> None:
        """In its own thread (and so its own connection), so a long task keeps beating."""
        try:
            while not self._stop.wait(self.heartbeat_seconds):
                try:
                    self._beat()
                except DatabaseError as exc:
                    logger.warning("heartbeat failed: %s", exc)
                    _reset_connection()
        finally:
            connection.close()

    # -------------------------------------------------------------------- reaper

    def reap_lost_tasks(self) -> int:
        """Put back in the queue the tasks of workers that stopped beating; returns how
        many. Safe to run in every worker at once: each row is locked while decided."""
        cutoff = timezone.now() - dt.timedelta(seconds=self.lost_seconds)
        alive = set(
            WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
        )
        reaped = 0
        with transaction.atomic():
            running = (
                DBTaskResult.objects.running()
                .filter(started_at__lt=cutoff)
                .select_for_update(skip_locked=True)
            )
            for result in running:
                if result.worker_ids and result.worker_ids[-1] in alive:
                    continue
                attempts = len(result.worker_ids)
                if attempts >= MAX_ATTEMPTS:
                    result.set_failed(
                        RuntimeError(f"worker lost {attempts} times while running this task")
                    )
                    logger.error(
                        "task %s failed: its worker was lost %d times", result.pk, attempts
                    )
                else:
                    result.status = TaskResultStatus.READY
                    result.save(update_fields=["status"])
                    logger.warning(
                        "task %s (%s) requeued: worker %s stopped",
                        result.pk,
                        result.task_path,
                        result.worker_ids[-1] if result.worker_ids else "?",
                    )
                reaped += 1
        # Forget workers gone for a day: the table stays as small as the pool.
        WorkerHeartbeat.objects.filter(seen_at__lt=cutoff - dt.timedelta(days=1)).delete()
        return reaped

    # ---------------------------------------------------------------------- loop

    def _claim(self) -> DBTaskResult[Any, Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(self.worker_id)
            return result

    def run(self) -> None:
        logger.info("worker %s starting (queues %s)", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(self.interval * 0.5)
        while True:
            wait_for_database()
            try:
                self._beat()
                break
            except DatabaseError as exc:
                if not _connection_broken(exc):
                    raise
        beating = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        beating.start()
        try:
            while self.running:
                try:
                    close_old_connections()
                    if time.monotonic() - self._last_reap >= self.heartbeat_seconds:
                        self._last_reap = time.monotonic()
                        self.reap_lost_tasks()
                    result = self._claim()
                except DatabaseError as exc:
                    if not _connection_broken(exc):
                        raise
                    logger.warning("database unavailable while claiming: %s", exc)
                    wait_for_database()
                    continue
                if result is not None:
                    self.run_task(result)
                elif self.batch:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running and result is None:
                    time.sleep(self.interval)
        finally:
            self._stop.set()
            beating.join(timeout=self.heartbeat_seconds + 1)
            try:
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
            except DatabaseError:
                pass

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.running_task = True
        self.current_task_id = str(db_task_result.pk)
        token = request_id_set(f"task-{db_task_result.pk}")
        try:
            self._run(db_task_result)
        finally:
            request_id_reset(token)
            self.current_task_id = ""
            self.running_task = False
            self._run_tasks += 1

    def _run(self, result: DBTaskResult[Any, Any]) -> None:
        try:
            task = result.task
            task_result = result.task_result
            backend = type(task.get_backend())
        except Exception as exc:  # the task's code is gone (renamed, removed)
            logger.exception("task %s (%s) cannot be loaded", result.pk, result.task_path)
            self._finish(partial(result.set_failed, exc))
            return
        task_started.send(sender=backend, task_result=task_result)
        try:
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
        except BaseException as exc:
            if _connection_broken(exc):
                # The task's transaction did not commit: run it again once the database
                # is back (on this worker or another).
                logger.warning("task %s interrupted by the database: requeued", result.pk)
                self._finish(
                    DBTaskResult.objects.filter(
                        pk=result.pk, status=TaskResultStatus.RUNNING
                    ).update,
                    status=TaskResultStatus.READY,
                )
                return
            logger.exception("task %s (%s) failed", result.pk, result.task_path)
            self._finish(partial(result.set_failed, exc))
        else:
            self._finish(partial(result.set_successful, value))
        task_finished.send(sender=backend, task_result=result.task_result)

    def _finish(self, record: Any, **kwargs: Any) -> None:
        """Record the outcome, waiting out a database outage: the effect is committed,
        only its record remains (a rerun would find the effect and do nothing)."""
        while True:
            try:
                record(**kwargs)
                return
            except DatabaseError as exc:
                if not _connection_broken(exc):
                    raise
                wait_for_database()


def worker_defaults() -> dict[str, float]:
    return {
        "heartbeat_seconds": settings.WORKER_HEARTBEAT_SECONDS,
        "lost_seconds": settings.WORKER_LOST_SECONDS,
    }
