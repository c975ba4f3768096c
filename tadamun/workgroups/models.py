"""Workgroups, their members, and their discussions.

A discussion is one thing whether it was written on the web or arrived by e-mail: a Thread holds
Posts; a Post written on the web and one received by mail go through the same service
(`workgroups.services.post_create`) and are stored, threaded and delivered alike.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Workgroup(models.Model):
    """A workgroup of the network (privatization, peace building, …) with its e-mail list."""

    class Visibility(models.TextChoices):
        OPEN = "open", _("Open to all network members")
        CLOSED = "closed", _("Closed: only its own members")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Any network member may join")
        REQUEST = "request", _("Members ask to join; an owner or moderator approves")
        INVITE = "invite", _("By invitation only")

    slug = models.SlugField(_("short name"), unique=True, max_length=60)
    name_ar = models.CharField(_("name in Arabic"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.OPEN
    )
    join_policy = models.CharField(
        _("joining"), max_length=8, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    themes = models.ManyToManyField(
        "organisations.Theme", verbose_name=_("themes"), blank=True, related_name="workgroups"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("workgroup")
        verbose_name_plural = _("workgroups")

    def __str__(self) -> str:
        return self.name_en

    def get_absolute_url(self) -> str:
        return reverse("workgroups:workgroup", args=[self.slug])


class WorkgroupMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REQUESTED = "requested", _("Asked to join")
        INVITED = "invited", _("Invited")

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workgroup_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workgroup", "user"], name="one_membership_per_group")
        ]
        verbose_name = _("workgroup membership")
        verbose_name_plural = _("workgroup memberships")

    def __str__(self) -> str:
        return f"{self.user} in {self.workgroup} ({self.role})"


class Thread(models.Model):
    """A discussion in a workgroup. `subject_key` is the normalised subject used as the
    threading fallback when a reply carries no usable In-Reply-To/References."""

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="threads")
    subject = models.CharField(_("subject"), max_length=300)
    subject_key = models.CharField(max_length=300, db_index=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads_started",
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    last_activity = models.DateTimeField(db_index=True)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_activity", "-pk"]
        indexes = [models.Index(fields=["workgroup", "-last_activity"], name="thread_recent")]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return self.subject


class Post(models.Model):
    """One message of a thread, from the web or from e-mail (the raw bytes of an e-mailed post
    stay in lists.InboundMessage, which points here)."""

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("E-mail")
        IMPORT = "import", _("Imported archive")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HELD = "held", _("Held for moderation")
        REJECTED = "rejected", _("Rejected")
        DISCARDED = "discarded", _("Discarded")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workgroup_posts",
    )
    # As the message said it (non-members and imported archives have no account).
    author_name = models.CharField(max_length=200, blank=True)
    author_email = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    language = models.CharField(max_length=8, blank=True)
    message_id = models.CharField(max_length=998, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    hold_reason = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["workgroup", "status", "created"], name="post_archive")]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        thread_url = reverse("workgroups:thread", args=[self.workgroup.slug, self.thread_id])
        return f"{thread_url}#post-{self.pk}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the sender's filename on disk: it is kept in `filename` and sent back only as the
    # download name.
    return f"workgroups/{instance.post.workgroup_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=300)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
