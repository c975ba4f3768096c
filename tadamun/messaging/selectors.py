"""Who may read which conversations and messages: decided here and nowhere else.

Pages, the unread count, notifications and e-mail (through the content registry) all read
through these functions.

- Only network members (approved, active; not suspended) have conversations at all.
- A conversation is seen by its participants who have not left it — nobody else: not
  coordinators, not the people who review reports (they see the snapshot stored in a report).
- Its messages likewise; a message hidden by moderation is seen by its author only.
"""

import datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from tadamun.accounts.selectors import viewer_is_member as _is_member
from tadamun.messaging.models import Conversation, Message, Participant
from tadamun.organisations.selectors import people_visible_to

# Stands for "never read" (Participant.last_read_at is None) in comparisons.
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _never() -> Value:
    return Value(NEVER, output_field=DateTimeField())


def conversations_visible_to(user) -> QuerySet[Conversation]:
    """Conversations `user` takes part in and has not left."""
    if not _is_member(user):
        return Conversation.objects.none()
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user, left_at__isnull=True)
    return Conversation.objects.filter(Exists(mine))


def messages_visible_to(user) -> QuerySet[Message]:
    """Messages of the conversations `user` may see; hidden ones only to their author."""
    if not _is_member(user):
        return Message.objects.none()
    return Message.objects.filter(
        conversation__in=conversations_visible_to(user).values("pk")
    ).filter(Q(is_hidden=False) | Q(author=user))


def participation_of(user, conversation: Conversation) -> Participant | None:
    """`user`'s active participation in `conversation`, or None."""
    if not _is_member(user):
        return None
    return Participant.objects.filter(
        conversation=conversation, user=user, left_at__isnull=True
    ).first()


def _unread_messages(user, *, conversation: str, last_read: str) -> QuerySet[Message]:
    """Messages of the outer query's conversation (its field `conversation`) that `user` has
    not read: not hidden, written by someone else after the outer field `last_read`."""
    return Message.objects.filter(
        conversation=OuterRef(conversation),
        is_hidden=False,
        created__gt=Coalesce(OuterRef(last_read), _never()),
    ).exclude(author=user)


def unread_conversations_count(user) -> int:
    """How many of `user`'s conversations hold messages they have not read (one query; for
    the site header)."""
    if not _is_member(user):
        return 0
    return (
        Participant.objects.filter(user=user, left_at__isnull=True)
        # Cheap first sieve on the conversation row before looking at its messages.
        .filter(conversation__last_message_at__gt=Coalesce(F("last_read_at"), _never()))
        .filter(
            Exists(_unread_messages(user, conversation="conversation_id", last_read="last_read_at"))
        )
        .count()
    )


def inbox_of(user) -> QuerySet[Conversation]:
    """`user`'s conversations, newest activity first, each with `unread` (messages not read
    yet), `my_muted`, `active_participants` (with their people) and `last_body` (the latest
    message `user` may see)."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    unread = (
        _unread_messages(user, conversation="pk", last_read="my_last_read")
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .filter(Q(is_hidden=False) | Q(author=user))
        .order_by("-created", "-pk")
    )
    active = Participant.objects.filter(left_at__isnull=True).select_related("user")
    return (
        conversations_visible_to(user)
        .annotate(
            my_last_read=Subquery(mine.values("last_read_at")[:1]),
            my_muted=Subquery(mine.values("muted")[:1]),
        )
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_body=Subquery(latest.values("body")[:1]),
            last_author_id=Subquery(latest.values("author_id")[:1]),
        )
        .prefetch_related(
            Prefetch("participants", queryset=active.order_by("pk"), to_attr="active_participants")
        )
        .order_by("-last_message_at", "-pk")
    )


def conversation_messages(user, conversation: Conversation) -> QuerySet[Message]:
    """The messages of `conversation` that `user` may see, oldest first."""
    return (
        messages_visible_to(user)
        .filter(conversation=conversation)
        .select_related("author")
        .order_by("created", "pk")
    )


def participants_of(conversation: Conversation) -> QuerySet[Participant]:
    """Everyone who took part (those who left too, marked by `left_at`), in the order they
    joined. Only for someone who may see the conversation."""
    return conversation.participants.select_related("user").order_by("left_at", "pk")


def people_shown_to(user, ids) -> set[int]:
    """Of the people `ids`, those `user` may see (and so link to their page)."""
    return set(people_visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def existing_one_to_one(user, other) -> Conversation | None:
    """The one-to-one conversation `user` and `other` both still take part in, if any."""
    if not _is_member(user):
        return None
    theirs = Participant.objects.filter(
        conversation=OuterRef("pk"), user=other, left_at__isnull=True
    )
    return (
        conversations_visible_to(user)
        .filter(is_group=False)
        .filter(Exists(theirs))
        .order_by("-last_message_at", "-pk")
        .first()
    )
