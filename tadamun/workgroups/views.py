"""Thin views: authenticate, authorise through workgroups.selectors, validate a form, call one
service, then render or redirect (POST → redirect → GET).

A workgroup `viewer` may not know about answers 404 everywhere (its pages, threads, archive,
attachments, mbox, search), so that a closed workgroup's existence is not revealed; a visible
workgroup where the action is not allowed answers 403.
"""

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import tadamun.documents.selectors as documents_selectors
from tadamun.core.charts import bar_chart
from tadamun.core.permissions import member_required
from tadamun.core.templatetags.bidi import ldate, num
from tadamun.core.uploads import safe_filename
from tadamun.core.view_helpers import add_service_errors, errors_text
from tadamun.lists.models import MailingList, Subscription, ThreadMute
from tadamun.workgroups import mbox, selectors, services
from tadamun.workgroups.forms import (
    DecisionForm,
    InviteForm,
    MailingListForm,
    ModerationForm,
    MuteForm,
    PageForm,
    ReplyForm,
    RoleForm,
    SearchForm,
    SubscriptionForm,
    ThreadForm,
)
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership

PER_PAGE = 20
POSTS_PER_PAGE = 50
# Shown inline by the browser only if these; anything else is downloaded as bytes (an HTML or
# SVG "attachment" would otherwise run script on our origin).
SAFE_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def _page_number(request) -> int:
    form = PageForm(request.GET)
    return (form.cleaned_data.get("page") if form.is_valid() else None) or 1


def _workgroup(request, slug: str) -> Workgroup:
    """The workgroup, if `request.user` may know about it; else 404."""
    return get_object_or_404(selectors.workgroups_visible_to(request.user), slug=slug)


def _readable_workgroup(request, slug: str) -> Workgroup:
    """The workgroup, if `request.user` may read its discussions; else 404 (nothing about a
    closed workgroup's content is revealed to those outside it)."""
    workgroup = _workgroup(request, slug)
    if not selectors.can_read(request.user, workgroup):
        raise Http404
    return workgroup


def _back(slug: str):
    return redirect("workgroups:workgroup", slug=slug)


# -------------------------------------------------------------------------------- workgroups


@member_required
def workgroup_list(request):
    workgroups = selectors.workgroups_visible_to(request.user).prefetch_related("themes")
    mine = dict(
        WorkgroupMembership.objects.filter(user=request.user).values_list("workgroup_id", "status")
    )
    rows = [(workgroup, mine.get(workgroup.pk)) for workgroup in workgroups]
    return render(request, "workgroups/workgroup_list.html", {"rows": rows})


@member_required
def workgroup(request, slug: str):
    workgroup = _workgroup(request, slug)
    membership = selectors.membership_of(request.user, workgroup)
    may_read = selectors.can_read(request.user, workgroup)
    threads = Paginator(selectors.threads_visible_to(request.user, workgroup), PER_PAGE)
    subscription = services.subscription_of(request.user, workgroup)
    return render(
        request,
        "workgroups/workgroup.html",
        {
            "workgroup": workgroup,
            "membership": membership,
            "may_read": may_read,
            "cannot_read": not may_read,
            "may_post": selectors.can_post(request.user, workgroup),
            "may_moderate": selectors.can_moderate(request.user, workgroup),
            "may_manage_members": selectors.can_manage_members(request.user, workgroup),
            "may_own": selectors.can_own(request.user, workgroup),
            "page": threads.get_page(_page_number(request)),
            "members": selectors.members_visible_to(request.user, workgroup),
            "held_count": selectors.held_posts(request.user, workgroup).count(),
            "documents": documents_selectors.documents_in_workgroup(request.user, workgroup)[:5]
            if may_read
            else [],
            "list_address": MailingList(workgroup=workgroup).address,
            "subscription": subscription,
            "subscription_form": SubscriptionForm(
                initial={"mode": subscription.mode if subscription else Subscription.Mode.NONE}
            ),
        },
    )


def _membership_action(request, slug: str, action, success: str):
    workgroup = _workgroup(request, slug)
    try:
        action(workgroup=workgroup, user=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, success)
    return _back(slug)


@require_POST
@member_required
def join(request, slug: str):
    return _membership_action(
        request, slug, services.workgroup_join, _("You joined the workgroup.")
    )


@require_POST
@member_required
def request_membership(request, slug: str):
    return _membership_action(
        request,
        slug,
        services.workgroup_request,
        _("Your request was sent to the workgroup's owners and moderators."),
    )


@require_POST
@member_required
def accept_invitation(request, slug: str):
    return _membership_action(
        request, slug, services.workgroup_invite_accept, _("You joined the workgroup.")
    )


@require_POST
@member_required
def decline_invitation(request, slug: str):
    return _membership_action(
        request, slug, services.workgroup_invite_decline, _("You declined the invitation.")
    )


@require_POST
@member_required
def leave(request, slug: str):
    return _membership_action(
        request,
        slug,
        services.workgroup_leave,
        _("You left the workgroup; you will receive no more of its mail."),
    )


@require_POST
@member_required
def subscription(request, slug: str):
    workgroup = _workgroup(request, slug)
    if not selectors.can_post(request.user, workgroup):
        raise PermissionDenied
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid delivery mode."))
    else:
        services.subscription_set_mode(
            workgroup=workgroup, user=request.user, mode=form.cleaned_data["mode"]
        )
        messages.success(request, _("Your delivery settings were saved."))
    return _back(slug)


# -------------------------------------------------------------------------------- threads


def _nest(posts: list[Post]) -> list[tuple[Post, list[Post]]]:
    """Posts in time order, replies nested one level: a reply to the first post (or to a post
    that is not shown) starts a branch; deeper replies join their branch, each showing whom
    it answers."""
    if not posts:
        return []
    by_pk = {post.pk: post for post in posts}
    first = posts[0]
    branches: dict[int, list[Post]] = {}
    order: list[Post] = []
    branch_of: dict[int, int] = {}
    for post in posts:
        parent = by_pk.get(post.parent_id)
        if post is first or parent is None or parent is first:
            order.append(post)
            branches[post.pk] = []
            branch_of[post.pk] = post.pk
        else:
            root = branch_of.get(parent.pk, parent.pk)
            branch_of[post.pk] = root
            branches.setdefault(root, []).append(post)
    return [(post, branches[post.pk]) for post in order]


def _reply_to(request) -> int | None:
    value = request.GET.get("reply", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@member_required
def thread(request, slug: str, pk: int):
    workgroup = _readable_workgroup(request, slug)
    thread = get_object_or_404(selectors.threads_visible_to(request.user, workgroup), pk=pk)
    posts = list(
        selectors.posts_visible_to(request.user, workgroup)
        .filter(thread=thread)
        .select_related("parent")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )
    return render(
        request,
        "workgroups/thread.html",
        {
            "workgroup": workgroup,
            "thread": thread,
            "nested": _nest(posts),
            "may_post": selectors.can_post(request.user, workgroup),
            "may_moderate": selectors.can_moderate(request.user, workgroup),
            "muted": ThreadMute.objects.filter(user=request.user, thread=thread).exists(),
            "form": ReplyForm(initial={"parent": _reply_to(request)}),
        },
    )


@member_required
def thread_new(request, slug: str):
    workgroup = _readable_workgroup(request, slug)
    if not selectors.can_post(request.user, workgroup):
        raise PermissionDenied
    if request.method == "POST":
        form = ThreadForm(request.POST)
        if form.is_valid():
            try:
                post = services.post_from_web(
                    workgroup=workgroup,
                    author=request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_post(request, post)
    else:
        form = ThreadForm()
    return render(
        request,
        "workgroups/thread_new.html",
        {"workgroup": workgroup, "form": form},
        status=400 if form.errors else 200,
    )


def _after_post(request, post: Post):
    if post.status == Post.Status.HELD:
        messages.info(
            request,
            _("Your message waits for a moderator's approval (emergency moderation is on)."),
        )
        return redirect("workgroups:workgroup", slug=post.workgroup.slug)
    messages.success(request, _("Your message was posted."))
    return redirect("workgroups:thread", slug=post.workgroup.slug, pk=post.thread_id)


@require_POST
@member_required
def reply(request, slug: str, pk: int):
    workgroup = _readable_workgroup(request, slug)
    thread = get_object_or_404(selectors.threads_visible_to(request.user, workgroup), pk=pk)
    if not selectors.can_post(request.user, workgroup):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        published = selectors.archived_posts(request.user, workgroup).filter(thread=thread)
        if parent_pk := form.cleaned_data.get("parent"):
            parent = published.filter(pk=parent_pk).first()
            if parent is None:
                form.add_error(None, _("The message you reply to is not in this thread."))
        else:
            parent = published.order_by("-created", "-pk").first()
            if parent is None:
                form.add_error(None, _("This thread has no published message to reply to."))
    if form.is_valid():
        try:
            post = services.post_from_web(
                workgroup=workgroup,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_post(request, post)
    posts = list(
        selectors.posts_visible_to(request.user, workgroup)
        .filter(thread=thread)
        .select_related("parent")
        .prefetch_related("attachments")
    )
    return render(
        request,
        "workgroups/thread.html",
        {
            "workgroup": workgroup,
            "thread": thread,
            "nested": _nest(posts),
            "may_post": True,
            "may_moderate": selectors.can_moderate(request.user, workgroup),
            "muted": ThreadMute.objects.filter(user=request.user, thread=thread).exists(),
            "form": form,
        },
        status=400,
    )


@require_POST
@member_required
def mute(request, slug: str, pk: int):
    workgroup = _readable_workgroup(request, slug)
    thread = get_object_or_404(selectors.threads_visible_to(request.user, workgroup), pk=pk)
    form = MuteForm(request.POST)
    muted = form.is_valid() and form.cleaned_data["muted"]
    services.thread_mute(thread=thread, user=request.user, muted=muted)
    if muted:
        messages.success(request, _("You will receive no more mail from this thread."))
    else:
        messages.success(request, _("You will receive this thread's mail again."))
    return redirect("workgroups:thread", slug=slug, pk=pk)


# ------------------------------------------------------------------------------ moderation


@member_required
def moderation(request, slug: str):
    workgroup = _workgroup(request, slug)
    if not selectors.can_moderate(request.user, workgroup):
        raise PermissionDenied
    page = Paginator(selectors.held_posts(request.user, workgroup), PER_PAGE)
    return render(
        request,
        "workgroups/moderation.html",
        {
            "workgroup": workgroup,
            "page": page.get_page(_page_number(request)),
            "actions": services.ModerationAction.choices,
        },
    )


@require_POST
@member_required
def moderate(request, slug: str, pk: int):
    workgroup = _workgroup(request, slug)
    if not selectors.can_moderate(request.user, workgroup):
        raise PermissionDenied
    post = get_object_or_404(selectors.held_posts(request.user, workgroup), pk=pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the message."))
        return redirect("workgroups:moderation", slug=slug)
    try:
        services.post_moderate(
            post=post,
            by=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, _("The message was dealt with."))
    return redirect("workgroups:moderation", slug=slug)


# --------------------------------------------------------------------------------- archive


def _month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    if not (1990 <= year <= 2200 and 1 <= month <= 12):
        raise Http404
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    days = calendar.monthrange(year, month)[1]
    return start, start + datetime.timedelta(days=days)


@member_required
def archive(request, slug: str):
    workgroup = _readable_workgroup(request, slug)
    months = selectors.archive_months(request.user, workgroup)
    return render(
        request,
        "workgroups/archive.html",
        {
            "workgroup": workgroup,
            "months": months,
            "activity_chart": _activity_chart(months),
            "search_form": SearchForm(),
        },
    )


def _short_month(first: datetime.date) -> str:
    """Under a bar: "Nov" in English; Iraqi month names are long (تشرين الثاني), so Arabic
    shows the month's number (١١), the full name being in the chart's description."""
    if translation.get_language_bidi():
        return ldate(first, "M/yy")
    return ldate(first, "LLL")


def _activity_chart(months: list[dict], *, span: int = 12):
    """Messages per month over the last `span` months of the archive, drawn on the server."""
    if not months:
        return ""
    per_month = {(row["month"].year, row["month"].month): row["posts"] for row in months}
    newest = max(per_month)
    points = []
    for back in range(span - 1, -1, -1):
        year, month = divmod(newest[0] * 12 + newest[1] - 1 - back, 12)
        first = datetime.date(year, month + 1, 1)
        points.append(
            (_short_month(first), ldate(first, "LLLL y"), per_month.get((year, month + 1), 0))
        )
    return bar_chart(points, title=_("Messages per month"), chart_id="activity", value_text=num)


@member_required
def archive_month(request, slug: str, year: int, month: int):
    workgroup = _readable_workgroup(request, slug)
    start, end = _month_bounds(year, month)
    threads = selectors.threads_of_month(request.user, workgroup, start=start, end=end)
    return render(
        request,
        "workgroups/archive_month.html",
        {
            "workgroup": workgroup,
            "month": start,
            "year": year,
            "month_number": month,
            "page": Paginator(threads, PER_PAGE).get_page(_page_number(request)),
        },
    )


@member_required
def search(request, slug: str):
    workgroup = _readable_workgroup(request, slug)
    form = SearchForm(request.GET)
    page, query = None, ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        results = selectors.search_posts(request.user, workgroup, query)
        page = Paginator(results, PER_PAGE).get_page(form.cleaned_data.get("page") or 1)
    get = request.GET.copy()
    get.pop("page", None)
    return render(
        request,
        "workgroups/search.html",
        {"workgroup": workgroup, "form": form, "page": page, "q": query, "query": get.urlencode()},
        status=200 if form.is_valid() else 400,
    )


@member_required
def attachment(request, slug: str, pk: int):
    workgroup = _readable_workgroup(request, slug)
    found = selectors.attachment_for(request.user, workgroup, pk)
    if found is None:
        raise Http404
    content_type = found.content_type.split(";")[0].strip().lower()
    if content_type not in SAFE_INLINE_TYPES:
        content_type = "application/octet-stream"
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        # Names stored before they were cleaned at upload may hold bidi controls.
        filename=safe_filename(found.filename, default="attachment"),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _mbox_response(request, workgroup: Workgroup, posts, filename: str):
    response = StreamingHttpResponse(mbox.stream(workgroup, posts), content_type="application/mbox")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def archive_mbox(request, slug: str):
    workgroup = _readable_workgroup(request, slug)
    posts = selectors.archived_posts(request.user, workgroup)
    return _mbox_response(request, workgroup, posts, f"{workgroup.slug}.mbox")


@member_required
def archive_month_mbox(request, slug: str, year: int, month: int):
    workgroup = _readable_workgroup(request, slug)
    start, end = _month_bounds(year, month)
    posts = selectors.archived_posts(request.user, workgroup).filter(
        created__gte=start, created__lt=end
    )
    return _mbox_response(
        request, workgroup, posts, f"{workgroup.slug}-{year:04d}-{month:02d}.mbox"
    )


# ---------------------------------------------------------------------- members and settings


@member_required
def members(request, slug: str):
    workgroup = _workgroup(request, slug)
    if not selectors.can_manage_members(request.user, workgroup):
        raise PermissionDenied
    people = selectors.people_invitable_by(request.user, workgroup)
    if request.method == "POST":
        form = InviteForm(request.POST, people=people)
        if form.is_valid():
            try:
                services.workgroup_invite(workgroup=workgroup, by=request.user, person=form.person)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The invitation was sent."))
                return redirect("workgroups:members", slug=slug)
    else:
        form = InviteForm(people=people)
    return render(
        request,
        "workgroups/members.html",
        {
            "workgroup": workgroup,
            "form": form,
            "members": selectors.members_visible_to(request.user, workgroup),
            "pending": selectors.pending_memberships(request.user, workgroup),
            "may_own": selectors.can_own(request.user, workgroup),
            "may_moderate": selectors.can_moderate(request.user, workgroup),
            "may_manage_members": True,
            "cannot_read": not selectors.can_read(request.user, workgroup),
            "role_choices": WorkgroupMembership.Role.choices,
        },
        status=400 if form.errors else 200,
    )


def _membership_for_moderator(request, slug: str, pk: int, *, owners_only: bool = False):
    workgroup = _workgroup(request, slug)
    allowed = (selectors.can_own if owners_only else selectors.can_manage_members)(
        request.user, workgroup
    )
    if not allowed:
        raise PermissionDenied
    visible = selectors.members_visible_to(request.user, workgroup) | selectors.pending_memberships(
        request.user, workgroup
    )
    return get_object_or_404(visible, pk=pk)


@require_POST
@member_required
def membership_decide(request, slug: str, pk: int):
    membership = _membership_for_moderator(request, slug, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
        return redirect("workgroups:members", slug=slug)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        if approve:
            services.membership_approve(membership=membership, by=request.user)
        else:
            services.membership_decline(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(
            request, _("The request was approved.") if approve else _("The request was declined.")
        )
    return redirect("workgroups:members", slug=slug)


@require_POST
@member_required
def membership_role(request, slug: str, pk: int):
    membership = _membership_for_moderator(request, slug, pk, owners_only=True)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_set_role(
                membership=membership, by=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, errors_text(error))
        else:
            messages.success(request, _("The role was changed."))
    return redirect("workgroups:members", slug=slug)


@require_POST
@member_required
def membership_remove(request, slug: str, pk: int):
    membership = _membership_for_moderator(request, slug, pk, owners_only=True)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, _("The member was removed from the workgroup."))
    return redirect("workgroups:members", slug=slug)


@member_required
def list_settings(request, slug: str):
    workgroup = _workgroup(request, slug)
    if not selectors.can_own(request.user, workgroup):
        raise PermissionDenied
    current = MailingList.objects.filter(workgroup=workgroup).first() or MailingList(
        workgroup=workgroup
    )
    if request.method == "POST":
        form = MailingListForm(request.POST, instance=MailingList(workgroup=workgroup))
        if form.is_valid():
            data = {field: form.cleaned_data[field] for field in MailingListForm.Meta.fields}
            try:
                services.mailing_list_update(workgroup=workgroup, by=request.user, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The list's settings were saved."))
                return redirect("workgroups:list_settings", slug=slug)
    else:
        form = MailingListForm(instance=current)
    return render(
        request,
        "workgroups/list_settings.html",
        {
            "workgroup": workgroup,
            "form": form,
            "list_address": current.address,
            "may_own": True,
            "may_moderate": selectors.can_moderate(request.user, workgroup),
            "may_manage_members": selectors.can_manage_members(request.user, workgroup),
            "cannot_read": not selectors.can_read(request.user, workgroup),
        },
        status=400 if form.errors else 200,
    )
