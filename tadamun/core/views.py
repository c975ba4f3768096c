from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path
from django.views.decorators.http import require_GET, require_POST

from tadamun.core.models import CaughtMail


def home(request):
    from tadamun.organisations import selectors as org_selectors
    from tadamun.workgroups import selectors as workgroup_selectors

    context = {
        "stats": org_selectors.network_stats(viewer=request.user),
        "recent_threads": workgroup_selectors.recent_threads_of_my_workgroups(request.user),
    }
    return render(request, "core/home.html", context)


def same_page_in(url: str, language: str) -> str:
    """The address of the same page in another language (the prefix decides the language)."""
    current = get_language_from_path(url)
    if current is None:
        return f"/{language}{url}" if url.startswith("/") else f"/{language}/"
    with translation.override(current):
        translated = translate_url(url, language)
    if translated == url and current != language:
        translated = f"/{language}/" + url.removeprefix(f"/{current}/")
    return translated


@require_GET
def quick_exit(request):
    """The "quick exit" link's target without JavaScript: a page that at once replaces itself
    with a neutral site (a zero-second refresh replaces the history entry, where a 302 would
    leave the page the person fled one "back" away), tells the browser to drop what it has
    cached of this site, and says nothing about the site itself. With JavaScript the link
    never gets here: static/js/quick-exit.js replaces the current page directly."""
    response = render(request, "core/quick_exit.html", {"exit_url": settings.QUICK_EXIT_URL})
    response["Clear-Site-Data"] = '"cache"'
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def switch_language(request):
    """Switch to the other language on the same page; remembered for signed-in people."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(same_page_in(next_url, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated and request.user.preferred_language != language:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


def _mail_catcher_on():
    if not (settings.DEBUG and settings.MAIL_CATCHER_ENABLED):
        raise Http404


def dev_mail_list(request):
    _mail_catcher_on()
    return render(request, "core/dev_mail_list.html", {"mails": CaughtMail.objects.all()[:200]})


def dev_mail_detail(request, pk: int):
    _mail_catcher_on()
    return render(
        request, "core/dev_mail_detail.html", {"mail": get_object_or_404(CaughtMail, pk=pk)}
    )
