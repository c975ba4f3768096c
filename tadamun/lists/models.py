"""The e-mail side of workgroups: list settings, inbound messages (raw bytes kept),
subscriptions, per-recipient deliveries and bounces."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MailingList(models.Model):
    """A workgroup's list and its policies (Mailman's list settings)."""

    class NonMemberAction(models.TextChoices):
        HOLD = "hold", _("Hold for moderation")
        REJECT = "reject", _("Reject with an explanation")
        DISCARD = "discard", _("Discard silently")

    class ReplyTo(models.TextChoices):
        LIST = "list", _("Replies go to the list")
        AUTHOR = "author", _("Replies go to the author")

    class Dmarc(models.TextChoices):
        NONE = "none", _("Never rewrite From")
        DOMAINS = "domains", _("Rewrite From for the configured author domains")
        ALWAYS = "always", _("Always rewrite From")

    class AttachmentPolicy(models.TextChoices):
        KEEP = "keep", _("Keep attachments")
        STRIP_DANGEROUS = "strip_dangerous", _("Remove dangerous types")
        STRIP_ALL = "strip_all", _("Remove all attachments")

    workgroup = models.OneToOneField(
        "workgroups.Workgroup", on_delete=models.CASCADE, related_name="mailing_list"
    )
    enabled = models.BooleanField(_("list enabled"), default=True)
    subject_prefix = models.CharField(_("subject prefix"), max_length=60, blank=True)
    reply_to = models.CharField(
        _("Reply-To"), max_length=8, choices=ReplyTo.choices, default=ReplyTo.LIST
    )
    dmarc_mitigation = models.CharField(
        _("DMARC mitigation"), max_length=8, choices=Dmarc.choices, default=Dmarc.DOMAINS
    )
    dmarc_domains = models.TextField(
        _("author domains whose From is rewritten"),
        blank=True,
        default="gmail.com\nyahoo.com\nhotmail.com\noutlook.com\naol.com",
    )
    nonmember_action = models.CharField(
        _("posts from non-members"),
        max_length=8,
        choices=NonMemberAction.choices,
        default=NonMemberAction.HOLD,
    )
    moderate_first_post = models.BooleanField(_("hold a new member's first post"), default=True)
    emergency = models.BooleanField(_("emergency moderation: hold everything"), default=False)
    max_message_bytes = models.PositiveIntegerField(_("largest message"), default=10_000_000)
    max_attachment_bytes = models.PositiveIntegerField(_("largest attachment"), default=5_000_000)
    attachment_policy = models.CharField(
        _("attachments"),
        max_length=16,
        choices=AttachmentPolicy.choices,
        default=AttachmentPolicy.STRIP_DANGEROUS,
    )
    footer_languages = models.CharField(_("footer languages"), max_length=20, default="ar,en")
    held_expiry_days = models.PositiveSmallIntegerField(_("held messages expire after"), default=14)
    bounce_score_threshold = models.FloatField(_("bounce score that disables"), default=5.0)
    personalise = models.BooleanField(
        _("one copy per recipient (VERP, personal unsubscribe link)"), default=True
    )
    recipients_per_transaction = models.PositiveSmallIntegerField(
        _("recipients per SMTP transaction when not personalised"), default=500
    )
    always_allowed = models.TextField(_("senders always allowed"), blank=True)

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")

    def __str__(self) -> str:
        return self.address

    @property
    def local_part(self) -> str:
        return self.workgroup.slug

    @property
    def address(self) -> str:
        return f"{self.workgroup.slug}@{settings.LISTS_DOMAIN}"

    @property
    def list_id(self) -> str:
        """RFC 2919 list identifier: <slug>.<domain>."""
        return f"{self.workgroup.slug}.{settings.LISTS_DOMAIN}"


class InboundMessage(models.Model):
    """Every message the LMTP server accepted, with its raw bytes, committed before the 250
    reply. Processing state says what became of it."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        COMMAND = "command", _("Command")
        BOUNCE = "bounce", _("Bounce")
        CONFIRM = "confirm", _("Confirmation")
        OWNER = "owner", _("To the owners")

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        POSTED = "posted", _("Posted")
        HELD = "held", _("Held")
        REJECTED = "rejected", _("Rejected")
        DISCARDED = "discarded", _("Discarded")
        IGNORED = "ignored", _("Ignored (loop, auto-reply)")
        DONE = "done", _("Handled")
        FAILED = "failed", _("Failed; kept for another try")

    received = models.DateTimeField(auto_now_add=True, db_index=True)
    envelope_from = models.CharField(max_length=998, blank=True)
    recipient = models.CharField(max_length=998)
    mailing_list = models.ForeignKey(
        MailingList, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.POST)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.ACCEPTED, db_index=True
    )
    error = models.TextField(blank=True)
    post = models.ForeignKey(
        "workgroups.Post",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )

    class Meta:
        ordering = ["-received", "-pk"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.message_id}"


class SubscriptionQuerySet(models.QuerySet):
    def allowed_to_read(self):
        """Subscriptions whose holder may still read the workgroup: a person who is an active
        network member (not suspended, not declined), and in a CLOSED workgroup an active member
        of it; outside addresses only while the workgroup is OPEN. Checked at every sending, so
        that a suspension, a removal or a workgroup turning closed stops the mail at once."""
        from tadamun.workgroups.models import Workgroup, WorkgroupMembership

        member_of_group = WorkgroupMembership.objects.filter(
            workgroup_id=models.OuterRef("mailing_list__workgroup_id"),
            user_id=models.OuterRef("user_id"),
            status=WorkgroupMembership.Status.ACTIVE,
        )
        open_group = models.Q(mailing_list__workgroup__visibility=Workgroup.Visibility.OPEN)
        network_member = models.Q(user__is_active=True, user__status="member")
        return self.filter(
            (models.Q(user__isnull=True) & open_group)
            | (network_member & (open_group | models.Exists(member_of_group)))
        )


class Subscription(models.Model):
    """Who gets a list's mail, and how. Members have a user; outside addresses do not."""

    class Mode(models.TextChoices):
        EACH = "each", _("Every message")
        DIGEST = "digest", _("Daily digest")
        NONE = "none", _("Web only (no e-mail)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Delivery disabled")

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="list_subscriptions",
    )
    email = models.EmailField(max_length=254)
    mode = models.CharField(_("delivery"), max_length=8, choices=Mode.choices, default=Mode.EACH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    language = models.CharField(max_length=2, default="ar")
    bounce_score = models.FloatField(default=0)
    last_bounce = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    confirm_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    last_digest = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "email"], name="one_subscription_per_address"
            )
        ]
        indexes = [models.Index(fields=["mailing_list", "status", "mode"], name="sub_fanout")]

    def __str__(self) -> str:
        return f"{self.email} → {self.mailing_list}"


class ThreadMute(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    thread = models.ForeignKey("workgroups.Thread", on_delete=models.CASCADE, related_name="mutes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="one_mute")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.thread_id}"


class Delivery(models.Model):
    """One recipient's copy of one post: queued → sent / deferred / bounced / failed.

    Workers claim batches by setting `claimed_until` under a row lock; a worker that dies leaves
    rows whose claim runs out and another worker takes them. A row is marked sent in the same
    step that records the SMTP server's answer, so a restart sends no copy twice except across
    a real SMTP-level ambiguity."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred (will retry)")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    post = models.ForeignKey("workgroups.Post", on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
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
            models.UniqueConstraint(fields=["post", "recipient"], name="one_copy_per_recipient")
        ]
        indexes = [models.Index(fields=["state", "next_attempt"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.recipient} ({self.state})"


class BounceEvent(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="bounces")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL)
    received = models.DateTimeField(auto_now_add=True)
    permanent = models.BooleanField(default=True)
    detail = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"bounce {self.subscription_id} ({'permanent' if self.permanent else 'temporary'})"
