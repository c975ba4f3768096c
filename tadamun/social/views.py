"""Thin views: authenticate, find the item through social.selectors (so that what one may not
see answers 404 — or the sign-in page for someone not signed in), validate a form, call one
service, then render or redirect (POST → redirect → GET). htmx only enhances: the feed appends
older posts and reactions update in place; everything works with plain forms and links.
"""

from __future__ import annotations

import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tadamun.core.permissions import member_required
from tadamun.core.templatetags.bidi import pick
from tadamun.core.uploads import download_response, image_response
from tadamun.core.view_helpers import add_service_errors, safe_next
from tadamun.social import selectors, services
from tadamun.social.forms import (
    CommentEditForm,
    CommentForm,
    ComposeForm,
    FeedFilterForm,
    PostTextForm,
    ReactionForm,
)
from tadamun.social.models import Comment, Post

PAGE_SIZE = 20
NEWS_PAGE_SIZE = 20
ATOM_ITEMS = 30


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


class _LoginRequired(Exception):
    """Raised for someone not signed in who asks for a post they may not see."""


def _login_or_404(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path())

    return wrapped


def _visible_post(request, pk: int, *, relations: bool = False) -> Post:
    """The post, if `request.user` may see it. Otherwise 404 — or, for someone not signed
    in, the sign-in page (the same answer whether the post exists or not)."""
    posts = selectors.posts_visible_to(request.user)
    if relations:
        posts = selectors.with_relations(posts)
    post = posts.filter(pk=pk).first()
    if post is None:
        if not request.user.is_authenticated:
            raise _LoginRequired
        raise Http404
    return post


# ----------------------------------------------------------------------------------- feed


def _compose_options(user) -> dict:
    organisations, workgroups = selectors.speaking_options(user)
    return {
        "organisations": organisations,
        "workgroups": workgroups,
        "audience_groups": selectors.audience_workgroup_options(user),
    }


def _compose_initial(request) -> dict:
    """A link may preset the form: `?audience=workgroup:<pk>&as=workgroup:<pk>&kind=…`
    (a workgroup's page links here so that its posts go to the workgroup by default)."""
    initial = {}
    for field, parameter in (("audience", "audience"), ("speaking_as", "as"), ("kind", "kind")):
        value = request.GET.get(parameter, "")
        if value and len(value) < 40:
            initial[field] = value
    if initial.get("speaking_as", "").startswith("workgroup:") and "audience" not in initial:
        initial["audience"] = initial["speaking_as"]
    return initial


def _filtered(posts, filters: FeedFilterForm, model=Post):
    data = filters.cleaned_data if filters.is_valid() else {}
    if kind := data.get("kind"):
        posts = posts.filter(kind=kind)
    if language := data.get("language"):
        posts = selectors.filter_language(posts, model, language)
    return posts, data.get("before", "")


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("before", None)
    return query.urlencode()


@member_required
def feed(request):
    filters = FeedFilterForm(request.GET)
    posts, before = _filtered(selectors.feed_posts(request.user), filters)
    page = selectors.page_of(selectors.with_relations(posts), before=before, size=PAGE_SIZE)
    context = {
        "filters": filters,
        "cards": selectors.post_cards(request.user, page.posts, _language()),
        "next_cursor": page.next_cursor,
        "query": _query_without_cursor(request),
        "is_first_page": not before,
    }
    if _is_htmx(request) and before:
        response = render(request, "social/feed.html#items", context)
    else:
        context["form"] = ComposeForm(
            initial=_compose_initial(request), **_compose_options(request.user)
        )
        context["drafts"] = list(selectors.drafts_of(request.user)[:10]) if not before else []
        response = render(request, "social/feed.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@member_required
def compose(request):
    options = _compose_options(request.user)
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, **options)
        if form.is_valid():
            try:
                post = services.post_create(author=request.user, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if post.published:
                    messages.success(request, _("Your post is published."))
                    default = post.get_absolute_url()
                    return redirect(
                        safe_next(request, default) if not post.is_statement else default
                    )
                messages.info(
                    request,
                    _(
                        "Your statement is saved as a draft. It is published once it exists "
                        "in both Arabic and English: add the translation, then publish it."
                    ),
                )
                return redirect(post.get_absolute_url())
    else:
        form = ComposeForm(initial=_compose_initial(request), **options)
    return render(
        request,
        "social/compose.html",
        {"form": form, "next": safe_next(request, "")},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------------------- a post


def _post_page(request, post: Post, *, comment_form=None, status: int = 200):
    language = _language()
    card = selectors.post_cards(request.user, [post], language)[0]
    may_take_part = selectors.can_take_part(request.user, post)
    reply_to = request.GET.get("reply", "")
    if comment_form is None:
        comment_form = CommentForm(
            initial={"parent": int(reply_to) if reply_to.isdigit() and len(reply_to) < 19 else None}
        )
    return render(
        request,
        "social/post.html",
        {
            "post": post,
            "card": card,
            "comments": selectors.comment_cards(
                request.user, post, language, may_take_part=may_take_part
            ),
            "may_take_part": may_take_part,
            "may_edit": card.can_edit,
            "comment_form": comment_form,
            "revision_count": post.revisions.count() if post.edited else 0,
        },
        status=status,
    )


@_login_or_404
def post_detail(request, pk: int):
    post = _visible_post(request, pk, relations=True)
    return _post_page(request, post)


@_login_or_404
def history(request, pk: int):
    post = _visible_post(request, pk)
    return render(
        request,
        "social/history.html",
        {"post": post, "revisions": post.revisions.select_related("editor")},
    )


@member_required
def post_edit(request, pk: int):
    post = get_object_or_404(selectors.posts_visible_to(request.user), pk=pk)
    if not selectors.can_edit(request.user, post):
        raise PermissionDenied
    if request.method == "POST":
        form = PostTextForm(request.POST)
        if form.is_valid():
            try:
                services.post_edit(
                    post=post,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(post.get_absolute_url())
    else:
        form = PostTextForm(
            initial={"title": post.title, "body": post.body, "language": post.language}
        )
    return render(
        request,
        "social/post_edit.html",
        {"post": post, "form": form},
        status=400 if form.errors else 200,
    )


@member_required
def post_delete(request, pk: int):
    post = get_object_or_404(selectors.posts_visible_to(request.user), pk=pk)
    if not selectors.can_edit(request.user, post):
        raise PermissionDenied
    if request.method == "POST":
        services.post_delete(post=post, by=request.user)
        messages.success(request, _("The post is deleted, with its comments and files."))
        return redirect("social:feed")
    return render(request, "social/post_delete.html", {"post": post})


@require_POST
@member_required
def publish(request, pk: int):
    post = get_object_or_404(selectors.posts_visible_to(request.user), pk=pk)
    if not selectors.can_edit(request.user, post):
        raise PermissionDenied
    try:
        services.post_publish(post=post, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The statement is published."))
    return redirect(post.get_absolute_url())


def image(request, post_pk: int, pk: int):
    found = selectors.image_for(request.user, post_pk, pk)
    if found is None:
        raise Http404
    return image_response(found.file, content_type=found.content_type)


def image_small(request, post_pk: int, pk: int):
    found = selectors.image_for(request.user, post_pk, pk)
    if found is None:
        raise Http404
    return image_response(found.small, content_type=found.small_content_type)


def attachment(request, post_pk: int, pk: int):
    found = selectors.attachment_for(request.user, post_pk, pk)
    if found is None:
        raise Http404
    return download_response(found.file, filename=found.filename, content_type=found.content_type)


# ------------------------------------------------------------------------------- comments


@require_POST
@member_required
def comment(request, pk: int):
    post = get_object_or_404(
        selectors.with_relations(selectors.posts_visible_to(request.user)), pk=pk
    )
    if not selectors.can_take_part(request.user, post):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if parent_pk := form.cleaned_data.get("parent"):
            parent = Comment.objects.filter(pk=parent_pk, post=post).first()
            if parent is None:
                form.add_error(None, _("The comment you reply to is not on this post."))
    if form.is_valid():
        try:
            made = services.comment_create(
                post=post, author=request.user, body=form.cleaned_data["body"], parent=parent
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(made.get_absolute_url())
    return _post_page(request, post, comment_form=form, status=400)


def _own_comment(request, pk: int) -> Comment:
    return get_object_or_404(
        selectors.comments_visible_to(request.user).select_related("post"), pk=pk
    )


@member_required
def comment_edit(request, pk: int):
    found = _own_comment(request, pk)
    if not selectors.can_edit_comment(request.user, found):
        raise PermissionDenied
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_edit(
                    comment=found, by=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(found.get_absolute_url())
    else:
        form = CommentEditForm(initial={"body": found.body})
    return render(
        request,
        "social/comment_edit.html",
        {"comment": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def comment_delete(request, pk: int):
    found = _own_comment(request, pk)
    if not selectors.can_delete_comment(request.user, found):
        raise PermissionDenied
    services.comment_delete(comment=found, by=request.user)
    messages.success(request, _("The comment is deleted."))
    return redirect(found.post.get_absolute_url() + "#comments")


# ------------------------------------------------------------------------------ reactions


def _reaction_response(request, *, post=None, comment=None, default: str):
    if not _is_htmx(request):
        return redirect(safe_next(request, default))
    target = post or comment
    counts = selectors.reaction_counts_for(request.user, post=post, comment=comment)
    response = render(
        request,
        "social/_reactions.html",
        {
            "reactions": counts,
            "react_url": reverse(
                "social:react_post" if post else "social:react_comment", args=[target.pk]
            ),
            "can_react": True,
            "next": safe_next(request, default),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _toggle(request, *, post=None, comment=None, default: str):
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered reactions."))
        return redirect(default)
    services.reaction_toggle(
        user=request.user, kind=form.cleaned_data["kind"], post=post, comment=comment
    )
    return _reaction_response(request, post=post, comment=comment, default=default)


@require_POST
@member_required
def react_post(request, pk: int):
    post = get_object_or_404(selectors.posts_visible_to(request.user), pk=pk)
    if not selectors.can_take_part(request.user, post):
        raise PermissionDenied
    return _toggle(request, post=post, default=post.get_absolute_url())


@require_POST
@member_required
def react_comment(request, pk: int):
    found = get_object_or_404(
        selectors.comments_visible_to(request.user).select_related("post"), pk=pk
    )
    if found.is_hidden or not selectors.can_take_part(request.user, found.post):
        raise PermissionDenied
    return _toggle(request, comment=found, default=found.get_absolute_url())


# -------------------------------------------------------------------------------- follows

FOLLOWABLE = {
    "person": selectors.followable_person,
    "organisation": selectors.followable_organisation,
    "workgroup": selectors.followable_workgroup,
}


def _follow_target(request, kind: str, pk: int) -> dict:
    find = FOLLOWABLE.get(kind)
    target = find(request.user, pk) if find else None
    if target is None:
        raise Http404
    return {kind: target}


def _target_url(kind: str, target) -> str:
    if kind == "person":
        return reverse("organisations:person", args=[target.pk])
    if kind == "organisation":
        return reverse("organisations:organisation", args=[target.slug])
    return reverse("workgroups:workgroup", args=[target.slug])


@require_POST
@member_required
def follow(request, kind: str, pk: int):
    target = _follow_target(request, kind, pk)
    try:
        services.follow(follower=request.user, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You follow it now: its new posts appear in your feed."))
    return redirect(safe_next(request, _target_url(kind, target[kind])))


@require_POST
@member_required
def unfollow(request, kind: str, pk: int):
    target = _follow_target(request, kind, pk)
    services.unfollow(follower=request.user, **target)
    messages.success(request, _("You no longer follow it."))
    return redirect(safe_next(request, _target_url(kind, target[kind])))


# ----------------------------------------------------------------------------------- news


def news(request):
    """Public: published public posts and statements, for everyone, signed in or not."""
    filters = FeedFilterForm(request.GET)
    posts, before = _filtered(selectors.news_posts(), filters)
    page = selectors.page_of(selectors.with_relations(posts), before=before, size=NEWS_PAGE_SIZE)
    context = {
        "filters": filters,
        "cards": selectors.post_cards(request.user, page.posts, _language()),
        "next_cursor": page.next_cursor,
        "query": _query_without_cursor(request),
        "is_first_page": not before,
    }
    template = "social/news.html#items" if _is_htmx(request) and before else "social/news.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


RELATIVE_LINK = re.compile(r'(href|src)="/')


class NewsAtomFeed(Feed):
    """The news page as Atom (RFC 4287), in the language of the address (/ar/ or /en/): each
    entry's title and summary are shown translated when a translation exists. Built for an
    anonymous reader: only public posts, whoever asks."""

    feed_type = Atom1Feed

    def title(self):
        network = settings.NETWORK_NAME.get(_language(), settings.NETWORK_NAME["en"])
        return f"{network} — {_('News and statements')}"

    def subtitle(self):
        return settings.NETWORK_DESCRIPTION.get(_language(), settings.NETWORK_DESCRIPTION["en"])

    def link(self):
        return reverse("social:news")

    def feed_url(self):
        return reverse("social:news_atom")

    def items(self):
        posts = selectors.with_relations(selectors.news_posts()).order_by("-published_at", "-pk")
        return selectors.post_cards(None, posts[:ATOM_ITEMS], _language())

    def item_title(self, card):
        return selectors.plain_title(card.title, card.loc.text.get("body", ""))

    def item_description(self, card):
        return RELATIVE_LINK.sub(rf'\1="{settings.SITE_URL}/', str(card.body_html))

    def item_link(self, card):
        return card.item.get_absolute_url()

    def item_guid(self, card):
        return f"{settings.SITE_URL}/posts/{card.item.pk}"

    def item_guid_is_permalink(self, card):
        return False

    def item_pubdate(self, card):
        return card.item.published_at

    def item_updateddate(self, card):
        return card.item.edited or card.item.published_at

    def item_author_name(self, card):
        post = card.item
        if post.as_organisation_id:
            return pick(post.as_organisation, "name")
        if post.as_workgroup_id:
            return pick(post.as_workgroup, "name")
        return post.author.display_name if post.author_id else ""  # a deleted account's

    def item_categories(self, card):
        return [str(card.item.get_kind_display())]


news_atom = NewsAtomFeed()
