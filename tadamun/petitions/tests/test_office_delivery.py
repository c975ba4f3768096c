"""The outboxes of the back office when things go wrong: a relay that refuses or is down, a
recipient refused for good, a worker killed in the middle of a batch, a lease that ran out.
Each signer (and each target) gets exactly one copy in the end; none is lost."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.models import Target
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import Sink
from tadamun.lists.transport import open_transport
from tadamun.petitions import delivery, office
from tadamun.petitions.models import SignerUpdate, TargetDelivery, UpdateDelivery
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db

sink = outbound_support.sink
PDF = b"%PDF-1.4\n%%EOF\n"


def approved_update(petition, *, signers: int) -> tuple[SignerUpdate, list]:
    people = [
        SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
        for _ in range(signers)
    ]
    writer = UserFactory(coordinator=True)
    update = office.update_create(
        petition=petition,
        by=writer,
        subject_ar="خبر",
        subject_en="News",
        body_ar="نص",
        body_en="Text",
    )
    # Approved without running the on-commit kick: the tests drive the worker themselves.
    office.update_approve(update=update, by=UserFactory(coordinator=True))
    return update, people


def make_due_now(model=UpdateDelivery) -> None:
    model.objects.filter(state=model.State.DEFERRED).update(
        next_attempt=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_refusing_relay_defers_then_every_signer_gets_one_copy(sink, petition):
    _update, people = approved_update(petition, signers=3)
    sink.refuse = "451 4.3.2 System not accepting network messages"
    report = delivery.deliver_updates_due()
    assert report.deferred == 3
    rows = list(UpdateDelivery.objects.all())
    assert {row.state for row in rows} == {UpdateDelivery.State.DEFERRED}
    assert all(row.attempts == 1 and "451" in row.last_error for row in rows)
    assert all(row.next_attempt > timezone.now() for row in rows)
    assert delivery.deliver_updates_due().claimed == 0  # not due yet
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.APPROVED

    sink.refuse = None
    make_due_now()
    assert delivery.deliver_updates_due().sent == 3
    assert sink.copies() == {person.email: 1 for person in people}
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.SENT
    assert delivery.deliver_office_due().claimed == 0


def test_a_relay_that_is_down_defers_and_sends_once_when_back(settings, petition):
    _update, people = approved_update(petition, signers=2)
    relay = Sink()  # not started: connections are refused
    settings.LISTS_SMTP_HOST = "127.0.0.1"
    settings.LISTS_SMTP_PORT = relay.port
    settings.LISTS_SMTP_TIMEOUT = 5
    assert delivery.deliver_updates_due().deferred == 2
    relay.start()
    try:
        make_due_now()
        assert delivery.deliver_office_due().sent == 2
        assert relay.handler.copies() == {person.email: 1 for person in people}
    finally:
        relay.stop()


def test_a_recipient_refused_for_good_bounces_and_the_others_are_sent(sink, petition):
    _update, people = approved_update(petition, signers=3)
    sink.rcpt_replies = {people[1].email: "550 5.1.1 No such user"}
    report = delivery.deliver_updates_due()
    assert report.sent == 2
    assert report.bounced == 1
    assert UpdateDelivery.objects.get(recipient=people[1].email).state == "bounced"
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.SENT


class DyingTransport:
    """Django's mailer, until the `dies_at`-th message: then the worker "is killed" (a
    BaseException, which no `except Exception` catches, as SIGKILL catches nothing)."""

    def __init__(self, dies_at: int):
        self.inner = open_transport()
        self.sent = 0
        self.dies_at = dies_at
        self.supports_8bit = False

    def open(self):
        self.inner.open()

    def close(self):
        self.inner.close()

    def send(self, envelope_from, recipients, data, **kwargs):
        if self.sent + 1 == self.dies_at:
            raise KeyboardInterrupt("worker killed")
        self.sent += 1
        return self.inner.send(envelope_from, recipients, data, **kwargs)


def test_a_worker_killed_mid_batch_loses_none_and_duplicates_none(monkeypatch, petition):
    _update, people = approved_update(petition, signers=5)
    dying = DyingTransport(dies_at=3)
    monkeypatch.setattr(delivery, "open_transport", lambda: dying)
    with pytest.raises(KeyboardInterrupt):
        delivery.deliver_updates_due()
    assert len(mail.outbox) == 2
    states = list(UpdateDelivery.objects.order_by("pk").values_list("state", flat=True))
    assert states == ["sent", "sent", "queued", "queued", "queued"]
    # The other three are still claimed: another worker leaves them alone while the lease
    # runs.
    monkeypatch.setattr(delivery, "open_transport", open_transport)
    assert delivery.deliver_updates_due().claimed == 0
    # The lease runs out: they are sent, once each, and the two sent ones are not.
    UpdateDelivery.objects.filter(state="queued").update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    report = delivery.deliver_office_due()
    assert report.sent == 3
    received = sorted(message.to[0] for message in mail.outbox)
    assert received == sorted(person.email for person in people)
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.SENT


def test_rows_claimed_by_a_vanished_worker_are_resent_once_after_the_lease(petition):
    _update, people = approved_update(petition, signers=2)
    _token, rows = delivery._claim(UpdateDelivery, limit=10, lease=datetime.timedelta(minutes=10))
    assert len(rows) == 2  # … and the worker vanished without sending.
    assert delivery.deliver_updates_due().claimed == 0
    UpdateDelivery.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert delivery.deliver_updates_due().sent == 2
    assert delivery.deliver_updates_due().claimed == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_a_bug_while_sending_releases_the_rows_for_a_later_retry(monkeypatch, petition):
    _update, _people = approved_update(petition, signers=2)

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(delivery, "build_update_message", broken)
    with pytest.raises(RuntimeError):
        delivery.deliver_updates_due()
    rows = list(UpdateDelivery.objects.all())
    assert {row.state for row in rows} == {UpdateDelivery.State.DEFERRED}
    assert all(row.claimed_until is None for row in rows)
    monkeypatch.undo()
    make_due_now()
    assert delivery.deliver_updates_due().sent == 2
    assert len(mail.outbox) == 2


def test_temporary_failures_give_up_after_five_days(sink, petition):
    update, _people = approved_update(petition, signers=1)
    SignerUpdate.objects.filter(pk=update.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=6)
    )
    sink.refuse = "451 4.3.0 try later"
    report = delivery.deliver_updates_due()
    assert report.failed == 1
    assert UpdateDelivery.objects.get().state == UpdateDelivery.State.FAILED


def test_target_mail_survives_a_refusing_relay(sink, monkeypatch):
    monkeypatch.setattr(delivery, "delivery_pdf_bytes", lambda petition: PDF)
    petition = PetitionFactory(closed=True)
    for n in range(2):
        Target.objects.create(
            campaign=petition.campaign, name_en=f"Office {n}", email=f"office{n}@example.org"
        )
    office.delivery_start(petition=petition, by=UserFactory(coordinator=True))
    sink.refuse = "421 4.7.0 too busy"
    assert delivery.deliver_targets_due().deferred == 2
    sink.refuse = None
    make_due_now(TargetDelivery)
    assert delivery.deliver_office_due().sent == 2
    assert sink.copies() == {"office0@example.org": 1, "office1@example.org": 1}
    message = sink.for_recipient("office0@example.org")[0].message
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert attachments == [f"petition-{petition.slug}.pdf"]


# ----------------------------------------------------- a worker really killed (SIGKILL)

POPULATE = textwrap.dedent(
    """
    from tadamun.accounts.tests.factories import UserFactory
    from tadamun.petitions import office
    from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory
    petition = PetitionFactory()
    for n in range({count}):
        SignatureFactory(petition=petition, confirmed=True, consent_lead=True,
                         email=f"signer{{n}}@example.org")
    update = office.update_create(petition=petition, by=UserFactory(coordinator=True),
        subject_ar="خبر", subject_en="News", body_ar="نص", body_en="Text")
    office.update_approve(update=update, by=UserFactory(coordinator=True))
    """
)
WORK = textwrap.dedent(
    """
    import datetime, time
    from tadamun.petitions import delivery
    from tadamun.petitions.models import UpdateDelivery
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report = delivery.deliver_updates_due(limit=4, lease=datetime.timedelta(seconds=2))
        if report.claimed:
            continue
        if not UpdateDelivery.objects.filter(state__in=["queued", "deferred"]).exists():
            break
        time.sleep(0.2)
    """
)


@pytest.mark.django_db(transaction=False)
def test_a_worker_killed_by_sigkill_mid_update_leaves_no_signer_with_two_copies(tmp_path):
    count = 12
    relay = Sink()
    relay.handler.stall_at = 7  # the 7th copy hangs at RCPT: the worker is killed there
    relay.start()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | {
        "VAR_DIR": str(tmp_path),
        "LISTS_SMTP_HOST": "127.0.0.1",
        "LISTS_SMTP_PORT": str(relay.port),
        "DJANGO_SETTINGS_MODULE": "tadamun.settings",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    manage = [sys.executable, str(django_settings.BASE_DIR / "manage.py")]

    def run(*args):
        return subprocess.run(
            [*manage, *args], env=env, check=True, capture_output=True, timeout=180
        )

    try:
        run("migrate", "--no-input", "-v", "0")
        run("shell", "-c", POPULATE.format(count=count))
        worker = subprocess.Popen(
            [*manage, "shell", "-c", WORK],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert relay.handler.stalled.wait(60), "the worker never reached the stall"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert len(relay.handler.received) == 6
        relay.handler.release.set()
        started = time.monotonic()
        run("shell", "-c", WORK)
        assert time.monotonic() - started >= 1  # the dead worker's lease had to run out
    finally:
        relay.stop()
    assert relay.handler.copies() == {f"signer{n}@example.org": 1 for n in range(count)}
