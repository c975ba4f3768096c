"""`manage.py lmtp`: the LMTP server the MTA hands list mail to (default 127.0.0.1:8024)."""

import errno
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tadamun.lists.lmtp import lmtp_controller


class Command(BaseCommand):
    help = "Receive list mail by LMTP from the MTA (Postfix: transport_maps → lmtp:host:port)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.LMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.LMTP_PORT)
        parser.add_argument(
            "--wait-for-port",
            action="store_true",
            help="If the port is taken, try again every few seconds instead of exiting "
            "(development: `make run` while another copy runs).",
        )

    def handle(self, *args, host, port, wait_for_port, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        controller = lmtp_controller(host=host, port=port)
        warned = False
        while not stop.is_set():
            try:
                controller.start()
                break
            except (OSError, RuntimeError) as exc:
                cause = exc if isinstance(exc, OSError) else exc.__cause__
                in_use = isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE
                if not (wait_for_port and in_use):
                    raise CommandError(
                        f"LMTP server could not listen on {host}:{port}: {exc}"
                    ) from exc
                if not warned:
                    self.stderr.write(f"LMTP: {host}:{port} is in use; waiting for it.")
                    warned = True
                controller = lmtp_controller(host=host, port=port)
                stop.wait(5)
        else:
            return
        self.stdout.write(f"LMTP server listening on {host}:{port} for @{settings.LISTS_DOMAIN}")
        try:
            while not stop.wait(1):
                pass
        finally:
            controller.stop()
            self.stdout.write("LMTP server stopped.")
