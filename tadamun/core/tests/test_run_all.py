"""`make run` serves the site with the task worker, and Ctrl-C stops every process cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tadamun.core.tests.sockets import free_port

BASE = Path(settings.BASE_DIR)


def test_run_all_serves_and_stops_on_ctrl_c(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=BASE, env=env, check=True, timeout=300)
    port = free_port()
    process = subprocess.Popen(
        [*manage, "run_all", "--addr", f"127.0.0.1:{port}"],
        cwd=BASE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=5) as reply:
                    status = reply.status
                    body = reply.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        assert settings.NETWORK_NAME["en"] in body
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output.decode()
    # Nothing is left listening on the port.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
