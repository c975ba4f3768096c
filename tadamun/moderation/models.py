"""Reports on content, and the decisions reviewers take on them.

Any registered kind of content (`tadamun.core.content`) whose model has `is_hidden` may be
reported by a member who can see it. A report keeps a plain-text snapshot of the item (its
`excerpt`), so that reviewers can judge it even after it was edited, or when it is a private
message they may not open. Each decision on an item (hide, restore, dismiss its reports) is one
`ModerationDecision` row: who, when, what and why — the moderation log.

`workgroup` and `authors` are copied from the item when it is reported (and refreshed at every
new report and decision): they decide who reviews the reports (the workgroup's moderators and
coordinators; never the item's own authors) in one database query.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NOTE_MAX = 1000
EXCERPT_MAX = 1000


class Reason(models.TextChoices):
    """Why an item is reported, and why it is hidden (told to its author in their language;
    the notifications app renders these labels)."""

    SPAM = "spam", _("Spam")
    HARASSMENT = "harassment", _("Harassment or hate")
    SAFETY = "safety", _("Threatens someone's safety")
    PRIVATE_INFORMATION = "private_information", _("Reveals private information about someone")
    MISLEADING = "misleading", _("False or misleading")
    OTHER = "other", _("Other")


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        HIDDEN = "hidden", _("Hidden by the reviewers")
        RESTORED = "restored", _("Restored by the reviewers")
        DISMISSED = "dismissed", _("Left as it is")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # The workgroup the item belongs to (None for network-wide items and private messages).
    # Deleting a workgroup deletes the reports on its items: they would otherwise fall to
    # coordinators outside a closed workgroup, with excerpts of its content.
    workgroup = models.ForeignKey(
        "workgroups.Workgroup", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The item's authors: they never review reports on their own item, nor learn who made them.
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_made",
    )
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    created = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter"],
                condition=Q(status="open"),
                name="one_open_report_per_reporter_and_item",
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "status"], name="report_item"),
            models.Index(fields=["reporter", "created"], name="report_reporter_recent"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.reason} ({self.status})"


class ModerationDecision(models.Model):
    """One decision on an item: the moderation log (the core audit log has no action for
    content decisions, and its readers are coordinators only)."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        RESTORED = "restored", _("Restored")
        DISMISSED = "dismissed", _("Reports dismissed")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    workgroup = models.ForeignKey(
        "workgroups.Workgroup", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("decision"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices, blank=True)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    reports_closed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="decision_item")]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.action}"
