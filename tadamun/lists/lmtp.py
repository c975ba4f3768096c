"""The LMTP server (RFC 2033) the MTA hands list mail to, built on aiosmtpd as Mailman's.

LMTP answers once per recipient after DATA, so each list address a message was sent to
succeeds or fails on its own:

- at RCPT: 550 5.1.1 for an address that is not ours, 552 5.3.4 when the announced SIZE is over
  the list's limit (451 4.3.0 if the database cannot be asked);
- after DATA, per recipient: 250 only once the raw message and what became of it are
  committed; 552 over the list's limit; 451 4.3.0 when the database is unavailable or the
  message could not be stored, so that the MTA keeps it and tries again.

Database work runs in worker threads (`asyncio.to_thread`), so a slow database never stalls
the event loop, and each message starts and ends with `close_old_connections()` so that a
long-running server never holds a broken or stale connection.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.conf import settings
from django.db import close_old_connections

from tadamun.lists import inbound

logger = logging.getLogger(__name__)
# aiosmtpd logs every peer address, sender and recipient at INFO; who writes to whom is not
# ours to keep in logs (README, Privacy).
logging.getLogger("mail.log").setLevel(logging.WARNING)

# An absolute cap, whatever the lists allow: past it aiosmtpd stops keeping the data.
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
# aiosmtpd answers these once after DATA; LMTP needs one reply per recipient.
DATA_ERRORS = ("552 Error: Too much mail data", "500 Line too long (see RFC5321 4.5.3.1.6)")


class TadamunLMTP(LMTP):
    # Longer lines than RFC 5321's 1000 octets happen in real mail (HTML on one line, 8-bit
    # bodies from careless clients); better kept than refused.
    line_length_limit = 64 * 1024

    async def push(self, status):
        envelope = self.envelope
        if status in DATA_ERRORS and envelope is not None and len(envelope.rcpt_tos) > 1:
            # RFC 2033 §4.2: after DATA, one reply for each successful RCPT.
            for _recipient in envelope.rcpt_tos[1:]:
                await super().push(status)
        await super().push(status)


def _in_thread(function, /, *args, **kwargs):
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


def _announced_size(mail_options: list[str]) -> int | None:
    for option in mail_options:
        name, _eq, value = option.partition("=")
        if name.upper() == "SIZE" and value.isdigit():
            return int(value)
    return None


class InboundHandler:
    """aiosmtpd handler: checks recipients at RCPT, stores each recipient's copy after DATA."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            refusal = await asyncio.to_thread(
                _in_thread,
                inbound.check_recipient,
                address,
                size=_announced_size(envelope.mail_options),
            )
        except Exception:
            logger.exception("recipient could not be checked; asked the MTA to retry")
            return inbound.REPLY_TRY_LATER
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = bytes(envelope.original_content or b"")
        replies = []
        for recipient in envelope.rcpt_tos:
            replies.append(await self.deliver(raw, envelope.mail_from or "", recipient))
        return "\r\n".join(replies)

    async def deliver(self, raw: bytes, mail_from: str, recipient: str) -> str:
        try:
            result = await asyncio.to_thread(
                _in_thread,
                inbound.accept_inbound_message,
                raw=raw,
                envelope_from=mail_from,
                recipient=recipient,
            )
        except Exception:
            # The database is unavailable, or storing the raw bytes failed: nothing was
            # committed, so the MTA must keep the message and try again.
            logger.exception("message not stored; asked the MTA to retry")
            return inbound.REPLY_TRY_LATER
        logger.info("inbound message %s: %s", result.inbound_id, result.reply)
        return result.reply


class LMTPController(Controller):
    """An aiosmtpd controller that speaks LMTP (its own thread and event loop)."""

    def factory(self):
        return TadamunLMTP(self.handler, **self.SMTP_kwargs)


def lmtp_controller(
    *, host: str | None = None, port: int | None = None, max_bytes: int | None = None
) -> LMTPController:
    """A ready-to-start LMTP server on host:port (settings LMTP_HOST / LMTP_PORT)."""
    return LMTPController(
        InboundHandler(),
        hostname=host or settings.LMTP_HOST,
        port=settings.LMTP_PORT if port is None else port,
        server_hostname=settings.LISTS_DOMAIN,
        ident="Tadamun LMTP",
        data_size_limit=max_bytes or getattr(settings, "LMTP_MAX_BYTES", DEFAULT_MAX_BYTES),
        enable_SMTPUTF8=True,
        decode_data=False,
    )
