"""Fan-out: one post to a list of N subscribers, from LMTP receipt until a local SMTP sink has
every recipient — Tadamun (SQLite and PostgreSQL, batched and personalised + DKIM-signed) and
GNU Mailman 3 core on the same machine in the same run.

    .venv/bin/python bench/fanout.py                       # 10,000 members, everything
    .venv/bin/python bench/fanout.py --members 1000        # a quick check
    .venv/bin/python bench/fanout.py --db sqlite --modes personalised --no-mailman

For each system and mode: a fresh list of N members, one ~12 KB post (Arabic and English) is
handed to the LMTP server with smtplib.LMTP, and the clock runs from its 250 reply until the
sink (127.0.0.1, its own process) has accepted a copy for every recipient. The sink
(bench/sink.py) is a minimal asyncio SMTP server that only counts; like Postfix it advertises
PIPELINING and 8BITMIME; both systems deliver to the same sink. Peak memory is the summed RSS
of the system's processes (read from /proc every 0.25 s while it runs); the sink and this
script are not counted.

Tadamun: a temp VAR_DIR, a fresh SQLite file or a temp PostgreSQL database (created and dropped
here), DEBUG=0, `manage.py lmtp` and --workers delivery worker processes (`manage.py deliver`).
Batched mode sends up to --per-transaction recipients per SMTP transaction; personalised mode
sends one copy per recipient (VERP, own unsubscribe link), DKIM-signed with a fresh RSA-2048 key.

Mailman 3.3.10: its own venv (installed from PyPI on first use under --mm3-venv), SQLite,
members added before core starts, [mta] pointed at the same sink; modes as in
../shared/peers/mailman/: `10` (its default max_recipients) for batched, `10,verp`
(verp_delivery_interval: 1, one copy per recipient) for personalised. Mailman signs nothing.
"""

import argparse
import shutil
import smtplib
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import (
    MANAGE,
    RssSampler,
    Sink,
    TadamunInstance,
    bilingual_post,
    free_port,
    member_address,
    wait_for_recipients,
    wait_port,
)

SCRATCH = Path(tempfile.gettempdir()) / "tadamun-bench"
MAILMAN_MODE = {"batched": "10", "personalised": "10,verp"}


@dataclass
class Result:
    system: str
    db: str
    mode: str
    members: int
    seconds: list[float] = field(default_factory=list)
    accept_s: list[float] = field(default_factory=list)
    copies: list[int] = field(default_factory=list)
    complete: list[bool] = field(default_factory=list)
    peak_mib: float = 0.0
    processes: int = 0
    note: str = ""

    @property
    def median(self) -> float | None:
        done = [s for s, ok in zip(self.seconds, self.complete, strict=True) if ok]
        return statistics.median(done) if done else None


def inject(lmtp_port: int, sender: str, rcpt: str, size: int) -> tuple[float, float]:
    """Hand one post to an LMTP server; (time of its 250 reply, seconds the accept took)."""
    tag = uuid.uuid4().hex
    message = bilingual_post(sender, rcpt, tag, size=size)
    start = time.time()
    with smtplib.LMTP("127.0.0.1", lmtp_port, timeout=120) as lmtp:
        refused = lmtp.sendmail(sender, [rcpt], message)
    accepted = time.time()
    if refused:
        raise RuntimeError(f"LMTP refused the post: {refused}")
    return accepted, accepted - start


def measure_once(
    sink: Sink,
    lmtp_port: int,
    sender: str,
    rcpt: str,
    expect: int,
    *,
    result: Result,
    args,
    alive=lambda: True,
) -> None:
    base = sink.status()
    accepted, accept_s = inject(lmtp_port, sender, rcpt, args.size)
    label = f"{result.system}/{result.db}/{result.mode}"
    status = wait_for_recipients(sink, base, expect, timeout=args.timeout, label=label, alive=alive)
    got = status["rcpts"] - base["rcpts"]
    ok = got >= expect
    seconds = (status["last"] - accepted) if ok else (time.time() - accepted)
    result.seconds.append(seconds)
    result.accept_s.append(accept_s)
    result.copies.append(status["copies"] - base["copies"])
    result.complete.append(ok)
    state = "all delivered" if ok else f"INCOMPLETE ({got:,}/{expect:,})"
    print(
        f"    {label}: {state} in {seconds:.2f} s after the LMTP 250 "
        f"(accept {accept_s * 1000:.0f} ms, {status['copies'] - base['copies']:,} SMTP "
        f"transactions)",
        flush=True,
    )


# --- Tadamun -------------------------------------------------------------------------------


def run_tadamun(db: str, args, sink: Sink, workdir: Path) -> list[Result]:
    results = []
    print(f"\n== Tadamun on {db}: {args.members:,} members", flush=True)
    inst = TadamunInstance(db, workdir, smtp_port=sink.port, lmtp_port=free_port())
    try:
        setup_start = time.monotonic()
        inst.setup_script("create", "--members", str(args.members))
        print(f"    set up in {time.monotonic() - setup_start:.1f} s", flush=True)
        inst.set_dkim()
        for mode in args.modes:
            personalise = mode == "personalised"
            inst.setup_script(
                "mode",
                "--personalise",
                "1" if personalise else "0",
                "--per-transaction",
                str(args.per_transaction),
            )
            result = Result("Tadamun", db, mode, args.members)
            if personalise:
                result.note = "DKIM-signed, VERP"
            with RssSampler(inst.pids) as rss:
                lmtp = inst.spawn(
                    MANAGE, "lmtp", "--host", "127.0.0.1", "--port", str(inst.lmtp_port),
                    log="lmtp.log",
                )  # fmt: skip
                for i in range(args.workers):
                    inst.spawn(MANAGE, *args.worker_command.split(), log=f"worker-{i}.log")
                wait_port(inst.lmtp_port, timeout=60, proc=lmtp)
                time.sleep(1)  # let the workers reach their loop
                for _run in range(args.runs):
                    measure_once(
                        sink,
                        inst.lmtp_port,
                        member_address(0),
                        f"bench@{inst.env['LISTS_DOMAIN']}",
                        args.members,
                        result=result,
                        args=args,
                        alive=inst.alive,
                    )
                if not inst.alive():
                    for name in ["lmtp.log"] + [f"worker-{i}.log" for i in range(args.workers)]:
                        print(f"    --- {name}:\n{inst.log_tail(name)}", flush=True)
            inst.stop_all()
            result.peak_mib = rss.peak_mib
            result.processes = rss.peak_processes
            report = inst.setup_script("report")
            print(f"    database says: {report}", flush=True)
            results.append(result)
    finally:
        if args.keep:
            inst.stop_all()
            print(f"    kept {inst.var_dir} ({inst.env.get('DATABASE_URL', 'sqlite')})")
        else:
            inst.destroy()
    return results


# --- Mailman -------------------------------------------------------------------------------


def run_mailman(args, sink: Sink, workdir: Path) -> list[Result]:
    from mailman.mm3 import Mailman

    results = []
    print(f"\n== GNU Mailman 3.3.10 on sqlite: {args.members:,} members", flush=True)
    mm = Mailman(args.mm3_venv, workdir, members=args.members, sink_port=sink.port)
    try:
        mm.write_cfg(MAILMAN_MODE[args.modes[0]])
        took = mm.create_list()
        print(f"    members added in {took:.1f} s", flush=True)
        for mode in args.modes:
            mm_mode = MAILMAN_MODE[mode]
            mm.write_cfg(mm_mode)
            result = Result("Mailman", "sqlite", mode, args.members, note=f"mode {mm_mode}")
            with RssSampler(mm.pids) as rss:
                mm.start()
                mm.queues_idle()
                for _run in range(args.runs):
                    mm.queues_idle()
                    time.sleep(1)
                    measure_once(
                        sink,
                        mm.lmtp_port,
                        mm.sender,
                        mm.list,
                        args.members,
                        result=result,
                        args=args,
                        alive=lambda: mm.master_pid() is not None,
                    )
                mm.stop()
            result.peak_mib = rss.peak_mib
            result.processes = rss.peak_processes
            results.append(result)
    finally:
        mm.destroy()
    return results


# --- report --------------------------------------------------------------------------------


def fmt_s(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "n/a"


def print_table(results: list[Result], args) -> None:
    print(f"\nFan-out of one ~{args.size // 1000} KB post to {args.members:,} members")
    print("(seconds from the LMTP 250 until the sink has every recipient; median of runs)\n")
    header = (
        f"{'system':<9} {'db':<9} {'mode':<13} {'seconds':>8} {'recipients/s':>13} "
        f"{'SMTP txns':>10} {'peak RSS MiB':>13} {'procs':>6}  note"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        med = r.median
        rate = f"{r.members / med:,.0f}" if med else "n/a"
        runs_ok = sum(r.complete)
        note = r.note + ("" if runs_ok == len(r.complete) else f" {runs_ok}/{len(r.complete)} ok")
        print(
            f"{r.system:<9} {r.db:<9} {r.mode:<13} {fmt_s(med):>8} {rate:>13} "
            f"{max(r.copies) if r.copies else 0:>10,} {r.peak_mib:>13.0f} {r.processes:>6}  "
            f"{note}"
        )
    mailman = {r.mode: r for r in results if r.system == "Mailman"}
    ours = [r for r in results if r.system == "Tadamun"]
    if not mailman or not ours:
        return
    aims = {"batched": 3, "personalised": 10}
    print(
        "\nTadamun vs Mailman (speed: Mailman seconds / Tadamun seconds; memory: Tadamun/Mailman)"
    )
    for r in ours:
        m = mailman.get(r.mode)
        if m is None or not r.median or not m.median:
            continue
        speed = m.median / r.median
        mem = r.peak_mib / m.peak_mib if m.peak_mib else float("nan")
        verdict = "meets" if speed >= aims[r.mode] else "misses"
        print(
            f"  {r.db:<9} {r.mode:<13} {speed:5.1f}× faster ({verdict} the {aims[r.mode]}× aim), "
            f"memory {mem:.0%} of Mailman's ({r.peak_mib:.0f} vs {m.peak_mib:.0f} MiB)"
        )


def guarded(run, *args) -> list[Result]:
    """One system's runs; a failure is reported and the other systems still run."""
    try:
        return run(*args)
    except Exception:
        traceback.print_exc()
        print("    (this part failed; going on with the next)", flush=True)
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--modes", default="batched,personalised")
    parser.add_argument("--mailman", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="Tadamun delivery processes")
    parser.add_argument(
        "--worker-command",
        default="deliver",
        help="manage.py command (and arguments) of one Tadamun delivery worker",
    )
    parser.add_argument("--per-transaction", type=int, default=500)
    parser.add_argument("--size", type=int, default=12_000, help="bytes of the post")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run at most")
    parser.add_argument("--mm3-venv", type=Path, default=SCRATCH / "mm3")
    parser.add_argument("--workdir", type=Path, default=SCRATCH)
    parser.add_argument("--keep", action="store_true", help="keep Tadamun's databases")
    args = parser.parse_args()
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for mode in args.modes:
        if mode not in MAILMAN_MODE:
            parser.error(f"unknown mode {mode!r} (batched, personalised)")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]

    args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = Path(args.workdir) / f"fanout-{int(time.time())}"
    workdir.mkdir()
    sink = Sink(workdir)
    print(f"sink on 127.0.0.1:{sink.port}; work files in {workdir}", flush=True)
    results: list[Result] = []
    try:
        for db in dbs:
            results += guarded(run_tadamun, db, args, sink, workdir)
        if args.mailman:
            results += guarded(run_mailman, args, sink, workdir)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
    finally:
        sink.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(results, args)


if __name__ == "__main__":
    main()
