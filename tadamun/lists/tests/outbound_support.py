"""What the outbound tests share: a real SMTP sink on a loopback port (aiosmtpd), a DKIM key
with its DNS record, and a list with subscribers."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections import Counter
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tadamun.core.tests.sockets import free_port
from tadamun.lists.dkim import dns_record
from tadamun.lists.models import MailingList, Subscription
from tadamun.workgroups.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


def text_of(message) -> str:
    """The plain-text body; base64 text travels with CRLF line ends (RFC 2045 §6.8)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


class SinkHandler:
    """Collects every accepted transaction. It can refuse (`refuse = "451 …"`), refuse given
    recipients (`rcpt_replies`), or stall at RCPT of the n-th transaction until released."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refuse: str | None = None
        self.rcpt_replies: dict[str, str] = {}
        self.transactions = 0
        self.stall_at: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        if not envelope.rcpt_tos:
            with self.lock:
                self.transactions += 1
                number = self.transactions
            if number == self.stall_at:
                self.stalled.set()
                await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
                return "451 4.3.0 stalled"
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 2.0.0 Message accepted for delivery"

    def bodies(self, address: str) -> list[str]:
        """The plain-text bodies a recipient got (line ends as Python's)."""
        return [text_of(item.message) for item in self.for_recipient(address)]

    def copies(self) -> Counter:
        """How many copies each recipient got."""
        with self.lock:
            return Counter(rcpt for item in self.received for rcpt in item.rcpt_tos)

    def for_recipient(self, address: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if address in item.rcpt_tos]


class Sink:
    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> Sink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        self.controller.stop()


class DkimKey:
    def __init__(self, directory):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.path = directory / "dkim.pem"
        # PKCS#8, as `openssl genpkey` writes it.
        self.path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.record = dns_record(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def dnsfunc(self, name: bytes, timeout: int = 5) -> bytes:
        assert name == b"tadamun._domainkey.lists.example.org."
        return self.record


def make_list(*, members: int = 3, closed: bool = False, **list_options):
    """A workgroup whose members are all subscribed (every message), and its list."""
    workgroup = WorkgroupFactory(closed=closed)
    mailing_list = MailingList.objects.create(workgroup=workgroup, **list_options)
    people = []
    for _n in range(members):
        person = UserFactory()
        MembershipFactory(workgroup=workgroup, user=person)
        Subscription.objects.create(
            mailing_list=mailing_list,
            user=person,
            email=person.email,
            language=person.preferred_language,
        )
        people.append(person)
    return mailing_list, people


# ------------------------------------------------------------------------- fixtures
# Imported by the test modules that use them (this package's conftest belongs to no one side).


@pytest.fixture
def sink(settings):
    """A real SMTP server on loopback; list mail goes to it."""
    running = Sink().start()
    settings.LISTS_SMTP_HOST = "127.0.0.1"
    settings.LISTS_SMTP_PORT = running.port
    settings.LISTS_SMTP_TIMEOUT = 10
    yield running.handler
    running.stop()


@pytest.fixture
def dkim_key(settings, tmp_path):
    key = DkimKey(tmp_path)
    settings.DKIM_DOMAIN = "lists.example.org"
    settings.DKIM_SELECTOR = "tadamun"
    settings.DKIM_PRIVATE_KEY_FILE = str(key.path)
    return key


@pytest.fixture
def list_settings(settings, tmp_path):
    settings.LISTS_DOMAIN = "lists.example.org"
    settings.SITE_URL = "https://tadamun.example.org"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings
