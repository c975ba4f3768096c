"""Writing translations and working the queue. Every kind of content uses these; none keeps
its own copy of the rules."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.core import content
from tadamun.core.text import clean_text
from tadamun.translations import selectors
from tadamun.translations.models import Translation, TranslationRequest

LANGUAGE_CODES = selectors.LANGUAGE_CODES
FIELD_MAX_CHARS = 100_000

BOTH_LANGUAGES_REQUIRED = _(
    "Official content is published only when it exists in both Arabic and English. "
    "Add the missing translation first."
)


def require_all_languages(obj) -> None:
    """Raise ValidationError unless `obj` exists in every language of the site. Services that
    publish official content (statements, campaigns, petitions, trainings, the forum programme)
    call this before publishing."""
    if not selectors.has_all_languages(obj):
        raise ValidationError(BOTH_LANGUAGES_REQUIRED, code="needs_both_languages")


def _clean_fields(obj, fields: Mapping[str, str]) -> dict[str, str]:
    allowed = content.kind_of(obj).text_fields
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("This item has no such text to translate."), code="unknown_field")
    cleaned = {}
    for name in allowed:
        value = clean_text(fields.get(name) or "")
        if len(value) > FIELD_MAX_CHARS:
            raise ValidationError(_("The translation is too long."), code="too_long")
        cleaned[name] = value
    if not any(cleaned.values()):
        raise ValidationError(_("Write the translation before saving it."), code="empty")
    for name in allowed:
        if getattr(obj, name) and not cleaned[name]:
            raise ValidationError(
                _("Translate every part of the item (a part is empty)."), code="incomplete"
            )
    return cleaned


def _check_language(obj, language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Choose Arabic or English."), code="language")
    if language == obj.language:
        raise ValidationError(
            _("This is the language the item was written in; choose the other one."),
            code="same_language",
        )


@transaction.atomic
def translation_save(*, obj, language: str, fields: Mapping[str, str], by) -> Translation:
    """Add or replace the `language` version of `obj`. Closes any open request for it and tells
    the author(s) and the people who asked."""
    if not selectors.can_translate(by, obj):
        raise PermissionDenied
    _check_language(obj, language)
    cleaned = _clean_fields(obj, fields)
    content_type = ContentType.objects.get_for_model(type(obj))
    translation, _created = Translation.objects.update_or_create(
        content_type=content_type,
        object_id=obj.pk,
        language=language,
        defaults={"fields": cleaned, "translator": by},
    )
    request = (
        TranslationRequest.objects.select_for_update()
        .filter(
            content_type=content_type,
            object_id=obj.pk,
            target_language=language,
            status__in=TranslationRequest.OPEN,
        )
        .first()
    )
    recipients = {author for author in content.kind_of(obj).authors(obj) if author}
    if request is not None:
        request.status = TranslationRequest.Status.DONE
        request.completed = timezone.now()
        if request.claimed_by_id is None:
            request.claimed_by = by
        request.save(update_fields=["status", "completed", "claimed_by"])
        recipients |= set(request.requesters.all())
    recipients.discard(by)
    if recipients:
        _notify(recipients, "translation_delivered", obj, by)
    return translation


@transaction.atomic
def translation_delete(*, obj, language: str, by) -> None:
    if not selectors.can_translate(by, obj):
        raise PermissionDenied
    Translation.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        language=language,
    ).delete()


def translation_request(*, obj, target_language: str, by) -> TranslationRequest:
    """Ask for `obj` in `target_language`. A second person asking joins the first request
    (one open request per item and language, by a unique constraint)."""
    if not (getattr(by, "is_authenticated", False) and by.is_member):
        raise PermissionDenied
    if not content.can_see(by, obj):
        raise PermissionDenied
    _check_language(obj, target_language)
    if target_language in selectors.translations_of(obj):
        raise ValidationError(_("This item is already translated."), code="exists")
    content_type = ContentType.objects.get_for_model(type(obj))
    for _attempt in range(2):
        try:
            with transaction.atomic():
                request, created = TranslationRequest.objects.get_or_create(
                    content_type=content_type,
                    object_id=obj.pk,
                    target_language=target_language,
                    status__in=TranslationRequest.OPEN,
                    defaults={
                        "source_language": obj.language,
                        "status": TranslationRequest.Status.WAITING,
                    },
                )
                request.requesters.add(by)
                break
        except IntegrityError:  # someone else opened it at the same moment: join theirs
            continue
    else:  # pragma: no cover - two collisions in a row
        raise ValidationError(_("Please try again."), code="retry")
    if created:
        transaction.on_commit(lambda: _notify_translators(request.pk))
    return request


def _notify_translators(request_pk: int) -> None:
    from django.contrib.auth import get_user_model

    request = TranslationRequest.objects.filter(pk=request_pk).first()
    if request is None:
        return
    item = content.resolve(request.content_type_id, request.object_id)
    if item is None:
        return
    translators = get_user_model().objects.filter(is_translator=True, status="member")
    _notify(translators, "translation_requested", item, None)


@transaction.atomic
def translation_claim(*, request: TranslationRequest, by) -> TranslationRequest:
    request = TranslationRequest.objects.select_for_update().get(pk=request.pk)
    item = content.resolve(request.content_type_id, request.object_id)
    if item is None or not by.is_translator or not content.can_see(by, item):
        raise PermissionDenied
    if request.status != TranslationRequest.Status.WAITING:
        if request.status == TranslationRequest.Status.CLAIMED and request.claimed_by_id == by.pk:
            return request
        raise ValidationError(
            _("Another translator has already taken this item."), code="already_claimed"
        )
    request.status = TranslationRequest.Status.CLAIMED
    request.claimed_by = by
    request.claimed_at = timezone.now()
    request.save(update_fields=["status", "claimed_by", "claimed_at"])
    return request


@transaction.atomic
def translation_release(*, request: TranslationRequest, by) -> TranslationRequest:
    request = TranslationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TranslationRequest.Status.CLAIMED or (
        request.claimed_by_id != by.pk and not by.is_coordinator
    ):
        raise PermissionDenied
    request.status = TranslationRequest.Status.WAITING
    request.claimed_by = None
    request.claimed_at = None
    request.save(update_fields=["status", "claimed_by", "claimed_at"])
    return request


def translation_submit(
    *, request: TranslationRequest, fields: Mapping[str, str], by
) -> Translation:
    """A translator delivers the translation they claimed (or an unclaimed one)."""
    item = content.resolve(request.content_type_id, request.object_id)
    if item is None:
        raise ValidationError(_("The item no longer exists."), code="gone")
    current = TranslationRequest.objects.get(pk=request.pk)
    if current.status not in TranslationRequest.OPEN:
        raise ValidationError(_("This request is already closed."), code="closed")
    if current.status == TranslationRequest.Status.CLAIMED and current.claimed_by_id != by.pk:
        raise ValidationError(
            _("Another translator has already taken this item."), code="already_claimed"
        )
    return translation_save(obj=item, language=current.target_language, fields=fields, by=by)


def _notify(recipients, kind: str, obj, actor) -> None:
    try:
        from tadamun.notifications.services import notify
    except ImportError:  # pragma: no cover - the notifications app is part of the site
        return
    notify(recipients=recipients, kind=kind, target=obj, actor=actor)


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))
