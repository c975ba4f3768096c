"""Notifications about posts, comments, reactions, mentions and follows, sent after commit by
django.tasks (the arguments are primary keys). `notify()` leaves out the actor and anyone who
may not see the item (through posts_visible_to / comments_visible_to); mentions are checked
here as well, person by person, since a mention may name someone outside the audience."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.tasks import task

from tadamun.core import content
from tadamun.organisations.models import OrganisationMembership
from tadamun.social import selectors
from tadamun.social.models import Comment, Follow, Mention, Post, Reaction
from tadamun.workgroups.models import WorkgroupMembership

User = get_user_model()


def _notify(*, recipients: Iterable, kind: str, target, actor) -> int:
    from tadamun.notifications.services import notify

    recipients = list(recipients)
    if not recipients:
        return 0
    return notify(recipients=recipients, kind=kind, target=target, actor=actor)


def _mentioned_people(mentions: Iterable[Mention]) -> set[int]:
    """The people named: mentioned persons, and the administrators of mentioned
    organisations."""
    people: set[int] = set()
    organisations: set[int] = set()
    for mention in mentions:
        if mention.person_id:
            people.add(mention.person_id)
        else:
            organisations.add(mention.organisation_id)
    if organisations:
        people |= set(
            OrganisationMembership.objects.filter(
                organisation_id__in=organisations, role=OrganisationMembership.Role.ADMIN
            ).values_list("user_id", flat=True)
        )
    return people


def _who_may_see(people: Iterable[int], target) -> list:
    """Of `people`, those who may see `target` (a handful of people: one query each)."""
    return [
        person
        for person in User.objects.filter(pk__in=set(people))
        if content.can_see(person, target)
    ]


def _tell_mentioned(mentions: list[Mention], target, actor, *, skip: set[int]) -> set[int]:
    people = _mentioned_people(mentions) - skip - {getattr(actor, "pk", None)}
    told = _who_may_see(people, target)
    _notify(recipients=told, kind="mention", target=target, actor=actor)
    return {person.pk for person in told}


@task()
def post_published_task(*, post_id: int) -> int:
    """A post is out: tell the people it mentions, then the followers of its author and of the
    organisation or workgroup it speaks for, and the members of the workgroup it is for."""
    post = (
        Post.objects.filter(pk=post_id, published=True, is_hidden=False)
        .select_related("author")
        .first()
    )
    if post is None:
        return 0
    told = _tell_mentioned(list(post.mentions.all()), post, post.author, skip=set())
    followers = set(selectors.followers_of(person=post.author))
    if post.as_organisation_id:
        followers |= set(selectors.followers_of(organisation=post.as_organisation))
    if post.as_workgroup_id:
        followers |= set(selectors.followers_of(workgroup=post.as_workgroup))
    if post.audience_workgroup_id:
        followers |= set(
            WorkgroupMembership.objects.filter(
                workgroup_id=post.audience_workgroup_id,
                status=WorkgroupMembership.Status.ACTIVE,
            ).values_list("user_id", flat=True)
        )
    followers -= told | {post.author_id}
    return _notify(recipients=followers, kind="post", target=post, actor=post.author)


@task()
def comment_created_task(*, comment_id: int) -> int:
    """Tell the author of the comment replied to ("reply"), the post's author ("comment") and
    the people mentioned ("mention") — each person once."""
    comment = (
        Comment.objects.filter(pk=comment_id).select_related("author", "post", "parent").first()
    )
    if comment is None or comment.is_hidden:
        return 0
    actor = comment.author
    told: set[int] = {actor.pk}
    count = 0
    if comment.parent_id and comment.parent.author_id not in told:
        count += _notify(
            recipients=[comment.parent.author_id], kind="reply", target=comment, actor=actor
        )
        told.add(comment.parent.author_id)
    if comment.post.author_id not in told:
        count += _notify(
            recipients=[comment.post.author_id], kind="comment", target=comment, actor=actor
        )
        told.add(comment.post.author_id)
    count += len(_tell_mentioned(list(comment.mentions.all()), comment, actor, skip=told))
    return count


@task()
def mentions_task(*, mention_ids: list[int]) -> int:
    """People newly mentioned by an edit."""
    count = 0
    mentions = Mention.objects.filter(pk__in=mention_ids).select_related(
        "post__author", "comment__author"
    )
    by_item: dict[tuple[str, int], list[Mention]] = {}
    for mention in mentions:
        key = ("post", mention.post_id) if mention.post_id else ("comment", mention.comment_id)
        by_item.setdefault(key, []).append(mention)
    for group in by_item.values():
        item = group[0].post or group[0].comment
        if getattr(item, "is_hidden", False):
            continue
        if isinstance(item, Post) and not item.published:
            continue
        count += len(_tell_mentioned(group, item, item.author, skip=set()))
    return count


@task()
def reaction_added_task(*, reaction_id: int) -> int:
    reaction = (
        Reaction.objects.filter(pk=reaction_id).select_related("user", "post", "comment").first()
    )
    if reaction is None:
        return 0
    target = reaction.post or reaction.comment
    return _notify(
        recipients=[target.author_id], kind="reaction", target=target, actor=reaction.user
    )


@task()
def follow_task(*, follow_id: int) -> int:
    """Tell a person that someone follows them (only if they may see the follower)."""
    row = Follow.objects.filter(pk=follow_id, person__isnull=False).select_related("follower")
    row = row.first()
    if row is None:
        return 0
    return _notify(
        recipients=[row.person_id], kind="follow", target=row.follower, actor=row.follower
    )
