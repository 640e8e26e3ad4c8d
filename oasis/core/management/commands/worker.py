"""`oasis worker`: run background tasks (production; see `oasis.core.worker`). Start as
many as the load needs, on any machine that reaches the database."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from oasis.core.worker import Worker, worker_defaults


class Command(DBWorkerCommand):
    help = "Run background tasks; survives database restarts and takes over lost workers' tasks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        defaults = worker_defaults()
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=defaults["heartbeat_seconds"],
            help="seconds between heartbeats (default WORKER_HEARTBEAT_SECONDS)",
        )
        parser.add_argument(
            "--lost-after",
            type=float,
            default=defaults["lost_seconds"],
            help="seconds without a heartbeat before a worker's task is requeued",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            heartbeat_seconds=options["heartbeat"],
            lost_seconds=options["lost_after"],
        )
        worker.configure_signals()
        worker.run()
