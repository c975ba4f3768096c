"""Petitions signed by the public, with confirmation by e-mail.

A petition belongs to a campaign (tadamun.campaigns) and is published in Arabic and English.
A Signature counts only once its e-mail link was clicked (state CONFIRMED); one signature per
petition per normalised e-mail address is a unique constraint. Counts come from `Tally` rows
(sharded counters written in the confirming transaction, summed and cached), never from a
COUNT over signatures per page view. Partners get their own page and consent text. Personal
data is anonymised a configurable time after the petition closes; tallies stay.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tadamun.organisations.models import Governorate


class Petition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")
        DELIVERED = "delivered", _("Delivered")
        ANSWERED = "answered", _("Answered")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="petitions"
    )
    slug = models.SlugField(_("short name"), unique=True, max_length=80)
    title_ar = models.CharField(_("title in Arabic"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    # Markdown: what signers put their name to.
    text_ar = models.TextField(_("text in Arabic"))
    text_en = models.TextField(_("text in English"))
    # What the lead organisation(s) ask consent for (news from them), in both languages.
    lead_consent_ar = models.CharField(_("lead's consent text in Arabic"), max_length=300)
    lead_consent_en = models.CharField(_("lead's consent text in English"), max_length=300)
    goal = models.PositiveIntegerField(_("first goal"), default=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The target's answer, published on the petition's page.
    response_ar = models.TextField(_("response in Arabic"), blank=True)
    response_en = models.TextField(_("response in English"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Personal data of signers is anonymised this long after closing (None: the setting).
    anonymise_after_days = models.PositiveIntegerField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Signing-rate alerts: the last one sent (one per alert window).
    last_alert_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")

    def __str__(self) -> str:
        return self.title_en

    def get_absolute_url(self) -> str:
        return reverse("petitions:petition", args=[self.slug])

    def text_in(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "ar")[:2]
        return getattr(self, f"{field}_{'ar' if language == 'ar' else 'en'}")


class Partner(models.Model):
    """A partner organisation's own page for a petition: its link, its consent text, its
    count."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="petition_pages"
    )
    slug = models.SlugField(_("short name"), max_length=80)
    consent_ar = models.CharField(_("consent text in Arabic"), max_length=300)
    consent_en = models.CharField(_("consent text in English"), max_length=300)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "slug"], name="one_partner_slug"),
            models.UniqueConstraint(
                fields=["petition", "organisation"], name="one_page_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("petitions:partner", args=[self.petition.slug, self.slug])


class PaperBatch(models.Model):
    """Paper signatures: either entered one by one (Signature.batch) or a counted total with
    its evidence (a scan of the sheets)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="paper_batches")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="paper_batches"
    )
    # Counted total (when the names are not entered one by one).
    counted = models.PositiveIntegerField(_("counted signatures"), default=0)
    country = CountryField(_("country"), blank=True)
    governorate = models.CharField(
        _("governorate"), max_length=16, choices=Governorate.choices, blank=True
    )
    evidence = models.FileField(_("evidence"), upload_to="petitions/evidence/", blank=True)
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.petition_id}: paper batch {self.pk}"


class Invalidation(models.Model):
    """A set of signatures voided by a coordinator, with the reason (audit trail)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invalidations")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    # What selected the signatures (e.g. {"domain": "example.com", "since": "…"}).
    criteria = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.count} voided"


class Signature(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        INVALID = "invalid", _("Voided")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    # The signer's choice: their name on the public list, or not.
    show_name = models.BooleanField(_("show my name on the public list"), default=False)
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    # Lower-cased, IDNA domain, (for known providers) dots and +tags removed: the unique key.
    email_normalised = models.CharField(max_length=254)
    country = CountryField(_("country"))
    governorate = models.CharField(
        _("governorate"), max_length=16, choices=Governorate.choices, blank=True
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    consent_lead = models.BooleanField(default=False)
    consent_partner = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="ar")
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ONLINE)
    batch = models.ForeignKey(
        PaperBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    invalidation = models.ForeignKey(
        Invalidation, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    # sha256 of the confirmation token (the token itself is only in the e-mail).
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    anonymised = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "email_normalised"], name="one_signature_per_email"
            )
        ]
        indexes = [models.Index(fields=["petition", "state", "created"], name="signature_state")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.pk} ({self.state})"


class Tally(models.Model):
    """Confirmed signatures counted by (petition, partner, country, governorate, source),
    spread over a few shards so that concurrent confirmations do not queue on one row. Totals
    are sums of these rows (petitions.selectors), cached for a moment."""

    SHARDS = 8

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="tallies")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="tallies"
    )
    # The partner's id, or 0: the unique key (a NULL would never be equal to another on SQLite).
    partner_key = models.PositiveBigIntegerField(default=0)
    country = models.CharField(max_length=2, blank=True)
    governorate = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=8, default=Signature.Source.ONLINE)
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "partner_key", "country", "governorate", "source", "shard"],
                name="one_tally_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}/{self.shard}: {self.count}"


class SignatureMail(models.Model):
    """Outbox of the mail to one signer (confirmation link, reminder): one row per signature
    and kind, queued → sent / deferred / failed, claimed by workers with a lease, so that a
    crash loses none and sends none twice."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirmation")
        REMINDER = "reminder", _("Reminder")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred (will retry)")
        FAILED = "failed", _("Failed")

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signature", "kind"], name="one_mail_per_kind")
        ]
        indexes = [models.Index(fields=["state", "next_attempt"], name="signature_mail_due")]

    def __str__(self) -> str:
        return f"{self.signature_id} {self.kind} ({self.state})"


class SignerUpdate(models.Model):
    """News to the signers who opted in (of the lead, or of one partner), written by the lead
    organisation, approved by a coordinator, at most `PETITION_UPDATES_PER_WEEK` a week."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for approval")
        APPROVED = "approved", _("Approved, sending")
        SENT = "sent", _("Sent")
        REJECTED = "rejected", _("Rejected")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="updates")
    # None: to signers who agreed to the lead's news; a partner: to that partner's.
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="updates"
    )
    subject_ar = models.CharField(_("subject in Arabic"), max_length=200)
    subject_en = models.CharField(_("subject in English"), max_length=200)
    body_ar = models.TextField(_("text in Arabic"))
    body_en = models.TextField(_("text in English"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.subject_en


class UpdateDelivery(models.Model):
    """One signer's copy of one update: the same state machine as list deliveries."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred (will retry)")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    update = models.ForeignKey(SignerUpdate, on_delete=models.CASCADE, related_name="deliveries")
    signature = models.ForeignKey(
        Signature, null=True, on_delete=models.SET_NULL, related_name="update_deliveries"
    )
    recipient = models.EmailField(max_length=254)
    language = models.CharField(max_length=8, default="ar")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "recipient"], name="one_update_copy")
        ]
        indexes = [models.Index(fields=["state", "next_attempt"], name="update_delivery_due")]

    def __str__(self) -> str:
        return f"{self.update_id} → {self.recipient} ({self.state})"


class TargetDelivery(models.Model):
    """The petition delivered by e-mail to one of its campaign's targets."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred (will retry)")
        FAILED = "failed", _("Failed")

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="target_deliveries"
    )
    target = models.ForeignKey(
        "campaigns.Target", on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.EmailField(max_length=254)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "target"], name="one_delivery_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.target_id} ({self.state})"
