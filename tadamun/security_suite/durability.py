"""Issue 7, mail durability under faults: N list deliveries while the delivery workers, their
database connections and the SMTP relay are killed at random moments; every (message,
recipient) must arrive at the relay exactly once, counted raw at the relay.

    .venv/bin/python -m tadamun.security_suite.durability --deliveries 10000 --kills 50
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/durability_helper \\
        .venv/bin/python -m tadamun.security_suite.durability --deliveries 1000 --kills 10

Everything runs in real processes on a scratch instance: a temporary VAR_DIR with a fresh SQLite
file, or — when DATABASE_URL names a PostgreSQL database — a fresh database `<name>_faults`
(created, migrated with `manage.py migrate`, dropped at the end).

- The relay: an aiosmtpd server in its own process (`durability sink`) on a loopback port. It
  writes one row per accepted (transaction, recipient) — Message-ID, envelope sender, recipient,
  time, the sending worker's EHLO name — to its own SQLite file (WAL, committed: it survives
  the relay's SIGKILL) before it answers 250, as an MTA writes its queue file; arrivals are
  counted raw, never de-duplicated.
- The workload: one workgroup list, personalised (one SMTP transaction per recipient, VERP
  envelope), with N/2 subscribers and two posts published with `post_create` — N delivery rows
  queued by the application's own `queue_deliveries`.
- The workers: two `manage.py deliver` processes (tadamun.lists.delivery: claim_due, leases,
  per-row marks). They run through `durability worker`, which calls the same command with a
  compressed clock — the retry back-off of 1, 5, 15, 60… minutes becomes 1–3 seconds — so
  that rows deferred while the relay was down are retried within the run. A worker that exits
  (SIGKILL, or a crash on a lost database connection) is restarted at once, as systemd would.
- The faults, at random moments (seeded): each is due when the relay has counted a random
  number of arrivals, plus a random 0–20 ms, so they land anywhere in an SMTP transaction or a
  database statement. Three kinds, shuffled:
  * worker: SIGKILL of one delivery worker, restarted at once;
  * database: on PostgreSQL pg_terminate_backend() of one worker's connection; on SQLite
    (no server, no connection to kill) the database file is write-locked (BEGIN EXCLUSIVE by
    another process) for 0.2–1.5 s, so that the workers' claims and marks stall mid-batch;
  * relay: SIGKILL of the relay process mid-session, restarted on the same port 0.2–1 s later
    (connections are refused meanwhile; rows sent then are deferred and retried).
- The end: when no row is queued or deferred (or at --timeout), the workers are stopped and
  the relay's arrivals are compared with the delivery rows: lost = rows with no arrival,
  duplicated = arrivals beyond the first, and every row must be `sent` exactly when it arrived.

What it found in tadamun.lists.delivery (fixed there):
- a database connection terminated while a worker was in an SMTP transaction lost the mark of
  the copy the relay had just accepted (the worker died on the error; the row came back when
  the lease ran out and went a second time): every such fault gave one duplicate. The marks
  are now written again on a new connection (`_reconnect`).
- a batch slowed down (stalled database, loaded machine) could outlive its lease: another
  worker took its unmarked rows and both sent them (blocks of 25 duplicates at --batch 25).
  A worker now stops sending when half its lease is gone and releases the rest.

What no code on this side can close: SMTP's own ambiguity (RFC 5321 §4.1.1.4, §6.1). Once the
relay has the final dot it may take the message even if its 250 never reaches a written mark:
a worker SIGKILLed between the dot and its UPDATE, or a relay killed between writing its
queue file and sending the 250, leaves a row that is sent again (at-least-once; the other
choice, marking before the dot, loses the message instead). The window is a round trip plus
one UPDATE (longer while the database stalls), a few per cent of a worker's time: 0–3
duplicates per 50 kills. They are counted, and each must be accounted for: its first copy is
the last one a worker process handed over before it was SIGKILLed (the relay records the
EHLO name, which carries the worker's process id), or the last of a session whose relay
process was SIGKILLed. Closing it needs the receiving side: a relay (or the recipients' mail
store, as many do) that drops a second copy with the same Message-ID for the same recipient —
the copy sent again carries the same Message-ID.

Prints the figures and, with --json FILE, writes them for the test
(tadamun/security_suite/tests/test_mail_durability.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
SELF = [sys.executable, "-m", "tadamun.security_suite.durability"]
# The compressed clock of the workers: seconds to wait after the n-th temporary failure.
FAST_BACKOFF = (1, 1, 2, 2, 3)
FAULT_KINDS = ("worker", "database", "relay")


# ------------------------------------------------------------------------------ the relay


class RecordingHandler:
    """aiosmtpd handler: every accepted recipient of every transaction, written durably before
    the 250 that hands the message over."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS arrival (id INTEGER PRIMARY KEY, message_id TEXT, "
            "mail_from TEXT, rcpt TEXT, at REAL, pid INTEGER, peer INTEGER, sender TEXT)"
        )

    async def handle_DATA(self, server, session, envelope):
        message_id = ""
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        for line in head.split(b"\r\n"):
            if line[:11].lower() == b"message-id:":
                message_id = line[11:].strip().decode("ascii", "replace")
                break
        now = time.time()
        self.db.executemany(
            "INSERT INTO arrival (message_id, mail_from, rcpt, at, pid, peer, sender) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    message_id,
                    envelope.mail_from,
                    rcpt,
                    now,
                    os.getpid(),
                    session.peer[1],
                    session.host_name,
                )
                for rcpt in envelope.rcpt_tos
            ],
        )
        return "250 2.0.0 queued"


def run_sink(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(RecordingHandler(path), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = False

    def stop(*_args):
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, stop)
    parent = os.getppid()
    while not stopped and os.getppid() == parent:
        time.sleep(0.1)
    controller.stop()


# ----------------------------------------------------------------------------- the worker


def run_worker(argv: list[str]) -> None:
    """`manage.py deliver` with the compressed clock (see FAST_BACKOFF)."""
    import django

    django.setup()
    from django.core.management import call_command

    from tadamun.lists import delivery

    delivery.BACKOFF_SECONDS = FAST_BACKOFF
    # The worker names itself in EHLO (smtplib takes the host's name from socket.getfqdn), so
    # that the relay records which process handed over each copy.
    name = f"worker-{os.getpid()}.durability.test"
    socket.getfqdn = lambda _name="": name
    call_command("deliver", *argv)


# ------------------------------------------------------------------------------- the driver


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port}")


POPULATE = """
from tadamun.lists.models import MailingList, Subscription
from tadamun.workgroups.models import Workgroup
from tadamun.workgroups.services import post_create
workgroup = Workgroup.objects.create(slug="sumud", name_ar="صمود", name_en="Steadfast")
mailing_list = MailingList.objects.create(workgroup=workgroup, personalise=True)
Subscription.objects.bulk_create(
    [Subscription(mailing_list=mailing_list, email=f"m{{n}}@example.org")
     for n in range({subscribers})], batch_size=1000)
for number in range({posts}):
    post_create(workgroup=workgroup, subject=f"نداء {{number}}", body="نص الرسالة\\nText",
                source="web", author_name="Amal", author_email="amal@example.org")
"""

READ_STATE = """
import json
from pathlib import Path
from tadamun.lists.models import Delivery
Path({path!r}).write_text(json.dumps([[state, recipient, message_id] for state, recipient,
    message_id in Delivery.objects.values_list("state", "recipient", "post__message_id")]))
"""


class Instance:
    """A scratch Tadamun: its VAR_DIR, database and environment."""

    def __init__(self, workdir: Path, base_url: str, relay_port: int):
        self.workdir = workdir
        self.pg_url = self.pg_name = None
        if base_url.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(base_url)
            self.pg_name = (parts.path.strip("/") or "tadamun") + "_faults"
            self.pg_admin = urlunsplit(parts._replace(path="/postgres"))
            self.pg_url = urlunsplit(parts._replace(path=f"/{self.pg_name}"))
        self.sqlite_path = workdir / "tadamun.sqlite3"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST"}
        } | {
            "VAR_DIR": str(workdir),
            "DJANGO_SETTINGS_MODULE": "tadamun.settings",
            "LISTS_SMTP_HOST": "127.0.0.1",
            "LISTS_SMTP_PORT": str(relay_port),
            "LISTS_DOMAIN": "lists.example.org",
            "DKIM_DOMAIN": "",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "PYTHONUNBUFFERED": "1",
        }
        if self.pg_url:
            self.env["DATABASE_URL"] = self.pg_url

    @property
    def vendor(self) -> str:
        return "postgresql" if self.pg_url else "sqlite"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.pg_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.pg_name}"')
        self.manage("migrate", "--no-input", "-v", "0")

    def drop(self) -> None:
        if self.pg_url:
            with contextlib.suppress(Exception):
                self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603  # nosec B603 (our interpreter, fixed arguments)
            [*MANAGE, *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def pending(self) -> int:
        """Rows queued or deferred (read without Django, so that the driver holds no
        connection the faults would have to spare)."""
        sql = "SELECT count(*) FROM lists_delivery WHERE state IN ('queued', 'deferred')"
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.pg_url, autocommit=True) as conn:
                return conn.execute(sql).fetchone()[0]
        with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as conn:
            return conn.execute(sql).fetchone()[0]

    def break_connection(self, rng: random.Random) -> str:
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.pg_url, autocommit=True) as conn:
                pids = [
                    row[0]
                    for row in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                        [self.pg_name],
                    )
                ]
                if not pids:
                    return "no worker connection open"
                victim = rng.choice(pids)
                conn.execute("SELECT pg_terminate_backend(%s)", [victim])
                return f"terminated backend {victim}"
        hold = rng.uniform(0.2, 1.5)
        with contextlib.closing(
            sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
        ) as conn:
            conn.execute("BEGIN EXCLUSIVE")
            time.sleep(hold)
            conn.execute("ROLLBACK")
        return f"write-locked {hold:.2f} s"


class Relay:
    def __init__(self, workdir: Path, port: int):
        self.port = port
        self.path = str(workdir / "arrivals.sqlite3")
        self.log = open(workdir / "relay.log", "ab")  # noqa: SIM115
        self.process: subprocess.Popen | None = None
        self.killed: list[int] = []

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603
            [*SELF, "sink", "--port", str(self.port), "--db", self.path],
            stdout=self.log,
            stderr=self.log,
        )
        wait_port(self.port)

    def kill(self) -> None:
        self.killed.append(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def count(self) -> int:
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as conn:
            return conn.execute("SELECT coalesce(max(id), 0) FROM arrival").fetchone()[0]

    def arrivals(self) -> list[tuple[str, str, str, float]]:
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as conn:
            return conn.execute(
                "SELECT message_id, mail_from, rcpt, at, peer, pid, sender FROM arrival ORDER BY id"
            ).fetchall()


class Workers:
    def __init__(self, instance: Instance, count: int, args: list[str]):
        self.instance, self.args = instance, args
        self.logs = [open(instance.workdir / f"worker{n}.log", "ab") for n in range(count)]  # noqa: SIM115
        self.processes: list[subprocess.Popen | None] = [None] * count
        self.restarts = 0
        self.crashes = 0  # exits not caused by our SIGKILL (e.g. a lost database connection)
        self.killed: list[int] = []

    def start(self, n: int) -> None:
        self.processes[n] = subprocess.Popen(  # noqa: S603  # nosec B603
            [*SELF, "worker", *self.args],
            env=self.instance.env,
            stdout=self.logs[n],
            stderr=self.logs[n],
        )

    def start_all(self) -> None:
        for n in range(len(self.processes)):
            self.start(n)

    def supervise(self) -> None:
        for n, process in enumerate(self.processes):
            if process.poll() is not None:
                self.crashes += 1
                self.restarts += 1
                self.start(n)

    def kill(self, rng: random.Random) -> str:
        n = rng.randrange(len(self.processes))
        self.killed.append(self.processes[n].pid)
        self.processes[n].send_signal(signal.SIGKILL)
        self.processes[n].wait(10)
        self.restarts += 1
        self.start(n)
        return f"SIGKILL worker {n}"

    def stop(self) -> None:
        for process in self.processes:
            if process and process.poll() is None:
                process.terminate()
        for process in self.processes:
            if process:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


def run(
    *,
    deliveries: int,
    kills: int,
    seed: int,
    workers: int = 2,
    batch: int = 25,
    lease: float = 10.0,
    timeout: float = 300.0,
    database_url: str = "",
    workdir: Path | None = None,
    verbose: bool = False,
) -> dict:
    rng = random.Random(seed)  # noqa: S311  # nosec B311 (a reproducible schedule, not a secret)
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="tadamun-durability-")) if own_dir else workdir
    port = free_port()
    instance = Instance(workdir, database_url, port)
    relay = Relay(workdir, port)
    posts = 2 if deliveries >= 2 else 1
    subscribers = deliveries // posts
    kinds = [FAULT_KINDS[n % 3] for n in range(kills)]
    rng.shuffle(kinds)
    # Each fault is due when the relay has counted this many arrivals (spread over 2–92 %).
    total = subscribers * posts
    thresholds = sorted(rng.randint(total // 50, total * 92 // 100) for _ in kinds)
    faults: list[dict] = []
    pool = None
    started = time.monotonic()
    try:
        instance.create()
        relay.start()
        instance.manage("shell", "-c", POPULATE.format(subscribers=subscribers, posts=posts))
        queued = instance.pending()
        setup_seconds = time.monotonic() - started
        started = time.monotonic()
        pool = Workers(
            instance,
            workers,
            ["--batch", str(batch), "--lease", str(lease), "--interval", "0.1"],
        )
        pool.start_all()
        deadline = started + timeout
        for kind, threshold in zip(kinds, thresholds, strict=True):
            while relay.count() < threshold and time.monotonic() < deadline:
                pool.supervise()
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.02))
            at = time.time()
            if kind == "worker":
                what = pool.kill(rng)
            elif kind == "database":
                what = instance.break_connection(rng)
            else:
                relay.kill()
                down = rng.uniform(0.2, 1.0)
                time.sleep(down)
                relay.start()
                what = f"relay down {down:.2f} s"
            faults.append({"kind": kind, "at": at, "arrivals": relay.count(), "what": what})
            if verbose:
                print(f"fault {len(faults)}: {kind}: {what}", flush=True)
        while instance.pending() and time.monotonic() < deadline:
            pool.supervise()
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        pool.stop()
        relay.stop()
        state_file = workdir / "deliveries.json"
        instance.manage("shell", "-c", READ_STATE.format(path=str(state_file)))
        rows = json.loads(state_file.read_text())
        arrivals = relay.arrivals()
    finally:
        if pool:
            pool.stop()
        relay.stop()
        if os.environ.get("DURABILITY_KEEP") == "1":  # for a post-mortem: logs, database
            print(f"kept {workdir} (and the database {instance.pg_name or 'file'})")
        else:
            instance.drop()
            if own_dir:
                shutil.rmtree(workdir, ignore_errors=True)
    return report(
        vendor=instance.vendor,
        deliveries=queued,
        rows=rows,
        arrivals=arrivals,
        faults=faults,
        killed_workers=set(pool.killed),
        killed_relays=set(relay.killed),
        crashes=pool.crashes,
        elapsed=elapsed,
        setup_seconds=setup_seconds,
        seed=seed,
    )


def report(
    *,
    vendor,
    deliveries,
    rows,
    arrivals,
    faults,
    killed_workers,
    killed_relays,
    crashes,
    elapsed,
    setup_seconds,
    seed,
):
    expected = {(message_id, recipient): state for state, recipient, message_id in rows}
    counts = Counter((arrival[0], arrival[2]) for arrival in arrivals)
    lost = sorted(key for key in expected if not counts[key])
    duplicated = {key: n for key, n in counts.items() if n > 1}
    unexpected = sorted(key for key in counts if key not in expected)
    states = Counter(expected.values())
    # The database agrees when exactly the rows that arrived are marked sent.
    disagree = sorted(
        key for key, state in expected.items() if (state == "sent") != bool(counts[key])
    )
    # SMTP's ambiguity window (RFC 5321 §4.1.1.4, §6.1): a copy the relay has taken whose 250
    # never reached a written mark, because the worker or the relay was killed in between, is
    # sent again. Such a duplicate's first copy is the last one handed over by a worker process
    # that was then SIGKILLed (the relay knows each sender by its EHLO name), or the last one of
    # an SMTP session whose relay process was then SIGKILLed. Any other duplicate is a fault of
    # the delivery code (e.g. two workers sending the same row).
    last_by_sender: dict[str, int] = {}
    last_by_session: dict[tuple[int, int], int] = {}
    for number, (_m, _f, _r, _at, peer, pid, sender) in enumerate(arrivals):
        last_by_sender[sender] = number
        last_by_session[(pid, peer)] = number
    explained = []
    for key, copies in duplicated.items():
        numbers = [n for n, arrival in enumerate(arrivals) if (arrival[0], arrival[2]) == key]
        first = numbers[0]
        _m, _f, _r, at, peer, relay_pid, sender = arrivals[first]
        worker_pid = int(sender.split(".")[0].removeprefix("worker-") or 0)
        cause = ""
        if worker_pid in killed_workers and last_by_sender[sender] == first:
            cause = "worker killed after the relay took its last copy"
        elif relay_pid in killed_relays and last_by_session[(relay_pid, peer)] == first:
            cause = "relay killed after taking the last copy of a session"
        explained.append(
            {
                "rcpt": key[1],
                "copies": copies,
                "cause": cause,
                # each copy: seconds after the first, sending worker, relay process
                "copies_at": [
                    (round(arrivals[n][3] - at, 3), arrivals[n][6], arrivals[n][5]) for n in numbers
                ],
                "faults_within_2s": [
                    f"{f['kind']} {f['at'] - at:+.3f} s" for f in faults if abs(f["at"] - at) <= 2
                ],
            }
        )
    return {
        "database": vendor,
        "seed": seed,
        "deliveries": deliveries,
        "faults": dict(Counter(f["kind"] for f in faults)),
        "fault_count": len(faults),
        "worker_crashes": crashes,
        "arrivals": len(arrivals),
        "lost": len(lost),
        "duplicated": sum(n - 1 for n in duplicated.values()),
        "unexpected": len(unexpected),
        "states": dict(states),
        "db_disagrees": len(disagree),
        "duplicates": explained,
        "unexplained_duplicates": sum(not d["cause"] for d in explained),
        "window_kills": sum(f["kind"] in ("worker", "relay") for f in faults),
        "lost_sample": [list(key) for key in lost[:5]],
        "seconds": round(elapsed, 1),
        "setup_seconds": round(setup_seconds, 1),
        "per_second": round(deliveries / elapsed, 1) if elapsed else 0,
    }


def summary(result: dict) -> str:
    faults = ", ".join(f"{kind} {result['faults'].get(kind, 0)}" for kind in FAULT_KINDS)
    return (
        f"mail durability ({result['database']}, seed {result['seed']}): "
        f"{result['deliveries']} deliveries, {result['fault_count']} faults ({faults}; "
        f"{result['worker_crashes']} worker exits on their own), "
        f"{result['arrivals']} arrivals at the relay, {result['lost']} lost, "
        f"{result['duplicated']} duplicated, {result['db_disagrees']} rows disagreeing, "
        f"states {result['states']}, {result['seconds']} s "
        f"({result['per_second']} deliveries/s; set-up {result['setup_seconds']} s)"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        run_worker(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    if argv[:1] == ["sink"]:
        parser.add_argument("command")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--db", required=True)
        args = parser.parse_args(argv)
        run_sink(args.port, args.db)
        return 0
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--lease", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    result = run(
        deliveries=args.deliveries,
        kills=args.kills,
        seed=args.seed,
        workers=args.workers,
        batch=args.batch,
        lease=args.lease,
        timeout=args.timeout,
        database_url=os.environ.get("DATABASE_URL", ""),
        verbose=args.verbose,
    )
    print(summary(result))
    for duplicate in result["duplicates"]:
        print(f"  duplicate: {duplicate}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0 if not (result["lost"] or result["duplicated"] or result["db_disagrees"]) else 1


if __name__ == "__main__":
    sys.exit(main())
