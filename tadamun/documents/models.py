"""Document libraries: one for the whole network and one per workgroup.

A Document is the bilingual record people find (title, description, category, library,
audience); its files are DocumentVersions, newest first, every one kept and downloadable until
the document is deleted. Files are stored under random names and only ever served through
`documents.views.download` (see `core.uploads.download_response`).
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tadamun.translations.models import Bilingual


class Document(Bilingual):
    class Category(models.TextChoices):
        REPORT = "report", _("Reports")
        STATEMENT = "statement", _("Statements")
        TRAINING = "training", _("Training material")
        POLICY = "policy", _("Policies and laws")
        RESEARCH = "research", _("Research")
        MEDIA = "media", _("Media and campaign material")
        MINUTES = "minutes", _("Minutes")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone, also outside the network")
        MEMBERS = "members", _("Network members only")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    # None: the network's library. A workgroup's documents are read by whoever may read the
    # workgroup (see documents.selectors); their audience is always "members".
    workgroup = models.ForeignKey(
        "workgroups.Workgroup",
        verbose_name=_("workgroup"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    audience = models.CharField(
        _("who may read it"), max_length=8, choices=Audience.choices, default=Audience.MEMBERS
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents_uploaded",
    )
    created = models.DateTimeField(_("added"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    is_hidden = models.BooleanField(default=False)

    translations = GenericRelation("translations.Translation")
    translation_requests = GenericRelation("translations.TranslationRequest")

    class Meta:
        ordering = ["-updated", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workgroup__isnull=True) | Q(audience="members"),
                name="workgroup_documents_are_for_members",
            )
        ]
        indexes = [models.Index(fields=["workgroup", "-updated"], name="document_library")]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])


def version_path(instance: "DocumentVersion", filename: str) -> str:
    # Never the uploader's file name on disk (it is kept in `filename` and sent back only as
    # the download name), and nothing guessable from the content either.
    _stem, dot, extension = filename.rpartition(".")
    suffix = f".{extension.lower()}" if dot and extension.isalnum() and len(extension) <= 10 else ""
    return f"documents/{instance.document_id}/{uuid.uuid4().hex}{suffix}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    file = models.FileField(upload_to=version_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    # Decided by core.uploads.check_file from the bytes, never the browser's claim.
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="document_versions_uploaded",
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return self.filename
