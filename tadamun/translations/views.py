"""Asking for, writing and queueing translations of any kind of content."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tadamun.core import content
from tadamun.core.permissions import member_required
from tadamun.core.view_helpers import errors_text, safe_next
from tadamun.translations import selectors, services
from tadamun.translations.forms import QueueFilterForm, TranslationForm
from tadamun.translations.models import TranslationRequest

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _item_for(request, content_type_id: int, object_id: int):
    item = content.resolve(content_type_id, object_id)
    if item is None or not hasattr(item, "language"):
        raise Http404
    if not content.can_see(request.user, item):
        raise Http404
    return item


@require_POST
@member_required
def ask(request, content_type_id: int, object_id: int, language: str):
    item = _item_for(request, content_type_id, object_id)
    if language not in LANGUAGE_CODES:
        raise Http404
    try:
        services.translation_request(obj=item, target_language=language, by=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(
            request,
            _("Your request is in the translation queue. You will be told when it is done."),
        )
    return redirect(safe_next(request, item.get_absolute_url()))


@member_required
def translate(request, content_type_id: int, object_id: int, language: str):
    item = _item_for(request, content_type_id, object_id)
    if language not in LANGUAGE_CODES or not selectors.can_translate(request.user, item):
        raise Http404
    kind = content.kind_of(item)
    existing = selectors.translations_of(item).get(language)
    open_request = selectors.open_request_for(item, language)
    form = TranslationForm(
        request.POST or None,
        initial=existing or {},
        fields=kind.text_fields,
        language=language,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if open_request is not None:
                    services.translation_submit(
                        request=open_request, fields=form.cleaned_data, by=request.user
                    )
                else:
                    services.translation_save(
                        obj=item, language=language, fields=form.cleaned_data, by=request.user
                    )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as denied:
                raise Http404 from denied
            else:
                messages.success(request, _("The translation was saved."))
                return redirect(item.get_absolute_url())
        status = 400
    return render(
        request,
        "translations/translate.html",
        {
            "item": item,
            "kind": kind,
            "loc": selectors.localize(item, item.language),
            "language": language,
            "form": form,
            "open_request": open_request,
        },
        status=status,
    )


@require_POST
def both(request):
    request.session["bilingual_both"] = request.POST.get("both") == "1"
    return redirect(safe_next(request, "/"))


@member_required
def queue(request):
    if not request.user.is_translator:
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None)
    source = target = None
    if form.is_valid():
        source = form.cleaned_data["source"] or None
        target = form.cleaned_data["target"] or None
    everything = selectors.queue_for(request.user)
    shown = [
        waiting
        for waiting in everything
        if (source is None or waiting.source_language == source)
        and (target is None or waiting.target_language == target)
    ]
    return render(
        request,
        "translations/queue.html",
        {
            "form": form,
            "requests": shown,
            "pairs": selectors.queue_pairs(everything),
            "mine": [waiting for waiting in everything if waiting.claimed_by_id == request.user.pk],
        },
    )


def _queued_request(request, pk: int) -> TranslationRequest:
    if not request.user.is_translator:
        raise Http404
    waiting = get_object_or_404(TranslationRequest, pk=pk, status__in=TranslationRequest.OPEN)
    item = content.resolve(waiting.content_type_id, waiting.object_id)
    if item is None or not content.can_see(request.user, item):
        raise Http404
    waiting.item = item
    return waiting


@require_POST
@member_required
def claim(request, pk: int):
    waiting = _queued_request(request, pk)
    try:
        services.translation_claim(request=waiting, by=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
        return redirect("translations:queue")
    messages.success(request, _("The item is yours to translate. Other translators see it taken."))
    return redirect(
        "translations:translate",
        waiting.content_type_id,
        waiting.object_id,
        waiting.target_language,
    )


@require_POST
@member_required
def release(request, pk: int):
    waiting = _queued_request(request, pk)
    try:
        services.translation_release(request=waiting, by=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    messages.success(request, _("The item is back in the queue for another translator."))
    return redirect("translations:queue")
