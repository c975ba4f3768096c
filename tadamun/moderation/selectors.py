"""Who may report what, and who reviews which reports: decided here and nowhere else.

- A member may report an item of a reportable kind (registered in `core.content`, with
  `is_hidden`) that they can see, unless they wrote it.
- Reports on an item of a workgroup are reviewed by that workgroup's owners and moderators,
  and by coordinators who may read it (`workgroups.selectors.can_moderate`): coordinators
  outside a CLOSED workgroup never see its content, not even through reports.
- Reports on items of no workgroup (network-wide posts, private messages) are reviewed by
  coordinators; when they may not see the item itself (a private message), they judge it from
  the reporter's excerpt only.
- Nobody reviews reports on an item they wrote (nor learns who reported it).
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Max, Min, Q, QuerySet

from tadamun.accounts.models import User
from tadamun.accounts.selectors import shown_people_q, viewer_is_coordinator, viewer_is_member
from tadamun.core import content
from tadamun.moderation.models import ModerationDecision, Reason, Report
from tadamun.workgroups.models import Workgroup, WorkgroupMembership
from tadamun.workgroups.selectors import can_moderate

Role = WorkgroupMembership.Role
Status = WorkgroupMembership.Status


# ------------------------------------------------------------------------------ the items


def is_reportable(model_or_obj) -> bool:
    """A registered kind of content whose model can be hidden."""
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    try:
        content.kind_of(model)
    except LookupError:
        return False
    try:
        hidden = model._meta.get_field("is_hidden")
    except FieldDoesNotExist:
        return False
    return hidden.get_internal_type() == "BooleanField"


def reportable_item(content_type_id: int, object_id: int):
    """The item behind the pair if it exists and is of a reportable kind, else None."""
    obj = content.resolve(content_type_id, object_id)
    return obj if obj is not None and is_reportable(obj) else None


def workgroup_of(obj) -> Workgroup | None:
    workgroup = content.kind_of(obj).workgroup(obj)
    return workgroup if isinstance(workgroup, Workgroup) else None


def author_ids_of(obj) -> set[int]:
    return {author.pk for author in content.kind_of(obj).authors(obj) if author is not None}


def is_author(user, obj) -> bool:
    return getattr(user, "pk", None) in author_ids_of(obj)


def may_report(user, obj) -> bool:
    """May `user` report `obj`? (Rate limits and repeats are the service's business.)"""
    return (
        viewer_is_member(user)
        and is_reportable(obj)
        and not is_author(user, obj)
        and content.can_see(user, obj)
    )


def has_open_report(user, obj) -> bool:
    return Report.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        reporter=user,
        status=Report.Status.OPEN,
    ).exists()


# ----------------------------------------------------------------------------- reviewers


def _moderated_workgroups(user) -> QuerySet:
    return WorkgroupMembership.objects.filter(
        user=user, status=Status.ACTIVE, role__in=[Role.OWNER, Role.MODERATOR]
    ).values("workgroup_id")


def is_reviewer(user) -> bool:
    """Does `user` review any reports: a coordinator, or an owner or moderator of a workgroup."""
    if not viewer_is_member(user):
        return False
    return viewer_is_coordinator(user) or _moderated_workgroups(user).exists()


def may_review_workgroup(user, workgroup: Workgroup | None) -> bool:
    """May `user` review reports on items of `workgroup` (None: items of no workgroup)?"""
    if not viewer_is_member(user):
        return False
    if workgroup is None:
        return viewer_is_coordinator(user)
    return can_moderate(user, workgroup)


def reports_for_reviewer(user) -> QuerySet[Report]:
    """Every report (any status) `user` may review, through the workgroup and authors copied
    from the item — one query, usable for queues, counts and pages."""
    if not viewer_is_member(user):
        return Report.objects.none()
    allowed = Q(workgroup_id__in=_moderated_workgroups(user))
    if viewer_is_coordinator(user):
        mine = WorkgroupMembership.objects.filter(user=user, status=Status.ACTIVE).values(
            "workgroup_id"
        )
        allowed |= (
            Q(workgroup__isnull=True)
            | Q(workgroup__visibility=Workgroup.Visibility.OPEN)
            | Q(workgroup_id__in=mine)
        )
    return Report.objects.filter(allowed).exclude(authors=user)


def _may_review_item(user, *, obj, workgroup, author_ids: set[int]) -> bool:
    if not viewer_is_member(user) or user.pk in author_ids:
        return False
    if obj is not None:
        # The item as it is now decides, should it have moved since it was reported.
        workgroup = workgroup_of(obj)
    return may_review_workgroup(user, workgroup)


def may_review(user, report: Report) -> bool:
    """May `user` review `report` (see the item's excerpt, its reports, and decide)?"""
    obj = reportable_item(report.content_type_id, report.object_id)
    author_ids = set(report.authors.values_list("pk", flat=True))
    if obj is not None:
        author_ids |= author_ids_of(obj)
    return _may_review_item(user, obj=obj, workgroup=report.workgroup, author_ids=author_ids)


def may_review_object(user, obj) -> bool:
    """May `user` decide on the existing, reported item `obj`?"""
    content_type = ContentType.objects.get_for_model(obj)
    reports = Report.objects.filter(content_type=content_type, object_id=obj.pk)
    if not reports.exists():
        return False
    copied = Report.authors.through.objects.filter(report__in=reports)
    author_ids = author_ids_of(obj) | set(copied.values_list("user_id", flat=True))
    return _may_review_item(user, obj=obj, workgroup=None, author_ids=author_ids)


# ------------------------------------------------------------------------------ the queue


@dataclass
class QueueItem:
    """One reported item in the queue: its reports summed up."""

    content_type_id: int
    object_id: int
    count: int
    first: Any  # datetime of the oldest report in the group
    last_handled: Any = None
    kind_label: Any = ""
    excerpt: str = ""
    reasons: list[tuple[str, Any, int]] = field(default_factory=list)  # code, label, count
    outcome: str = ""
    outcome_label: Any = ""
    obj: Any = None

    @property
    def exists(self) -> bool:
        return self.obj is not None

    @property
    def is_hidden(self) -> bool:
        return bool(getattr(self.obj, "is_hidden", False))


def queue_groups(user, *, handled: bool = False) -> QuerySet:
    """Reported items `user` reviews, one row per item: {"content_type_id", "object_id",
    "count", "first", "last_handled"}. Waiting reports oldest first; or handled ones, the
    most recently decided first."""
    reports = reports_for_reviewer(user)
    if handled:
        reports = reports.exclude(status=Report.Status.OPEN)
    else:
        reports = reports.filter(status=Report.Status.OPEN)
    groups = reports.values("content_type_id", "object_id").annotate(
        count=Count("pk"), first=Min("created"), last_handled=Max("handled_at")
    )
    if handled:
        return groups.order_by("-last_handled", "content_type_id", "object_id")
    return groups.order_by("first", "content_type_id", "object_id")


def _resolve_many(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The items behind (content type, id) pairs: one query per kind."""
    by_type: dict[int, list[int]] = {}
    for content_type_id, object_id in pairs:
        by_type.setdefault(content_type_id, []).append(object_id)
    found: dict[tuple[int, int], Any] = {}
    for content_type_id, ids in by_type.items():
        kind = content.kind_for_content_type(ContentType.objects.get_for_id(content_type_id))
        if kind is None:
            continue
        for obj in kind.model._default_manager.filter(pk__in=ids):
            found[(content_type_id, obj.pk)] = obj
    return found


def _kind_label(content_type_id: int) -> Any:
    kind = content.kind_for_content_type(ContentType.objects.get_for_id(content_type_id))
    return kind.label if kind else ""


def queue_items(user, groups: list[dict], *, handled: bool = False) -> list[QueueItem]:
    """The rows of one page of `queue_groups`, with their reasons, latest excerpt and item."""
    if not groups:
        return []
    pairs = [(group["content_type_id"], group["object_id"]) for group in groups]
    which = Q()
    for content_type_id, object_id in pairs:
        which |= Q(content_type_id=content_type_id, object_id=object_id)
    reports = reports_for_reviewer(user).filter(which)
    reports = (
        reports.exclude(status=Report.Status.OPEN)
        if handled
        else reports.filter(status=Report.Status.OPEN)
    )
    reasons: dict[tuple[int, int], Counter] = {pair: Counter() for pair in pairs}
    latest: dict[tuple[int, int], Report] = {}
    decided: dict[tuple[int, int], Report] = {}
    for report in reports.order_by("created", "pk"):
        pair = (report.content_type_id, report.object_id)
        reasons[pair][report.reason] += 1
        latest[pair] = report
        # The last decision, not the last report, says what became of the item.
        if report.handled_at and (
            pair not in decided or report.handled_at >= decided[pair].handled_at
        ):
            decided[pair] = report
    objects = _resolve_many(pairs)
    labels = dict(Reason.choices)
    items = []
    for group, pair in zip(groups, pairs, strict=True):
        newest, last = latest.get(pair), decided.get(pair)
        items.append(
            QueueItem(
                content_type_id=pair[0],
                object_id=pair[1],
                count=group["count"],
                first=group["first"],
                last_handled=group["last_handled"],
                kind_label=_kind_label(pair[0]),
                excerpt=newest.excerpt if newest else "",
                reasons=[
                    (code, labels.get(code, code), n) for code, n in reasons[pair].most_common()
                ],
                outcome=last.status if last else "",
                outcome_label=last.get_status_display() if last else "",
                obj=objects.get(pair),
            )
        )
    return items


def open_item_count(user) -> int | None:
    """Items waiting for `user`'s review; None for people who review nothing (the menu)."""
    if not is_reviewer(user):
        return None
    return queue_groups(user).count()


# ------------------------------------------------------------------------------ one item


@dataclass
class ReviewItem:
    """Everything a reviewer sees about one reported item."""

    content_type_id: int
    object_id: int
    kind_label: Any
    obj: Any  # None when the item was deleted
    workgroup: Workgroup | None
    reports: list[Report]
    decisions: list[ModerationDecision]
    may_see_item: bool
    authors: list

    @property
    def open_reports(self) -> list[Report]:
        return [report for report in self.reports if report.status == Report.Status.OPEN]

    @property
    def excerpt(self) -> str:
        return self.reports[-1].excerpt if self.reports else ""

    @property
    def is_hidden(self) -> bool:
        return bool(getattr(self.obj, "is_hidden", False))

    @property
    def main_reason(self) -> str:
        counted = Counter(report.reason for report in self.open_reports or self.reports)
        return counted.most_common(1)[0][0] if counted else Reason.OTHER


def review_item(user, content_type_id: int, object_id: int) -> ReviewItem | None:
    """The reported item, its reports and decisions, if `user` may review them; else None
    (never reported, or not `user`'s to review: the page answers 404 either way)."""
    if not viewer_is_member(user):
        return None
    reports = list(
        Report.objects.filter(content_type_id=content_type_id, object_id=object_id)
        .select_related("reporter", "handled_by", "workgroup")
        .prefetch_related("authors")
        .order_by("created", "pk")
    )
    if not reports:
        return None
    obj = reportable_item(content_type_id, object_id)
    author_ids = {author.pk for report in reports for author in report.authors.all()}
    if obj is not None:
        author_ids |= author_ids_of(obj)
    workgroup = reports[-1].workgroup
    if not _may_review_item(user, obj=obj, workgroup=workgroup, author_ids=author_ids):
        return None
    if obj is not None:
        workgroup = workgroup_of(obj)
    reporter_ids = {report.reporter_id for report in reports if report.reporter_id}
    decisions = list(
        ModerationDecision.objects.filter(content_type_id=content_type_id, object_id=object_id)
        .select_related("by")
        .order_by("-created", "-pk")
    )
    people = author_ids | reporter_ids | {d.by_id for d in decisions if d.by_id}
    people |= {report.handled_by_id for report in reports if report.handled_by_id}
    # Hidden members are named to coordinators only, as everywhere else.
    shown = set(
        User.objects.filter(shown_people_q(user), pk__in=people).values_list("pk", flat=True)
    )
    for report in reports:
        report.reporter_shown = report.reporter if report.reporter_id in shown else None
        report.handled_by_shown = report.handled_by if report.handled_by_id in shown else None
    for decision in decisions:
        decision.by_shown = decision.by if decision.by_id in shown else None
    authors = list(User.objects.filter(pk__in=author_ids & shown).order_by("display_name"))
    return ReviewItem(
        content_type_id=content_type_id,
        object_id=object_id,
        kind_label=_kind_label(content_type_id),
        obj=obj,
        workgroup=workgroup,
        reports=reports,
        decisions=decisions,
        may_see_item=obj is not None and content.can_see(user, obj),
        authors=authors,
    )


# ------------------------------------------------------------------------- the reporter


def reports_by(user) -> QuerySet[Report]:
    """The reports `user` made, newest first (their own page)."""
    if not viewer_is_member(user):
        return Report.objects.none()
    return Report.objects.filter(reporter=user).order_by("-created", "-pk")


def recent_report_count(user, *, since) -> int:
    return Report.objects.filter(reporter=user, created__gte=since).count()


@dataclass
class MyReport:
    report: Report
    kind_label: Any
    url: str  # empty when the reporter can no longer see the item (hidden or deleted)


def my_report_rows(user, reports) -> list[MyReport]:
    """`user`'s reports with a link to each item they may still see (one query per kind)."""
    reports = list(reports)
    by_type: dict[int, set[int]] = {}
    for report in reports:
        by_type.setdefault(report.content_type_id, set()).add(report.object_id)
    visible: dict[tuple[int, int], Any] = {}
    for content_type_id, ids in by_type.items():
        kind = content.kind_for_content_type(ContentType.objects.get_for_id(content_type_id))
        if kind is None:
            continue
        for obj in kind.visible_to(user).filter(pk__in=ids):
            visible[(content_type_id, obj.pk)] = obj
    rows = []
    for report in reports:
        obj = visible.get((report.content_type_id, report.object_id))
        rows.append(
            MyReport(
                report=report,
                kind_label=_kind_label(report.content_type_id),
                url=obj.get_absolute_url() if obj is not None else "",
            )
        )
    return rows
