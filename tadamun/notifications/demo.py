"""Demo notifications (called by seed_demo after the other apps' demo content exists): a few
for the demo people who sign in most, about items each of them may see — asked of every
item's own selector, like real notifications. Written straight to the table with past dates and
their e-mail already accounted for, so seeding sends no e-mail."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tadamun.core import content
from tadamun.notifications.kinds import KINDS, Channel
from tadamun.notifications.models import Notification

User = get_user_model()
DOMAIN = "demo.tadamun.example"

RECIPIENTS = ["member.basra", "coordinator", "coordinator.en", "member.france", "admin.basra"]
# (registered kind of content, notification kind), in the order they are looked for.
ABOUT = [
    ("messaging.message", "message"),
    ("social.comment", "comment"),
    ("social.post", "mention"),
    ("social.post", "reaction"),
    ("documents.document", "document"),
    ("social.post", "post"),
]
EMAIL_STATE = {
    Channel.IMMEDIATELY: Notification.EmailState.SENT,
    Channel.DAILY: Notification.EmailState.DIGESTED,
    Channel.NEVER: Notification.EmailState.SKIPPED,
}


def _registered() -> dict:
    return {kind.key: kind for kind in content.kinds()}


def _author(kind, obj, recipient):
    for person in kind.authors(obj):
        if person is not None and getattr(person, "pk", None) != recipient.pk:
            return person
    return None


def _make(recipient, kind: str, target, actor, hours_ago: float, read: bool) -> Notification:
    now = timezone.now()
    channel = KINDS[kind].default_channel
    created = now - timedelta(hours=hours_ago)
    return Notification(
        recipient=recipient,
        kind=kind,
        actor=actor,
        content_type=ContentType.objects.get_for_model(type(target)),
        object_id=target.pk,
        created=created,
        read_at=created + timedelta(minutes=30) if read else None,
        email_channel=channel,
        email_state=EMAIL_STATE[channel],
    )


def seed(*, stdout) -> None:
    if Notification.objects.filter(recipient__email__endswith=f"@{DOMAIN}").exists():
        stdout.write("notifications: demo notifications exist already; nothing to do.\n")
        return
    registered = _registered()
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(email__in=[f"{local}@{DOMAIN}" for local in RECIPIENTS])
    }
    rows: list[Notification] = []
    for local in RECIPIENTS:
        recipient = people.get(local)
        if recipient is None:
            continue
        hours = 1.0
        for key, notification_kind in ABOUT:
            kind = registered.get(key)
            if kind is None:
                continue
            for obj in kind.visible_to(recipient).order_by("-pk")[:10]:
                actor = _author(kind, obj, recipient)
                if actor is None:
                    continue
                rows.append(_make(recipient, notification_kind, obj, actor, hours, read=hours > 20))
                hours *= 2.5
                break
        # Someone the recipient may see started following them.
        follower = (
            content.kind_of(User)
            .visible_to(recipient)
            .exclude(pk=recipient.pk)
            .filter(email__endswith=f"@{DOMAIN}")
            .first()
        )
        if follower is not None:
            rows.append(_make(recipient, "follow", follower, follower, 30, read=False))
    Notification.objects.bulk_create(rows)
    stdout.write(f"notifications: {len(rows)} demo notifications\n")
