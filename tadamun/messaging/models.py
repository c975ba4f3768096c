"""Direct messages between network members: one-to-one conversations and small groups.

A conversation's participants are fixed when it starts. A participant who leaves (`left_at`)
no longer opens the conversation at all — not even its older messages — and receives nothing
new; the others see that they left. Messages are private: they are never put in the
translation queue and coordinators do not read them (a report carries its own snapshot).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.translations.models import Bilingual


class Conversation(models.Model):
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when it starts with more than one recipient: a group never becomes the one-to-one
    # conversation of the two people who remain in it.
    is_group = models.BooleanField(default=False)
    created = models.DateTimeField(_("started"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:conversation", args=[self.pk])


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="conversation_participations",
    )
    joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Messages created after this are unread; None: nothing read yet.
    last_read_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    muted = models.BooleanField(_("muted"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="one_participation_per_conversation"
            )
        ]
        indexes = [models.Index(fields=["user", "left_at"])]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None


class Message(Bilingual):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("message"))
    created = models.DateTimeField(_("sent"), default=timezone.now)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)
    # Moderation contract: set by the moderation app; a hidden message is seen by its author only.
    is_hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["conversation", "created"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.author} → {self.conversation_id}"

    def get_absolute_url(self) -> str:
        # `?message=` makes the page the one holding this message (not the latest).
        url = reverse("messaging:conversation", args=[self.conversation_id])
        return f"{url}?message={self.pk}#message-{self.pk}"
