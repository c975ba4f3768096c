"""A fast counting SMTP sink on loopback, for the list benchmarks (not part of the site).

    .venv/bin/python bench/sink.py --port 18025 --status /tmp/sink.json

Accepts every transaction (aiosmtpd, 127.0.0.1 only), keeps nothing of the messages, and every
50 ms (when something changed) rewrites STATUS atomically with the running totals:
{"rcpts": …, "copies": …, "bytes": …, "first": unix time, "last": unix time}. A benchmark reads
the totals before it injects a post and waits until they have grown by the expected number of
recipients; `last` is when the sink accepted the last of them.

It stops by itself on SIGTERM/SIGINT, when its parent process goes away, or after
--max-seconds (default two hours).
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import time
from pathlib import Path

from aiosmtpd.smtp import SMTP


class Counting:
    def __init__(self) -> None:
        self.rcpts = 0
        self.copies = 0
        self.bytes = 0
        self.first = None
        self.last = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        self.rcpts += len(envelope.rcpt_tos)
        self.copies += 1
        self.bytes += len(envelope.original_content or b"")
        if self.first is None:
            self.first = now
        self.last = now
        return "250 Message accepted"

    def snapshot(self) -> dict:
        return {
            "rcpts": self.rcpts,
            "copies": self.copies,
            "bytes": self.bytes,
            "first": self.first,
            "last": self.last,
        }


def read_status(path: Path) -> dict:
    """The sink's latest totals (zeros before its first write)."""
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {"rcpts": 0, "copies": 0, "bytes": 0, "first": None, "last": None}


async def serve(host: str, port: int, status: Path, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    handler = Counting()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            hostname="sink.bench",
            data_size_limit=None,
            enable_SMTPUTF8=True,
            ident="bench sink",
        ),
        host=host,
        port=port,
        reuse_address=True,
    )
    parent = os.getppid()
    deadline = time.monotonic() + max_seconds
    tmp = status.with_suffix(".tmp")
    written = None
    print(f"sink listening on {host}:{port}", flush=True)
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        snap = handler.snapshot()
        if snap != written:
            tmp.write_text(json.dumps(snap))
            os.replace(tmp, status)
            written = snap
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)
    server.close()
    tmp.write_text(json.dumps(handler.snapshot()))
    os.replace(tmp, status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18025)
    parser.add_argument("--status", type=Path, required=True)
    parser.add_argument("--max-seconds", type=float, default=7200)
    args = parser.parse_args()
    if args.host not in {"127.0.0.1", "::1", "localhost"}:
        parser.error("the sink listens on loopback only")
    asyncio.run(serve(args.host, args.port, args.status, args.max_seconds))


if __name__ == "__main__":
    main()
