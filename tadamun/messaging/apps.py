from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "tadamun.messaging"
    verbose_name = _("Messages")

    def ready(self):
        from tadamun.core import content
        from tadamun.messaging import selectors
        from tadamun.messaging.models import Message

        # Private: no text fields, so messages never enter the translation queue.
        content.register(
            Message,
            label=_("message"),
            visible_to=selectors.messages_visible_to,
            authors=lambda message: [message.author] if message.author_id else [],
            text_fields=(),
        )
