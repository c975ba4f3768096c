"""Writes about conversations and their messages.

Every new message is stored, then — after the transaction commits — a task tells the other
participants (those who have not left or muted the conversation) through the notifications
app, which decides on e-mail by each person's preferences. Nothing here sends mail itself.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.selectors import viewer_is_member
from tadamun.core.templatetags.bidi import num
from tadamun.core.text import clean_name, clean_text
from tadamun.messaging import selectors
from tadamun.messaging.models import Conversation, Message, Participant
from tadamun.organisations.selectors import people_visible_to
from tadamun.translations.detect import detect_language

User = get_user_model()

# Participants of one conversation, the sender included.
MAX_PARTICIPANTS = 10
MAX_BODY_CHARS = 20_000
SUBJECT_MAX = 200

NOT_FOUND = _("No network member you can write to has this name.")


def isolate(name: str) -> str:
    """A name inside a plain-text sentence, isolated (U+2068 … U+2069) so that its direction
    cannot reorder the words around it."""
    return f"\u2068{name}\u2069"


def clean_body(body: str) -> str:
    """The text to store for a message, or ValidationError (empty, too long)."""
    body = clean_text(body)
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(
            {
                "body": _("A message may have at most %(limit)s characters.")
                % {"limit": num(MAX_BODY_CHARS)}
            }
        )
    return body


def _check_recipients(*, sender, recipients: list) -> None:
    """Everyone written to must be someone `sender` may see; in a group, every recipient
    must also be someone every other recipient may see — a group never reveals a hidden
    member to the others. (A hidden sender shows themselves by writing, knowingly.)"""
    if not recipients:
        raise ValidationError({"recipients": _("Choose at least one person to write to.")})
    if len(recipients) + 1 > MAX_PARTICIPANTS:
        raise ValidationError(
            {
                "recipients": _(
                    "A conversation may have at most %(limit)s participants, you included."
                )
                % {"limit": num(MAX_PARTICIPANTS)}
            }
        )
    ids = {person.pk for person in recipients}
    if people_visible_to(sender).filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"recipients": NOT_FOUND})
    if len(ids) > 1:
        by_pk = {person.pk: person for person in recipients}
        for viewer in recipients:
            others = ids - {viewer.pk}
            seen = set(people_visible_to(viewer).filter(pk__in=others).values_list("pk", flat=True))
            unseen = sorted(others - seen)
            if unseen:
                raise ValidationError(
                    {
                        "recipients": _(
                            "%(name)s cannot be in a group with people who may not see "
                            "their membership; write to them on their own."
                        )
                        % {"name": isolate(by_pk[unseen[0]].display_name)}
                    }
                )


@transaction.atomic
def conversation_start(
    *, sender, recipients: Iterable, body: str, subject: str = ""
) -> tuple[Conversation, Message]:
    """Start a conversation and send its first message. Writing to one person with whom a
    one-to-one conversation is still open continues that conversation instead."""
    if not viewer_is_member(sender):
        raise PermissionDenied
    unique = {person.pk: person for person in recipients if person.pk != sender.pk}
    people = list(unique.values())
    _check_recipients(sender=sender, recipients=people)
    body = clean_body(body)
    subject = clean_name(subject)[:SUBJECT_MAX]
    if len(people) == 1:
        existing = selectors.existing_one_to_one(sender, people[0])
        if existing is not None:
            return existing, message_send(conversation=existing, author=sender, body=body)
    now = timezone.now()
    conversation = Conversation.objects.create(
        subject=subject,
        created_by=sender,
        is_group=len(people) > 1,
        created=now,
        last_message_at=now,
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user=sender, joined=now, last_read_at=now)]
        + [Participant(conversation=conversation, user=person, joined=now) for person in people]
    )
    return conversation, message_send(conversation=conversation, author=sender, body=body)


def _active_participation(conversation: Conversation, user) -> Participant:
    participation = selectors.participation_of(user, conversation)
    if participation is None:
        raise PermissionDenied
    return participation


@transaction.atomic
def message_send(*, conversation: Conversation, author, body: str) -> Message:
    """Add a message by `author` (an active participant) and tell the others after commit."""
    participation = _active_participation(conversation, author)
    body = clean_body(body)
    others = conversation.participants.filter(left_at__isnull=True).exclude(user=author)
    if not others.exists():
        raise ValidationError(_("Everyone else has left this conversation."))
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        author=author,
        body=body,
        language=detect_language(body, default=author.preferred_language),
        created=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    Participant.objects.filter(pk=participation.pk).update(last_read_at=now)

    from tadamun.messaging.tasks import notify_new_message

    transaction.on_commit(lambda: notify_new_message.enqueue(message_id=message.pk))
    return message


@transaction.atomic
def message_edit(*, message: Message, by, body: str) -> Message:
    """Its author corrects a message (not one hidden by moderation). Nobody is notified."""
    _active_participation(message.conversation, by)
    if message.author_id != by.pk:
        raise PermissionDenied
    if message.is_hidden:
        raise ValidationError(_("A message hidden by the moderators cannot be changed."))
    body = clean_body(body)
    if body == message.body:
        return message
    message.body = body
    message.language = detect_language(body, default=by.preferred_language)
    message.edited = timezone.now()
    message.save(update_fields=["body", "language", "edited"])
    return message


def conversation_mark_read(*, conversation: Conversation, user) -> None:
    """Everything in the conversation up to now is read by `user`."""
    Participant.objects.filter(conversation=conversation, user=user, left_at__isnull=True).update(
        last_read_at=timezone.now()
    )


@transaction.atomic
def conversation_leave(*, conversation: Conversation, user) -> None:
    """`user` leaves: from now on they neither receive nor open the conversation."""
    participation = _active_participation(conversation, user)
    Participant.objects.filter(pk=participation.pk).update(left_at=timezone.now())


def conversation_mute(*, conversation: Conversation, user, muted: bool) -> None:
    """No notifications (or their e-mail) for new messages while muted."""
    participation = _active_participation(conversation, user)
    Participant.objects.filter(pk=participation.pk).update(muted=muted)
