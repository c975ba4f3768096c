"""A person's own data, as exported by `/privacy/my-data/`.

Only what is theirs: what they wrote, uploaded, signed and chose, and what the site recorded
about them. Other people appear by display name only where the person already sees them (the
participants of their conversations, people they follow and may still see) — never an e-mail
address, a legal name, or a hidden member. Each app's own selectors decide visibility where
they exist.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from tadamun.accounts.models import User
from tadamun.accounts.selectors import sessions_of
from tadamun.api.models import ApiToken
from tadamun.core.models import AuditEvent
from tadamun.documents.models import Document, DocumentVersion
from tadamun.lists.models import Subscription, ThreadMute
from tadamun.messaging import selectors as messaging_selectors
from tadamun.messaging.models import Message, Participant
from tadamun.moderation.models import Report
from tadamun.notifications.models import Notification, NotificationPreference
from tadamun.organisations.models import Application, OrganisationMembership
from tadamun.organisations.selectors import people_visible_to
from tadamun.petitions.models import Signature
from tadamun.petitions.normalise import InvalidAddress, normalise_email
from tadamun.social import models as social
from tadamun.translations.models import Translation
from tadamun.workgroups import models as workgroups


@dataclass(frozen=True)
class ExportFile:
    """A stored file to copy into the archive under `path` (inside `attachments/`)."""

    path: str
    file: FieldFile


def _safe_name(name: str) -> str:
    """A file name that stays inside its folder of the archive."""
    name = posixpath.basename((name or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip(". ")
    return name[:150] or "file"


def _when(value) -> str | None:
    return value.isoformat() if value else None


class _Files:
    def __init__(self):
        self.items: list[ExportFile] = []

    def add(self, folder: str, pk: int, name: str, file: FieldFile) -> str | None:
        if not file:
            return None
        path = f"attachments/{folder}/{pk}-{_safe_name(name)}"
        self.items.append(ExportFile(path=path, file=file))
        return path


def addresses_of(user: User) -> set[str]:
    """The person's own e-mail addresses: the account's and every other one they confirmed."""
    addresses = {user.email}
    addresses.update(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    return {address for address in addresses if address}


def signatures_of(user: User):
    """Petition signatures made with one of the person's confirmed addresses (compared by
    the normalised key the petitions use, so `A.Li+x@Gmail.com` finds `ali@gmail.com`)."""
    keys = set()
    for address in addresses_of(user):
        try:
            keys.add(normalise_email(address))
        except InvalidAddress:
            continue
    return (
        Signature.objects.filter(email_normalised__in=keys)
        .select_related("petition", "partner__organisation")
        .order_by("created", "pk")
    )


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "full_name": user.legal_name,
        "status": user.status,
        "is_coordinator": user.is_coordinator,
        "is_translator": user.is_translator,
        "is_active": user.is_active,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # The kind of each second factor and when it was used — never its secret.
        "second_factors": [
            {
                "type": factor.type,
                "created": _when(factor.created_at),
                "last_used": _when(factor.last_used_at),
            }
            for factor in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }


def _profile(user: User) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "mention_name": user.handle,
        "about_me": user.bio,
        "hide_membership": user.hide_membership,
        "preferred_language": user.preferred_language,
    }


def _application(user: User) -> dict[str, Any] | None:
    application = Application.objects.filter(applicant=user).first()
    if application is None:
        return None
    return {
        "kind": application.kind,
        "organisation_name_ar": application.org_name_ar,
        "organisation_name_en": application.org_name_en,
        "organisation_kind": application.org_kind,
        "organisation_country": str(application.org_country or ""),
        "organisation_governorate": application.org_governorate,
        "organisation_city": application.org_city,
        "organisation_website": application.org_website,
        "organisation_description": application.org_description,
        "motivation": application.motivation,
        "language": application.language,
        "status": application.status,
        "decision_message": application.decision_message,
        "submitted": _when(application.created),
        "decided": _when(application.decided_at),
    }


def _organisation_memberships(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organisation": membership.organisation.slug,
            "name_ar": membership.organisation.name_ar,
            "name_en": membership.organisation.name_en,
            "role": membership.role,
            "since": _when(membership.created),
        }
        for membership in OrganisationMembership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("pk")
    ]


def _workgroup_memberships(user: User) -> list[dict[str, Any]]:
    return [
        {
            "workgroup": membership.workgroup.slug,
            "name_ar": membership.workgroup.name_ar,
            "name_en": membership.workgroup.name_en,
            "role": membership.role,
            "status": membership.status,
            "since": _when(membership.created),
        }
        for membership in workgroups.WorkgroupMembership.objects.filter(user=user)
        .select_related("workgroup")
        .order_by("pk")
    ]


def _subscriptions(user: User) -> list[dict[str, Any]]:
    return [
        {
            "list": subscription.mailing_list.address,
            "email": subscription.email,
            "delivery": subscription.mode,
            "status": subscription.status,
            "language": subscription.language,
            "since": _when(subscription.created),
        }
        for subscription in Subscription.objects.filter(user=user)
        .select_related("mailing_list__workgroup")
        .order_by("pk")
    ]


def _follows(user: User) -> list[dict[str, Any]]:
    shown = set(people_visible_to(user).values_list("pk", flat=True))
    result = []
    for follow in social.Follow.objects.filter(follower=user).select_related(
        "person", "organisation", "workgroup"
    ):
        if follow.person_id is not None:
            # A person who has since hidden their membership is left out.
            if follow.person_id not in shown:
                continue
            target = {"person": follow.person.display_name}
        elif follow.organisation_id is not None:
            target = {"organisation": follow.organisation.slug}
        else:
            target = {"workgroup": follow.workgroup.slug}
        result.append({**target, "since": _when(follow.created)})
    return result


def _social_posts(user: User, files: _Files) -> list[dict[str, Any]]:
    posts = (
        social.Post.objects.filter(author=user)
        .select_related("as_organisation", "as_workgroup", "audience_workgroup")
        .prefetch_related("images", "attachments", "revisions")
        .order_by("created", "pk")
    )
    result = []
    for post in posts:
        result.append(
            {
                "id": post.pk,
                "url": post.get_absolute_url(),
                "kind": post.kind,
                "audience": post.audience,
                "audience_workgroup": getattr(post.audience_workgroup, "slug", None),
                "on_behalf_of_organisation": getattr(post.as_organisation, "slug", None),
                "on_behalf_of_workgroup": getattr(post.as_workgroup, "slug", None),
                "title": post.title,
                "text": post.body,
                "language": post.language,
                "published": post.published,
                "published_at": _when(post.published_at),
                "written": _when(post.created),
                "edited": _when(post.edited),
                "hidden_by_moderators": post.is_hidden,
                "earlier_versions": [
                    {
                        "title": revision.title,
                        "text": revision.body,
                        "replaced": _when(revision.created),
                    }
                    for revision in post.revisions.all()
                ],
                "images": [
                    {
                        "description": image.alt_text,
                        "file": files.add(
                            "post-images",
                            image.pk,
                            posixpath.basename(image.file.name),
                            image.file,
                        ),
                    }
                    for image in post.images.all()
                ],
                "attachments": [
                    {
                        "file_name": attachment.filename,
                        "file": files.add(
                            "post-attachments", attachment.pk, attachment.filename, attachment.file
                        ),
                    }
                    for attachment in post.attachments.all()
                ],
            }
        )
    return result


def _comments(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": comment.pk,
            "on_post": comment.post_id,
            "reply_to": comment.parent_id,
            "url": comment.get_absolute_url(),
            "text": comment.body,
            "language": comment.language,
            "written": _when(comment.created),
            "edited": _when(comment.edited),
            "hidden_by_moderators": comment.is_hidden,
        }
        for comment in social.Comment.objects.filter(author=user)
        .select_related("post")
        .order_by("created", "pk")
    ]


def _reactions(user: User) -> list[dict[str, Any]]:
    return [
        {
            "kind": reaction.kind,
            "post": reaction.post_id,
            "comment": reaction.comment_id,
            "when": _when(reaction.created),
        }
        for reaction in social.Reaction.objects.filter(user=user).order_by("pk")
    ]


def _workgroup_posts(user: User, files: _Files) -> list[dict[str, Any]]:
    posts = (
        workgroups.Post.objects.filter(author=user)
        .select_related("workgroup", "thread")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )
    return [
        {
            "id": post.pk,
            "workgroup": post.workgroup.slug,
            "thread": post.thread.subject,
            "url": post.get_absolute_url(),
            "subject": post.subject,
            "text": post.body,
            "sent_as_name": post.author_name,
            "sent_as_email": post.author_email,
            "source": post.source,
            "status": post.status,
            "written": _when(post.created),
            "attachments": [
                {
                    "file_name": attachment.filename,
                    "file": files.add(
                        "workgroup-attachments", attachment.pk, attachment.filename, attachment.file
                    ),
                }
                for attachment in post.attachments.all()
            ],
        }
        for post in posts
    ]


def _muted_threads(user: User) -> list[int]:
    return list(
        ThreadMute.objects.filter(user=user).order_by("pk").values_list("thread_id", flat=True)
    )


def _documents(user: User, files: _Files) -> dict[str, list[dict[str, Any]]]:
    documents = [
        {
            "id": document.pk,
            "url": document.get_absolute_url(),
            "title": document.title,
            "description": document.description,
            "category": document.category,
            "workgroup": getattr(document.workgroup, "slug", None),
            "audience": document.audience,
            "language": document.language,
            "added": _when(document.created),
            "updated": _when(document.updated),
            "hidden": document.is_hidden,
        }
        for document in Document.objects.filter(uploaded_by=user)
        .select_related("workgroup")
        .order_by("pk")
    ]
    versions = [
        {
            "id": version.pk,
            "document": version.document_id,
            "file_name": version.filename,
            "content_type": version.content_type,
            "size": version.size,
            "sha256": version.sha256,
            "uploaded": _when(version.created),
            "what_changed": version.note,
            "file": files.add("documents", version.pk, version.filename, version.file),
        }
        for version in DocumentVersion.objects.filter(uploaded_by=user).order_by("pk")
    ]
    return {"documents": documents, "files": versions}


def _conversations(user: User) -> list[dict[str, Any]]:
    """The conversations the person took part in. While they are in one: its messages they
    may read (messaging.selectors) and its participants by display name. Once they left: only
    the messages they wrote themselves, as the site no longer shows them the rest."""
    visible_ids = set(
        messaging_selectors.conversations_visible_to(user).values_list("pk", flat=True)
    )
    readable = messaging_selectors.messages_visible_to(user)
    result = []
    participations = (
        Participant.objects.filter(user=user).select_related("conversation").order_by("pk")
    )
    for participation in participations:
        conversation = participation.conversation
        still_in = conversation.pk in visible_ids
        if still_in:
            messages = readable.filter(conversation=conversation)
            people = [
                {
                    "display_name": other.user.display_name,
                    "left": other.left_at is not None,
                }
                for other in messaging_selectors.participants_of(conversation)
                if other.user_id != user.pk
            ]
        else:
            messages = Message.objects.filter(conversation=conversation, author=user)
            people = []
        result.append(
            {
                "id": conversation.pk,
                "subject": conversation.subject if still_in else "",
                "joined": _when(participation.joined),
                "left": _when(participation.left_at),
                "other_participants": people,
                "messages": [
                    {
                        "from_me": message.author_id == user.pk,
                        "from": message.author.display_name if message.author else None,
                        "text": message.body,
                        "sent": _when(message.created),
                        "edited": _when(message.edited),
                        "hidden": message.is_hidden,
                    }
                    for message in messages.select_related("author").order_by("created", "pk")
                ],
            }
        )
    return result


def _notifications(user: User) -> dict[str, Any]:
    # What each notification points at, and who acted, are left out: it may be something
    # the person can no longer see.
    notifications = [
        {
            "kind": notification.kind,
            "when": _when(notification.created),
            "times": notification.occurrences,
            "read": _when(notification.read_at),
            "email": notification.email_state,
        }
        for notification in Notification.objects.filter(recipient=user).order_by("created", "pk")
    ]
    preferences = dict(
        NotificationPreference.objects.filter(user=user).values_list("kind", "channel")
    )
    settings_row = getattr(user, "notification_settings", None)
    return {
        "notifications": notifications,
        "email_choices": preferences,
        "content_free_emails": bool(settings_row and settings_row.content_free_emails),
    }


def _signatures(user: User) -> list[dict[str, Any]]:
    return [
        {
            "petition": signature.petition.slug,
            "petition_title_ar": signature.petition.title_ar,
            "petition_title_en": signature.petition.title_en,
            "partner": signature.partner.organisation.slug if signature.partner else None,
            "name": signature.name,
            "show_name": signature.show_name,
            "email": signature.email,
            "country": str(signature.country or ""),
            "governorate": signature.governorate,
            "organisation": signature.organisation_name,
            "consent_lead": signature.consent_lead,
            "consent_partner": signature.consent_partner,
            "language": signature.language,
            "state": signature.state,
            "source": signature.source,
            "signed": _when(signature.created),
            "confirmed": _when(signature.confirmed_at),
        }
        for signature in signatures_of(user)
    ]


def _audit(user: User) -> list[dict[str, Any]]:
    # Action and time only: the details and the other party may concern someone else.
    events = AuditEvent.objects.filter(Q(actor=user) | Q(subject=user)).order_by("created", "pk")
    return [
        {
            "action": event.action,
            "description": str(event.get_action_display()),
            "when": _when(event.created),
            "by_me": event.actor_id == user.pk,
            "about_me": event.subject_id == user.pk,
        }
        for event in events
    ]


def _sessions(user: User) -> list[dict[str, Any]]:
    return [
        {
            "device": session.user_agent_summary,
            "signed_in": _when(session.created),
            "last_seen": _when(session.last_seen),
        }
        for session in sessions_of(user)
    ]


def _api_tokens(user: User) -> list[dict[str, Any]]:
    # Never the secret (it is not kept) nor its fingerprint: what the tokens page shows.
    return [
        {
            "name": token.name,
            "made": _when(token.created),
            "last_used": _when(token.last_used),
            "revoked": _when(token.revoked),
        }
        for token in ApiToken.objects.filter(user=user).order_by("pk")
    ]


def _reports(user: User) -> list[dict[str, Any]]:
    # The reporter's own words; the excerpt is someone else's content.
    return [
        {
            "reason": report.reason,
            "note": report.note,
            "status": report.status,
            "reported": _when(report.created),
        }
        for report in Report.objects.filter(reporter=user).order_by("pk")
    ]


def _translations(user: User) -> list[dict[str, Any]]:
    return [
        {
            "kind": translation.content_type.model,
            "item": translation.object_id,
            "language": translation.language,
            "text": translation.fields,
            "written": _when(translation.created),
            "updated": _when(translation.updated),
        }
        for translation in Translation.objects.filter(translator=user)
        .select_related("content_type")
        .order_by("pk")
    ]


def personal_data_of(user: User) -> tuple[dict[str, Any], list[ExportFile]]:
    """Everything `user` may take away: the `data.json` content and the files to add."""
    files = _Files()
    data = {
        "account": _account(user),
        "profile": _profile(user),
        "application": _application(user),
        "organisation_memberships": _organisation_memberships(user),
        "workgroup_memberships": _workgroup_memberships(user),
        "list_subscriptions": _subscriptions(user),
        "muted_threads": _muted_threads(user),
        "follows": _follows(user),
        "posts": _social_posts(user, files),
        "comments": _comments(user),
        "reactions": _reactions(user),
        "workgroup_posts": _workgroup_posts(user, files),
        "documents": _documents(user, files),
        "conversations": _conversations(user),
        "notifications": _notifications(user),
        "petition_signatures": _signatures(user),
        "audit_events": _audit(user),
        "sessions": _sessions(user),
        "api_tokens": _api_tokens(user),
        "reports_made": _reports(user),
        "translations": _translations(user),
    }
    return data, files.items
