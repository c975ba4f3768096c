"""Writes about reports: a member reports an item; a reviewer hides it, restores it, or
dismisses its reports. Every decision closes all open reports on the item, is written to the
moderation log (`ModerationDecision`), and — when the item is hidden or restored — its authors
are told why, in their own language, through the notifications app.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.core import content
from tadamun.core.markdown import plain_text
from tadamun.core.text import clean_text
from tadamun.moderation import selectors
from tadamun.moderation.models import (
    EXCERPT_MAX,
    NOTE_MAX,
    ModerationDecision,
    Reason,
    Report,
)

# At most this many reports per member per hour: enough for anyone reporting in good faith,
# not enough to flood the reviewers.
REPORTS_PER_HOUR = 20

NOT_ALLOWED = _("You may not review the reports on this item.")


# Where the words are in kinds that declare no translatable text (private messages).
FALLBACK_TEXT_FIELDS = ("title", "subject", "body", "text", "description")


def excerpt_of(obj) -> str:
    """The item's words as plain text, at most EXCERPT_MAX characters."""
    names = content.kind_of(obj).text_fields or [
        field.name
        for field in obj._meta.concrete_fields
        if field.name in FALLBACK_TEXT_FIELDS
        and field.get_internal_type() in {"CharField", "TextField"}
    ]
    texts = [str(getattr(obj, name, "") or "") for name in names]
    text = "\n\n".join(part for part in texts if part.strip()) or str(obj)
    return plain_text(text, limit=EXCERPT_MAX)


def _clean_note(note: str, field: str = "note") -> str:
    note = clean_text(note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {field: [_("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}]}
        )
    return note


def _check_reason(reason: str) -> None:
    if reason not in Reason.values:
        raise ValidationError({"reason": [_("Choose one of the reasons.")]})


def _item_key(obj) -> tuple[ContentType, int]:
    return ContentType.objects.get_for_model(obj), obj.pk


def _refresh_item_copies(obj) -> None:
    """Keep the reports' copy of the item's workgroup and authors as the item is now."""
    content_type, object_id = _item_key(obj)
    reports = Report.objects.filter(content_type=content_type, object_id=object_id)
    reports.update(workgroup=selectors.workgroup_of(obj))
    pks = list(reports.values_list("pk", flat=True))
    author_ids = selectors.author_ids_of(obj)
    through = Report.authors.through
    through.objects.filter(report_id__in=pks).delete()
    through.objects.bulk_create(
        [through(report_id=pk, user_id=user_id) for pk in pks for user_id in author_ids]
    )


@transaction.atomic
def report_create(*, reporter, obj, reason: str, note: str = "") -> Report:
    """`reporter` reports `obj`. Raises ValidationError (with a code) when it may not be stored:
    "not_reportable", "own_item", "duplicate", "rate_limited", or a bad reason or note."""
    if not selectors.is_reportable(obj) or not content.can_see(reporter, obj):
        raise ValidationError(_("This item cannot be reported."), code="not_reportable")
    if not selectors.may_report(reporter, obj):
        raise ValidationError(_("You cannot report what you wrote yourself."), code="own_item")
    _check_reason(reason)
    note = _clean_note(note)
    if selectors.has_open_report(reporter, obj):
        raise ValidationError(
            _("You have reported this already; the reviewers will look at it."),
            code="duplicate",
        )
    since = timezone.now() - timedelta(hours=1)
    if selectors.recent_report_count(reporter, since=since) >= REPORTS_PER_HOUR:
        raise ValidationError(
            _("You have sent many reports in the last hour. Please try again later."),
            code="rate_limited",
        )
    content_type, object_id = _item_key(obj)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                content_type=content_type,
                object_id=object_id,
                workgroup=selectors.workgroup_of(obj),
                reporter=reporter,
                reason=reason,
                note=note,
                excerpt=excerpt_of(obj),
            )
    except IntegrityError:
        # The same person reporting twice at the same moment (a double click).
        raise ValidationError(
            _("You have reported this already; the reviewers will look at it."),
            code="duplicate",
        ) from None
    _refresh_item_copies(obj)
    return report


def _require_reviewer(by, obj) -> None:
    if not selectors.may_review_object(by, obj):
        raise PermissionDenied(NOT_ALLOWED)


def _close_open_reports(
    content_type: ContentType, object_id: int, *, status: str, by, note: str
) -> int:
    open_reports = Report.objects.select_for_update().filter(
        content_type=content_type, object_id=object_id, status=Report.Status.OPEN
    )
    pks = list(open_reports.values_list("pk", flat=True))
    return Report.objects.filter(pk__in=pks).update(
        status=status, handled_by=by, handled_at=timezone.now(), decision_note=note
    )


def _notify_authors(obj, *, decision: str, reason: str, note: str) -> None:
    # Imported here: the notifications app imports the content registry, not this app.
    from tadamun.notifications import services as notifications

    authors = [author for author in content.kind_of(obj).authors(obj) if author is not None]
    if not authors:
        return
    # No actor: authors learn the decision and its reason, not which reviewer took it.
    notifications.notify(
        recipients=authors,
        kind="report_decision",
        target=obj,
        data={"decision": decision, "reason": reason, "note": note},
    )


def _set_hidden(obj, hidden: bool) -> bool:
    """Flip `is_hidden` in one conditional UPDATE: False when it already was so (two reviewers
    deciding at the same moment decide once)."""
    changed = (
        type(obj)._default_manager.filter(pk=obj.pk, is_hidden=not hidden).update(is_hidden=hidden)
    )
    if changed:
        obj.is_hidden = hidden
    return bool(changed)


@transaction.atomic
def item_hide(*, obj, by, reason: str, note: str = "") -> ModerationDecision:
    """Hide `obj` from everyone but its authors and reviewers, close its open reports, and tell
    its authors why."""
    _require_reviewer(by, obj)
    _check_reason(reason)
    note = _clean_note(note)
    if not _set_hidden(obj, True):
        raise ValidationError(_("This item is hidden already."))
    content_type, object_id = _item_key(obj)
    closed = _close_open_reports(
        content_type, object_id, status=Report.Status.HIDDEN, by=by, note=note
    )
    decision = ModerationDecision.objects.create(
        content_type=content_type,
        object_id=object_id,
        workgroup=selectors.workgroup_of(obj),
        action=ModerationDecision.Action.HIDDEN,
        reason=reason,
        note=note,
        by=by,
        reports_closed=closed,
    )
    _refresh_item_copies(obj)
    _notify_authors(obj, decision="hidden", reason=reason, note=note)
    return decision


@transaction.atomic
def item_restore(*, obj, by, note: str = "") -> ModerationDecision:
    """Show a hidden `obj` again, close its open reports, and tell its authors."""
    _require_reviewer(by, obj)
    note = _clean_note(note)
    if not _set_hidden(obj, False):
        raise ValidationError(_("This item is not hidden."))
    content_type, object_id = _item_key(obj)
    closed = _close_open_reports(
        content_type, object_id, status=Report.Status.RESTORED, by=by, note=note
    )
    # The reason the item had been hidden for, so the author's message can say what is over.
    hidden = (
        ModerationDecision.objects.filter(
            content_type=content_type, object_id=object_id, action=ModerationDecision.Action.HIDDEN
        )
        .order_by("-created", "-pk")
        .first()
    )
    reason = hidden.reason if hidden and hidden.reason else Reason.OTHER
    decision = ModerationDecision.objects.create(
        content_type=content_type,
        object_id=object_id,
        workgroup=selectors.workgroup_of(obj),
        action=ModerationDecision.Action.RESTORED,
        reason=reason,
        note=note,
        by=by,
        reports_closed=closed,
    )
    _refresh_item_copies(obj)
    _notify_authors(obj, decision="restored", reason=reason, note=note)
    return decision


@transaction.atomic
def reports_dismiss(*, by, content_type_id: int, object_id: int, note: str = "") -> int:
    """Leave the item as it is and close its open reports (also when the item is gone). The
    authors are not told: nothing happened to their item."""
    item = selectors.review_item(by, content_type_id, object_id)
    if item is None:
        raise PermissionDenied(NOT_ALLOWED)
    note = _clean_note(note)
    content_type = ContentType.objects.get_for_id(content_type_id)
    closed = _close_open_reports(
        content_type, object_id, status=Report.Status.DISMISSED, by=by, note=note
    )
    if not closed:
        raise ValidationError(_("No report on this item is waiting."))
    ModerationDecision.objects.create(
        content_type=content_type,
        object_id=object_id,
        workgroup=item.workgroup,
        action=ModerationDecision.Action.DISMISSED,
        note=note,
        by=by,
        reports_closed=closed,
    )
    return closed
