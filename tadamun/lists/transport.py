"""How list mail leaves: SMTP to LISTS_SMTP_HOST:LISTS_SMTP_PORT (the MTA relay), or — in
development, when it is unset — Django's default mailer (the mail catcher at /dev/mail/; the
test outbox in tests).

`send()` reports an SMTP reply code per recipient and never raises for SMTP-level trouble:
a refused connection, a timeout or a dropped line is a temporary failure (421) for every
recipient of that transaction, so the caller defers them and tries again later.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage as DjangoEmailMessage


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent(self) -> bool:
        return self.code >= 500


class SmtpTransport:
    """One SMTP connection, reused for many transactions (RSET between them is smtplib's)."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection: smtplib.SMTP | None = None
        # After a connection-level failure the rest of the batch is deferred at once rather
        # than waiting for another timeout per message.
        self.broken: Reply | None = None

    def open(self) -> None:
        if self.connection is not None or self.broken is not None:
            return
        try:
            self.connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            self.connection.ehlo_or_helo_if_needed()
        except (OSError, smtplib.SMTPException) as error:
            self.connection = None
            self.broken = Reply(421, f"connection to {self.host}:{self.port} failed: {error}")

    @property
    def supports_8bit(self) -> bool:
        """Whether the relay takes 8bit text (the 8BITMIME extension, RFC 6152); call after
        open()."""
        return self.connection is not None and self.connection.has_extn("8bitmime")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def send(
        self, envelope_from: str, recipients: list[str], data: bytes, *, eight_bit: bool = False
    ) -> dict[str, Reply]:
        """One SMTP transaction. `eight_bit`: the message has 8bit text, sent with
        BODY=8BITMIME (only when the relay advertised it; the caller checks
        `supports_8bit`)."""
        self.open()
        if self.broken is not None:
            return dict.fromkeys(recipients, self.broken)
        options = ("BODY=8BITMIME",) if eight_bit else ()
        if self.connection.has_extn("pipelining"):
            try:
                return self._send_pipelined(envelope_from, recipients, data, options)
            except UnicodeEncodeError:
                self._reset()
                return dict.fromkeys(recipients, Reply(553, "address not deliverable in ASCII"))
            except (OSError, smtplib.SMTPException) as error:
                return self._lost(recipients, error)
        try:
            refused = self.connection.sendmail(envelope_from, recipients, data, options)
        except smtplib.SMTPRecipientsRefused as error:
            refused = error.recipients
        except smtplib.SMTPSenderRefused as error:
            return dict.fromkeys(recipients, Reply(error.smtp_code, _text(error.smtp_error)))
        except smtplib.SMTPDataError as error:
            return dict.fromkeys(recipients, Reply(error.smtp_code, _text(error.smtp_error)))
        except UnicodeEncodeError:
            # An address that needs SMTPUTF8 (RFC 6531), which we do not offer.
            self._reset()
            return dict.fromkeys(recipients, Reply(553, "address not deliverable in ASCII"))
        except (OSError, smtplib.SMTPException) as error:
            return self._lost(recipients, error)
        accepted = Reply(250, "ok")
        return {
            rcpt: Reply(*_code_text(refused[rcpt])) if rcpt in refused else accepted
            for rcpt in recipients
        }

    def _lost(self, recipients: list[str], error: Exception) -> dict[str, Reply]:
        # Timeout, reset, unexpected reply: the outcome is unknown, so the transaction counts
        # as not delivered (RFC 5321 §4.1.1.4: only the final 250 after DATA says the server
        # took responsibility).
        self.connection.close()
        self.connection = None
        self.broken = Reply(421, f"SMTP connection lost: {error}")
        return dict.fromkeys(recipients, self.broken)

    def _send_pipelined(
        self, envelope_from: str, recipients: list[str], data: bytes, options
    ) -> dict[str, Reply]:
        """MAIL, every RCPT and DATA in one write, then their replies in order (RFC 2920): one
        round trip less per recipient, and two per transaction, than smtplib's sendmail."""
        conn = self.connection
        extra = "".join(f" {option}" for option in options)
        commands = [f"MAIL FROM:{_angle(envelope_from)}{extra}\r\n"]
        commands += [f"RCPT TO:{_angle(rcpt)}\r\n" for rcpt in recipients]
        commands.append("DATA\r\n")
        conn.send("".join(commands).encode("ascii"))
        mail_reply = Reply(*_code_text(conn.getreply()))
        rcpt_replies = {rcpt: Reply(*_code_text(conn.getreply())) for rcpt in recipients}
        data_code, data_text = _code_text(conn.getreply())
        refused = {
            rcpt: reply for rcpt, reply in rcpt_replies.items() if reply.code not in (250, 251)
        }
        failure = None
        if mail_reply.code != 250:
            failure = dict.fromkeys(recipients, mail_reply)
        elif len(refused) == len(recipients):
            failure = rcpt_replies
        elif data_code != 354:
            failure = {rcpt: refused.get(rcpt, Reply(data_code, data_text)) for rcpt in recipients}
        if failure is not None:
            if data_code == 354:
                # The server went on to DATA nevertheless: end it empty, then forget it.
                conn.send(b".\r\n")
                conn.getreply()
            self._reset()
            return failure
        # Dot-stuffing (RFC 5321 §4.5.2); most messages have no line starting with a dot.
        body = data if b"\n." not in data and not data.startswith(b".") else _dot_stuff(data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        conn.send(body + b".\r\n")
        code, text = _code_text(conn.getreply())
        if code != 250:
            self._reset()
            return {rcpt: refused.get(rcpt, Reply(code, text)) for rcpt in recipients}
        accepted = Reply(250, "ok")
        return {rcpt: refused.get(rcpt, accepted) for rcpt in recipients}

    def _reset(self) -> None:
        try:
            self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self.connection.close()
            self.connection = None


def _dot_stuff(data: bytes) -> bytes:
    return smtplib._quote_periods(data)


def _angle(address: str) -> str:
    """`<address>` for MAIL FROM / RCPT TO (smtplib.quoteaddr, without its parser for the
    plain addresses lists have)."""
    if not address or any(char in address for char in '<>()" \t\r\n,;'):
        return smtplib.quoteaddr(address)
    return f"<{address}>"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _code_text(pair) -> tuple[int, str]:
    code, text = pair
    return int(code), _text(text)


class _PreparedEmail(DjangoEmailMessage):
    """A message rendered (and signed) by us, handed to a Django mailer as it is."""

    def __init__(self, *, data: bytes, envelope_from: str, recipients: list[str]):
        parsed = email.message_from_bytes(data, policy=email.policy.SMTP)
        body = parsed.get_body(preferencelist=("plain",))
        super().__init__(
            subject=str(parsed.get("Subject", "")),
            body=body.get_content() if body is not None else "",
            from_email=envelope_from,
            to=recipients,
        )
        self._prepared = parsed

    def message(self, *args, **kwargs):
        return self._prepared


class MailerTransport:
    """Development and tests: Django's default mailer (no SMTP replies to report)."""

    def __init__(self):
        self.connection = mail.mailers.default

    # Django's mailers re-serialise the message: keep to 7bit transfer encodings.
    supports_8bit = False

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send(
        self, envelope_from: str, recipients: list[str], data: bytes, *, eight_bit: bool = False
    ) -> dict[str, Reply]:
        self.connection.send_messages(
            [_PreparedEmail(data=data, envelope_from=envelope_from, recipients=recipients)]
        )
        return dict.fromkeys(recipients, Reply(250, "handed to the mailer"))


def open_transport() -> SmtpTransport | MailerTransport:
    if settings.LISTS_SMTP_HOST:
        return SmtpTransport(
            settings.LISTS_SMTP_HOST,
            settings.LISTS_SMTP_PORT,
            timeout=getattr(settings, "LISTS_SMTP_TIMEOUT", 60),
        )
    return MailerTransport()
