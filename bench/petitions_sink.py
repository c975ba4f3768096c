"""The SMTP sink of bench/petitions.py (not part of the site): aiosmtpd on loopback, in its own
process, that keeps a ledger of what it received instead of the messages.

    .venv/bin/python bench/petitions_sink.py --port 18026 --ledger /tmp/ledger.tsv

For every recipient of every accepted message it appends one line to LEDGER:
`recipient<TAB>path` where `path` is the confirmation link found in the message's text
(`/en/petitions/<slug>/confirm/<token>/`, without the host) or `-` when there is none. The
file is written line by line (flushed after each message), so that the confirming wrk script
(bench/petitions_confirm.lua) can read new links while the benchmark runs, and the benchmark
can count the messages each address received (0 lost, 0 duplicated).

It stops on SIGTERM/SIGINT, when its parent process goes away, or after --max-seconds.
"""

import argparse
import asyncio
import contextlib
import email
import email.policy
import os
import re
import signal
import time
from pathlib import Path

from aiosmtpd.smtp import SMTP

LINK = re.compile(r"https?://[^/\s]+(/\S*?/confirm/[A-Za-z0-9_-]+/)")


def confirmation_path(content: bytes) -> str:
    """The confirmation link of a message (its path), or "-"."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    found = LINK.search(text)
    return found.group(1) if found else "-"


class Ledger:
    """aiosmtpd handler: accept everything, write one ledger line per recipient."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")
        self.messages = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        try:
            path = confirmation_path(envelope.content)
        except Exception:  # a message we cannot parse is still counted
            path = "-"
        self.file.write("".join(f"{rcpt}\t{path}\n" for rcpt in envelope.rcpt_tos))
        self.file.flush()
        self.messages += 1
        return "250 2.0.0 Message accepted"

    def close(self) -> None:
        self.file.close()


async def serve(host: str, port: int, ledger_path: Path, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    ledger = Ledger(ledger_path)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(
        lambda: SMTP(ledger, hostname="sink.bench", enable_SMTPUTF8=True, ident="bench sink"),
        host=host,
        port=port,
        reuse_address=True,
    )
    parent = os.getppid()
    deadline = time.monotonic() + max_seconds
    print(f"sink listening on {host}:{port}", flush=True)
    while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    server.close()
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18026)
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    if args.host not in {"127.0.0.1", "::1", "localhost"}:
        parser.error("the sink listens on loopback only")
    asyncio.run(serve(args.host, args.port, args.ledger, args.max_seconds))


if __name__ == "__main__":
    main()
