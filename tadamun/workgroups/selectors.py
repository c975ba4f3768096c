"""Who may see and do what in workgroups: decided here and nowhere else.

Pages, the archive, search, mbox exports, attachment downloads and e-mail all read through
these functions.

- Network members see OPEN workgroups, and CLOSED ones they belong to (or are invited to);
  coordinators see all; anyone else (anonymous, applicants, suspended people) sees none.
- A workgroup's discussions are read by whoever may see an OPEN workgroup, and in a CLOSED one
  only by its active members: not even coordinators read a closed group's discussions, its
  archive, attachments or held posts unless they belong to it (they still see that it exists,
  its members and its settings, to look after it).
- Only published posts are shown; held posts only to the workgroup's moderators.
- Hidden people (User.hide_membership) are listed only to coordinators and to themselves.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from tadamun.accounts.selectors import shown_people_q as _shown_people_q
from tadamun.accounts.selectors import viewer_is_coordinator as _is_coordinator
from tadamun.accounts.selectors import viewer_is_member as _is_member
from tadamun.lockdown.selectors import locked_workgroup_ids, workgroup_locked
from tadamun.workgroups.models import Attachment, Post, Thread, Workgroup, WorkgroupMembership

User = get_user_model()
Role = WorkgroupMembership.Role
Status = WorkgroupMembership.Status


def membership_of(viewer, workgroup: Workgroup) -> WorkgroupMembership | None:
    """`viewer`'s membership row in `workgroup` (any status), or None."""
    if not _is_member(viewer):
        return None
    return WorkgroupMembership.objects.filter(workgroup=workgroup, user=viewer).first()


def _active_role(viewer, workgroup: Workgroup) -> str | None:
    membership = membership_of(viewer, workgroup)
    if membership is None or membership.status != Status.ACTIVE:
        return None
    return membership.role


def workgroups_visible_to(viewer) -> QuerySet[Workgroup]:
    """The workgroups `viewer` may know about, each with `member_count` (the active members
    `viewer` may see listed)."""
    if not _is_member(viewer):
        return Workgroup.objects.none()
    workgroups = Workgroup.objects.all()
    if not _is_coordinator(viewer):
        # A locked-down workgroup is hidden from all but the coordinators (tadamun.lockdown).
        workgroups = workgroups.exclude(pk__in=locked_workgroup_ids())
        mine = WorkgroupMembership.objects.filter(
            workgroup=OuterRef("pk"), user=viewer, status__in=[Status.ACTIVE, Status.INVITED]
        )
        workgroups = workgroups.filter(Q(visibility=Workgroup.Visibility.OPEN) | Exists(mine))
    shown = Q(memberships__status=Status.ACTIVE) & _shown_people_q(viewer, "memberships__user__")
    return workgroups.annotate(member_count=Count("memberships", filter=shown)).order_by("slug")


def can_read(viewer, workgroup: Workgroup) -> bool:
    """May `viewer` read the discussions, archive, attachments and mbox of `workgroup`?"""
    if not _is_member(viewer):
        return False
    if workgroup_locked(workgroup.pk) and not _is_coordinator(viewer):
        return False
    if workgroup.visibility == Workgroup.Visibility.OPEN:
        return True
    return _active_role(viewer, workgroup) is not None


def can_post(viewer, workgroup: Workgroup) -> bool:
    """Active members of the workgroup start threads and reply (not during a lockdown)."""
    if workgroup_locked(workgroup.pk):
        return False
    return _is_member(viewer) and _active_role(viewer, workgroup) is not None


def can_moderate(viewer, workgroup: Workgroup) -> bool:
    """Owners, moderators and coordinators decide on held posts and membership requests —
    coordinators only where they may read (held posts are content)."""
    if not _is_member(viewer):
        return False
    if _is_coordinator(viewer) and can_read(viewer, workgroup):
        return True
    return _active_role(viewer, workgroup) in {Role.OWNER, Role.MODERATOR}


def can_manage_members(viewer, workgroup: Workgroup) -> bool:
    """Owners, moderators and coordinators decide on requests, invite and remove members —
    coordinators in closed workgroups too: membership is not the discussions."""
    if not _is_member(viewer):
        return False
    if _is_coordinator(viewer):
        return True
    return _active_role(viewer, workgroup) in {Role.OWNER, Role.MODERATOR}


def can_own(viewer, workgroup: Workgroup) -> bool:
    """Owners and coordinators change roles and the list's settings."""
    if not _is_member(viewer):
        return False
    if _is_coordinator(viewer):
        return True
    return _active_role(viewer, workgroup) == Role.OWNER


# ------------------------------------------------------------------------------ discussions


def _post_statuses(viewer, workgroup: Workgroup) -> list[str]:
    if can_moderate(viewer, workgroup):
        return [Post.Status.PUBLISHED, Post.Status.HELD]
    return [Post.Status.PUBLISHED]


def posts_visible_to(viewer, workgroup: Workgroup) -> QuerySet[Post]:
    """Posts of `workgroup` that `viewer` may read: published ones, and held ones for its
    moderators. None when `viewer` may not read the workgroup."""
    if not can_read(viewer, workgroup):
        return Post.objects.none()
    return Post.objects.filter(
        workgroup=workgroup, status__in=_post_statuses(viewer, workgroup)
    ).select_related("author")


def readable_workgroups(viewer) -> QuerySet[Workgroup]:
    """`can_read` as a queryset: every OPEN workgroup for members, and the CLOSED ones where
    `viewer` is an active member (coordinators get no exception); none for anyone else."""
    if not _is_member(viewer):
        return Workgroup.objects.none()
    active = WorkgroupMembership.objects.filter(
        workgroup=OuterRef("pk"), user=viewer, status=Status.ACTIVE
    )
    readable = Workgroup.objects.filter(Q(visibility=Workgroup.Visibility.OPEN) | Exists(active))
    if _is_coordinator(viewer):
        return readable
    return readable.exclude(pk__in=locked_workgroup_ids())


def discussion_posts_visible_to(viewer) -> QuerySet[Post]:
    """The published posts of every workgroup `viewer` may read, in one query: what
    `archived_posts` gives per workgroup (held posts are left out here, for everyone — they are
    read in the moderation queue). The content registry's selector (search, notifications)."""
    if not _is_member(viewer):
        return Post.objects.none()
    return Post.objects.filter(
        status=Post.Status.PUBLISHED, workgroup__in=readable_workgroups(viewer).values("pk")
    )


def archived_posts(viewer, workgroup: Workgroup) -> QuerySet[Post]:
    """Published posts only: the archive, search, mbox export (never held posts, for anyone)."""
    if not can_read(viewer, workgroup):
        return Post.objects.none()
    return Post.objects.filter(workgroup=workgroup, status=Post.Status.PUBLISHED)


def recent_threads_of_my_workgroups(viewer, *, limit: int = 8) -> QuerySet[Thread]:
    """For the home page: the latest discussions with a published post in the workgroups
    `viewer` is an active member of (so they may read them, closed ones included)."""
    if not _is_member(viewer):
        return Thread.objects.none()
    mine = (
        WorkgroupMembership.objects.filter(user=viewer, status=Status.ACTIVE)
        .exclude(workgroup_id__in=locked_workgroup_ids())  # hidden during a lockdown
        .values("workgroup_id")
    )
    published = Post.objects.filter(thread=OuterRef("pk"), status=Post.Status.PUBLISHED)
    return (
        Thread.objects.filter(workgroup_id__in=mine)
        .filter(Exists(published))
        .select_related("workgroup")
        .order_by("-last_activity", "-pk")[:limit]
    )


def threads_visible_to(viewer, workgroup: Workgroup) -> QuerySet[Thread]:
    """Threads with at least one post `viewer` may read, newest activity first."""
    if not can_read(viewer, workgroup):
        return Thread.objects.none()
    readable = Post.objects.filter(
        thread=OuterRef("pk"), status__in=_post_statuses(viewer, workgroup)
    )
    return (
        Thread.objects.filter(workgroup=workgroup)
        .filter(Exists(readable))
        .select_related("started_by")
        .order_by("-last_activity", "-pk")
    )


def held_posts(viewer, workgroup: Workgroup) -> QuerySet[Post]:
    """The moderation queue, oldest first; empty for anyone who may not moderate."""
    if not can_moderate(viewer, workgroup):
        return Post.objects.none()
    return (
        Post.objects.filter(workgroup=workgroup, status=Post.Status.HELD)
        .select_related("thread", "author")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )


def archive_months(viewer, workgroup: Workgroup) -> list[dict]:
    """[{"month": datetime, "posts": n, "threads": n}, …], newest month first."""
    return list(
        archived_posts(viewer, workgroup)
        .annotate(month=TruncMonth("created"))
        .values("month")
        .annotate(posts=Count("pk"), threads=Count("thread", distinct=True))
        .order_by("-month")
    )


def threads_of_month(
    viewer, workgroup: Workgroup, *, start: datetime, end: datetime
) -> QuerySet[Thread]:
    """Threads with published posts between `start` and `end`, each with `month_posts`."""
    in_month = Q(
        posts__status=Post.Status.PUBLISHED, posts__created__gte=start, posts__created__lt=end
    )
    if not can_read(viewer, workgroup):
        return Thread.objects.none()
    return (
        Thread.objects.filter(workgroup=workgroup)
        .annotate(month_posts=Count("posts", filter=in_month))
        .filter(month_posts__gt=0)
        .select_related("started_by")
        .order_by("-last_activity", "-pk")
    )


def search_posts(viewer, workgroup: Workgroup, query: str) -> QuerySet[Post]:
    """Published posts whose subject or body contains `query` (to be replaced by the search
    app's Arabic-aware index)."""
    query = (query or "").strip()
    if not query:
        return Post.objects.none()
    return (
        archived_posts(viewer, workgroup)
        .filter(Q(subject__icontains=query) | Q(body__icontains=query))
        .select_related("thread", "author")
        .order_by("-created", "-pk")
    )


def attachment_for(viewer, workgroup: Workgroup, attachment_id: int) -> Attachment | None:
    """The attachment, when it belongs to a post of `workgroup` that `viewer` may read."""
    return (
        Attachment.objects.filter(
            pk=attachment_id, post__in=posts_visible_to(viewer, workgroup).values("pk")
        )
        .select_related("post")
        .first()
    )


# ---------------------------------------------------------------------------------- members


def members_visible_to(viewer, workgroup: Workgroup) -> QuerySet[WorkgroupMembership]:
    """Active memberships of `workgroup` that `viewer` may see listed: owners first."""
    if not (can_read(viewer, workgroup) or can_manage_members(viewer, workgroup)):
        return WorkgroupMembership.objects.none()
    return (
        WorkgroupMembership.objects.filter(workgroup=workgroup, status=Status.ACTIVE)
        .filter(_shown_people_q(viewer, "user__"))
        .select_related("user")
        .order_by("role", "user__display_name", "pk")
    )


def pending_memberships(viewer, workgroup: Workgroup) -> QuerySet[WorkgroupMembership]:
    """Requests and invitations, for moderators. A hidden person who asks to join shows
    themselves to the moderators by asking (the button says so); invitations are listed like
    members (hidden people only to coordinators)."""
    if not can_manage_members(viewer, workgroup):
        return WorkgroupMembership.objects.none()
    requested = Q(status=Status.REQUESTED, user__status=User.Status.MEMBER, user__is_active=True)
    invited = Q(status=Status.INVITED) & _shown_people_q(viewer, "user__")
    return (
        WorkgroupMembership.objects.filter(workgroup=workgroup)
        .filter(requested | invited)
        .select_related("user")
        .order_by("status", "created", "pk")
    )


def moderators_of(workgroup: Workgroup) -> QuerySet:
    """The people told about held posts and requests: active owners and moderators."""
    return User.objects.filter(
        workgroup_memberships__workgroup=workgroup,
        workgroup_memberships__status=Status.ACTIVE,
        workgroup_memberships__role__in=[Role.OWNER, Role.MODERATOR],
        status=User.Status.MEMBER,
        is_active=True,
    ).distinct()


def people_invitable_by(viewer, workgroup: Workgroup) -> QuerySet:
    """Network members `viewer` may invite: those `viewer` may see, not yet in the group."""
    if not can_manage_members(viewer, workgroup):
        return User.objects.none()
    return User.objects.filter(_shown_people_q(viewer)).exclude(
        workgroup_memberships__workgroup=workgroup
    )
