"""The kinds of notification, each with a translated label (the settings page), a translated
sentence (the list and the e-mail), and the e-mail channel people get until they choose.

The sentences are lazy: they are rendered in the viewer's language on the site and in the
recipient's language in e-mail (`translation.override`), never stored translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How e-mail reaches a person for one kind of notification (the site always shows it)."""

    IMMEDIATELY = "immediately", _("E-mail at once")
    DAILY = "daily", _("Daily summary")
    NEVER = "never", _("Only on the site")


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any
    sentence: Any  # "%(actor)s …"
    default_channel: str


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in [
        Kind(
            "message",
            _("Direct messages"),
            _("%(actor)s sent you a message"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "mention",
            _("Mentions of you"),
            _("%(actor)s mentioned you"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "reply",
            _("Replies to your comments"),
            _("%(actor)s replied to your comment"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "comment",
            _("Comments on your posts"),
            _("%(actor)s commented on your post"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "report_decision",
            _("Moderation decisions about what you wrote"),
            # The sentence depends on the decision; see `sentence()`.
            _("The moderators made a decision about something you wrote"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "translation_delivered",
            _("Translations you asked for"),
            _("%(actor)s translated something you asked about"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "post",
            _("New posts in your workgroups and from people you follow"),
            _("%(actor)s published a new post"),
            Channel.DAILY,
        ),
        Kind(
            "reaction",
            _("Reactions to what you wrote"),
            _("%(actor)s reacted to what you wrote"),
            Channel.DAILY,
        ),
        Kind(
            "follow",
            _("New followers"),
            _("%(actor)s started following you"),
            Channel.DAILY,
        ),
        Kind(
            "document",
            _("New documents in your workgroups' libraries"),
            _("%(actor)s added a document to a library of yours"),
            Channel.DAILY,
        ),
        Kind(
            "campaign_review",
            _("Decisions on campaigns you proposed"),
            _("%(actor)s reviewed a campaign you proposed"),
            Channel.IMMEDIATELY,
        ),
        Kind(
            "translation_requested",
            _("Requests for translation"),
            _("%(actor)s asked for a translation"),
            Channel.DAILY,
        ),
    ]
}

DECISION_SENTENCES = {
    "hidden": _("The moderators hid something you wrote"),
    "restored": _("The moderators restored something you wrote"),
}

# Who did it, when the actor is gone or not someone the viewer may see.
SOMEONE = pgettext_lazy("notification actor", "Someone")


def get(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}") from None


def sentence(kind: str, *, actor_name: str | None, data: dict | None = None) -> str:
    """The notification's sentence in the active language. `actor_name` is None when the
    actor is unknown or not someone the reader may see."""
    if kind == "report_decision":
        decision = (data or {}).get("decision")
        return str(DECISION_SENTENCES.get(decision, KINDS[kind].sentence))
    spec = KINDS.get(kind)
    if spec is None:
        return str(_("Something new for you"))
    return str(spec.sentence) % {"actor": actor_name or str(SOMEONE)}


def sentence_html(kind: str, *, actor_name: str | None, data: dict | None = None) -> SafeString:
    """The same sentence for a page: escaped, the name isolated in `<bdi>` (an Arabic name in
    an English sentence, or the other way round, keeps its direction)."""
    if kind == "report_decision" or kind not in KINDS:
        return conditional_escape(sentence(kind, actor_name=actor_name, data=data))
    name = format_html("<bdi>{}</bdi>", actor_name or str(SOMEONE))
    return mark_safe(conditional_escape(str(KINDS[kind].sentence)) % {"actor": name})  # nosec B308, B703
