"""A fast counting SMTP sink on loopback, for the list benchmarks (not part of the site).

    .venv/bin/python bench/sink.py --port 18025 --status /tmp/sink.json

Accepts every transaction (127.0.0.1 only), keeps nothing of the messages, and every 50 ms
(when something changed) rewrites STATUS atomically with the running totals:
{"rcpts": …, "copies": …, "bytes": …, "first": unix time, "last": unix time}. A benchmark reads
the totals before it injects a post and waits until they have grown by the expected number of
recipients; `last` is when the sink accepted the last of them.

It is a minimal SMTP server on a bare asyncio protocol rather than aiosmtpd: it parses no
message, only finds the end of DATA, and it advertises what a production relay (Postfix)
advertises — PIPELINING (RFC 2920) and 8BITMIME (RFC 6152) — so that the sink's own CPU time
(it shares the machine's cores with the system measured) stays small. Mailman and Tadamun are
measured against the same sink.

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

EHLO = b"250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600\r\n"


class Counting:
    def __init__(self) -> None:
        self.rcpts = 0
        self.copies = 0
        self.bytes = 0
        self.first = None
        self.last = None

    def accepted(self, rcpts: int, size: int) -> None:
        now = time.time()
        self.rcpts += rcpts
        self.copies += 1
        self.bytes += size
        if self.first is None:
            self.first = now
        self.last = now

    def snapshot(self) -> dict:
        return {
            "rcpts": self.rcpts,
            "copies": self.copies,
            "bytes": self.bytes,
            "first": self.first,
            "last": self.last,
        }


class SinkProtocol(asyncio.Protocol):
    """SMTP commands line by line (pipelined or not); in DATA, only the terminating
    CRLF.CRLF is looked for."""

    def __init__(self, counter: Counting) -> None:
        self.counter = counter
        self.buffer = b""
        self.in_data = False
        self.size = 0
        self.rcpts = 0
        self.mail = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 sink.bench ESMTP bench sink\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    # Keep the last 4 bytes: a terminator may be split across reads.
                    if len(self.buffer) > 4:
                        self.size += len(self.buffer) - 4
                        self.buffer = self.buffer[-4:]
                    break
                self.size += end + 2
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                self.counter.accepted(self.rcpts, self.size)
                self.mail, self.rcpts = False, 0
                replies.append(b"250 2.0.0 Message accepted\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            verb = line[:4].upper()
            if verb == b"RCPT":
                if self.mail:
                    self.rcpts += 1
                    replies.append(b"250 2.1.5 OK\r\n")
                else:
                    replies.append(b"503 5.5.1 need MAIL first\r\n")
            elif verb == b"MAIL":
                self.mail, self.rcpts = True, 0
                replies.append(b"250 2.1.0 OK\r\n")
            elif verb == b"DATA":
                if self.rcpts:
                    # A CRLF in front, so that an empty message's lone "." line is found as
                    # the terminator too (and not counted in the size).
                    self.in_data, self.size = True, -2
                    self.buffer = b"\r\n" + self.buffer
                    replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                else:
                    replies.append(b"554 5.5.1 no valid recipients\r\n")
            elif verb in (b"EHLO",):
                replies.append(EHLO)
            elif verb == b"HELO":
                replies.append(b"250 sink.bench\r\n")
            elif verb == b"RSET":
                self.mail, self.rcpts = False, 0
                replies.append(b"250 2.0.0 OK\r\n")
            elif verb == b"NOOP":
                replies.append(b"250 2.0.0 OK\r\n")
            elif verb == b"QUIT":
                replies.append(b"221 2.0.0 Bye\r\n")
                self.transport.write(b"".join(replies))
                self.transport.close()
                return
            else:
                replies.append(b"502 5.5.2 not implemented\r\n")
        if replies:
            self.transport.write(b"".join(replies))


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
        lambda: SinkProtocol(handler),
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
