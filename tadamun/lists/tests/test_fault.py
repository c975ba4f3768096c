"""Delivery when things go wrong: the relay refuses or is down, a recipient is refused, the
worker is killed in the middle of a fan-out."""

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tadamun.lists.addresses import parse_verp
from tadamun.lists.bounces import record_bounce
from tadamun.lists.delivery import deliver_due
from tadamun.lists.models import Delivery, Subscription
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import Sink, make_list
from tadamun.workgroups.models import Post
from tadamun.workgroups.services import post_create

# The shared fixtures, by name.
list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


def publish(mailing_list, author, capture):
    with capture(execute=True):
        return post_create(
            workgroup=mailing_list.workgroup,
            author=author,
            subject="Fault",
            body="Text",
            source=Post.Source.WEB,
        )


def make_due_now() -> None:
    Delivery.objects.filter(state=Delivery.State.DEFERRED).update(
        next_attempt=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_refusing_relay_defers_and_every_recipient_gets_one_copy_later(
    sink, django_capture_on_commit_callbacks
):
    mailing_list, people = make_list(members=4)
    sink.refuse = "451 4.3.2 System not accepting network messages"
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    rows = list(Delivery.objects.all())
    assert {row.state for row in rows} == {Delivery.State.DEFERRED}
    assert all(row.attempts == 1 and "451" in row.last_error for row in rows)
    assert all(row.next_attempt > timezone.now() for row in rows)
    # Not due yet: nothing is sent.
    assert deliver_due().claimed == 0

    sink.refuse = None
    make_due_now()
    report = deliver_due()
    assert report.sent == 4
    assert sink.copies() == {person.email: 1 for person in people}
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_a_relay_that_is_down_defers_and_the_delivery_completes_when_it_is_back(
    settings, django_capture_on_commit_callbacks
):
    mailing_list, people = make_list(members=3)
    relay = Sink()  # not started: connections are refused
    settings.LISTS_SMTP_HOST = "127.0.0.1"
    settings.LISTS_SMTP_PORT = relay.port
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.DEFERRED}

    relay.start()
    try:
        make_due_now()
        assert deliver_due().sent == 3
        assert relay.handler.copies() == {person.email: 1 for person in people}
    finally:
        relay.stop()


def test_retries_back_off_and_give_up_after_five_days(sink, django_capture_on_commit_callbacks):
    mailing_list, people = make_list(members=1)
    sink.refuse = "421 4.4.5 busy"
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    waits = []
    for _attempt in range(4):
        row = Delivery.objects.get()
        waits.append(round((row.next_attempt - timezone.now()).total_seconds() / 60))
        make_due_now()
        deliver_due()
    assert waits == [1, 5, 15, 60]
    Delivery.objects.update(created=timezone.now() - datetime.timedelta(days=6))
    make_due_now()
    assert deliver_due().failed == 1
    assert Delivery.objects.get().state == Delivery.State.FAILED


def test_a_refused_recipient_bounces_and_bounces_disable_delivery_with_a_notice(
    sink, django_capture_on_commit_callbacks
):
    mailing_list, people = make_list(members=3, bounce_score_threshold=2)
    gone = people[2]
    sink.rcpt_replies[gone.email] = "550 5.1.1 No such user"
    post = publish(mailing_list, people[0], django_capture_on_commit_callbacks)

    assert sink.copies() == {people[0].email: 1, people[1].email: 1}
    bounced = Delivery.objects.get(recipient=gone.email)
    assert bounced.state == Delivery.State.BOUNCED
    assert "550" in bounced.last_error
    subscription = Subscription.objects.get(email=gone.email)
    assert subscription.bounce_score == 1
    assert subscription.status == Subscription.Status.ACTIVE

    # The next day an asynchronous bounce comes back to the VERP address of another copy.
    sink.rcpt_replies.clear()
    Delivery.objects.filter(pk=bounced.pk).update(state=Delivery.State.QUEUED)
    deliver_due()
    verp = sink.for_recipient(gone.email)[-1].mail_from
    slug, delivery_id = parse_verp(verp)
    assert (slug, delivery_id) == (mailing_list.workgroup.slug, bounced.pk)
    Subscription.objects.filter(pk=subscription.pk).update(
        last_bounce=timezone.now() - datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_bounce(
            mailing_list=mailing_list,
            recipient=Delivery.objects.get(pk=delivery_id).recipient,
            permanent=True,
            detail="5.2.1 mailbox disabled",
            delivery_id=delivery_id,
        )
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.DISABLED
    assert subscription.disabled_reason
    assert subscription.bounces.count() == 2
    notices = [
        item.message
        for item in sink.for_recipient(gone.email)
        if item.message["Auto-Submitted"] == "auto-generated"
    ]
    assert len(notices) == 1
    assert "stopped" in notices[0]["Subject"]
    assert "5.2.1 mailbox disabled" in notices[0].get_content()

    # A disabled subscriber gets nothing more.
    before = sink.copies()[gone.email]
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    assert sink.copies()[gone.email] == before
    assert post.pk


def test_bounce_scores_go_stale_and_count_once_a_day(settings):
    mailing_list, people = make_list(members=1)
    subscription = Subscription.objects.get()
    for _n in range(3):
        record_bounce(
            mailing_list=mailing_list, recipient=people[0].email, permanent=False, detail="4xx"
        )
    subscription.refresh_from_db()
    assert subscription.bounce_score == 0.5
    record_bounce(mailing_list=mailing_list, recipient=people[0].email, permanent=True, detail="")
    subscription.refresh_from_db()
    assert subscription.bounce_score == 1.0
    Subscription.objects.update(last_bounce=timezone.now() - datetime.timedelta(days=8))
    record_bounce(mailing_list=mailing_list, recipient=people[0].email, permanent=True, detail="")
    subscription.refresh_from_db()
    assert subscription.bounce_score == 1.0
    assert (
        record_bounce(
            mailing_list=mailing_list, recipient="nobody@example.org", permanent=True, detail=""
        )
        is None
    )


# ----------------------------------------------------------- a worker killed mid fan-out

POPULATE = textwrap.dedent(
    """
    from tadamun.lists.models import MailingList, Subscription
    from tadamun.workgroups.models import Workgroup
    from tadamun.workgroups.services import post_create
    workgroup = Workgroup.objects.create(slug="salam", name_ar="سلام", name_en="Peace")
    mailing_list = MailingList.objects.create(workgroup=workgroup, personalise=True)
    Subscription.objects.bulk_create(
        Subscription(mailing_list=mailing_list, email=f"member{{n}}@example.org")
        for n in range({count})
    )
    post_create(workgroup=workgroup, subject="سلام", body="نص", source="web",
                author_name="Amal", author_email="amal@example.org")
    """
)


@pytest.mark.django_db(transaction=False)
def test_a_worker_killed_mid_fan_out_leaves_no_recipient_with_two_copies(tmp_path):
    count = 30
    relay = Sink()
    relay.handler.stall_at = 12  # the 12th SMTP transaction hangs at RCPT
    relay.start()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL"}} | {
        "VAR_DIR": str(tmp_path),
        "LISTS_SMTP_HOST": "127.0.0.1",
        "LISTS_SMTP_PORT": str(relay.port),
        "LISTS_DOMAIN": "lists.example.org",
        "DJANGO_SETTINGS_MODULE": "tadamun.settings",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    manage = [sys.executable, str(django_settings.BASE_DIR / "manage.py")]

    def run(*args, **kwargs):
        return subprocess.run(
            [*manage, *args], env=env, check=True, capture_output=True, timeout=120, **kwargs
        )

    try:
        run("migrate", "--no-input", "-v", "0")
        run("shell", "-c", POPULATE.format(count=count))
        worker = subprocess.Popen(
            [*manage, "deliver", "--batch", "8", "--lease", "3", "--interval", "0.2"],
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
        assert len(relay.handler.received) == 11
        relay.handler.release.set()

        started = time.monotonic()
        run("deliver", "--batch", "8", "--lease", "3", "--interval", "0.2", "--until-done")
        # The dead worker's claim had to run out first.
        assert time.monotonic() - started >= 1
    finally:
        relay.stop()
    copies = relay.handler.copies()
    assert copies == {f"member{n}@example.org": 1 for n in range(count)}
