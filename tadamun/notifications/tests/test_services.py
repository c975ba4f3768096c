"""notify(): who is told, in how few queries, what they are sent and when — and what never
leaks (an item the recipient may not see, the content of a "content-free" e-mail)."""

from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tadamun.accounts.models import User
from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.text import fold
from tadamun.notifications import kinds, services, tasks
from tadamun.notifications.kinds import Channel
from tadamun.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from tadamun.translations.models import Translation
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.tests.factories import WorkgroupFactory

pytestmark = pytest.mark.django_db
State = Notification.EmailState


def prefer(user, kind: str, channel: str) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"channel": channel}
    )


def content_free(user) -> None:
    services.preferences_update(
        user=user,
        channels={key: kind.default_channel for key, kind in kinds.KINDS.items()},
        content_free_emails=True,
    )


# ------------------------------------------------------------------------------ who is told


def test_notify_tells_only_active_members_who_may_see_the_target(closed):
    applicant = UserFactory(applicant=True)
    suspended = UserFactory(suspended=True)
    deactivated = UserFactory(is_active=False)
    for person in (applicant, suspended, deactivated):
        WorkgroupMembership.objects.create(workgroup=closed.workgroup, user=person)
    told = services.notify(
        recipients=[
            closed.author,
            closed.member,
            closed.outsider,
            applicant,
            suspended,
            deactivated,
        ],
        kind="document",
        target=closed.document,
        actor=closed.author,
    )
    assert told == 1
    notification = Notification.objects.get()
    assert notification.recipient == closed.member
    assert notification.actor == closed.author
    assert notification.target == closed.document
    assert notification.kind == "document"


def test_a_closed_workgroup_is_not_notified_to_people_outside_it(closed):
    coordinator = UserFactory(coordinator=True)  # coordinators see closed workgroups exist
    told = services.notify(
        recipients=[closed.member, closed.outsider, coordinator],
        kind="post",
        target=closed.workgroup,
    )
    assert told == 2
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        closed.member.pk,
        coordinator.pk,
    }


def test_a_hidden_person_is_not_revealed_by_a_follow_notification():
    hidden = UserFactory(hidden=True)
    seer, coordinator = UserFactory(), UserFactory(coordinator=True)
    told = services.notify(
        recipients=[seer, coordinator], kind="follow", target=hidden, actor=hidden
    )
    assert told == 1
    assert Notification.objects.get().recipient == coordinator


def test_nobody_left_means_nothing_written(closed):
    assert services.notify(recipients=[], kind="post", target=closed.document) == 0
    assert (
        services.notify(
            recipients=[closed.author], kind="post", target=closed.document, actor=closed.author
        )
        == 0
    )
    assert services.notify(recipients=[closed.outsider], kind="post", target=closed.document) == 0
    assert not Notification.objects.exists()


def test_unknown_kinds_and_unregistered_targets_are_refused(closed):
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notify(recipients=[closed.member], kind="gossip", target=closed.document)
    membership = closed.membership  # not a registered kind of content
    with pytest.raises(LookupError):
        services.notify(recipients=[closed.member], kind="post", target=membership)
    assert not Notification.objects.exists()


def test_recipients_may_be_given_as_primary_keys_and_repeated(closed):
    told = services.notify(
        recipients=[closed.member.pk, closed.member, closed.member.pk],
        kind="document",
        target=closed.document,
    )
    assert told == 1
    assert Notification.objects.count() == 1


def _many_members(count: int, **fields) -> list[User]:
    people = [
        User(
            username=f"many{n}",
            username_folded=fold(f"many{n}"),
            email=f"many{n}@example.org",
            legal_name=f"Many {n}",
            display_name=f"Many {n}",
            display_name_folded=fold(f"Many {n}"),
            handle=f"many_{n}",
            status=User.Status.MEMBER,
            **fields,
        )
        for n in range(count)
    ]
    return User.objects.bulk_create(people)


def test_two_thousand_recipients_take_a_handful_of_queries():
    # Someone who hides their membership follows two thousand people: only the thousand
    # coordinators among them may know that person exists.
    hidden = UserFactory(hidden=True)
    people = _many_members(2000)
    coordinators = people[::2]
    User.objects.filter(pk__in=[person.pk for person in coordinators]).update(is_coordinator=True)
    for person in coordinators:
        person.is_coordinator = True
    prefer(coordinators[0], "follow", Channel.NEVER)
    with CaptureQueriesContext(connection) as queries:
        told = services.notify(recipients=people, kind="follow", target=hidden, actor=hidden)
    assert told == 1000
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        person.pk for person in coordinators
    }
    # People, five visibility batches, recent ones, preferences, one insert (and savepoints).
    assert len(queries) <= 12, [q["sql"][:120] for q in queries]
    assert Notification.objects.get(recipient=coordinators[0]).email_state == State.SKIPPED


def test_a_closed_workgroup_among_many_recipients():
    workgroup = WorkgroupFactory(closed=True)
    people = _many_members(450)  # two visibility batches
    inside = people[::3]
    WorkgroupMembership.objects.bulk_create(
        WorkgroupMembership(workgroup=workgroup, user=person) for person in inside
    )
    assert services.notify(recipients=people, kind="post", target=workgroup) == len(inside)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        person.pk for person in inside
    }


def test_updating_collapsed_notifications_takes_as_few_queries_as_making_them():
    workgroup = WorkgroupFactory()
    people = _many_members(60)
    with CaptureQueriesContext(connection) as first:
        assert services.notify(recipients=people, kind="reaction", target=workgroup) == 60
    with CaptureQueriesContext(connection) as again:
        assert services.notify(recipients=people, kind="reaction", target=workgroup) == 60
    assert Notification.objects.count() == 60
    assert set(Notification.objects.values_list("occurrences", flat=True)) == {2}
    assert len(again) <= len(first) <= 8


def test_notify_later_tells_the_same_people_after_commit(
    closed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify_later(
            recipients=[closed.author, closed.member, closed.outsider],
            kind="document",
            target=closed.document,
            actor=closed.author,
            data={"version": 2},
        )
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    notification = Notification.objects.get()
    assert notification.recipient == closed.member
    assert notification.actor == closed.author
    assert notification.data == {"version": 2}


def test_notify_later_about_an_item_deleted_meanwhile_tells_nobody(
    closed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify_later(recipients=[closed.member], kind="document", target=closed.document)
    closed.document.delete()
    for callback in callbacks:
        callback()
    assert not Notification.objects.exists()


# ------------------------------------------------------------------------------ collapsing


def test_repeated_events_update_the_unread_notification(closed):
    other = UserFactory()
    WorkgroupMembership.objects.create(workgroup=closed.workgroup, user=other)
    services.notify(
        recipients=[closed.author], kind="reaction", target=closed.document, actor=closed.member
    )
    first = Notification.objects.get()
    services.notify(
        recipients=[closed.author],
        kind="reaction",
        target=closed.document,
        actor=other,
        data={"emoji": "heart"},
    )
    collapsed = Notification.objects.get()
    assert collapsed.pk == first.pk
    assert collapsed.occurrences == 2
    assert collapsed.actor == other
    assert collapsed.data == {"emoji": "heart"}
    assert collapsed.created >= first.created
    # Another kind about the same item is its own notification.
    services.notify(recipients=[closed.author], kind="comment", target=closed.document, actor=other)
    assert Notification.objects.count() == 2


def test_a_read_or_old_notification_is_not_reused(closed):
    services.notify(recipients=[closed.author], kind="reaction", target=closed.document)
    Notification.objects.update(read_at=timezone.now())
    services.notify(recipients=[closed.author], kind="reaction", target=closed.document)
    assert Notification.objects.count() == 2
    Notification.objects.update(read_at=None, created=timezone.now() - services.COLLAPSE_WINDOW * 2)
    services.notify(recipients=[closed.author], kind="reaction", target=closed.document)
    assert Notification.objects.count() == 3


def test_a_collapsed_notification_is_not_mailed_again(
    closed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[closed.author], kind="comment", target=closed.document, actor=closed.member
        )
        services.notify(
            recipients=[closed.author], kind="comment", target=closed.document, actor=closed.member
        )
    assert len(mailoutbox) == 1
    assert Notification.objects.get().occurrences == 2


# ------------------------------------------------------------------------------ preferences


def test_default_channels_follow_the_kind(closed, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[closed.member], kind="message", target=closed.document)
        services.notify(recipients=[closed.member], kind="document", target=closed.document)
    by_kind = {n.kind: n for n in Notification.objects.all()}
    assert by_kind["message"].email_channel == Channel.IMMEDIATELY
    assert by_kind["message"].email_state == State.SENT
    assert by_kind["document"].email_channel == Channel.DAILY
    assert by_kind["document"].email_state == State.PENDING
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("channel", "mails", "state"),
    [
        (Channel.IMMEDIATELY, 1, State.SENT),
        (Channel.DAILY, 0, State.PENDING),
        (Channel.NEVER, 0, State.SKIPPED),
    ],
)
def test_each_persons_choice_is_respected(
    closed, mailoutbox, django_capture_on_commit_callbacks, channel, mails, state
):
    prefer(closed.member, "document", channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[closed.member, closed.author], kind="document", target=closed.document
        )
    mine = Notification.objects.get(recipient=closed.member)
    assert (mine.email_channel, mine.email_state) == (channel, state)
    assert len([m for m in mailoutbox if closed.member.email in m.to]) == mails
    # The author kept the default (daily) for documents.
    assert Notification.objects.get(recipient=closed.author).email_state == State.PENDING


def test_preferences_update_refuses_anything_unknown_and_changes_nothing():
    person = UserFactory()
    prefer(person, "post", Channel.NEVER)
    good = {key: kind.default_channel for key, kind in kinds.KINDS.items()}
    for channels in (
        {**good, "post": "hourly"},
        {**good, "gossip": Channel.DAILY},
        {key: value for key, value in good.items() if key != "message"},
    ):
        with pytest.raises(services.ValidationError):
            services.preferences_update(user=person, channels=channels, content_free_emails=True)
    assert list(NotificationPreference.objects.values_list("kind", "channel")) == [
        ("post", Channel.NEVER)
    ]
    assert not NotificationSettings.objects.filter(user=person).exists()
    services.preferences_update(
        user=person, channels={**good, "reaction": Channel.NEVER}, content_free_emails=True
    )
    # Only choices that differ from the default are stored.
    assert list(NotificationPreference.objects.values_list("kind", "channel")) == [
        ("reaction", Channel.NEVER)
    ]
    person.refresh_from_db()
    assert person.notification_settings.content_free_emails


# ------------------------------------------------------------------------------ e-mail


def test_the_email_is_in_the_recipients_language(
    closed, mailoutbox, django_capture_on_commit_callbacks
):
    closed.member.preferred_language = "ar"
    closed.member.save()
    Translation.objects.create(
        content_type=ContentType.objects.get_for_model(closed.document),
        object_id=closed.document.pk,
        language="ar",
        fields={"title": "عناوين الملاجئ في البصرة", "description": "قائمة الملاجئ"},
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[closed.member, closed.author],
            kind="comment",
            target=closed.document,
            actor=closed.outsider,
        )
    arabic = next(m for m in mailoutbox if m.to == [closed.member.email])
    english = next(m for m in mailoutbox if m.to == [closed.author.email])
    assert "عناوين الملاجئ في البصرة" in arabic.body
    assert "قائمة الملاجئ" in arabic.body
    assert "Shelter addresses in Basra" not in arabic.body
    assert "/ar/notifications/" in arabic.body
    assert "Shelter addresses in Basra" in english.body
    assert "/en/notifications/" in english.body
    assert english.subject == "Outsider Person commented on your post"
    with translation.override("ar"):
        expected = kinds.sentence("comment", actor_name="Outsider Person")
    assert arabic.subject == expected
    if expected == english.subject:
        pytest.xfail("the Arabic catalogue does not translate the notification sentences yet")
    assert any("\u0600" <= char <= "\u06ff" for char in arabic.subject)


def test_the_email_of_a_moderation_decision_carries_the_note(
    closed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[closed.author],
            kind="report_decision",
            target=closed.document,
            data={"decision": "hidden", "reason": "personal_data", "note": "It named **people**."},
        )
    (mail,) = mailoutbox
    assert mail.subject == "The moderators hid something you wrote"
    assert "It named people." in mail.body


def _everything_in(mail) -> list[str]:
    """Subject, body and every header value, decoded."""
    parsed = message_from_bytes(mail.message().as_bytes())
    texts = [mail.subject, mail.body]
    for name, value in parsed.items():
        texts.append(f"{name}: {make_header(decode_header(value))}")
    for part in parsed.walk():
        if not part.is_multipart():
            texts.append(part.get_payload(decode=True).decode())
    return texts


def test_content_free_emails_reveal_nothing(closed, mailoutbox, django_capture_on_commit_callbacks):
    content_free(closed.member)
    prefer(closed.member, "document", Channel.IMMEDIATELY)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[closed.member],
            kind="document",
            target=closed.document,
            actor=closed.author,
        )
    (mail,) = mailoutbox
    secrets = [
        "Shelter",
        "Basra",
        "shelters",
        "Layla",
        "Author",
        closed.author.email,
        "Safe houses",
        "document",
        "Document",
        "librar",
        str(kinds.KINDS["document"].label),
        str(kinds.KINDS["document"].sentence).split("%(actor)s")[1].strip(),
    ]
    everything = "\n".join(_everything_in(mail))
    for secret in secrets:
        assert secret not in everything, secret
    assert mail.subject == "Something new for you"
    assert "/en/notifications/" in mail.body
    assert f"/en/notifications/{Notification.objects.get().pk}/" not in mail.body


def test_the_email_is_not_sent_when_the_target_became_invisible_or_was_deleted(
    closed, mailoutbox, django_capture_on_commit_callbacks
):
    other = UserFactory()
    WorkgroupMembership.objects.create(workgroup=closed.workgroup, user=other)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[closed.member, other], kind="message", target=closed.document)
    closed.membership.delete()  # removed from the closed workgroup meanwhile
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[other.email]]
    states = dict(Notification.objects.values_list("recipient", "email_state"))
    assert states == {closed.member.pk: State.SKIPPED, other.pk: State.SENT}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[other], kind="mention", target=closed.document)
    closed.document.delete()
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert Notification.objects.get(kind="mention").email_state == State.SKIPPED


def test_the_email_is_not_sent_to_someone_suspended_meanwhile(
    closed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[closed.member], kind="message", target=closed.document)
    User.objects.filter(pk=closed.member.pk).update(status=User.Status.SUSPENDED)
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    assert Notification.objects.get().email_state == State.SKIPPED


def test_an_email_is_sent_at_most_once(closed, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[closed.member], kind="message", target=closed.document)
    pk = Notification.objects.get().pk
    assert tasks.send_immediate([pk]) == 0
    assert len(mailoutbox) == 1


def test_a_workgroup_target_is_named_in_the_recipients_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    workgroup = WorkgroupFactory(name_ar="الخصخصة", name_en="Privatization")
    person = UserFactory(preferred_language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[person], kind="message", target=workgroup)
    assert "الخصخصة" in mailoutbox[0].body
    assert "Privatization" not in mailoutbox[0].body


def test_the_actor_is_someone_when_the_recipient_may_not_see_them(
    closed, mailoutbox, django_capture_on_commit_callbacks
):
    hidden = UserFactory(hidden=True, display_name="Hidden Helper")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[closed.member], kind="comment", target=closed.document, actor=hidden
        )
    assert mailoutbox[0].subject == "Someone commented on your post"
    assert "Hidden Helper" not in mailoutbox[0].body


def test_marking_read(closed):
    services.notify(recipients=[closed.member], kind="document", target=closed.document)
    services.notify(recipients=[closed.member], kind="message", target=closed.document)
    services.notify(recipients=[closed.author], kind="message", target=closed.document)
    first = Notification.objects.filter(recipient=closed.member).first()
    services.open_notification(notification=first)
    assert first.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert services.mark_all_read(user=closed.member) == 1
    # Someone else's stay unread.
    assert Notification.objects.get(recipient=closed.author).read_at is None
