"""The daily summary: at most one a day per person, only what they may still see, never twice
the same notifications (even after a crash), content-free when they chose so."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.lists.management.commands.periodic import run_once
from tadamun.notifications import digests, kinds, services
from tadamun.notifications.models import Notification, NotificationSettings
from tadamun.notifications.tests.factories import make_document
from tadamun.workgroups.models import WorkgroupMembership

pytestmark = pytest.mark.django_db
State = Notification.EmailState
DAY = datetime.timedelta(hours=24)


def test_one_summary_a_day_with_the_waiting_notifications(closed, mailoutbox):
    services.notify(
        recipients=[closed.member], kind="document", target=closed.document, actor=closed.author
    )
    services.notify(recipients=[closed.member], kind="post", target=closed.workgroup)
    now = timezone.now()
    assert digests.send_notification_digests(now=now) == 1
    (mail,) = mailoutbox
    assert mail.to == [closed.member.email]
    assert mail.subject == "Your daily summary: 2 new notifications"
    assert "Layla Author added a document to a library of yours" in mail.body
    assert "Shelter addresses in Basra" in mail.body
    assert "Safe houses" in mail.body
    assert set(Notification.objects.values_list("email_state", flat=True)) == {State.DIGESTED}
    assert NotificationSettings.objects.get(user=closed.member).last_digest == now

    # Run hourly: nothing more today, even with something new…
    services.notify(recipients=[closed.member], kind="reaction", target=closed.document)
    for hours in (1, 2, 23):
        assert digests.send_notification_digests(now=now + datetime.timedelta(hours=hours)) == 0
    assert len(mailoutbox) == 1
    # … which comes the next day, alone.
    assert digests.send_notification_digests(now=now + DAY + datetime.timedelta(minutes=1)) == 1
    assert mailoutbox[1].subject == "Your daily summary: 1 new notification"
    assert "Shelter addresses in Basra" in mailoutbox[1].body
    assert "added a document" not in mailoutbox[1].body


def test_immediate_and_site_only_notifications_are_not_in_the_summary(closed, mailoutbox):
    services.notify(recipients=[closed.member], kind="message", target=closed.document)
    services.preferences_update(
        user=closed.author,
        channels={**{k: v.default_channel for k, v in kinds.KINDS.items()}, "document": "never"},
        content_free_emails=False,
    )
    services.notify(recipients=[closed.author], kind="document", target=closed.document)
    assert digests.send_notification_digests() == 0
    assert mailoutbox == []


def test_the_summary_checks_again_who_may_see_what(closed, mailoutbox):
    open_document = make_document(closed.author, title="Open statement on the NGO law")
    services.notify(recipients=[closed.member], kind="document", target=closed.document)
    services.notify(recipients=[closed.member], kind="document", target=open_document)
    services.notify(recipients=[closed.outsider], kind="document", target=open_document)
    closed.membership.delete()  # removed from the closed workgroup before the summary
    assert digests.send_notification_digests() == 2
    mine = next(m for m in mailoutbox if m.to == [closed.member.email])
    assert "Open statement on the NGO law" in mine.body
    assert "Shelter" not in mine.body
    assert "shelters" not in mine.body
    assert "1 new notification" in mine.subject
    assert Notification.objects.get(object_id=closed.document.pk).email_state == State.SKIPPED


def test_nothing_is_sent_about_items_that_are_all_gone(closed, mailoutbox):
    services.notify(recipients=[closed.member], kind="document", target=closed.document)
    WorkgroupMembership.objects.filter(user=closed.member).delete()
    assert digests.send_notification_digests() == 0
    assert mailoutbox == []
    assert Notification.objects.get().email_state == State.SKIPPED


def test_a_crash_while_sending_never_causes_a_second_summary(closed, mailoutbox):
    services.notify(recipients=[closed.member], kind="document", target=closed.document)
    services.notify(recipients=[closed.author], kind="document", target=closed.document)
    with mock.patch.object(digests.emails, "send_digest", side_effect=OSError("relay down")):
        assert digests.send_notification_digests() == 0
    assert set(Notification.objects.values_list("email_state", flat=True)) == {State.DIGESTED}
    assert digests.send_notification_digests() == 0
    assert digests.send_notification_digests(now=timezone.now() + datetime.timedelta(hours=2)) == 0
    assert mailoutbox == []


def test_an_overlapping_run_does_not_take_the_same_summary(closed, mailoutbox):
    services.notify(recipients=[closed.member], kind="document", target=closed.document)
    now = timezone.now()
    # Another run moved the mark between this run's look-up and its taking the summary.
    NotificationSettings.objects.get_or_create(user=closed.member)
    real_take = digests._take

    def take_after_another_run(user_id, when):
        NotificationSettings.objects.filter(pk=user_id).update(last_digest=when)
        return real_take(user_id, when)

    with mock.patch.object(digests, "_take", take_after_another_run):
        assert digests.send_notification_digests(now=now) == 0
    assert mailoutbox == []
    assert Notification.objects.get().email_state == State.PENDING


def test_a_content_free_summary_reveals_nothing(closed, mailoutbox):
    services.preferences_update(
        user=closed.member,
        channels={k: v.default_channel for k, v in kinds.KINDS.items()},
        content_free_emails=True,
    )
    services.notify(
        recipients=[closed.member], kind="document", target=closed.document, actor=closed.author
    )
    assert digests.send_notification_digests() == 1
    (mail,) = mailoutbox
    raw = mail.message().as_bytes().decode()
    for secret in ("Shelter", "shelters", "Layla", "Safe houses", "document", "summary"):
        assert secret not in mail.subject + mail.body, secret
        assert secret not in raw, secret
    assert mail.subject == "Something new for you"


def test_the_summary_is_in_the_recipients_language(closed, mailoutbox):
    arabic = UserFactory(preferred_language="ar")
    WorkgroupMembership.objects.create(workgroup=closed.workgroup, user=arabic)
    services.notify(recipients=[arabic], kind="post", target=closed.workgroup)
    assert digests.send_notification_digests() == 1
    assert "البيوت الآمنة" in mailoutbox[0].body
    assert "/ar/notifications/" in mailoutbox[0].body


def test_periodic_runs_the_summaries(closed, mailoutbox):
    services.notify(recipients=[closed.member], kind="document", target=closed.document)
    report = run_once()
    assert report["notification_digests"] == 1
    assert run_once()["notification_digests"] == 0
    assert len(mailoutbox) == 1
