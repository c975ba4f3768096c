"""Writes on the social side: posts and statements, their images and attachments, edits and
real deletion, comments, reactions, mentions and follows.

Every function is keyword-only, checks that the person may do it (through social.selectors),
runs in a transaction and leaves notifications to tasks enqueued after commit (they take
primary keys). Views call exactly one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.selectors import viewer_is_member
from tadamun.core.markdown import extract_mentions
from tadamun.core.text import clean_text
from tadamun.core.uploads import CheckedFile, CleanImage
from tadamun.lockdown.selectors import workgroup_locked
from tadamun.organisations.models import Organisation
from tadamun.organisations.selectors import (
    can_administer,
    organisations_visible_to,
    people_visible_to,
)
from tadamun.social import selectors
from tadamun.social.models import (
    COMMENT_BODY_MAX,
    POST_BODY_MAX,
    TITLE_MAX,
    Comment,
    Follow,
    Mention,
    Post,
    PostAttachment,
    PostImage,
    PostRevision,
    Reaction,
)
from tadamun.translations.detect import detect_language
from tadamun.translations.selectors import LANGUAGE_CODES, has_all_languages
from tadamun.translations.services import require_all_languages, translation_save
from tadamun.workgroups.models import Workgroup
from tadamun.workgroups.selectors import can_moderate, can_post

MAX_IMAGES = 4
MAX_ATTACHMENTS = 3
# More handles than this in one text are left as plain text (no mass notification).
MAX_MENTIONS = 20
IMAGE_MAX_SIDE = 1280
IMAGE_SMALL_SIDE = 480

Audience = Post.Audience
NOT_ALLOWED = _("You may not do this.")


@dataclass(frozen=True)
class NewImage:
    image: CleanImage  # for the post's page
    small: CleanImage  # for lists and feeds
    alt_text: str = ""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _clean_title(title: str) -> str:
    title = _one_line(title)
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {
                "title": _("The title is too long (at most %(limit)s characters).")
                % {"limit": TITLE_MAX}
            }
        )
    return title


def _clean_body(body: str, *, limit: int, field: str = "body") -> str:
    body = clean_text(body)
    if not body:
        raise ValidationError({field: _("Write something first.")})
    if len(body) > limit:
        raise ValidationError(
            {field: _("The text is too long (at most %(limit)s characters).") % {"limit": limit}}
        )
    return body


def _language(language: str, *texts: str) -> str:
    return language if language in LANGUAGE_CODES else detect_language(*texts)


# -------------------------------------------------------------------------------- mentions


def resolve_mentions(*, author, text: str) -> list[tuple[str, object | None, object | None]]:
    """(handle, person, organisation) for each `@handle` in `text` that names someone the
    AUTHOR may see: a person by mention name (`User.handle`, derived from the display name),
    else an organisation by short name. Handles naming
    nobody the author may see are left out (they stay plain text)."""
    handles = extract_mentions(text)[:MAX_MENTIONS]
    if not handles:
        return []
    by_username = Q()
    by_slug = Q()
    for handle in handles:
        by_username |= Q(handle__iexact=handle)
        by_slug |= Q(slug__iexact=handle)
    people = {
        person.handle.casefold(): person
        for person in people_visible_to(author).filter(by_username).order_by()
    }
    organisations = {
        organisation.slug.casefold(): organisation
        for organisation in organisations_visible_to(author).filter(by_slug).order_by()
    }
    found = []
    for handle in handles:
        person = people.get(handle.casefold())
        organisation = None if person else organisations.get(handle.casefold())
        if person or organisation:
            found.append((handle, person, organisation))
    return found


def _store_mentions(*, author, text: str, post=None, comment=None) -> list[int]:
    """Replace the item's mentions with those in `text`; the ids of mentions that are new."""
    existing = Mention.objects.filter(post=post, comment=comment)
    before = {(m.person_id, m.organisation_id) for m in existing}
    resolved = resolve_mentions(author=author, text=text)
    existing.delete()
    new_ids = []
    for handle, person, organisation in resolved:
        mention = Mention.objects.create(
            post=post, comment=comment, handle=handle, person=person, organisation=organisation
        )
        if (mention.person_id, mention.organisation_id) not in before:
            new_ids.append(mention.pk)
    return new_ids


# ---------------------------------------------------------------------------------- posts


def _check_speaker(author, as_organisation: Organisation | None, as_workgroup) -> None:
    if as_organisation is not None and as_workgroup is not None:
        raise ValidationError(_("Speak for one organisation or one workgroup, not both."))
    if as_organisation is not None:
        _require(can_administer(author, as_organisation))
    if as_workgroup is not None:
        _require(can_moderate(author, as_workgroup) and not workgroup_locked(as_workgroup.pk))


def _check_audience(author, audience: str, workgroup: Workgroup | None) -> None:
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who may read the post.")})
    if audience == Audience.WORKGROUP:
        if workgroup is None:
            raise ValidationError({"audience": _("Choose the workgroup.")})
        # Nobody posts in a locked-down workgroup, coordinators included (tadamun.lockdown).
        if workgroup_locked(workgroup.pk) or not (
            can_post(author, workgroup) or can_moderate(author, workgroup)
        ):
            raise ValidationError(
                {"audience": _("You may only address a workgroup you are a member of.")}
            )


def _enqueue_published(post_id: int) -> None:
    from tadamun.social.tasks import post_published_task

    transaction.on_commit(lambda: post_published_task.enqueue(post_id=post_id))


def _enqueue_mentions(mention_ids: list[int]) -> None:
    if not mention_ids:
        return
    from tadamun.social.tasks import mentions_task

    transaction.on_commit(lambda: mentions_task.enqueue(mention_ids=mention_ids))


@transaction.atomic
def post_create(
    *,
    author,
    body: str,
    title: str = "",
    kind: str = Post.Kind.POST,
    language: str = "",
    audience: str | None = None,
    audience_workgroup: Workgroup | None = None,
    as_organisation: Organisation | None = None,
    as_workgroup: Workgroup | None = None,
    images: Sequence[NewImage] = (),
    attachments: Sequence[CheckedFile] = (),
    translation: Mapping[str, str] | None = None,
) -> Post:
    """Write a post, or a statement. A post is published at once. A statement is published
    only when it exists in both languages — when `translation` (its title and body in the other
    language) is given; otherwise it waits as a draft (see `post_publish`).

    Speaking for an organisation needs its administrators' rights; for a workgroup, its owners'
    or moderators'. A post for a workgroup may only be addressed by its members (or
    moderators). Without an `audience`, a workgroup's post goes to the workgroup, any other to
    the network's members."""
    _require(viewer_is_member(author))
    _check_speaker(author, as_organisation, as_workgroup)
    if kind not in Post.Kind.values:
        raise ValidationError({"kind": _("Choose a post or a statement.")})
    if audience is None:
        audience = Audience.WORKGROUP if as_workgroup is not None else Audience.MEMBERS
        if audience_workgroup is None:
            audience_workgroup = as_workgroup
    _check_audience(author, audience, audience_workgroup)
    if audience != Audience.WORKGROUP:
        audience_workgroup = None
    title = _clean_title(title)
    body = _clean_body(body, limit=POST_BODY_MAX)
    if kind == Post.Kind.STATEMENT and not title:
        raise ValidationError({"title": _("A statement needs a title.")})
    if len(images) > MAX_IMAGES:
        raise ValidationError(
            {"images": _("At most %(limit)s images per post.") % {"limit": MAX_IMAGES}}
        )
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(limit)s files per post.") % {"limit": MAX_ATTACHMENTS}}
        )
    now = timezone.now()
    is_post = kind == Post.Kind.POST
    post = Post.objects.create(
        author=author,
        as_organisation=as_organisation,
        as_workgroup=as_workgroup,
        kind=kind,
        audience=audience,
        audience_workgroup=audience_workgroup,
        title=title,
        body=body,
        language=_language(language, title, body),
        published=is_post,
        published_at=now if is_post else None,
        created=now,
    )
    for position, new in enumerate(images):
        image = PostImage(
            post=post,
            content_type=new.image.content_type,
            width=new.image.width,
            height=new.image.height,
            small_content_type=new.small.content_type,
            small_width=new.small.width,
            small_height=new.small.height,
            alt_text=_one_line(new.alt_text)[:300],
            position=position,
        )
        image.file.save(new.image.file.name, new.image.file, save=False)
        image.small.save(new.small.file.name, new.small.file, save=False)
        image.save()
    for checked in attachments:
        attachment = PostAttachment(
            post=post,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
        )
        attachment.file.save(checked.file.name, checked.file, save=False)
        attachment.save()
    _store_mentions(author=author, text=body, post=post)
    if translation and any((value or "").strip() for value in translation.values()):
        other = next(code for code in LANGUAGE_CODES if code != post.language)
        fields = {"body": translation.get("body", "")}
        if title or translation.get("title"):
            fields["title"] = translation.get("title", "")
        translation_save(obj=post, language=other, fields=fields, by=author)
    if not is_post and has_all_languages(post):
        post.published, post.published_at = True, timezone.now()
        post.save(update_fields=["published", "published_at"])
    if post.published:
        _enqueue_published(post.pk)
    return post


@transaction.atomic
def post_publish(*, post: Post, by) -> Post:
    """Publish a draft statement: only once it exists in both Arabic and English."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    _require(selectors.can_edit(by, post))
    if post.published:
        return post
    if post.is_hidden:
        raise ValidationError(_("A hidden item cannot be published."))
    if post.is_statement:
        require_all_languages(post)
    post.published, post.published_at = True, timezone.now()
    post.save(update_fields=["published", "published_at"])
    _enqueue_published(post.pk)
    return post


@transaction.atomic
def post_edit(*, post: Post, by, title: str, body: str, language: str = "") -> Post:
    """Change a post's text, keeping the text it replaces as a revision. People newly
    mentioned are told (once the post is published)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    _require(selectors.can_edit(by, post))
    title = _clean_title(title)
    body = _clean_body(body, limit=POST_BODY_MAX)
    if post.is_statement and not title:
        raise ValidationError({"title": _("A statement needs a title.")})
    language = _language(language, title, body) if language else post.language
    if (title, body, language) == (post.title, post.body, post.language):
        return post
    if (title, body) != (post.title, post.body):
        PostRevision.objects.create(post=post, title=post.title, body=post.body, editor=by)
        post.edited = timezone.now()
    post.title, post.body, post.language = title, body, language
    post.save(update_fields=["title", "body", "language", "edited"])
    new_mentions = _store_mentions(author=post.author, text=body, post=post)
    if post.published:
        _enqueue_mentions(new_mentions)
    return post


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def post_delete(*, post: Post, by) -> None:
    """Delete the post for real: its row, earlier versions, comments, reactions, mentions,
    translations and the image and attachment files on disk (after commit)."""
    _require(selectors.can_edit(by, post))
    names = [
        *PostImage.objects.filter(post=post).values_list("file", flat=True),
        *PostImage.objects.filter(post=post).values_list("small", flat=True),
        *PostAttachment.objects.filter(post=post).values_list("file", flat=True),
    ]
    Post.objects.filter(pk=post.pk).delete()
    transaction.on_commit(lambda: _delete_files(names))


# ------------------------------------------------------------------------------- comments


@transaction.atomic
def comment_create(
    *, post: Post, author, body: str, parent: Comment | None = None, language: str = ""
) -> Comment:
    """Comment on a post, or reply to a comment (a reply to a reply joins the top-level
    comment: threads are one level deep)."""
    _require(
        selectors.posts_visible_to(author).filter(pk=post.pk).exists()
        and selectors.can_take_part(author, post)
    )
    if parent is not None:
        parent = selectors.comments_visible_to(author).filter(pk=parent.pk, post=post).first()
        if parent is None:
            raise ValidationError(_("The comment you reply to is not on this post."))
        if parent.parent_id:
            parent = parent.parent
    body = _clean_body(body, limit=COMMENT_BODY_MAX)
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        author=author,
        body=body,
        language=_language(language, body),
    )
    _store_mentions(author=author, text=body, comment=comment)
    from tadamun.social.tasks import comment_created_task

    transaction.on_commit(lambda: comment_created_task.enqueue(comment_id=comment.pk))
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, by, body: str) -> Comment:
    _require(selectors.can_edit_comment(by, comment))
    body = _clean_body(body, limit=COMMENT_BODY_MAX)
    if body == comment.body:
        return comment
    comment.body = body
    comment.language = _language("", body)
    comment.edited = timezone.now()
    comment.save(update_fields=["body", "language", "edited"])
    _enqueue_mentions(_store_mentions(author=comment.author, text=body, comment=comment))
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by) -> None:
    """Delete a comment for real, with its replies, reactions and translations."""
    _require(selectors.can_delete_comment(by, comment))
    Comment.objects.filter(pk=comment.pk).delete()


# ------------------------------------------------------------------------------ reactions


def reaction_toggle(*, user, kind: str, post: Post | None = None, comment=None) -> bool:
    """Add `user`'s reaction of `kind` to the post or comment, or take it back. True when the
    reaction is now there."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Choose one of the offered reactions."))
    if (post is None) == (comment is None):
        raise ValueError("react to a post or to a comment")
    if comment is not None:
        _require(
            selectors.comments_visible_to(user).filter(pk=comment.pk).exists()
            and not comment.is_hidden
            and selectors.can_take_part(user, comment.post)
        )
    else:
        _require(
            selectors.posts_visible_to(user).filter(pk=post.pk).exists()
            and selectors.can_take_part(user, post)
        )
    with transaction.atomic():
        existing = Reaction.objects.filter(user=user, post=post, comment=comment, kind=kind)
        if existing.exists():
            existing.delete()
            return False
        try:
            with transaction.atomic():
                reaction = Reaction.objects.create(user=user, post=post, comment=comment, kind=kind)
        except IntegrityError:  # the same click twice at once: it is there
            return True
        from tadamun.social.tasks import reaction_added_task

        transaction.on_commit(lambda: reaction_added_task.enqueue(reaction_id=reaction.pk))
    return True


# -------------------------------------------------------------------------------- follows


def _follow_target(follower, *, person=None, organisation=None, workgroup=None) -> dict:
    targets = {"person": person, "organisation": organisation, "workgroup": workgroup}
    given = {name: value for name, value in targets.items() if value is not None}
    if len(given) != 1:
        raise ValueError("follow exactly one person, organisation or workgroup")
    _require(viewer_is_member(follower))
    ((name, target),) = given.items()
    visible = {
        "person": selectors.followable_person,
        "organisation": selectors.followable_organisation,
        "workgroup": selectors.followable_workgroup,
    }[name](follower, target.pk)
    _require(visible is not None)
    if name == "person" and target.pk == follower.pk:
        raise ValidationError(_("You cannot follow yourself."))
    return given


@transaction.atomic
def follow(*, follower, person=None, organisation=None, workgroup=None) -> Follow:
    """Follow someone or something `follower` may see. The person followed is told."""
    target = _follow_target(follower, person=person, organisation=organisation, workgroup=workgroup)
    existing = Follow.objects.filter(follower=follower, **target).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            row = Follow.objects.create(follower=follower, **target)
    except IntegrityError:  # followed twice at the same moment
        return Follow.objects.get(follower=follower, **target)
    if person is not None:
        from tadamun.social.tasks import follow_task

        transaction.on_commit(lambda: follow_task.enqueue(follow_id=row.pk))
    return row


@transaction.atomic
def unfollow(*, follower, person=None, organisation=None, workgroup=None) -> None:
    targets = {"person": person, "organisation": organisation, "workgroup": workgroup}
    given = {name: value for name, value in targets.items() if value is not None}
    if len(given) != 1:
        raise ValueError("unfollow exactly one person, organisation or workgroup")
    Follow.objects.filter(follower=follower, **given).delete()
