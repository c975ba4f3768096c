"""Inbound: sustained LMTP accepts per second with concurrent clients, on SQLite and PostgreSQL.

    .venv/bin/python bench/lmtp_inbound.py                       # 20 clients, 20 s, both dbs
    .venv/bin/python bench/lmtp_inbound.py --db sqlite --clients 5 --seconds 5

A fresh Tadamun (temp VAR_DIR, fresh SQLite file or temp PostgreSQL database, DEBUG=0) with one
list of --subscribers members, and only `manage.py lmtp` running: no delivery worker, so the
delivery rows each post queues stay queued (deliveries disabled). Each client is a thread with
its own smtplib.LMTP connection (kept open, as Postfix's LMTP connection cache does) that sends
small posts (~2 KB, Arabic and English) from its own member address, one after another, as fast
as the server answers. Counted: posts answered 250 within the measured window (after a warm-up),
their latency (MAIL FROM to the final 250), and any refusal. Afterwards the database is asked
how many messages it holds, to check that every 250 was stored.
"""

import argparse
import contextlib
import json
import shutil
import smtplib
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchlib import (
    MANAGE,
    RssSampler,
    TadamunInstance,
    bilingual_post,
    free_port,
    member_address,
    wait_port,
)

SCRATCH = Path(tempfile.gettempdir()) / "tadamun-bench"


class Client(threading.Thread):
    def __init__(self, n: int, port: int, rcpt: str, size: int, start_at: float, stop_at: float):
        super().__init__(daemon=True)
        self.sender = member_address(n)
        self.port = port
        self.rcpt = rcpt
        self.size = size
        self.start_at = start_at
        self.stop_at = stop_at
        self.latencies: list[float] = []  # of 250s inside the measured window
        self.accepted_total = 0
        self.refused: dict[str, int] = {}
        self.errors = 0

    def run(self) -> None:
        lmtp = None
        while time.time() < self.stop_at:
            try:
                if lmtp is None:
                    lmtp = smtplib.LMTP("127.0.0.1", self.port, timeout=60)
                message = bilingual_post(self.sender, self.rcpt, uuid.uuid4().hex, self.size)
                begin = time.time()
                try:
                    lmtp.sendmail(self.sender, [self.rcpt], message)
                except smtplib.SMTPRecipientsRefused as exc:
                    for code, _msg in exc.recipients.values():
                        self.refused[str(code)] = self.refused.get(str(code), 0) + 1
                    lmtp.rset()
                    continue
                except smtplib.SMTPDataError as exc:
                    self.refused[str(exc.smtp_code)] = self.refused.get(str(exc.smtp_code), 0) + 1
                    lmtp.rset()
                    continue
                end = time.time()
                self.accepted_total += 1
                if self.start_at <= begin and end <= self.stop_at:
                    self.latencies.append(end - begin)
            except (OSError, smtplib.SMTPException):
                self.errors += 1
                lmtp = None
                time.sleep(0.1)
        if lmtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                lmtp.quit()


def run_db(db: str, args, workdir: Path) -> dict:
    print(f"\n== Tadamun on {db}: {args.clients} clients for {args.seconds:g} s", flush=True)
    inst = TadamunInstance(db, workdir, smtp_port=free_port(), lmtp_port=free_port())
    try:
        members = max(args.subscribers, args.clients)
        inst.setup_script("create", "--members", str(members))
        rcpt = f"bench@{inst.env['LISTS_DOMAIN']}"
        with RssSampler(inst.pids) as rss:
            lmtp = inst.spawn(
                MANAGE, "lmtp", "--host", "127.0.0.1", "--port", str(inst.lmtp_port),
                log="lmtp.log",
            )  # fmt: skip
            wait_port(inst.lmtp_port, timeout=60, proc=lmtp)
            start_at = time.time() + args.warmup
            stop_at = start_at + args.seconds
            clients = [
                Client(i, inst.lmtp_port, rcpt, args.size, start_at, stop_at)
                for i in range(args.clients)
            ]
            for client in clients:
                client.start()
            while time.time() < stop_at:
                time.sleep(min(5, max(0.1, stop_at - time.time())))
                done = sum(len(c.latencies) for c in clients)
                print(f"    {done:,} accepted so far in the measured window …", flush=True)
            for client in clients:
                client.join(timeout=90)
            alive = lmtp.poll() is None
        inst.stop_all()
        if not alive:
            print(inst.log_tail("lmtp.log"))
        report = json.loads(inst.setup_script("report"))
    finally:
        inst.destroy()
    latencies = sorted(x for c in clients for x in c.latencies)
    refused: dict[str, int] = {}
    for c in clients:
        for code, n in c.refused.items():
            refused[code] = refused.get(code, 0) + n
    stored = sum(report.get("inbound", {}).values())
    accepted_total = sum(c.accepted_total for c in clients)
    return {
        "db": db,
        "accepts_per_s": len(latencies) / args.seconds,
        "median_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
        if latencies
        else float("nan"),
        "refused": refused,
        "errors": sum(c.errors for c in clients),
        "accepted_total": accepted_total,
        "stored": stored,
        "peak_mib": rss.peak_mib,
        "server_alive": alive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--size", type=int, default=2_000, help="bytes of each post")
    parser.add_argument("--workdir", type=Path, default=SCRATCH)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = args.workdir / f"inbound-{int(time.time())}"
    workdir.mkdir()
    rows = []
    try:
        for db in dbs:
            rows.append(run_db(db, args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\nLMTP accepts: {args.clients} concurrent clients, ~{args.size // 1000} KB posts to a "
        f"list of {max(args.subscribers, args.clients)} members, {args.seconds:g} s measured"
    )
    header = (
        f"{'db':<9} {'accepts/s':>10} {'median ms':>10} {'p99 ms':>8} {'refused':>10} "
        f"{'errors':>7} {'250s':>7} {'stored':>7} {'RSS MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        refused = ",".join(f"{k}×{v}" for k, v in sorted(r["refused"].items())) or "0"
        print(
            f"{r['db']:<9} {r['accepts_per_s']:>10.1f} {r['median_ms']:>10.1f} "
            f"{r['p99_ms']:>8.1f} {refused:>10} {r['errors']:>7} {r['accepted_total']:>7} "
            f"{r['stored']:>7} {r['peak_mib']:>8.0f}"
        )
        if r["stored"] < r["accepted_total"]:
            print(f"  !! {r['db']}: {r['accepted_total'] - r['stored']} accepted posts not stored")
        if not r["server_alive"]:
            print(f"  !! {r['db']}: the LMTP server died")


if __name__ == "__main__":
    main()
