"""Background work of messaging (django.tasks; the arguments are primary keys)."""

from django.contrib.auth import get_user_model
from django.tasks import task

from tadamun.messaging.models import Message

User = get_user_model()


@task()
def notify_new_message(*, message_id: int) -> int:
    """Tell the other participants who have neither left nor muted the conversation. The
    notifications app drops anyone who may not see the message and sends e-mail by each
    person's preferences."""
    from tadamun.notifications.services import notify

    message = Message.objects.select_related("author").filter(pk=message_id).first()
    if message is None or message.is_hidden:
        return 0
    recipients = User.objects.filter(
        conversation_participations__conversation_id=message.conversation_id,
        conversation_participations__left_at__isnull=True,
        conversation_participations__muted=False,
    ).exclude(pk=message.author_id)
    return notify(recipients=recipients, kind="message", target=message, actor=message.author)
