"""The read-only JSON API, version 1 (django-ninja; OpenAPI at /api/v1/openapi.json).

Every endpoint reads through the selectors the pages use, so what a person reads here is
exactly what they may read on the site: the same visibility rules, the same lockdowns. Only GET.
No documentation page is served (ninja's loads its scripts from a CDN; the site makes no
third-party requests): the OpenAPI JSON is the documentation."""

from __future__ import annotations

import html
from typing import Annotated

from django.db.models import Q
from django.urls import reverse
from django.utils.html import strip_tags
from ninja import NinjaAPI, Path, Query
from ninja.errors import HttpError

from tadamun.accounts.selectors import viewer_is_member
from tadamun.api import schemas as s
from tadamun.api.auth import MemberSessionAuth, TokenAuth
from tadamun.campaigns import selectors as campaigns
from tadamun.documents import selectors as documents
from tadamun.notifications import selectors as notifications
from tadamun.organisations.selectors import people_visible_to
from tadamun.petitions import selectors as petitions
from tadamun.petitions.tally import counts, next_goal
from tadamun.search import selectors as search_selectors
from tadamun.social import selectors as social
from tadamun.social.models import Post as SocialPost
from tadamun.workgroups import selectors as workgroups
from tadamun.workgroups.models import Workgroup

# Primary keys are positive 64-bit integers: anything else is a client error, not a query.
Pk = Annotated[int, Path(ge=1, le=2**63 - 1)]
Slug = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]{1,60}$")]
MAX_SEARCH_LIMIT = 50
MAX_QUERY_LENGTH = 200


class TadamunAPI(NinjaAPI):
    @property
    def urls(self):
        """django-ninja marks its views csrf_exempt and checks CSRF in its cookie auth; the API
        takes no unsafe method at all, so Django's CSRF middleware keeps guarding its URLs like
        every other view of the site (one rule, no exempt view without a reason)."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback.csrf_exempt = False
        return patterns, app_name, namespace

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # Personal data: never kept by a shared cache or the browser's.
        response["Cache-Control"] = "private, no-store"
        return response


api = TadamunAPI(
    title="Tadamun API",
    version="1",
    description="Read-only. Sign in with the session cookie or `Authorization: Bearer <token>` "
    "(personal access tokens, made on the API tokens page). Approved members only.",
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=[TokenAuth(), MemberSessionAuth()],
)

ERRORS = {401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 503: s.ErrorOut}


def _not_found():
    return HttpError(404, "Not found.")


def _page(queryset, page: s.PageIn, convert) -> dict:
    limit = min(page.limit, s.MAX_LIMIT)
    rows = list(queryset[page.offset : page.offset + limit])
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": page.offset,
        "items": convert(rows),
    }


def _shown_people(viewer, ids) -> set[int]:
    ids = {pk for pk in ids if pk}
    if not ids or not viewer_is_member(viewer):
        return set()
    return set(people_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))


def _person_url(pk: int, shown: set[int]) -> str | None:
    return reverse("organisations:person", args=[pk]) if pk in shown else None


# ------------------------------------------------------------------------------------- me


@api.get("/me", response={200: s.MeOut, **ERRORS}, tags=["people"])
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "display_name": user.display_name,
        "handle": user.handle,
        "preferred_language": user.preferred_language,
        "is_coordinator": user.is_network_coordinator,
        "is_translator": user.is_translator,
        "hide_membership": user.hide_membership,
        "url": user.get_absolute_url(),
    }


# ----------------------------------------------------------------------------- workgroups


def _workgroups_out(viewer, rows: list[Workgroup]) -> list[dict]:
    readable = set(
        workgroups.readable_workgroups(viewer)
        .filter(pk__in=[w.pk for w in rows])
        .values_list("pk", flat=True)
    )
    return [
        {
            "slug": w.slug,
            "name_ar": w.name_ar,
            "name_en": w.name_en,
            "description_ar": w.description_ar,
            "description_en": w.description_en,
            "visibility": w.visibility,
            "join_policy": w.join_policy,
            "member_count": w.member_count,
            "can_read": w.pk in readable,
            "url": w.get_absolute_url(),
        }
        for w in rows
    ]


@api.get("/workgroups", response={200: s.WorkgroupPage, **ERRORS}, tags=["workgroups"])
def workgroup_list(request, page: Query[s.PageIn]):
    viewer = request.auth
    return _page(
        workgroups.workgroups_visible_to(viewer), page, lambda rows: _workgroups_out(viewer, rows)
    )


def _visible_workgroup(viewer, slug: str) -> Workgroup:
    found = workgroups.workgroups_visible_to(viewer).filter(slug=slug).first()
    if found is None:
        raise _not_found()
    return found


def _readable_workgroup(viewer, slug: str) -> Workgroup:
    workgroup = _visible_workgroup(viewer, slug)
    if not workgroups.can_read(viewer, workgroup):
        raise HttpError(403, "Only the workgroup's members read its discussions.")
    return workgroup


@api.get("/workgroups/{slug}", response={200: s.WorkgroupOut, **ERRORS}, tags=["workgroups"])
def workgroup_detail(request, slug: Slug):
    viewer = request.auth
    return _workgroups_out(viewer, [_visible_workgroup(viewer, slug)])[0]


def _threads_out(workgroup: Workgroup, rows) -> list[dict]:
    return [
        {
            "id": t.pk,
            "subject": t.subject,
            "language": t.language,
            "started_by": t.started_by.display_name if t.started_by else None,
            "created": t.created,
            "last_activity": t.last_activity,
            "url": reverse("workgroups:thread", args=[workgroup.slug, t.pk]),
        }
        for t in rows
    ]


@api.get("/workgroups/{slug}/threads", response={200: s.ThreadPage, **ERRORS}, tags=["workgroups"])
def thread_list(request, slug: Slug, page: Query[s.PageIn]):
    viewer = request.auth
    workgroup = _readable_workgroup(viewer, slug)
    threads = workgroups.threads_visible_to(viewer, workgroup)
    return _page(threads, page, lambda rows: _threads_out(workgroup, rows))


def _author_of(post) -> str | None:
    """As the archive shows it (workgroups/_author.html)."""
    if post.author_id:
        return post.author.display_name
    return post.author_name or None


@api.get(
    "/workgroups/{slug}/threads/{thread_id}/messages",
    response={200: s.MessagePage, **ERRORS},
    tags=["workgroups"],
)
def message_list(request, slug: Slug, thread_id: Pk, page: Query[s.PageIn]):
    viewer = request.auth
    workgroup = _readable_workgroup(viewer, slug)
    if not workgroups.threads_visible_to(viewer, workgroup).filter(pk=thread_id).exists():
        raise _not_found()
    messages = (
        workgroups.archived_posts(viewer, workgroup)
        .filter(thread_id=thread_id)
        .select_related("author", "workgroup")
        .order_by("created", "pk")
    )

    def convert(rows):
        return [
            {
                "id": p.pk,
                "thread_id": p.thread_id,
                "parent_id": p.parent_id,
                "subject": p.subject,
                "body": p.body,
                "language": p.language,
                "author": _author_of(p),
                "created": p.created,
                "url": p.get_absolute_url(),
            }
            for p in rows
        ]

    return _page(messages, page, convert)


# --------------------------------------------------------------------------------- social


def _posts_out(viewer, rows) -> list[dict]:
    shown = _shown_people(viewer, [p.author_id for p in rows])
    return [
        {
            "id": p.pk,
            "kind": p.kind,
            "audience": p.audience,
            "audience_workgroup": p.audience_workgroup.slug if p.audience_workgroup_id else None,
            "title": p.title,
            "body": p.body,
            "language": p.language,
            "author": p.author.display_name,
            "author_url": _person_url(p.author_id, shown),
            "as_organisation": str(p.as_organisation) if p.as_organisation_id else None,
            "as_workgroup": p.as_workgroup.slug if p.as_workgroup_id else None,
            "published": p.published,
            "published_at": p.published_at,
            "edited": p.edited,
            "is_hidden": p.is_hidden,
            "url": p.get_absolute_url(),
        }
        for p in rows
    ]


def _related(posts):
    return posts.select_related("author", "as_organisation", "as_workgroup", "audience_workgroup")


@api.get("/posts", response={200: s.PostPage, **ERRORS}, tags=["social"])
def post_list(request, page: Query[s.PageIn]):
    """Every published post the person may see, newest first (hidden ones left out, except
    their own — as in every list of the site)."""
    viewer = request.auth
    posts = social.published_posts_visible_to(viewer).filter(Q(is_hidden=False) | Q(author=viewer))
    posts = _related(posts).order_by("-published_at", "-pk")
    return _page(posts, page, lambda rows: _posts_out(viewer, rows))


@api.get("/feed", response={200: s.PostPage, **ERRORS}, tags=["social"])
def feed(request, page: Query[s.PageIn]):
    """The person's feed, as on the feed page (followed people, organisations, workgroups)."""
    viewer = request.auth
    posts = _related(social.feed_posts(viewer)).order_by("-published_at", "-pk")
    return _page(posts, page, lambda rows: _posts_out(viewer, rows))


@api.get("/posts/{post_id}", response={200: s.PostDetailOut, **ERRORS}, tags=["social"])
def post_detail(request, post_id: Pk):
    viewer = request.auth
    post = _related(social.posts_visible_to(viewer)).filter(pk=post_id).first()
    if post is None:
        raise _not_found()
    out = _posts_out(viewer, [post])[0]
    comments = list(
        social.comments_shown_on(viewer, SocialPost.objects.filter(pk=post.pk))
        .select_related("author")
        .order_by("created", "pk")
    )
    shown = _shown_people(viewer, [c.author_id for c in comments])
    out["comments"] = [
        {
            "id": c.pk,
            "parent_id": c.parent_id,
            "body": c.body,
            "language": c.language,
            "author": c.author.display_name,
            "author_url": _person_url(c.author_id, shown),
            "created": c.created,
            "edited": c.edited,
            "is_hidden": c.is_hidden,
        }
        for c in comments
    ]
    return out


# ------------------------------------------------------------------------------ documents


@api.get("/documents", response={200: s.DocumentPage, **ERRORS}, tags=["documents"])
def document_list(request, page: Query[s.PageIn]):
    viewer = request.auth
    found = (
        documents.documents_visible_to(viewer)
        .prefetch_related("versions")
        .order_by("-updated", "-pk")
    )

    def convert(rows):
        shown = documents.shown_uploader_ids(viewer, {d.uploaded_by_id for d in rows})
        out = []
        for d in rows:
            version = d.versions.all()[0] if d.versions.all() else None
            out.append(
                {
                    "id": d.pk,
                    "title": d.title,
                    "description": d.description,
                    "category": d.category,
                    "language": d.language,
                    "audience": d.audience,
                    "workgroup": d.workgroup.slug if d.workgroup_id else None,
                    "uploaded_by": d.uploaded_by.display_name
                    if d.uploaded_by_id in shown
                    else None,
                    "created": d.created,
                    "updated": d.updated,
                    "filename": version.filename if version else None,
                    "size": version.size if version else None,
                    "url": d.get_absolute_url(),
                    "download_url": reverse("documents:download", args=[d.pk]) if version else None,
                }
            )
        return out

    return _page(found, page, convert)


# -------------------------------------------------------------------------- notifications


@api.get("/notifications", response={200: s.NotificationPage, **ERRORS}, tags=["notifications"])
def notification_list(request, page: Query[s.PageIn]):
    """The person's own notifications (nobody else's, whoever asks)."""
    viewer = request.auth

    def convert(rows):
        return [
            {
                "id": shown.notification.pk,
                "kind": shown.notification.kind,
                "text": html.unescape(strip_tags(shown.sentence)),
                "actor": shown.actor_name,
                "occurrences": shown.notification.occurrences,
                "created": shown.notification.created,
                "read": shown.notification.read_at is not None,
                "available": shown.available,
                "url": shown.target.get_absolute_url() if shown.available else None,
            }
            for shown in notifications.shown_to(viewer, rows)
        ]

    return _page(notifications.notifications_of(viewer), page, convert)


# --------------------------------------------------------------------------------- search


@api.get("/search", response={200: s.SearchOut, 400: s.ErrorOut, **ERRORS}, tags=["search"])
def search(
    request,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_LENGTH)],
    page: Annotated[int, Query(ge=1, le=search_selectors.MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_LIMIT)] = 20,
):
    """What the search page finds for the person, best first (pages of `limit`)."""
    if "\x00" in q:
        raise HttpError(400, "The query may not contain NUL characters.")
    results = search_selectors.search(request.auth, q, page=page, per_page=limit)
    return {
        "query": q,
        "page": results.page,
        "limit": limit,
        "has_next": results.has_next,
        "truncated": results.truncated,
        "items": [
            {
                "kind": item.kind_key,
                "title": html.unescape(strip_tags(item.title)),
                "snippet": html.unescape(strip_tags(item.snippet)),
                "url": item.url,
                "date": item.date,
            }
            for item in results.items
        ],
    }


# ----------------------------------------------------------------- campaigns and petitions


@api.get("/campaigns", response={200: s.CampaignPage, **ERRORS}, tags=["campaigns"])
def campaign_list(request, page: Query[s.PageIn]):
    """Published campaigns, with how many petitions and signatures (counts only, never who)."""

    def convert(rows):
        out = []
        for c in rows:
            linked = campaigns.petitions_for(c)
            out.append(
                {
                    "slug": c.slug,
                    "title_ar": c.title_ar,
                    "title_en": c.title_en,
                    "issue_ar": c.issue_ar,
                    "issue_en": c.issue_en,
                    "status": c.status,
                    "petitions": len(linked),
                    "signatures": sum(counts(p).total for p in linked),
                    "url": c.get_absolute_url(),
                }
            )
        return out

    found = campaigns.published_campaigns().order_by("-opened_at", "-pk")
    return _page(found, page, convert)


@api.get("/petitions", response={200: s.PetitionPage, **ERRORS}, tags=["campaigns"])
def petition_list(request, page: Query[s.PageIn]):
    """Public petitions with their counts (never their signers)."""

    def convert(rows):
        out = []
        for p in rows:
            tally = counts(p)
            out.append(
                {
                    "slug": p.slug,
                    "title_ar": p.title_ar,
                    "title_en": p.title_en,
                    "status": p.status,
                    "goal": next_goal(p.goal, tally.total),
                    "signatures": tally.total,
                    "online": tally.online,
                    "paper": tally.paper,
                    "url": p.get_absolute_url(),
                }
            )
        return out

    found = petitions.petitions_public().order_by("-opened_at", "-pk")
    return _page(found, page, convert)
