"""“Delete my account now”: a person removes their account and what they wrote, at once.

Modelled on Tella's quick delete and Discourse's user deletion. The work is a list of steps,
each in its own transaction and its own `try`: a step that fails is logged and reported and
never stops the next one, and every step only looks at what is still there, so running the
deletion again finishes whatever failed the first time.

1. **sessions** — every session ends (the "sign out everywhere" service) and signing in
   becomes impossible (inactive, unusable password: Django's session hash changes with the
   password, so even a session the security page never saw is dead at its next request).
2. **media** — the stored files of everything that goes (post images and attachments, list
   attachments, document files), *before* their rows: a failure leaves rows pointing to
   missing files, which the next run removes, never files that nothing points to.
3. **content** — one independent step per area (social, lists, documents, messages,
   notifications, memberships, sign-in data). Whatever others replied to becomes a tombstone
   (text emptied, author unlinked) so their replies keep their place; the rest is deleted.
   Rows that carry files delete those files first (again), so a failed media step cannot
   leave orphans either.
4. **search** — the index entries of the person, of tombstones and of anything of theirs a
   failed step left behind.
5. **account** — one audit event (counts only, no name, no address), then the user row; the
   audit log keeps its rows with actor and subject set to NULL. The row goes only when every
   other step succeeded: otherwise the account stays locked, so that the deletion can be run
   again on it.

Petition signatures are not the account's content (a public signature stands on its own and
was never linked to an account): they stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import Q

from tadamun.accounts import services
from tadamun.accounts.models import User
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent

logger = logging.getLogger(__name__)

CONTENT_STEPS = (
    "content_social",
    "content_lists",
    "content_documents",
    "content_messages",
    "content_notifications",
    "content_memberships",
    "content_sign_in",
)
STEPS = ("sessions", "media", *CONTENT_STEPS, "search", "account")


@dataclass
class DeletionReport:
    """What each step did: `steps[name]` is True (done) or False (failed, logged);
    `counts` holds only numbers, never anything of the person."""

    steps: dict[str, bool] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    account_deleted: bool = False

    @property
    def failed(self) -> list[str]:
        return [name for name, done in self.steps.items() if not done]

    @property
    def completed(self) -> bool:
        return self.account_deleted and not self.failed

    def add(self, name: str, number: int) -> None:
        if number:
            self.counts[name] = self.counts.get(name, 0) + number


# ------------------------------------------------------------------------------------ helpers


def _addresses(user: User) -> set[str]:
    """Every address of the account, lower-cased (the account's own and allauth's)."""
    found = {user.email.lower()} if user.email else set()
    found.update(
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return found


def _address_q(field_name: str, addresses: Iterable[str]) -> Q:
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(**{f"{field_name}__iexact": address})
    return query


def _delete_stored(files: Iterable[tuple[Storage, str]]) -> int:
    """Delete stored files; one already gone is not an error (storage backends may say so by
    raising FileNotFoundError)."""
    deleted = 0
    for storage, name in files:
        if not name:
            continue
        try:
            storage.delete(name)
        except FileNotFoundError:
            continue
        deleted += 1
    return deleted


def _field_files(queryset: models.QuerySet, *field_names: str) -> list[tuple[Storage, str]]:
    storages = {name: queryset.model._meta.get_field(name).storage for name in field_names}
    files = []
    for row in queryset.values_list(*field_names):
        files.extend(
            (storages[name], value) for name, value in zip(field_names, row, strict=True) if value
        )
    return files


def _delete_translations(model: type[models.Model], ids: Iterable[int]) -> int:
    from tadamun.translations.models import Translation, TranslationRequest

    ids = list(ids)
    if not ids:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    deleted, _rows = Translation.objects.filter(
        content_type=content_type, object_id__in=ids
    ).delete()
    TranslationRequest.objects.filter(content_type=content_type, object_id__in=ids).delete()
    return deleted


# ---------------------------------------------------------------------- what belongs to whom


def _own_posts(user: User) -> models.QuerySet:
    """Posts the person wrote in their own name (a statement made for an organisation or a
    workgroup belongs to it: it stays, without its author)."""
    from tadamun.social.models import Post

    return Post.objects.filter(author=user, as_organisation__isnull=True, as_workgroup__isnull=True)


def _social_files(user: User) -> list[tuple[Storage, str]]:
    from tadamun.social.models import PostAttachment, PostImage

    posts = _own_posts(user)
    return _field_files(PostImage.objects.filter(post__in=posts), "file", "small") + _field_files(
        PostAttachment.objects.filter(post__in=posts), "file"
    )


def _list_attachment_files(posts: models.QuerySet) -> list[tuple[Storage, str]]:
    """Files of the attachments of `posts` that no other attachment shares (list attachments
    are stored by their SHA-256, so the same file sent twice may be one stored file)."""
    from tadamun.workgroups.models import Attachment

    going = Attachment.objects.filter(post__in=posts)
    shared = set(
        Attachment.objects.exclude(pk__in=going.values("pk"))
        .filter(file__in=going.values("file"))
        .values_list("file", flat=True)
    )
    return [(storage, name) for storage, name in _field_files(going, "file") if name not in shared]


def _documents_without_others(user: User) -> models.QuerySet:
    """Documents the person uploaded on which nobody else depends: no version by anyone else
    and not in a campaign's toolkit."""
    from tadamun.documents.models import Document, DocumentVersion

    others_versions = DocumentVersion.objects.exclude(uploaded_by=user).values("document")
    return (
        Document.objects.filter(uploaded_by=user)
        .exclude(pk__in=others_versions)
        .exclude(campaigns__isnull=False)
    )


def _document_files(user: User) -> list[tuple[Storage, str]]:
    from tadamun.documents.models import DocumentVersion

    return _field_files(
        DocumentVersion.objects.filter(document__in=_documents_without_others(user)), "file"
    )


# ---------------------------------------------------------------------------------- the steps


def _step_sessions(user: User, report: DeletionReport) -> None:
    report.add("sessions", services.sessions_end_all(user=user))
    user.is_active = False
    user.set_unusable_password()
    User.objects.filter(pk=user.pk).update(is_active=False, password=user.password)


def _step_media(user: User, report: DeletionReport) -> None:
    from tadamun.workgroups.models import Post as ListPost

    files = (
        _social_files(user)
        + _list_attachment_files(ListPost.objects.filter(author=user))
        + _document_files(user)
    )
    report.add("files", _delete_stored(files))


def _step_content_social(user: User, report: DeletionReport) -> None:
    from tadamun.social.models import Comment, Follow, Mention, Post, PostRevision, Reaction

    # Comments first: a comment others answered stays as a tombstone, the rest goes (with the
    # person's own replies under it).
    comments = Comment.objects.filter(author=user)
    answered = comments.filter(replies__in=Comment.objects.exclude(author=user)).distinct()
    tombstones = list(answered.values_list("pk", flat=True))
    Mention.objects.filter(comment__in=tombstones).delete()
    _delete_translations(Comment, tombstones)
    report.add("comment_tombstones", len(tombstones))
    Comment.objects.filter(pk__in=tombstones).update(author=None, body="", edited=None)
    deleted_comments = list(comments.values_list("pk", flat=True))
    _delete_translations(Comment, deleted_comments)
    report.add("comments_deleted", len(deleted_comments))
    for comment in Comment.objects.filter(pk__in=deleted_comments):
        comment.delete()  # one by one: the search receivers remove each entry

    # Posts in their own name: tombstones where someone else commented, deleted otherwise.
    posts = _own_posts(user)
    _delete_stored(_social_files(user))
    others_comments = Comment.objects.exclude(author=user)
    answered_posts = list(
        posts.filter(comments__in=others_comments).distinct().values_list("pk", flat=True)
    )
    for post in Post.objects.filter(pk__in=answered_posts):
        post.images.all().delete()
        post.attachments.all().delete()
        post.revisions.all().delete()
        post.mentions.all().delete()
        _delete_translations(Post, [post.pk])
        post.author = None
        post.title = ""
        post.body = ""
        post.edited = None
        post.save(update_fields=["author", "title", "body", "edited"])
    report.add("post_tombstones", len(answered_posts))
    deleted_posts = list(posts.exclude(pk__in=answered_posts).values_list("pk", flat=True))
    _delete_translations(Post, deleted_posts)
    for post in Post.objects.filter(pk__in=deleted_posts):
        post.delete()
    report.add("posts_deleted", len(deleted_posts))

    # Statements for an organisation or a workgroup stay theirs, without the person's name.
    report.add("statements_unlinked", Post.objects.filter(author=user).update(author=None))
    PostRevision.objects.filter(editor=user).update(editor=None)
    report.add("reactions_deleted", Reaction.objects.filter(user=user).delete()[0])
    Mention.objects.filter(person=user).delete()
    Follow.objects.filter(Q(follower=user) | Q(person=user)).delete()


def _step_content_lists(user: User, report: DeletionReport) -> None:
    from tadamun.lists.models import Delivery, InboundMessage, Subscription, ThreadMute
    from tadamun.workgroups.models import Attachment, Thread
    from tadamun.workgroups.models import Post as ListPost

    addresses = _addresses(user)
    posts = ListPost.objects.filter(author=user)
    threads = list(posts.values_list("thread", flat=True).distinct())
    # A message others wrote after, in the same thread, keeps its place as a tombstone.
    later_by_others = (
        ListPost.objects.filter(
            thread=models.OuterRef("thread"), created__gte=models.OuterRef("created")
        )
        .exclude(pk=models.OuterRef("pk"))
        .exclude(author=user)
    )
    answered = list(posts.filter(models.Exists(later_by_others)).values_list("pk", flat=True))
    going = posts.exclude(pk__in=answered)
    # Raw bytes of mailed messages carry the address and the text: they go in every case.
    report.add(
        "inbound_deleted",
        InboundMessage.objects.filter(
            Q(post__in=posts.values("pk")) | _address_q("envelope_from", addresses)
        ).delete()[0],
    )
    _delete_stored(_list_attachment_files(posts))
    Attachment.objects.filter(post__in=answered).delete()
    Delivery.objects.filter(
        post__in=answered, state__in=[Delivery.State.QUEUED, Delivery.State.DEFERRED]
    ).delete()
    for post in ListPost.objects.filter(pk__in=answered):
        post.author = None
        post.author_name = ""
        post.author_email = ""
        post.body = ""
        post.save(update_fields=["author", "author_name", "author_email", "body"])
    report.add("list_tombstones", len(answered))
    going_ids = list(going.values_list("pk", flat=True))
    for post in ListPost.objects.filter(pk__in=going_ids):
        post.delete()
    report.add("list_posts_deleted", len(going_ids))
    # Threads left without any message go; the others count what they still hold.
    for thread in Thread.objects.filter(pk__in=threads):
        remaining = thread.posts.filter(status=ListPost.Status.PUBLISHED).count()
        if not thread.posts.exists():
            thread.delete()
        elif thread.post_count != remaining:
            Thread.objects.filter(pk=thread.pk).update(post_count=remaining)
    Thread.objects.filter(started_by=user).update(started_by=None)
    report.add(
        "subscriptions_deleted",
        Subscription.objects.filter(Q(user=user) | _address_q("email", addresses)).delete()[0],
    )
    ThreadMute.objects.filter(user=user).delete()


def _step_content_documents(user: User, report: DeletionReport) -> None:
    from tadamun.documents.models import Document, DocumentVersion

    _delete_stored(_document_files(user))
    going = list(_documents_without_others(user).values_list("pk", flat=True))
    _delete_translations(Document, going)
    for document in Document.objects.filter(pk__in=going):
        document.delete()
    report.add("documents_deleted", len(going))
    # Documents others built on stay, without the person's name on them.
    report.add(
        "documents_unlinked", Document.objects.filter(uploaded_by=user).update(uploaded_by=None)
    )
    DocumentVersion.objects.filter(uploaded_by=user).update(uploaded_by=None)


def _step_content_messages(user: User, report: DeletionReport) -> None:
    from tadamun.messaging.models import Conversation, Message, Participant

    conversations = Conversation.objects.filter(participants__user=user).distinct()
    alone = conversations.exclude(
        pk__in=Participant.objects.exclude(user=user).values("conversation")
    )
    alone_ids = list(alone.values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=alone_ids).delete()
    report.add("conversations_deleted", len(alone_ids))
    mine = Message.objects.filter(author=user)
    ids = list(mine.values_list("pk", flat=True))
    _delete_translations(Message, ids)
    report.add("message_tombstones", mine.update(author=None, body="", edited=None))
    Participant.objects.filter(user=user).delete()
    Conversation.objects.filter(created_by=user).update(created_by=None)


def _step_content_notifications(user: User, report: DeletionReport) -> None:
    from tadamun.notifications.models import (
        Notification,
        NotificationPreference,
        NotificationSettings,
    )

    report.add(
        "notifications_deleted",
        Notification.objects.filter(Q(recipient=user) | Q(actor=user)).delete()[0],
    )
    NotificationPreference.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).delete()


def _step_content_memberships(user: User, report: DeletionReport) -> None:
    from tadamun.organisations.models import Application, Invitation, OrganisationMembership
    from tadamun.translations.models import TranslationRequest
    from tadamun.workgroups.models import WorkgroupMembership

    report.add(
        "workgroup_memberships_deleted",
        WorkgroupMembership.objects.filter(user=user).delete()[0],
    )
    report.add(
        "organisation_memberships_deleted",
        OrganisationMembership.objects.filter(user=user).delete()[0],
    )
    Application.objects.filter(applicant=user).delete()
    Invitation.objects.filter(Q(accepted_by=user) | _address_q("email", _addresses(user))).delete()
    TranslationRequest.requesters.through.objects.filter(user=user).delete()


def _step_content_sign_in(user: User, report: DeletionReport) -> None:
    report.add("authenticators_deleted", Authenticator.objects.filter(user=user).delete()[0])
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        SocialAccount.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()


def _step_search(user: User, report: DeletionReport) -> None:
    from tadamun.documents.models import Document
    from tadamun.search.models import SearchEntry
    from tadamun.social.models import Comment, Post
    from tadamun.workgroups.models import Post as ListPost

    def entries(model: type[models.Model], objects: models.QuerySet) -> Q:
        content_type = ContentType.objects.get_for_model(model)
        return Q(content_type=content_type, object_id__in=objects.values("pk"))

    tombstone_posts = Post.objects.filter(author__isnull=True, body="")
    stale = (
        entries(User, User.objects.filter(pk=user.pk))
        | entries(Post, _own_posts(user) | tombstone_posts)
        | entries(Comment, Comment.objects.filter(Q(author=user) | Q(author__isnull=True)))
        | entries(
            ListPost,
            ListPost.objects.filter(
                Q(author=user) | Q(author__isnull=True, body="", author_email="")
            ),
        )
        | entries(Document, _documents_without_others(user))
    )
    report.add("index_entries_deleted", SearchEntry.objects.filter(stale).delete()[0])


def _step_account(user: User, report: DeletionReport) -> None:
    if report.failed:
        # Keep the row (locked since the first step) so that the deletion can run again.
        User.objects.filter(pk=user.pk).update(is_active=False)
        logger.error("Account %s kept for another run: %s failed", user.pk, report.failed)
        return
    audit(AuditEvent.Action.ACCOUNT_DELETED, actor=user, subject=user, **report.counts)
    User.objects.filter(pk=user.pk).delete()
    report.account_deleted = True


_STEP_FUNCTIONS: dict[str, Callable[[User, DeletionReport], None]] = {
    "sessions": _step_sessions,
    "media": _step_media,
    "content_social": _step_content_social,
    "content_lists": _step_content_lists,
    "content_documents": _step_content_documents,
    "content_messages": _step_content_messages,
    "content_notifications": _step_content_notifications,
    "content_memberships": _step_content_memberships,
    "content_sign_in": _step_content_sign_in,
    "search": _step_search,
    "account": _step_account,
}


def account_delete_now(*, user: User, by: User | None = None) -> DeletionReport:
    """Delete `user`'s account and content now (see the module's docstring). `by` is who asked:
    the person themselves (None means the same); nothing else is supported yet.

    Never raises for a failed step: the report says which failed and the failure is logged."""
    if by is not None and by.pk != user.pk:
        raise PermissionError("Only the person themselves may delete their account here.")
    report = DeletionReport()
    for name in STEPS:
        try:
            with transaction.atomic():
                _STEP_FUNCTIONS[name](user, report)
        except Exception:
            logger.exception("Account deletion of %s: step %s failed", user.pk, name)
            report.steps[name] = False
        else:
            report.steps[name] = True
    return report


# ----------------------------------------------------------------------------- the page's view


def deletion_preview(*, user: User) -> dict[str, int]:
    """What the page tells the person will go and what will stay (numbers only)."""
    from tadamun.documents.models import Document
    from tadamun.messaging.models import Message
    from tadamun.social.models import Comment
    from tadamun.workgroups.models import Post as ListPost

    posts = _own_posts(user)
    answered = posts.filter(comments__in=Comment.objects.exclude(author=user)).distinct()
    going_documents = _documents_without_others(user)
    return {
        "posts": posts.count(),
        "posts_kept_as_tombstones": answered.count(),
        "comments": Comment.objects.filter(author=user).count(),
        "list_posts": ListPost.objects.filter(author=user).count(),
        "documents": going_documents.count(),
        "documents_kept": Document.objects.filter(uploaded_by=user)
        .exclude(pk__in=going_documents.values("pk"))
        .count(),
        "messages": Message.objects.filter(author=user).count(),
    }
