"""What the site no longer needs goes on schedule (tadamun.privacy.retention): each kind after
its own period, nothing younger, nothing still needed, and one failing step stops no other."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tadamun.accounts.models import UserSession
from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import CaughtMail
from tadamun.lists.models import InboundMessage
from tadamun.privacy import retention

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def session(user, *, expires):
    store = SessionStore()
    store["marker"] = "x"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    UserSession.objects.create(
        user=user, session_key=store.session_key, last_seen=NOW, user_agent_summary="Firefox"
    )
    return store.session_key


def inbound(state, *, age_days):
    message = InboundMessage.objects.create(
        recipient="peace@lists.example.org",
        envelope_from="sender@example.org",
        raw=b"From: sender@example.org\r\n\r\nsecret body",
        size=40,
        message_id="<m@example.org>",
        state=state,
    )
    InboundMessage.objects.filter(pk=message.pk).update(received=NOW - age_days * DAY)
    return message.pk


def task_result(*, finished_days_ago):
    return DBTaskResult.objects.create(
        status="SUCCESSFUL" if finished_days_ago is not None else "READY",
        args_kwargs={"args": [], "kwargs": {"post_id": 1}},
        task_path="tadamun.lists.tasks.deliver_due_task",
        queue_name="default",
        backend_name="default",
        run_after=NOW - 30 * DAY,
        finished_at=None if finished_days_ago is None else NOW - finished_days_ago * DAY,
        exception_class_path="",
        traceback="",
    ).pk


def caught(age_days):
    mail = CaughtMail.objects.create(subject="s", from_email="f", to="t", body="b", raw=b"r")
    CaughtMail.objects.filter(pk=mail.pk).update(created=NOW - age_days * DAY)
    return mail.pk


def test_each_kind_goes_after_its_period_and_nothing_else(settings):
    settings.TASK_RESULT_RETENTION_DAYS = 7
    settings.INBOUND_RAW_RETENTION_DAYS = 30
    settings.CAUGHT_MAIL_RETENTION_DAYS = 30
    person = UserFactory(member=True)
    ended = session(person, expires=NOW - DAY)
    live = session(person, expires=NOW + DAY)
    old_posted = inbound(InboundMessage.State.POSTED, age_days=31)
    old_failed = inbound(InboundMessage.State.FAILED, age_days=31)
    old_accepted = inbound(InboundMessage.State.ACCEPTED, age_days=31)
    young_posted = inbound(InboundMessage.State.POSTED, age_days=29)
    old_task = task_result(finished_days_ago=8)
    young_task = task_result(finished_days_ago=6)
    waiting_task = task_result(finished_days_ago=None)
    old_mail, young_mail = caught(31), caught(29)

    report = retention.purge_due(NOW)

    assert report == {"sessions": 2, "task_results": 1, "inbound_raw": 1, "caught_mail": 1}
    assert not Session.objects.filter(session_key=ended).exists()
    assert not UserSession.objects.filter(session_key=ended).exists()
    assert UserSession.objects.filter(session_key=live).exists()
    erased = InboundMessage.objects.get(pk=old_posted)
    assert bytes(erased.raw) == b""
    assert erased.envelope_from == ""
    assert erased.message_id == "<m@example.org>"  # threading still finds replies
    for kept in (old_failed, old_accepted, young_posted):
        assert b"secret body" in bytes(InboundMessage.objects.get(pk=kept).raw)
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {young_task, waiting_task}
    assert old_task not in DBTaskResult.objects.values_list("pk", flat=True)
    assert list(CaughtMail.objects.values_list("pk", flat=True)) == [young_mail]
    assert old_mail != young_mail
    # A second run finds nothing more.
    assert retention.purge_due(NOW) == {
        "sessions": 0,
        "task_results": 0,
        "inbound_raw": 0,
        "caught_mail": 0,
    }


def test_a_failing_step_stops_no_other(monkeypatch):
    caught(31)

    def broken(now):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(retention.STEPS, "sessions", broken)
    report = retention.purge_due(NOW)
    assert report["sessions"] == -1
    assert report["caught_mail"] == 1


def test_periodic_runs_the_clean_up(capsys):
    caught(31)
    call_command("periodic")
    assert "purged_caught_mail=1" in capsys.readouterr().out
    assert not CaughtMail.objects.exists()
