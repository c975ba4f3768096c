"""The social side of the network: posts (and official statements), comments, reactions,
mentions and follows.

A post is written by a person (`author`), who may speak for an organisation they administer or
a workgroup they moderate. Its audience is the public, the network's members, or one
workgroup. Who may see what is decided in `social.selectors` and nowhere else.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tadamun.translations.models import Bilingual

TITLE_MAX = 200
POST_BODY_MAX = 20_000
COMMENT_BODY_MAX = 5_000
ALT_TEXT_MAX = 300


class Post(Bilingual):
    class Kind(models.TextChoices):
        POST = "post", pgettext_lazy("social site", "Post")
        STATEMENT = "statement", _("Statement")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Network members")
        WORKGROUP = "workgroup", _("One workgroup")

    # None only for a tombstone: the author deleted their account while others had replied
    # (accounts.deletion), or a statement kept for the organisation or workgroup it spoke for.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_posts",
    )
    as_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("on behalf of the organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_posts",
    )
    as_workgroup = models.ForeignKey(
        "workgroups.Workgroup",
        verbose_name=_("on behalf of the workgroup"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_posts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.POST)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS
    )
    audience_workgroup = models.ForeignKey(
        "workgroups.Workgroup",
        verbose_name=_("workgroup"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audience_posts",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    body = models.TextField(_("text"), max_length=POST_BODY_MAX)
    # Statements wait as drafts until they exist in both languages; posts are published at once.
    published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)
    created = models.DateTimeField(_("written"), default=timezone.now)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)

    translations = GenericRelation("translations.Translation")
    translation_requests = GenericRelation("translations.TranslationRequest")

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            # The feed, the news page and every list read newest first by this pair (keyset).
            models.Index(fields=["-published_at", "-id"], name="social_post_recent"),
            models.Index(fields=["audience", "-published_at", "-id"], name="social_post_audience"),
            models.Index(fields=["author", "-published_at"], name="social_post_author"),
            models.Index(
                fields=["audience_workgroup", "-published_at"], name="social_post_workgroup"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(as_organisation__isnull=True) | Q(as_workgroup__isnull=True),
                name="social_post_one_speaker",
            ),
            models.CheckConstraint(
                condition=Q(audience="workgroup", audience_workgroup__isnull=False)
                | (~Q(audience="workgroup") & Q(audience_workgroup__isnull=True)),
                name="social_post_audience_workgroup",
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="social_post_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.body[:60]

    def get_absolute_url(self) -> str:
        return reverse("social:post", args=[self.pk])

    @property
    def is_statement(self) -> bool:
        return self.kind == self.Kind.STATEMENT

    @property
    def speaker(self):
        """Who the post speaks for: the organisation, the workgroup, or the author."""
        return self.as_organisation or self.as_workgroup or self.author


class PostRevision(models.Model):
    """The text of a post as it was before an edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    body = models.TextField(_("text"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created = models.DateTimeField(_("replaced"), default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.created:%Y-%m-%d %H:%M}"


def image_path(instance: "PostImage", filename: str) -> str:
    # `filename` is already a random name chosen by core.uploads, never the uploader's.
    return f"social/images/{filename}"


def attachment_path(instance: "PostAttachment", filename: str) -> str:
    return f"social/attachments/{filename}"


class PostImage(models.Model):
    """An image re-encoded from its pixels only (core.uploads): no EXIF, no GPS position.
    Kept at two sizes: for the post's page, and a small one for lists and feeds."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=image_path, max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    small = models.FileField(upload_to=image_path, max_length=200)
    small_content_type = models.CharField(max_length=40)
    small_width = models.PositiveIntegerField()
    small_height = models.PositiveIntegerField()
    alt_text = models.CharField(_("description of the image"), max_length=ALT_TEXT_MAX, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["post", "position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text or self.file.name


class PostAttachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["post", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class Comment(Bilingual):
    """A comment on a post; replies are one level deep (`parent` is a top-level comment)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # None only for a tombstone (accounts.deletion: the author left, others had replied).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_comments",
    )
    body = models.TextField(_("comment"), max_length=COMMENT_BODY_MAX)
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)
    created = models.DateTimeField(_("written"), default=timezone.now)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)

    translations = GenericRelation("translations.Translation")
    translation_requests = GenericRelation("translations.TranslationRequest")

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["post", "created"], name="social_comment_post")]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        SUPPORT = "support", _("Support")
        THANKS = "thanks", _("Thanks")
        CELEBRATE = "celebrate", _("Celebrate")

    # Shown next to the translated word (never instead of it).
    SYMBOLS = {"like": "👍", "support": "✊", "thanks": "🙏", "celebrate": "🎉"}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_reactions"
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reactions"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=True) ^ Q(comment__isnull=True),
                name="social_reaction_one_target",
            ),
            models.UniqueConstraint(
                fields=["post", "user", "kind"],
                condition=Q(post__isnull=False),
                name="social_reaction_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "kind"],
                condition=Q(comment__isnull=False),
                name="social_reaction_once_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.post_id or self.comment_id}"


class Mention(models.Model):
    """`@handle` in a post or comment, resolved (when written) against what its author may see:
    a person (by mention name) or an organisation (by its short name)."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions"
    )
    handle = models.CharField(max_length=150)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_mentions",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="social_mentions",
    )

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=True) ^ Q(comment__isnull=True),
                name="social_mention_one_source",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) ^ Q(organisation__isnull=True),
                name="social_mention_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"


class Follow(models.Model):
    """`follower` follows exactly one person, organisation or workgroup."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
    )
    workgroup = models.ForeignKey(
        "workgroups.Workgroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, organisation__isnull=True, workgroup__isnull=True)
                    | Q(person__isnull=True, organisation__isnull=False, workgroup__isnull=True)
                    | Q(person__isnull=True, organisation__isnull=True, workgroup__isnull=False)
                ),
                name="social_follow_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(person=models.F("follower")), name="social_follow_not_oneself"
            ),
            models.UniqueConstraint(
                fields=["follower", "person"],
                condition=Q(person__isnull=False),
                name="social_follow_person_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "organisation"],
                condition=Q(organisation__isnull=False),
                name="social_follow_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "workgroup"],
                condition=Q(workgroup__isnull=False),
                name="social_follow_workgroup_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.person_id or self.organisation_id or self.workgroup_id}"
