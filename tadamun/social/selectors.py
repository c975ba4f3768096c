"""Who may see and do what with posts, comments, reactions and follows: decided here and
nowhere else. The post page, the feed, the news page and its Atom feed, image and attachment
downloads, notifications (through the content registry) and the lead's profile pages all read
through `posts_visible_to` / `comments_visible_to`.

- Public posts: everyone, signed in or not.
- Posts for network members: approved members (not applicants, not suspended people).
- Posts for one workgroup: whoever may read that workgroup (workgroups.selectors.can_read):
  every member for an OPEN workgroup; only its active members for a CLOSED one — coordinators
  outside a closed workgroup included.
- Drafts (statements waiting for their translation): only their author and the people who may
  speak for the same organisation (its admins) or workgroup (its owners and moderators).
- Hidden items (moderation): only their author, coordinators and — for a workgroup's items —
  that workgroup's owners and moderators; everyone else never meets them.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString

from tadamun.accounts.selectors import viewer_is_coordinator, viewer_is_member
from tadamun.core.markdown import plain_text, render_markdown
from tadamun.core.templatetags.bidi import pick
from tadamun.lockdown.selectors import locked_workgroup_ids
from tadamun.organisations.models import Organisation, OrganisationMembership
from tadamun.organisations.selectors import (
    organisations_administered_by,
    organisations_visible_to,
    people_visible_to,
)
from tadamun.social.models import (
    Comment,
    Follow,
    Mention,
    Post,
    PostAttachment,
    PostImage,
    Reaction,
)
from tadamun.translations.models import Translation, TranslationRequest
from tadamun.translations.selectors import Localized, localize_many
from tadamun.workgroups.models import Workgroup, WorkgroupMembership
from tadamun.workgroups.selectors import can_moderate, can_post, workgroups_visible_to

User = get_user_model()
Audience = Post.Audience
Role = WorkgroupMembership.Role
ACTIVE = WorkgroupMembership.Status.ACTIVE


# ------------------------------------------------------------------------------ workgroups


def _readable_workgroups(viewer) -> QuerySet:
    """Primary keys of the workgroups whose content `viewer` may read — workgroups.selectors
    .can_read as a subquery: every OPEN workgroup, and CLOSED ones where `viewer` is an
    active member (coordinators get no exception)."""
    if not viewer_is_member(viewer):
        return Workgroup.objects.none().values("pk")
    active = WorkgroupMembership.objects.filter(
        workgroup=OuterRef("pk"), user=viewer, status=ACTIVE
    )
    readable = Workgroup.objects.filter(Q(visibility=Workgroup.Visibility.OPEN) | Exists(active))
    if not viewer_is_coordinator(viewer):  # a locked-down workgroup is hidden (lockdown)
        readable = readable.exclude(pk__in=locked_workgroup_ids())
    return readable.values("pk")


def moderated_workgroups(viewer) -> QuerySet[Workgroup]:
    """workgroups.selectors.can_moderate as a queryset: active owners and moderators, and
    coordinators where they may read."""
    if not viewer_is_member(viewer):
        return Workgroup.objects.none()
    mine = WorkgroupMembership.objects.filter(
        user=viewer, status=ACTIVE, role__in=[Role.OWNER, Role.MODERATOR]
    ).values("workgroup_id")
    condition = Q(pk__in=mine)
    if viewer_is_coordinator(viewer):
        condition |= Q(pk__in=_readable_workgroups(viewer))
    return Workgroup.objects.filter(condition)


def postable_workgroups(viewer) -> QuerySet[Workgroup]:
    """workgroups.selectors.can_post as a queryset: where `viewer` is an active member."""
    if not viewer_is_member(viewer):
        return Workgroup.objects.none()
    # Nobody posts in a locked-down workgroup (tadamun.lockdown).
    mine = Workgroup.objects.filter(memberships__user=viewer, memberships__status=ACTIVE)
    return mine.exclude(pk__in=locked_workgroup_ids())


# ----------------------------------------------------------------------------------- posts


def _post_visible_q(viewer, prefix: str = "") -> Q:
    """The visibility rule of posts as a condition, on Post (`prefix` "") or through a relation
    to it ("post__" on Comment) — a join, never a list of every visible post."""

    def q(**lookups) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    if not viewer_is_member(viewer):
        return q(audience=Audience.PUBLIC, published=True, is_hidden=False)
    moderated = moderated_workgroups(viewer).values("pk")
    audience = q(audience__in=[Audience.PUBLIC, Audience.MEMBERS]) | q(
        audience=Audience.WORKGROUP, audience_workgroup__in=_readable_workgroups(viewer)
    )
    speaks_for = (
        q(author=viewer)
        | q(as_organisation__in=organisations_administered_by(viewer).values("pk"))
        | q(as_workgroup__in=moderated)
    )
    condition = audience & (q(published=True) | speaks_for)
    if not viewer_is_coordinator(viewer):
        condition &= q(is_hidden=False) | q(author=viewer) | q(audience_workgroup__in=moderated)
    return condition


def posts_visible_to(viewer) -> QuerySet[Post]:
    """Every post `viewer` may see (see the module docstring)."""
    return Post.objects.filter(_post_visible_q(viewer))


def _comment_shown_q(viewer) -> Q:
    """Of the comments on posts `viewer` may see, those shown to them: hidden ones only to their
    author, coordinators and the moderators of the post's workgroup."""
    if not viewer_is_member(viewer):
        return Q(is_hidden=False)
    if viewer_is_coordinator(viewer):
        return Q()
    return (
        Q(is_hidden=False)
        | Q(author=viewer)
        | Q(post__audience_workgroup__in=moderated_workgroups(viewer).values("pk"))
    )


def comments_visible_to(viewer) -> QuerySet[Comment]:
    """Comments on posts `viewer` may see (hidden ones as `_comment_shown_q` says)."""
    return Comment.objects.filter(_post_visible_q(viewer, "post__")).filter(
        _comment_shown_q(viewer)
    )


def comments_shown_on(viewer, posts) -> QuerySet[Comment]:
    """The comments `viewer` may see on `posts` — posts already known to be visible to them
    (from posts_visible_to), so only the comments' own rule is left to check."""
    return Comment.objects.filter(post__in=posts).filter(_comment_shown_q(viewer))


def with_relations(posts: QuerySet[Post]) -> QuerySet[Post]:
    """What a list of posts shows, fetched in a fixed number of queries."""
    return posts.select_related(
        "author", "as_organisation", "as_workgroup", "audience_workgroup"
    ).prefetch_related(
        "images",
        "attachments",
        "mentions__person",
        "mentions__organisation",
    )


def published_posts_visible_to(viewer) -> QuerySet[Post]:
    return posts_visible_to(viewer).filter(published=True)


def _not_hidden_unless_own(posts: QuerySet[Post], viewer) -> QuerySet[Post]:
    """Lists and feeds leave hidden items out, except the viewer's own (marked as hidden)."""
    if viewer_is_member(viewer):
        return posts.filter(Q(is_hidden=False) | Q(author=viewer))
    return posts.filter(is_hidden=False)


def feed_posts(viewer) -> QuerySet[Post]:
    """The viewer's feed: posts by the people, organisations and workgroups they follow, posts
    for or by their workgroups, and their own — published, visible to them."""
    if not viewer_is_member(viewer):
        return Post.objects.none()
    follows = Follow.objects.filter(follower=viewer)
    people = follows.filter(person__isnull=False).values("person_id")
    organisations = follows.filter(organisation__isnull=False).values("organisation_id")
    followed_groups = follows.filter(workgroup__isnull=False).values("workgroup_id")
    my_groups = WorkgroupMembership.objects.filter(user=viewer, status=ACTIVE).values(
        "workgroup_id"
    )
    mine = (
        Q(author=viewer)
        | Q(author__in=people)
        | Q(as_organisation__in=organisations)
        | Q(as_workgroup__in=followed_groups)
        | Q(audience_workgroup__in=followed_groups)
        | Q(as_workgroup__in=my_groups)
        | Q(audience_workgroup__in=my_groups)
    )
    return _not_hidden_unless_own(published_posts_visible_to(viewer).filter(mine), viewer)


def news_posts(viewer=None) -> QuerySet[Post]:
    """The public news page and its Atom feed: published public posts and statements. Built
    for an anonymous reader whoever asks, so that it is the same public page for everyone."""
    return posts_visible_to(None).filter(audience=Audience.PUBLIC)


def drafts_of(viewer) -> QuerySet[Post]:
    """Unpublished statements `viewer` wrote, or waiting in an organisation they administer or
    a workgroup they own or moderate (coordinators may open any organisation's drafts, but
    are not shown them all here)."""
    if not viewer_is_member(viewer):
        return Post.objects.none()
    organisations = OrganisationMembership.objects.filter(
        user=viewer, role=OrganisationMembership.Role.ADMIN
    ).values("organisation_id")
    workgroups = WorkgroupMembership.objects.filter(
        user=viewer, status=ACTIVE, role__in=[Role.OWNER, Role.MODERATOR]
    ).values("workgroup_id")
    return (
        posts_visible_to(viewer)
        .filter(published=False)
        .filter(
            Q(author=viewer) | Q(as_organisation__in=organisations) | Q(as_workgroup__in=workgroups)
        )
        .order_by("-created", "-pk")
    )


def posts_by_person(viewer, user) -> QuerySet[Post]:
    """Posts `user` wrote in their own name, as `viewer` may see them, newest first."""
    posts = published_posts_visible_to(viewer).filter(
        author=user, as_organisation__isnull=True, as_workgroup__isnull=True
    )
    return _not_hidden_unless_own(posts, viewer).order_by("-published_at", "-pk")


def posts_by_organisation(viewer, organisation) -> QuerySet[Post]:
    posts = published_posts_visible_to(viewer).filter(as_organisation=organisation)
    return _not_hidden_unless_own(posts, viewer).order_by("-published_at", "-pk")


def posts_in_workgroup(viewer, workgroup) -> QuerySet[Post]:
    """Posts for `workgroup`'s members or written on its behalf."""
    posts = published_posts_visible_to(viewer).filter(
        Q(audience_workgroup=workgroup) | Q(as_workgroup=workgroup)
    )
    return _not_hidden_unless_own(posts, viewer).order_by("-published_at", "-pk")


def filter_language(posts: QuerySet, model, language: str) -> QuerySet:
    """Items readable in `language`: written in it, or translated into it."""
    translated = Translation.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        language=language,
    )
    return posts.filter(Q(language=language) | Exists(translated))


# ------------------------------------------------------------------------- keyset paging

CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})$")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def cursor_of(post: Post) -> str:
    delta = post.published_at - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}-{post.pk}"


def parse_cursor(value: str) -> tuple[datetime.datetime, int] | None:
    match = CURSOR.match(value or "")
    if not match:
        return None
    micros, pk = int(match.group(1)), int(match.group(2))
    try:
        return EPOCH + datetime.timedelta(microseconds=micros), pk
    except OverflowError:
        return None


@dataclass
class Page:
    posts: list[Post]
    next_cursor: str | None


def page_of(posts: QuerySet[Post], *, before: str = "", size: int) -> Page:
    """`size` posts, newest first, older than the cursor `before` ("<microseconds>-<pk>");
    `next_cursor` is set when older posts remain."""
    posts = posts.order_by("-published_at", "-pk")
    after = parse_cursor(before)
    if after is not None:
        when, pk = after
        posts = posts.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk))
    rows = list(posts[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(posts=rows, next_cursor=cursor_of(rows[-1]) if more and rows else None)


# ---------------------------------------------------------------------------- permissions


def can_edit(user, post: Post) -> bool:
    """The author, and the people who may speak for the same organisation or workgroup."""
    if not viewer_is_member(user):
        return False
    if post.author_id == user.pk:
        return True
    if post.as_organisation_id:
        return organisations_administered_by(user).filter(pk=post.as_organisation_id).exists()
    if post.as_workgroup_id:
        return can_moderate(user, post.as_workgroup)
    return False


def can_take_part(user, post: Post) -> bool:
    """May `user` comment on and react to `post` (which they may see)? Members, on published
    posts that are not hidden; a workgroup's posts take part only from its active members
    (and its moderators), as in its discussions."""
    if not viewer_is_member(user) or not post.published or post.is_hidden:
        return False
    if post.audience == Audience.WORKGROUP:
        workgroup = post.audience_workgroup
        if workgroup.pk in locked_workgroup_ids():  # nobody takes part during a lockdown
            return False
        return can_post(user, workgroup) or can_moderate(user, workgroup)
    return True


def can_edit_comment(user, comment: Comment) -> bool:
    return viewer_is_member(user) and comment.author_id == user.pk


def can_delete_comment(user, comment: Comment) -> bool:
    """Its author, and the post's author (people keep their own threads clean)."""
    return viewer_is_member(user) and user.pk in {comment.author_id, comment.post.author_id}


def speaking_options(user) -> tuple[list[Organisation], list[Workgroup]]:
    """The organisations and workgroups `user` may post on behalf of."""
    if not viewer_is_member(user):
        return [], []
    organisations = list(organisations_administered_by(user).order_by("name_en", "pk"))
    # Nobody speaks for a locked-down workgroup (tadamun.lockdown).
    workgroups = list(
        moderated_workgroups(user).exclude(pk__in=locked_workgroup_ids()).order_by("slug")
    )
    return organisations, workgroups


def addressable_workgroups(user) -> QuerySet[Workgroup]:
    """Workgroups `user` may address a post to or take part in: where they are an active
    member or moderate — none locked down (nobody posts in one, tadamun.lockdown)."""
    return Workgroup.objects.filter(
        Q(pk__in=postable_workgroups(user).values("pk"))
        | Q(pk__in=moderated_workgroups(user).values("pk"))
    ).exclude(pk__in=locked_workgroup_ids())


def audience_workgroup_options(user) -> list[Workgroup]:
    """Workgroups `user` may address a post to."""
    if not viewer_is_member(user):
        return []
    return list(addressable_workgroups(user).order_by("slug"))


# -------------------------------------------------------------------------------- follows


def follow_of(user, *, person=None, organisation=None, workgroup=None) -> Follow | None:
    if not viewer_is_member(user):
        return None
    return Follow.objects.filter(
        follower=user, person=person, organisation=organisation, workgroup=workgroup
    ).first()


def followable_person(viewer, pk: int):
    return people_visible_to(viewer).filter(pk=pk).first()


def followable_organisation(viewer, pk: int):
    return organisations_visible_to(viewer).filter(pk=pk).first()


def followable_workgroup(viewer, pk: int):
    return workgroups_visible_to(viewer).filter(pk=pk).first()


def followers_of(*, person=None, organisation=None, workgroup=None) -> QuerySet:
    """People following the target (ids only; notify() filters who may see what)."""
    return Follow.objects.filter(
        person=person, organisation=organisation, workgroup=workgroup
    ).values_list("follower_id", flat=True)


# ---------------------------------------------------------------------- preparing for pages


@dataclass
class ReactionCount:
    kind: str
    label: str
    symbol: str
    count: int
    mine: bool


@dataclass
class Controls:
    """What translations/_switch.html needs, computed for a whole page at once."""

    ct: int
    wanted: str | None
    can_ask: bool
    asked: bool
    can_translate: bool
    # Fields shown as plain text (not Markdown) by the translation controls.
    plain_fields: frozenset = frozenset({"title"})


@dataclass
class Card:
    """A post or comment ready to show to one viewer."""

    item: Post | Comment
    loc: Localized
    title: str
    body_html: SafeString
    other_html: SafeString | None
    reactions: list[ReactionCount]
    controls: Controls
    author_url: str | None
    speaker_url: str | None = None
    comment_count: int = 0
    can_edit: bool = False
    can_delete: bool = False
    can_take_part: bool = False
    replies: list[Card] = field(default_factory=list)

    @cached_property
    def url(self) -> str:
        return self.item.get_absolute_url()


def reaction_counts(
    counts: dict[str, int], mine: Iterable[str], *, show_zero: bool = True
) -> list[ReactionCount]:
    mine = set(mine)
    return [
        ReactionCount(
            kind=kind,
            label=str(label),
            symbol=Reaction.SYMBOLS[kind],
            count=counts.get(kind, 0),
            mine=kind in mine,
        )
        for kind, label in Reaction.Kind.choices
        if show_zero or counts.get(kind)
    ]


def reaction_counts_for(viewer, *, post=None, comment=None) -> list[ReactionCount]:
    """The reactions of one post or comment (after a reaction, for htmx)."""
    rows = Reaction.objects.filter(post=post, comment=comment)
    counts = dict(rows.values("kind").annotate(number=Count("pk")).values_list("kind", "number"))
    mine = (
        rows.filter(user=viewer).values_list("kind", flat=True) if viewer_is_member(viewer) else []
    )
    return reaction_counts(counts, mine)


def _person_url(person_id: int) -> str:
    return reverse("organisations:person", args=[person_id])


def _organisation_url(organisation: Organisation) -> str:
    return reverse("organisations:organisation", args=[organisation.slug])


def _workgroup_url(workgroup: Workgroup) -> str:
    return reverse("workgroups:workgroup", args=[workgroup.slug])


@dataclass
class _Visible:
    """What of the people, organisations and workgroups named on a page the viewer may see."""

    people: set[int]
    organisations: set[int]
    workgroups: set[int]


def _visible_names(
    viewer, people: set[int], organisations: set[int], workgroups: set[int]
) -> _Visible:
    return _Visible(
        people=set(people_visible_to(viewer).filter(pk__in=people).values_list("pk", flat=True))
        if people and viewer_is_member(viewer)
        else set(),
        organisations=set(
            organisations_visible_to(viewer)
            .filter(pk__in=organisations)
            .values_list("pk", flat=True)
        )
        if organisations
        else set(),
        workgroups=set(
            workgroups_visible_to(viewer).filter(pk__in=workgroups).values_list("pk", flat=True)
        )
        if workgroups and viewer_is_member(viewer)
        else set(),
    )


def mention_resolver(mentions: Sequence[Mention], visible: _Visible):
    """Link `@handle` when the author's mention resolved to someone the VIEWER may see;
    anything else stays plain text."""
    targets: dict[str, tuple[str, str]] = {}
    for mention in mentions:
        if mention.person_id and mention.person_id in visible.people:
            targets[mention.handle.casefold()] = (
                _person_url(mention.person_id),
                mention.person.display_name,
            )
        elif mention.organisation_id and mention.organisation_id in visible.organisations:
            organisation = mention.organisation
            targets[mention.handle.casefold()] = (
                _organisation_url(organisation),
                pick(organisation, "name"),
            )
    return lambda handle: targets.get(handle.casefold())


def _render(text: str, resolver) -> SafeString:
    return render_markdown(text, resolve_mention=resolver)


def _controls(
    viewer,
    items: Sequence,
    locs: Sequence[Localized],
    model,
    language: str,
) -> list[Controls]:
    """The translation controls of many items of one kind in two queries (the requests open
    for the reader's language, and whether the viewer asked already)."""
    content_type = ContentType.objects.get_for_model(model)
    member = viewer_is_member(viewer)
    wanted_ids = [loc.obj.pk for loc in locs if language in loc.missing]
    open_requests: dict[int, TranslationRequest] = {}
    asked: set[int] = set()
    if member and wanted_ids:
        requests = TranslationRequest.objects.filter(
            content_type=content_type,
            object_id__in=wanted_ids,
            target_language=language,
            status__in=TranslationRequest.OPEN,
        )
        open_requests = {request.object_id: request for request in requests}
        asked = set(
            TranslationRequest.requesters.through.objects.filter(
                translationrequest_id__in=[request.pk for request in open_requests.values()],
                user_id=viewer.pk,
            ).values_list("translationrequest__object_id", flat=True)
        )
    controls = []
    for item, loc in zip(items, locs, strict=True):
        wanted = language if language in loc.missing else None
        controls.append(
            Controls(
                ct=content_type.pk,
                wanted=wanted,
                can_ask=member and wanted is not None,
                asked=item.pk in asked,
                can_translate=member and (viewer.is_translator or item.author_id == viewer.pk),
            )
        )
    return controls


def _other_html(loc: Localized, resolver) -> SafeString | None:
    other = loc.other
    if other is None:
        return None
    return _render(other[1].get("body", ""), resolver)


def post_cards(viewer, posts: Sequence[Post], language: str) -> list[Card]:
    """Posts (fetched through `with_relations`) ready for `viewer` in `language`: localized
    text rendered with the mentions the viewer may see, reaction and comment counts, the
    translation controls — a fixed number of queries whatever the number of posts."""
    posts = list(posts)
    if not posts:
        return []
    ids = [post.pk for post in posts]
    locs = localize_many(posts, language)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Reaction.objects.filter(post_id__in=ids)
        .values("post_id", "kind")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        counts[row["post_id"]][row["kind"]] = row["number"]
    mine: dict[int, set[str]] = defaultdict(set)
    if viewer_is_member(viewer):
        for post_id, kind in Reaction.objects.filter(post_id__in=ids, user=viewer).values_list(
            "post_id", "kind"
        ):
            mine[post_id].add(kind)
    comment_counts = dict(
        comments_shown_on(viewer, ids)
        .values("post_id")
        .annotate(number=Count("pk"))
        .order_by()
        .values_list("post_id", "number")
    )
    people = {post.author_id for post in posts}
    organisations = {post.as_organisation_id for post in posts if post.as_organisation_id}
    workgroups = {post.as_workgroup_id for post in posts if post.as_workgroup_id}
    for post in posts:
        for mention in post.mentions.all():
            if mention.person_id:
                people.add(mention.person_id)
            else:
                organisations.add(mention.organisation_id)
    visible = _visible_names(viewer, people, organisations, workgroups)
    # Who may speak for the organisations and workgroups on the page (for "edit"), and
    # where the viewer takes part (can_take_part, for the whole page at once).
    administered: set[int] = set()
    moderated: set[int] = set()
    taking_part: set[int] = set()
    if viewer_is_member(viewer):
        addressed = {post.audience_workgroup_id for post in posts if post.audience_workgroup_id}
        if addressed:
            taking_part = set(
                addressable_workgroups(viewer).filter(pk__in=addressed).values_list("pk", flat=True)
            )
        spoken = {post.as_organisation_id for post in posts if post.as_organisation_id}
        if spoken:
            administered = set(
                organisations_administered_by(viewer)
                .filter(pk__in=spoken)
                .values_list("pk", flat=True)
            )
        groups = {post.as_workgroup_id for post in posts if post.as_workgroup_id}
        if groups:
            moderated = set(
                moderated_workgroups(viewer).filter(pk__in=groups).values_list("pk", flat=True)
            )
    controls = _controls(viewer, posts, locs, Post, language)
    cards = []
    for post, loc, control in zip(posts, locs, controls, strict=True):
        resolver = mention_resolver(post.mentions.all(), visible)
        if post.as_organisation_id:
            speaker_url = (
                _organisation_url(post.as_organisation)
                if post.as_organisation_id in visible.organisations
                else None
            )
        elif post.as_workgroup_id:
            speaker_url = (
                _workgroup_url(post.as_workgroup)
                if post.as_workgroup_id in visible.workgroups
                else None
            )
        else:
            speaker_url = None
        member = viewer_is_member(viewer)
        cards.append(
            Card(
                item=post,
                loc=loc,
                title=loc.text.get("title", ""),
                body_html=_render(loc.text.get("body", ""), resolver),
                other_html=_other_html(loc, resolver),
                reactions=reaction_counts(counts[post.pk], mine[post.pk]),
                controls=control,
                author_url=_person_url(post.author_id)
                if post.author_id in visible.people
                else None,
                speaker_url=speaker_url,
                comment_count=comment_counts.get(post.pk, 0),
                can_edit=member
                and (
                    post.author_id == viewer.pk
                    or post.as_organisation_id in administered
                    or post.as_workgroup_id in moderated
                ),
                can_take_part=member
                and post.published
                and not post.is_hidden
                and (
                    post.audience != Audience.WORKGROUP or post.audience_workgroup_id in taking_part
                ),
            )
        )
    return cards


def comment_cards(viewer, post: Post, language: str, *, may_take_part: bool) -> list[Card]:
    """The comments of `post` that `viewer` may see, replies nested under their top-level
    comment, in a fixed number of queries."""
    comments = list(
        comments_shown_on(viewer, [post])
        .select_related("author")
        .prefetch_related("mentions__person", "mentions__organisation")
        .order_by("created", "pk")
    )
    if not comments:
        return []
    ids = [comment.pk for comment in comments]
    locs = localize_many(comments, language)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Reaction.objects.filter(comment_id__in=ids)
        .values("comment_id", "kind")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        counts[row["comment_id"]][row["kind"]] = row["number"]
    mine: dict[int, set[str]] = defaultdict(set)
    if viewer_is_member(viewer):
        for comment_id, kind in Reaction.objects.filter(
            comment_id__in=ids, user=viewer
        ).values_list("comment_id", "kind"):
            mine[comment_id].add(kind)
    people = {comment.author_id for comment in comments}
    organisations: set[int] = set()
    for comment in comments:
        for mention in comment.mentions.all():
            if mention.person_id:
                people.add(mention.person_id)
            else:
                organisations.add(mention.organisation_id)
    visible = _visible_names(viewer, people, organisations, set())
    controls = _controls(viewer, comments, locs, Comment, language)
    by_pk: dict[int, Card] = {}
    top: list[Card] = []
    for comment, loc, control in zip(comments, locs, controls, strict=True):
        comment.post = post  # spares a query per comment in get_absolute_url / permissions
        resolver = mention_resolver(comment.mentions.all(), visible)
        card = Card(
            item=comment,
            loc=loc,
            title="",
            body_html=_render(loc.text.get("body", ""), resolver),
            other_html=_other_html(loc, resolver),
            reactions=reaction_counts(counts[comment.pk], mine[comment.pk]),
            controls=control,
            author_url=_person_url(comment.author_id)
            if comment.author_id in visible.people
            else None,
            can_edit=can_edit_comment(viewer, comment),
            can_delete=can_delete_comment(viewer, comment),
            can_take_part=may_take_part and not comment.is_hidden,
        )
        by_pk[comment.pk] = card
        parent = by_pk.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            top.append(card)
        else:
            parent.replies.append(card)
    return top


def image_for(viewer, post_id: int, image_id: int) -> PostImage | None:
    """The image, when it belongs to a post `viewer` may see."""
    return PostImage.objects.filter(
        _post_visible_q(viewer, "post__"), pk=image_id, post_id=post_id
    ).first()


def attachment_for(viewer, post_id: int, attachment_id: int) -> PostAttachment | None:
    """The file, when it belongs to a post `viewer` may see."""
    return PostAttachment.objects.filter(
        _post_visible_q(viewer, "post__"), pk=attachment_id, post_id=post_id
    ).first()


def plain_title(title: str, body: str, *, limit: int = 80) -> str:
    """A title for lists and the Atom feed when the post has none."""
    return title or plain_text(body, limit=limit)
