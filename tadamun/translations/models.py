"""One item, two languages.

Every kind of content that people write inherits `Bilingual` (its original language) and keeps
its text in its own fields, in that language. Translations are linked rows here, one per item
and language, holding the same fields translated; a kind declares which fields in
`core.content.register(..., text_fields=(...))`. Requests for a translation wait in one queue
for every kind of content.

Kinds add `translations = GenericRelation("translations.Translation")` (and the same for
`translation_requests`) so that deleting an item deletes its translations with it.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """Abstract: the language an item was written in (detected from its text when the author
    does not say; see `translations.detect`)."""

    language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, db_index=True
    )

    class Meta:
        abstract = True


class Translation(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # {"title": "...", "body": "..."} — the kind's text fields, translated.
    fields = models.JSONField(default=dict)
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("translated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "language"],
                name="one_translation_per_language",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} → {self.language}"


class TranslationRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for a translator")
        CLAIMED = "claimed", _("Being translated")
        DONE = "done", _("Translated")
        CANCELLED = "cancelled", _("Withdrawn")

    OPEN = (Status.WAITING, Status.CLAIMED)

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    source_language = models.CharField(
        _("from"), max_length=8, choices=settings.LANGUAGES, db_index=True
    )
    target_language = models.CharField(
        _("into"), max_length=8, choices=settings.LANGUAGES, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    requesters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), related_name="+", blank=True
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("translator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translation_claims",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(_("asked"), auto_now_add=True, db_index=True)
    completed = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one open request per item and target language; a second person asking
            # joins the requesters of the first.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "target_language"],
                condition=Q(status__in=["waiting", "claimed"]),
                name="one_open_request_per_language",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        ordering = ["created", "pk"]
        verbose_name = _("translation request")
        verbose_name_plural = _("translation requests")

    def __str__(self) -> str:
        languages = f"{self.source_language}→{self.target_language}"
        return f"{self.content_type.model} {self.object_id} {languages}"
