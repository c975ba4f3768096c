"""`manage.py deliver`: a long-running delivery worker. Several may run at once, on several
hosts: each claims its own batches (row locks), and rows of a worker that died are taken over
when their lease runs out. The task worker (`db_worker`) delivers too; this loop is for
dedicated mail hosts, benchmarks, and retries without a task queue."""

import datetime
import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tadamun.lists.delivery import DEFAULT_BATCH, DeliveryReport, deliver_due, pending_count


class Command(BaseCommand):
    help = "Send due list deliveries, claiming batches of rows, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="rows per claim")
        parser.add_argument("--lease", type=float, default=600, help="seconds a claim lasts")
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="seconds between polls while idle (after a batch the next is claimed at once)",
        )
        parser.add_argument(
            "--until-done",
            action="store_true",
            help="exit once no delivery is queued or deferred-and-due (claimed ones included)",
        )

    def handle(self, *args, batch, lease, interval, until_done, **options):
        worker_id = f"{socket.gethostname()}:{os.getpid()}"
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True  # finish the batch in hand, then leave

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        total = DeliveryReport()
        try:
            while not stopping:
                close_old_connections()
                report = deliver_due(
                    limit=batch, worker_id=worker_id, lease=datetime.timedelta(seconds=lease)
                )
                total += report
                if report.claimed:
                    continue
                if until_done and not pending_count(due_only=True):
                    break
                time.sleep(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(
            f"sent {total.sent}, deferred {total.deferred}, bounced {total.bounced}, "
            f"failed {total.failed}"
        )
