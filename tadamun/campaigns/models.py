"""Campaigns of the coalition: bilingual (published only when both languages are there), an issue
identified by Iraqi organisations, lead and partner organisations, the decision makers they
address, a status that moves through review to delivery and answer, a toolkit of documents,
linked posts and events, and updates. Petitions (tadamun.petitions) belong to a campaign."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("Coalition review")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        DELIVERED = "delivered", _("Delivered")
        ANSWERED = "answered", _("Answered")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("short name"), unique=True, max_length=80)
    title_ar = models.CharField(_("title in Arabic"), max_length=200, blank=True)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    summary_ar = models.TextField(_("summary in Arabic"), blank=True)
    summary_en = models.TextField(_("summary in English"), blank=True)
    # Markdown (tadamun.core.markdown)
    demands_ar = models.TextField(_("demands in Arabic"), blank=True)
    demands_en = models.TextField(_("demands in English"), blank=True)
    background_ar = models.TextField(_("background in Arabic"), blank=True)
    background_en = models.TextField(_("background in English"), blank=True)
    # The issue as Iraqi members named it, and who identified it.
    issue_ar = models.CharField(_("issue in Arabic"), max_length=300, blank=True)
    issue_en = models.CharField(_("issue in English"), max_length=300, blank=True)
    identified_by = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("identified by"),
        blank=True,
        related_name="identified_campaigns",
    )
    lead_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("lead organisations"),
        related_name="led_campaigns",
    )
    partner_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("partner organisations"),
        blank=True,
        related_name="partnered_campaigns",
    )
    themes = models.ManyToManyField(
        "organisations.Theme", verbose_name=_("themes"), blank=True, related_name="campaigns"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposed_campaigns",
        verbose_name=_("proposed by"),
    )
    # Documents of the toolkit and posts linked to the campaign (the documents' and posts' own
    # visibility still applies when they are shown).
    toolkit = models.ManyToManyField(
        "documents.Document", verbose_name=_("toolkit"), blank=True, related_name="campaigns"
    )
    posts = models.ManyToManyField(
        "social.Post", verbose_name=_("linked posts"), blank=True, related_name="campaigns"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title_en or self.title_ar or self.slug

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign", args=[self.slug])

    def text(self, field: str, language: str | None = None) -> str:
        """`field` ("title", "summary", …) in `language` (the active one by default), or in
        the other language when that one is empty (drafts)."""
        language = (language or get_language() or "ar")[:2]
        first, second = ("ar", "en") if language == "ar" else ("en", "ar")
        return getattr(self, f"{field}_{first}") or getattr(self, f"{field}_{second}")

    BILINGUAL_FIELDS = ("title", "summary", "demands", "background", "issue")

    def missing_languages(self) -> list[str]:
        """The languages ("ar", "en") in which a required field is still empty."""
        required = ("title", "summary", "demands")
        return [
            code
            for code in ("ar", "en")
            if any(not getattr(self, f"{field}_{code}").strip() for field in required)
        ]


class Target(models.Model):
    """A decision maker the campaign addresses (a ministry, the parliament's committee, …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    role_ar = models.CharField(_("role in Arabic"), max_length=200, blank=True)
    role_en = models.CharField(_("role in English"), max_length=200, blank=True)
    # Where petitions are delivered by e-mail; never shown on public pages.
    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.name_en or self.name_ar


class CampaignReview(models.Model):
    """A reviewer's decision on a proposed campaign (coordinators and lead organisations'
    admins review; the campaign opens when a coordinator approves)."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        CHANGES = "changes", _("Ask for changes")
        REJECT = "reject", _("Reject")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.decision}"


class CampaignEvent(models.Model):
    """An event of the campaign (a hearing, a march, a delivery): bilingual, dated."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    title_ar = models.CharField(_("title in Arabic"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    place_ar = models.CharField(_("place in Arabic"), max_length=200, blank=True)
    place_en = models.CharField(_("place in English"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title_en


class CampaignUpdate(models.Model):
    """News of the campaign, published in both languages."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates")
    title_ar = models.CharField(_("title in Arabic"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    body_ar = models.TextField(_("text in Arabic"))
    body_en = models.TextField(_("text in English"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published"]

    def __str__(self) -> str:
        return self.title_en
