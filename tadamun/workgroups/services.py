"""Writes about workgroups and their discussions.

`post_create` is the one path by which a message enters a discussion — written on the web,
received by e-mail, or imported from an archive: stored once, threaded, and (when published)
queued for delivery to the list's subscribers in the same transaction.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent
from tadamun.core.templatetags.bidi import pick
from tadamun.core.uploads import IMAGE_EXTENSIONS, extension_of, reencode_image, safe_filename
from tadamun.lists.models import MailingList, Subscription, ThreadMute
from tadamun.workgroups import selectors, threading
from tadamun.workgroups.models import Attachment, Post, Thread, Workgroup, WorkgroupMembership

# Photos attached to posts keep enough pixels to read a document photographed with a phone.
IMAGE_MAX_SIDE = 2400


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_type: str
    data: bytes


@transaction.atomic
def post_create(
    *,
    workgroup: Workgroup,
    subject: str,
    body: str,
    source: str,
    author=None,
    author_name: str = "",
    author_email: str = "",
    parent: Post | None = None,
    in_reply_to: str = "",
    references: str = "",
    message_id: str = "",
    status: str = Post.Status.PUBLISHED,
    hold_reason: str = "",
    language: str = "",
    created: datetime | None = None,
    attachments: Iterable[IncomingAttachment] = (),
    deliver: bool = True,
) -> Post:
    """Store a message in its thread; queue its deliveries when it is published.

    A reply written on the web passes `parent`; mail passes its In-Reply-To/References and
    the parent is found from them, with the subject as fallback. `message_id` is the mail's
    own (kept, so that replies to it thread) or a new one for web posts."""
    created = created or timezone.now()
    subject = (subject or "").strip()[:300] or "—"
    if parent is None:
        parent = threading.find_parent(
            workgroup=workgroup, in_reply_to=in_reply_to, references=references
        )
    if parent is not None:
        thread = parent.thread
        if not in_reply_to:
            in_reply_to = parent.message_id
        if not references:
            references = " ".join([*threading.message_ids(parent.references), parent.message_id])
    else:
        thread = threading.find_thread_by_subject(workgroup=workgroup, subject=subject)
        if thread is not None:
            parent = thread.posts.order_by("-created", "-pk").first()
    if thread is None:
        thread = Thread.objects.create(
            workgroup=workgroup,
            subject=subject,
            subject_key=threading.subject_key(subject),
            language=language,
            started_by=author,
            last_activity=created,
        )
    post = Post.objects.create(
        thread=thread,
        workgroup=workgroup,
        parent=parent,
        author=author,
        author_name=author_name or (author.display_name if author else ""),
        author_email=author_email or (author.email if author else ""),
        subject=subject,
        body=body,
        language=language,
        message_id=message_id or threading.new_message_id(),
        in_reply_to=in_reply_to[:998],
        references=references,
        source=source,
        status=status,
        hold_reason=hold_reason,
        created=created,
    )
    for attachment in attachments:
        _attach(post, attachment)
    if status == Post.Status.PUBLISHED:
        post_published(post, deliver=deliver)
    return post


def _attach(post: Post, incoming: IncomingAttachment) -> Attachment:
    """Store one attachment (from the web or from list mail). A photo is re-encoded from its
    pixels, as every upload of the site is (core.uploads): a phone's picture mailed to a list
    would otherwise keep its GPS position, camera serial and XMP. The name loses any
    direction-changing or control character ("invoice\u202efdp.exe")."""
    data, content_type = incoming.data, incoming.content_type[:255] or "application/octet-stream"
    filename = safe_filename(incoming.filename, default="attachment")[:255]
    if content_type.lower().startswith("image/") or extension_of(filename) in IMAGE_EXTENSIONS:
        try:
            image = reencode_image(
                ContentFile(data), max_bytes=max(len(data), 1), max_side=IMAGE_MAX_SIDE
            )
        except ValidationError:
            pass  # not a picture Pillow reads: kept as a download, never shown inline
        else:
            data, content_type = image.file.read(), image.content_type
            stem = filename.rpartition(".")[0] or "image"
            filename = safe_filename(f"{stem}.{extension_of(image.file.name)}")
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        post=post,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=digest,
    )
    attachment.file.save(digest, ContentFile(data), save=False)
    attachment.save()
    return attachment


def post_published(post: Post, *, deliver: bool = True) -> None:
    """A post becomes part of its thread's public life: counts, activity, deliveries."""
    Thread.objects.filter(pk=post.thread_id).update(
        post_count=F("post_count") + 1,
        last_activity=Greatest("last_activity", Value(post.created)),
    )
    if deliver:
        from tadamun.lists.delivery import queue_deliveries

        queue_deliveries(post=post)


# =============================================================================================
# Membership, subscriptions, posting from the web and moderation.
#
# Every function below is keyword-only, runs in a transaction, checks that `by` may do it
# (through workgroups.selectors), writes the audit log, and sends mail after commit in the
# recipient's language. Views call exactly one of them.
# =============================================================================================

Role = WorkgroupMembership.Role
MemberStatus = WorkgroupMembership.Status

# Audit actions of this app (AuditEvent.action is free text; these read well in the log).
AUDIT_JOINED = AuditEvent.Action.WORKGROUP_JOINED
AUDIT_REQUESTED = AuditEvent.Action.WORKGROUP_REQUESTED
AUDIT_APPROVED = AuditEvent.Action.WORKGROUP_APPROVED
AUDIT_DECLINED = AuditEvent.Action.WORKGROUP_DECLINED
AUDIT_INVITED = AuditEvent.Action.WORKGROUP_INVITED
AUDIT_INVITE_ACCEPTED = AuditEvent.Action.WORKGROUP_INVITE_ACCEPTED
AUDIT_INVITE_DECLINED = AuditEvent.Action.WORKGROUP_INVITE_DECLINED
AUDIT_LEFT = AuditEvent.Action.WORKGROUP_LEFT
AUDIT_REMOVED = AuditEvent.Action.WORKGROUP_REMOVED
AUDIT_ROLE = AuditEvent.Action.WORKGROUP_ROLE
AUDIT_SUBSCRIPTION = AuditEvent.Action.WORKGROUP_DELIVERY
AUDIT_LIST_SETTINGS = AuditEvent.Action.WORKGROUP_LIST_SETTINGS
AUDIT_MODERATED = AuditEvent.Action.WORKGROUP_MODERATED
AUDIT_EXPIRED = AuditEvent.Action.WORKGROUP_EXPIRED

LAST_OWNER = _("A workgroup needs at least one owner.")
NOT_ALLOWED = _("You may not do this in this workgroup.")
MAX_BODY_CHARS = 100_000


class ModerationAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject with a reason")
    DISCARD = "discard", _("Discard")
    APPROVE_ALWAYS = "approve_always", _("Approve and always allow this sender")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def _lock_membership(membership: WorkgroupMembership) -> WorkgroupMembership:
    return (
        WorkgroupMembership.objects.select_for_update()
        .select_related("user", "workgroup")
        .get(pk=membership.pk)
    )


def _workgroup_url(workgroup: Workgroup, *, language: str, name: str = "workgroup", **kw) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(
            f"workgroups:{name}", kwargs={"slug": workgroup.slug, **kw}
        )


def _mail_after_commit(*, template: str, to: str, language: str, context: dict) -> None:
    from tadamun.core.tasks import send_templated_mail_task

    transaction.on_commit(
        lambda: send_templated_mail_task.enqueue(
            template=template, to=to, language=language, context=context
        )
    )


def _names(workgroup: Workgroup, language: str) -> dict:
    return {
        "workgroup_name": pick(workgroup, "name", language),
        "workgroup_name_ar": workgroup.name_ar,
        "workgroup_name_en": workgroup.name_en,
    }


def _tell_moderators(*, workgroup: Workgroup, template: str, context: dict, exclude=()) -> int:
    """Mail every owner and moderator, each in their own language."""
    sent = 0
    for person in selectors.moderators_of(workgroup).exclude(pk__in=[p.pk for p in exclude]):
        language = person.preferred_language or "ar"
        _mail_after_commit(
            template=template,
            to=person.email,
            language=language,
            context={
                **context,
                **_names(workgroup, language),
                "display_name": person.display_name,
                "moderation_url": _workgroup_url(workgroup, language=language, name="moderation"),
                "members_url": _workgroup_url(workgroup, language=language, name="members"),
            },
        )
        sent += 1
    return sent


# ------------------------------------------------------------------------------ the list


def mailing_list_for(workgroup: Workgroup) -> MailingList:
    """The workgroup's list, created with the defaults the first time it is needed."""
    mailing_list, _created = MailingList.objects.get_or_create(workgroup=workgroup)
    return mailing_list


@transaction.atomic
def mailing_list_update(*, workgroup: Workgroup, by, data: Mapping[str, Any]) -> MailingList:
    """Owners (and coordinators) change the list's settings; `data` holds model field values."""
    _require(selectors.can_own(by, workgroup))
    mailing_list = MailingList.objects.select_for_update().get(pk=mailing_list_for(workgroup).pk)
    changed = []
    for field, value in data.items():
        if getattr(mailing_list, field) != value:
            setattr(mailing_list, field, value)
            changed.append(field)
    if changed:
        mailing_list.full_clean()
        mailing_list.save(update_fields=changed)
        audit(AUDIT_LIST_SETTINGS, actor=by, workgroup=workgroup.pk, fields=changed)
    return mailing_list


def _subscribe(*, workgroup: Workgroup, user, mode: str = Subscription.Mode.EACH) -> Subscription:
    """Subscribe a member's account address through the lists app (which owns the rules on
    addresses, digests and confirmation); an outside subscription of the same address is
    taken over."""
    from tadamun.lists import subscriptions

    return subscriptions.subscribe_member(
        mailing_list=mailing_list_for(workgroup), user=user, mode=mode
    )


def _unsubscribe(*, workgroup: Workgroup, user) -> int:
    """End `user`'s subscriptions to the workgroup's list (their queued copies go too)."""
    from tadamun.lists import subscriptions

    found = list(
        Subscription.objects.filter(mailing_list__workgroup=workgroup).filter(
            Q(user=user) | Q(email__iexact=user.email)
        )
    )
    for subscription in found:
        subscriptions.unsubscribe(subscription=subscription)
    return len(found)


def subscription_of(user, workgroup: Workgroup) -> Subscription | None:
    if user is None or not user.is_authenticated:
        return None
    return Subscription.objects.filter(mailing_list__workgroup=workgroup, user=user).first()


@transaction.atomic
def subscription_set_mode(*, workgroup: Workgroup, user, mode: str) -> Subscription:
    """A member chooses every message, the daily digest, or web only."""
    _require(selectors.can_post(user, workgroup))
    from tadamun.lists import subscriptions

    if mode not in Subscription.Mode.values:
        raise ValidationError({"mode": [_("Choose a valid delivery mode.")]})
    subscription = subscription_of(user, workgroup)
    if subscription is None:
        subscription = _subscribe(workgroup=workgroup, user=user, mode=mode)
    else:
        # Keeps the status: a subscription disabled by bounces stays disabled.
        subscription = subscriptions.set_mode(subscription=subscription, mode=mode)
    audit(AUDIT_SUBSCRIPTION, actor=user, workgroup=workgroup.pk, mode=mode)
    return subscription


@transaction.atomic
def thread_mute(*, thread: Thread, user, muted: bool) -> bool:
    """Stop (or resume) mail from one thread for `user`. Returns the new state."""
    from tadamun.lists import subscriptions

    _require(selectors.can_read(user, thread.workgroup))
    if muted:
        subscriptions.mute_thread(user=user, thread=thread)
    else:
        subscriptions.unmute_thread(user=user, thread=thread)
    return muted


# ---------------------------------------------------------------------------- membership


def _check_can_see(user, workgroup: Workgroup) -> None:
    if not selectors.workgroups_visible_to(user).filter(pk=workgroup.pk).exists():
        raise PermissionDenied(NOT_ALLOWED)


@transaction.atomic
def workgroup_join(*, workgroup: Workgroup, user) -> WorkgroupMembership:
    """Join an OPEN-policy workgroup: active at once, subscribed to every message."""
    _check_can_see(user, workgroup)
    if workgroup.join_policy != Workgroup.JoinPolicy.OPEN:
        raise ValidationError(_("This workgroup does not take members who simply join."))
    membership, created = WorkgroupMembership.objects.select_for_update().get_or_create(
        workgroup=workgroup, user=user, defaults={"status": MemberStatus.ACTIVE}
    )
    if not created:
        if membership.status == MemberStatus.ACTIVE:
            return membership
        membership.status = MemberStatus.ACTIVE
        membership.save(update_fields=["status"])
    _subscribe(workgroup=workgroup, user=user)
    audit(AUDIT_JOINED, actor=user, workgroup=workgroup.pk)
    return membership


@transaction.atomic
def workgroup_request(*, workgroup: Workgroup, user) -> WorkgroupMembership:
    """Ask to join a REQUEST-policy workgroup; its owners and moderators are told."""
    _check_can_see(user, workgroup)
    if workgroup.join_policy != Workgroup.JoinPolicy.REQUEST:
        raise ValidationError(_("This workgroup does not take requests to join."))
    membership, created = WorkgroupMembership.objects.select_for_update().get_or_create(
        workgroup=workgroup, user=user, defaults={"status": MemberStatus.REQUESTED}
    )
    if not created:
        return membership  # already a member, already asked, or invited
    audit(AUDIT_REQUESTED, actor=user, workgroup=workgroup.pk)
    _tell_moderators(
        workgroup=workgroup,
        template="workgroups/email/membership_requested",
        context={"requester": user.display_name},
    )
    return membership


@transaction.atomic
def membership_approve(*, membership: WorkgroupMembership, by) -> WorkgroupMembership:
    membership = _lock_membership(membership)
    _require(selectors.can_manage_members(by, membership.workgroup))
    if membership.status != MemberStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    membership.status = MemberStatus.ACTIVE
    membership.save(update_fields=["status"])
    _subscribe(workgroup=membership.workgroup, user=membership.user)
    audit(AUDIT_APPROVED, actor=by, subject=membership.user, workgroup=membership.workgroup_id)
    language = membership.user.preferred_language or "ar"
    _mail_after_commit(
        template="workgroups/email/membership_approved",
        to=membership.user.email,
        language=language,
        context={
            **_names(membership.workgroup, language),
            "display_name": membership.user.display_name,
            "workgroup_url": _workgroup_url(membership.workgroup, language=language),
        },
    )
    return membership


@transaction.atomic
def membership_decline(*, membership: WorkgroupMembership, by) -> None:
    membership = _lock_membership(membership)
    _require(selectors.can_manage_members(by, membership.workgroup))
    if membership.status != MemberStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    audit(AUDIT_DECLINED, actor=by, subject=membership.user, workgroup=membership.workgroup_id)
    membership.delete()


@transaction.atomic
def workgroup_invite(*, workgroup: Workgroup, by, person) -> WorkgroupMembership:
    """An owner or moderator invites a network member; they accept on the workgroup page."""
    _require(selectors.can_manage_members(by, workgroup))
    if not selectors.people_invitable_by(by, workgroup).filter(pk=person.pk).exists():
        raise ValidationError(_("This person cannot be invited: already in the workgroup?"))
    membership = WorkgroupMembership.objects.create(
        workgroup=workgroup, user=person, status=MemberStatus.INVITED
    )
    audit(AUDIT_INVITED, actor=by, subject=person, workgroup=workgroup.pk)
    language = person.preferred_language or "ar"
    _mail_after_commit(
        template="workgroups/email/invited",
        to=person.email,
        language=language,
        context={
            **_names(workgroup, language),
            "display_name": person.display_name,
            "inviter": by.display_name,
            "workgroup_url": _workgroup_url(workgroup, language=language),
        },
    )
    return membership


@transaction.atomic
def workgroup_invite_accept(*, workgroup: Workgroup, user) -> WorkgroupMembership:
    membership = (
        WorkgroupMembership.objects.select_for_update()
        .filter(workgroup=workgroup, user=user, status=MemberStatus.INVITED)
        .first()
    )
    if membership is None or not user.is_member:
        raise ValidationError(_("There is no invitation to accept."))
    membership.status = MemberStatus.ACTIVE
    membership.save(update_fields=["status"])
    _subscribe(workgroup=workgroup, user=user)
    audit(AUDIT_INVITE_ACCEPTED, actor=user, workgroup=workgroup.pk)
    return membership


@transaction.atomic
def workgroup_invite_decline(*, workgroup: Workgroup, user) -> None:
    deleted, _rows = WorkgroupMembership.objects.filter(
        workgroup=workgroup, user=user, status=MemberStatus.INVITED
    ).delete()
    if not deleted:
        raise ValidationError(_("There is no invitation to decline."))
    audit(AUDIT_INVITE_DECLINED, actor=user, workgroup=workgroup.pk)


def _is_last_owner(membership: WorkgroupMembership) -> bool:
    return (
        membership.role == Role.OWNER
        and membership.status == MemberStatus.ACTIVE
        and not WorkgroupMembership.objects.filter(
            workgroup=membership.workgroup_id, role=Role.OWNER, status=MemberStatus.ACTIVE
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def workgroup_leave(*, workgroup: Workgroup, user) -> None:
    """Leave (or withdraw a request): the membership and the list subscription both end."""
    membership = (
        WorkgroupMembership.objects.select_for_update()
        .filter(workgroup=workgroup, user=user)
        .first()
    )
    if membership is None:
        raise ValidationError(_("You are not in this workgroup."))
    if _is_last_owner(membership):
        raise ValidationError(LAST_OWNER)
    membership.delete()
    _unsubscribe(workgroup=workgroup, user=user)
    ThreadMute.objects.filter(user=user, thread__workgroup=workgroup).delete()
    audit(AUDIT_LEFT, actor=user, workgroup=workgroup.pk)


@transaction.atomic
def membership_remove(*, membership: WorkgroupMembership, by) -> None:
    """Owners (and coordinators) remove someone; the subscription ends with it."""
    membership = _lock_membership(membership)
    _require(selectors.can_own(by, membership.workgroup))
    if _is_last_owner(membership):
        raise ValidationError(LAST_OWNER)
    membership.delete()
    _unsubscribe(workgroup=membership.workgroup, user=membership.user)
    audit(AUDIT_REMOVED, actor=by, subject=membership.user, workgroup=membership.workgroup_id)


@transaction.atomic
def membership_set_role(*, membership: WorkgroupMembership, by, role: str) -> WorkgroupMembership:
    """Owners (and coordinators) make someone owner, moderator or member; a workgroup always
    keeps one active owner."""
    membership = _lock_membership(membership)
    _require(selectors.can_own(by, membership.workgroup))
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    if membership.status != MemberStatus.ACTIVE:
        raise ValidationError(_("Only active members can be given a role."))
    if membership.role == role:
        return membership
    if _is_last_owner(membership):
        raise ValidationError(LAST_OWNER)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        AUDIT_ROLE,
        actor=by,
        subject=membership.user,
        workgroup=membership.workgroup_id,
        before=before,
        after=role,
    )
    return membership


# ------------------------------------------------------------------------- posting from the web

ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f]")
LATIN_LETTER = re.compile("[A-Za-z]")


def guess_language(text: str) -> str:
    """'ar' or 'en' by which script has more letters (the network's two languages)."""
    arabic, latin = len(ARABIC_LETTER.findall(text)), len(LATIN_LETTER.findall(text))
    if not arabic and not latin:
        return ""
    return "ar" if arabic >= latin else "en"


def reply_subject(subject: str) -> str:
    return subject if threading.is_reply_subject(subject) else f"Re: {subject}"[:300]


@transaction.atomic
def post_from_web(
    *,
    workgroup: Workgroup,
    author,
    body: str,
    subject: str = "",
    parent: Post | None = None,
) -> Post:
    """Start a thread (`subject`) or reply to `parent`, written on the site by a member.

    Members are signed in, so unlike mail their first post is not held; emergency moderation
    holds everything. The post goes through `post_create` like every other message, so it is
    delivered to subscribers with In-Reply-To/References that thread in mail clients."""
    _require(selectors.can_post(author, workgroup))
    body = (body or "").replace("\r\n", "\n").strip()
    errors = {}
    if not body:
        errors["body"] = [_("Write a message.")]
    elif len(body) > MAX_BODY_CHARS:
        errors["body"] = [_("This message is too long.")]
    if parent is not None:
        if parent.workgroup_id != workgroup.pk or parent.status != Post.Status.PUBLISHED:
            errors["parent"] = [_("The message you reply to is not in this workgroup.")]
        subject = subject.strip() or reply_subject(parent.thread.subject)
    else:
        subject = (subject or "").strip()
        if not subject:
            errors["subject"] = [_("Give the new thread a subject.")]
    if len(subject) > 300:
        errors["subject"] = [_("The subject is too long (300 characters at most).")]
    if "\n" in subject or "\r" in subject:
        errors["subject"] = [_("The subject must be one line.")]
    if errors:
        raise ValidationError(errors)
    mailing_list = MailingList.objects.filter(workgroup=workgroup).first()
    held = bool(mailing_list and mailing_list.emergency)
    post = post_create(
        workgroup=workgroup,
        subject=subject,
        body=body,
        source=Post.Source.WEB,
        author=author,
        parent=parent,
        status=Post.Status.HELD if held else Post.Status.PUBLISHED,
        hold_reason="emergency moderation" if held else "",
        language=guess_language(f"{subject}\n{body}"),
    )
    if held:
        held_post_notify(post=post)
    return post


def held_post_notify(*, post: Post) -> int:
    """Tell the workgroup's owners and moderators that `post` waits for them (each in their
    language). The inbound mail path calls it too when it holds a message."""
    return _tell_moderators(
        workgroup=post.workgroup,
        template="workgroups/email/post_held",
        context={
            "sender": post.author_name or post.author_email,
            "subject": post.subject,
            "reason": post.hold_reason,
        },
        exclude=[post.author] if post.author else (),
    )


# -------------------------------------------------------------------------------- moderation


def _add_always_allowed(mailing_list: MailingList, address: str) -> None:
    known = {line.strip().lower() for line in mailing_list.always_allowed.splitlines()}
    if address and address.lower() not in known:
        lines = [line for line in mailing_list.always_allowed.splitlines() if line.strip()]
        mailing_list.always_allowed = "\n".join([*lines, address])
        mailing_list.save(update_fields=["always_allowed"])


def _set_inbound_state(post: Post, state: str) -> None:
    # The mail that brought the post (if any) records what became of it.
    from tadamun.lists.models import InboundMessage

    InboundMessage.objects.filter(post=post).update(state=state)


@transaction.atomic
def post_moderate(*, post: Post, by, action: str, reason: str = "") -> Post:
    """Decide on a held post: approve (published and delivered), reject (the sender is told
    `reason` in their language), discard (silently), or approve and always allow its sender."""
    from tadamun.lists.models import InboundMessage

    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("workgroup", "author")
        .get(pk=post.pk)
    )
    _require(selectors.can_moderate(by, post.workgroup))
    if action not in ModerationAction.values:
        raise ValidationError({"action": [_("Choose what to do with the message.")]})
    if post.status != Post.Status.HELD:
        raise ValidationError(_("This message has already been decided."))
    reason = (reason or "").strip()
    if action == ModerationAction.REJECT and not reason:
        raise ValidationError({"reason": [_("Say why the message is rejected.")]})
    if action in {ModerationAction.APPROVE, ModerationAction.APPROVE_ALWAYS}:
        post.status = Post.Status.PUBLISHED
        post.save(update_fields=["status"])
        if action == ModerationAction.APPROVE_ALWAYS:
            _add_always_allowed(mailing_list_for(post.workgroup), post.author_email)
        post_published(post)
        _set_inbound_state(post, InboundMessage.State.POSTED)
    elif action == ModerationAction.REJECT:
        post.status = Post.Status.REJECTED
        post.save(update_fields=["status"])
        _set_inbound_state(post, InboundMessage.State.REJECTED)
        _mail_rejection(post, reason)
    else:
        post.status = Post.Status.DISCARDED
        post.save(update_fields=["status"])
        _set_inbound_state(post, InboundMessage.State.DISCARDED)
    audit(
        AUDIT_MODERATED,
        actor=by,
        subject=post.author,
        workgroup=post.workgroup_id,
        post=post.pk,
        decision=action,
    )
    return post


def _mail_rejection(post: Post, reason: str) -> None:
    address = post.author.email if post.author else post.author_email
    if not address:
        return
    if post.author and post.author.is_member:
        languages = [post.author.preferred_language or "ar"]
    else:
        languages = ["ar", "en"]  # someone we do not know: both languages of the network
    _mail_after_commit(
        template="workgroups/email/post_rejected",
        to=address,
        language=languages[0],
        context={
            **_names(post.workgroup, languages[0]),
            "languages": languages,
            "subject": post.subject,
            "reason": reason,
            "list_address": mailing_list_for(post.workgroup).address,
        },
    )


@transaction.atomic
def expire_held_posts(*, now: datetime | None = None) -> int:
    """Discard held posts older than their list's `held_expiry_days`. Returns how many."""
    from tadamun.lists.models import InboundMessage

    now = now or timezone.now()
    expired = 0
    default_days = MailingList._meta.get_field("held_expiry_days").default
    held = Post.objects.filter(status=Post.Status.HELD).select_related("workgroup")
    expiry = dict(MailingList.objects.values_list("workgroup_id", "held_expiry_days"))
    for post in held.select_for_update().iterator():
        days = expiry.get(post.workgroup_id, default_days)
        if post.created > now - timedelta(days=days):
            continue
        post.status = Post.Status.DISCARDED
        post.hold_reason = (post.hold_reason + " · expired")[:200]
        post.save(update_fields=["status", "hold_reason"])
        _set_inbound_state(post, InboundMessage.State.DISCARDED)
        audit(AUDIT_EXPIRED, workgroup=post.workgroup_id, post=post.pk, days=days)
        expired += 1
    return expired
