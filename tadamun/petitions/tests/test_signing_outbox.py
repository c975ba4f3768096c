"""The signers' outbox: nothing lost, nothing sent twice, reminders once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tadamun.lists.transport import Reply
from tadamun.petitions import outbox, tally
from tadamun.petitions.models import Petition, Signature, SignatureMail
from tadamun.petitions.tests.conftest import confirm_link
from tadamun.petitions.tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db


class FakeTransport:
    """Answers each send with the next reply of `replies` (or raises it)."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.sent = []

    def close(self):
        pass

    def send(self, envelope_from, recipients, data, *, eight_bit=False):
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        self.sent.append((recipients, data))
        return dict.fromkeys(recipients, reply)


@pytest.fixture
def transport(monkeypatch):
    def use(*replies):
        fake = FakeTransport(replies)
        monkeypatch.setattr(outbox, "open_transport", lambda: fake)
        return fake

    return use


def queued(signature) -> SignatureMail:
    return SignatureMail.objects.create(
        signature=signature, kind=SignatureMail.Kind.CONFIRM, next_attempt=timezone.now()
    )


def make_due(row):
    SignatureMail.objects.filter(pk=row.pk).update(
        next_attempt=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_signing_creates_the_outbox_row_in_its_transaction(client, petition, sign, transport):
    transport(Reply(421, "try later"))
    response = sign(petition)
    assert response.status_code == 302  # the signer is not kept waiting by the relay
    row = SignatureMail.objects.get()
    assert (row.kind, row.state, row.attempts) == ("confirm", "deferred", 1)
    assert row.last_error == "421 try later"
    assert row.next_attempt > timezone.now()


def test_temporary_failure_is_deferred_then_retried(petition, transport):
    row = queued(SignatureFactory(petition=petition))
    fake = transport(Reply(451, "greylisted"), Reply(250, "ok"))
    report = outbox.send_due()
    assert (report.sent, report.deferred) == (0, 1)
    row.refresh_from_db()
    assert row.state == SignatureMail.State.DEFERRED
    assert outbox.send_due().claimed == 0  # not due yet
    make_due(row)
    report = outbox.send_due()
    assert report.sent == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")
    assert row.sent_at is not None
    assert row.claimed_until is None
    assert len(fake.sent) == 2  # the refused attempt, then the accepted one
    assert fake.replies == []


def test_transport_exception_is_a_temporary_failure(petition, transport):
    row = queued(SignatureFactory(petition=petition))
    transport(ConnectionRefusedError("relay down"))
    assert outbox.send_due().deferred == 1
    row.refresh_from_db()
    assert row.state == SignatureMail.State.DEFERRED
    assert "relay down" in row.last_error


def test_permanent_failure_is_not_retried(petition, transport):
    row = queued(SignatureFactory(petition=petition))
    transport(Reply(550, "no such user"))
    assert outbox.send_due().failed == 1
    row.refresh_from_db()
    assert row.state == SignatureMail.State.FAILED
    make_due(row)
    assert outbox.send_due().claimed == 0


def test_gives_up_after_max_attempts(petition, transport):
    row = queued(SignatureFactory(petition=petition))
    SignatureMail.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    transport(Reply(421, "still down"))
    outbox.send_due()
    row.refresh_from_db()
    assert row.state == SignatureMail.State.FAILED


def test_worker_dying_after_claiming_loses_nothing_and_sends_once(petition):
    row = queued(SignatureFactory(petition=petition))
    token, ids = outbox.claim_due()  # …and the worker dies here
    assert ids == [row.pk]
    assert outbox.send_due().claimed == 0  # leased: another worker leaves it alone
    assert mail.outbox == []
    # The lease runs out.
    SignatureMail.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    report = outbox.send_due()
    assert (report.claimed, report.sent) == (1, 1)
    assert len(mail.outbox) == 1
    # The dead worker's late answer (its old claim token) changes nothing.
    outbox.record_reply(row, token, Reply(421, "late"), report=outbox.OutboxReport())
    row.refresh_from_db()
    assert row.state == SignatureMail.State.SENT
    assert outbox.send_due().claimed == 0
    assert len(mail.outbox) == 1


def test_mail_no_longer_wanted_is_not_sent(petition):
    confirmed = queued(SignatureFactory(petition=petition, confirmed=True))
    other = Petition.objects.create(
        campaign=petition.campaign,
        slug="closed-one",
        title_ar="ع",
        title_en="C",
        text_ar="ن",
        text_en="t",
        lead_consent_ar="م",
        lead_consent_en="c",
        status=Petition.Status.CLOSED,
    )
    closed = queued(SignatureFactory(petition=other))
    report = outbox.send_due()
    assert (report.sent, report.failed) == (0, 2)
    assert mail.outbox == []
    for row in (confirmed, closed):
        row.refresh_from_db()
        assert row.state == SignatureMail.State.FAILED


def test_reminder_once_after_a_day_for_the_pending_only(client, petition):
    day_ago = timezone.now() - datetime.timedelta(hours=25)
    pending = SignatureFactory(petition=petition, email="late@example.org")
    fresh = SignatureFactory(petition=petition)
    confirmed = SignatureFactory(petition=petition, confirmed=True)
    ancient = SignatureFactory(petition=petition)
    Signature.objects.filter(pk__in=[pending.pk, confirmed.pk]).update(created=day_ago)
    Signature.objects.filter(pk=ancient.pk).update(
        created=timezone.now() - datetime.timedelta(days=30)
    )
    result = outbox.send_due_mail()
    assert result["sent"] == 1
    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    assert "Reminder" in mail.outbox[0].subject
    pending.refresh_from_db()
    assert pending.reminded_at is not None
    assert outbox.send_due_mail()["sent"] == 0  # one reminder, however often the sweep runs
    assert SignatureMail.objects.filter(kind="reminder").count() == 1
    assert not SignatureMail.objects.filter(signature__in=[fresh, confirmed, ancient]).exists()
    # Its link confirms.
    assert client.post(confirm_link(mail.outbox[0])).status_code == 302
    assert tally.counts(petition, fresh=True).total == 2


def test_mail_is_in_the_signers_language_with_a_text_body(petition):
    queued(SignatureFactory(petition=petition, language="ar", name="زينب"))
    outbox.send_due()
    message = mail.outbox[0]
    assert petition.title_ar in message.subject
    assert "زينب" in message.body
    assert "/ar/petitions/" in message.body


# ------------------------------------------------------------------ waking the senders


class RecordingTask:
    """Stands in for the sender task: records the slots it was queued for."""

    def __init__(self):
        self.slots = []

    def enqueue(self, *, slot):
        self.slots.append(slot)


@pytest.fixture
def sender_task(monkeypatch):
    from django.core.cache import cache

    from tadamun.petitions import tasks

    recording = RecordingTask()
    monkeypatch.setattr(tasks, "send_signer_mail", recording)
    for slot in range(outbox.SENDERS):
        cache.delete(outbox._sender_flag(slot))
    yield recording
    for slot in range(outbox.SENDERS):
        cache.delete(outbox._sender_flag(slot))


def test_a_stream_of_signatures_queues_one_sender_per_slot(sender_task):
    for _ in range(50):
        outbox.wake_senders()
    assert sender_task.slots == list(range(outbox.SENDERS))


def test_a_sender_sends_everything_then_frees_its_slot(petition, transport, sender_task):
    fake = transport(*[Reply(250, "ok")] * 5)
    rows = [queued(SignatureFactory(petition=petition)) for _ in range(3)]
    outbox.wake_senders()
    report = outbox.run_sender(sender_task.slots[0])
    assert report.sent == 3
    assert len(fake.sent) == 3
    assert {r.state for r in SignatureMail.objects.filter(pk__in=[r.pk for r in rows])} == {
        SignatureMail.State.SENT
    }
    # The slot is free again: the next row queues a sender for it.
    outbox.wake_senders()
    assert sender_task.slots == [0, 0]


def test_a_row_committed_while_every_slot_is_taken_is_sent_by_the_last_look(
    petition, transport, sender_task, monkeypatch
):
    """The race the protocol is made for: a sender has found nothing more to send, a new row
    commits and finds every flag set (so queues nothing), then the sender clears its flag.
    Its last look, after clearing the flag, must send that row."""
    fake = transport(*[Reply(250, "ok")] * 5)
    for _ in range(outbox.SENDERS):
        outbox.wake_senders()
    late = {}
    original = outbox.send_due

    def send_due_then_a_row_arrives(**kwargs):
        report = original(**kwargs)
        if not late:  # between the sender's sweep and its flag being cleared
            late["row"] = queued(SignatureFactory(petition=petition))
            outbox.wake_senders()  # every slot taken: nothing queued
        return report

    monkeypatch.setattr(outbox, "send_due", send_due_then_a_row_arrives)
    outbox.run_sender(0)
    assert sender_task.slots == list(range(outbox.SENDERS))  # nothing more was queued
    late["row"].refresh_from_db()
    assert late["row"].state == SignatureMail.State.SENT
    assert len(fake.sent) == 1


def test_signing_wakes_a_sender_after_commit(client, petition, sign, sender_task):
    from django.core.cache import cache

    sign(petition)
    assert sender_task.slots == [0]
    assert cache.get(outbox._sender_flag(0)) == 1
