"""`make run`: the web server, the task worker and the LMTP server together; Ctrl-C stops
them all."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site on 127.0.0.1:8000 with the task worker (development)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def processes(self, addr: str) -> list[tuple[str, list[str]]]:
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        return [
            ("web", [*manage, "runserver", addr, "--noreload"]),
            ("worker", [*manage, "db_worker", "--queue-name", "*", "--interval", "1"]),
            # List mail from a local MTA; waits if another process holds the port.
            ("lmtp", [*manage, "lmtp", "--wait-for-port"]),
            ("periodic", [*manage, "periodic", "--loop", "300"]),
        ]

    def handle(self, *args, addr, **options):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        children = []
        for name, command in self.processes(addr):
            # Our own interpreter and manage.py, with fixed arguments.
            child = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
            children.append((name, child))
        self.stdout.write(self.style.SUCCESS(f"Tadamun: http://{addr}/  (Ctrl-C stops all)"))
        if settings.MAIL_CATCHER_ENABLED:
            self.stdout.write(f"Outgoing mail is caught: http://{addr}/en/dev/mail/")

        def stop(*_args):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)  # even when started with SIGINT ignored (nohup, &)
        try:
            while all(child.poll() is None for _name, child in children):
                time.sleep(0.5)
            for name, child in children:
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with {child.returncode}; stopping.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for _name, child in children:
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for _name, child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
