"""GNU Mailman 3 core for the fan-out benchmark: its own virtual environment, one list with N
members on SQLite, LMTP in on loopback, its [mta] pointed at our sink.

The method follows ../shared/peers/mailman/ (run_baseline.sh): members are added before core
starts (SQLite would otherwise lock runners out), core is restarted for each mode because its
[mta] settings are read at start-up, and a mode is `<max_recipients>[,verp]` — `10` is Mailman's
default batching, `10,verp` sets `verp_delivery_interval: 1` (one copy per recipient).
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from benchlib import (
    free_port,
    member_address,
    processes_matching,
    wait_port,
)

VERSION = "3.3.10"
PYTHONS = ("python3.11", "python3.12")  # what Mailman 3.3.10 runs on


def ensure_installed(venv: Path) -> Path:
    """`pip install mailman==3.3.10` into `venv` on first use; the path of its `mailman`."""
    mailman = venv / "bin" / "mailman"
    if mailman.exists():
        return mailman
    python = next((p for p in PYTHONS if shutil.which(p)), None)
    if python is None:
        raise RuntimeError("Mailman 3.3.10 needs python3.11 or python3.12")
    print(f"  installing mailman=={VERSION} into {venv} (first use) …", flush=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"mailman=={VERSION}", "aiosmtpd==1.4.6"],
        check=True,
    )
    return mailman


class Mailman:
    def __init__(self, venv: Path, workdir: Path, *, members: int, sink_port: int) -> None:
        self.mailman = ensure_installed(venv)
        self.members = members
        self.sink_port = sink_port
        self.base = workdir / f"mm3-{members}-{os.getpid()}"
        self.var = self.base / "var"
        self.cfg = self.base / "mailman.cfg"
        self.lmtp_port = free_port()
        self.rest_port = free_port()
        self.list = "bench@lists.example.org"
        self.sender = member_address(0)
        self.base.mkdir(parents=True, exist_ok=True)

    def write_cfg(self, mode: str) -> None:
        parts = mode.split(",")
        max_recipients = int(parts[0])
        verp = 1 if "verp" in parts else 0
        self.cfg.write_text(
            f"""[mailman]
site_owner: siteowner@lists.example.org
layout: bench

[paths.bench]
var_dir: {self.var}

[database]
class: mailman.database.sqlite.SQLiteDatabase
url: sqlite:///$DATA_DIR/mailman.db

[webservice]
hostname: 127.0.0.1
port: {self.rest_port}

[mta]
incoming: mailman.mta.null.NullMTA
smtp_host: 127.0.0.1
smtp_port: {self.sink_port}
lmtp_host: 127.0.0.1
lmtp_port: {self.lmtp_port}
max_recipients: {max_recipients}
max_sessions_per_connection: 0
max_delivery_threads: 0
verp_personalized_deliveries: no
verp_delivery_interval: {verp}
"""
        )

    def run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.mailman), "--run-as-root", "-C", str(self.cfg), *args],
            check=True,
            cwd=self.base,
            **kw,
        )

    def create_list(self) -> float:
        """Create the list and add the members (before core starts); the seconds it took."""
        self.run("create", "-q", self.list, stdout=subprocess.DEVNULL)
        path = self.base / "members.txt"
        path.write_text("".join(member_address(i) + "\n" for i in range(self.members)))
        start = time.monotonic()
        print(f"    adding {self.members:,} members to Mailman (mailman addmembers) …", flush=True)
        self.run("addmembers", "-W", str(path), self.list, stdout=subprocess.DEVNULL)
        return time.monotonic() - start

    def start(self) -> None:
        self.run("start", "-q", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.lmtp_port, timeout=120)
        time.sleep(2)

    def master_pid(self) -> int | None:
        try:
            return int((self.var / "master.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def stop(self) -> None:
        pid = self.master_pid()
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (self.var / "master.pid").exists():
            time.sleep(0.25)
        for pid in self.pids():  # stragglers of ours, by our own config path
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(1)

    def pids(self) -> list[int]:
        return processes_matching(str(self.cfg))

    def queues_idle(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        queues = [self.var / "queue" / q for q in ("in", "pipeline", "out")]
        while time.monotonic() < deadline:
            if not any(any(q.glob("*.pck")) for q in queues if q.exists()):
                return
            time.sleep(0.5)

    def smtp_log(self) -> str:
        path = self.var / "logs" / "smtp.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
