"""Background jobs: thin wrappers that take ids and call the domain code."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from . import services


@task()
def send_email(delivery_id: int) -> None:
    retry = services.email_send(delivery_id=delivery_id)
    if retry is None:
        return
    # Not sent yet: try again later (at once with the immediate backend, which runs
    # tasks in the request and cannot wait).
    if isinstance(send_email.get_backend(), ImmediateBackend):
        send_email.enqueue(delivery_id)
        return
    wait = services.RETRY_AFTER[min(retry.attempts, len(services.RETRY_AFTER)) - 1]
    send_email.using(run_after=timezone.now() + wait).enqueue(delivery_id)
