"""Enqueueing background work so that a write and its task cannot part."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_with_write(task: Any, *args: Any) -> None:
    """Enqueue `task` as part of the current transaction when tasks are stored in this
    database (the worker sees the task exactly when it sees the write; a crash between
    commit and enqueue cannot leave a job that never runs), after commit otherwise (the
    immediate backend would run it inside the transaction)."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
