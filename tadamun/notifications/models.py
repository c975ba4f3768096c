"""Notifications shown on the site and sent by e-mail, and each person's choices about them.

A notification points at its target (a post, a comment, a message, a person…) through a
generic key and never copies any of the target's text: what is shown or mailed is read from the
target when it is shown or mailed, through the target's own visibility selector, so that an item
deleted or made private since is never revealed by its notification.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.notifications.kinds import KINDS, Channel

KIND_CHOICES = [(key, kind.label) for key, kind in KINDS.items()]


class Notification(models.Model):
    class EmailState(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("not sent")
        DIGESTED = "digested", _("sent in a daily summary")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=KIND_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(default=dict, blank=True)
    # Repeated events (several reactions in a row) update one unread notification.
    occurrences = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The channel chosen when the notification was made, so that changing a preference later
    # neither re-sends nor loses what is already on its way.
    email_channel = models.CharField(max_length=12, choices=Channel.choices)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created"], name="notif_recipient_unread"),
            models.Index(fields=["email_state", "email_channel"], name="notif_email_due"),
            models.Index(fields=["content_type", "object_id"], name="notif_target"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.content_type_id}:{self.object_id})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """One person's e-mail channel for one kind; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=KIND_CHOICES)
    channel = models.CharField(_("e-mail"), max_length=12, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"


class NotificationSettings(models.Model):
    """Person-wide choices, and when their last daily summary went out."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    content_free_emails = models.BooleanField(_("content-free e-mails"), default=False)
    last_digest = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"
