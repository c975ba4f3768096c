from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.translation import get_language_from_path

# Paths that never carry a language prefix.
UNPREFIXED = (
    "/static/",
    "/media/",
    "/api/",
    "/favicon.ico",
    "/robots.txt",
    "/lists/unsubscribe/",
    # Not pages in a language: the quick exit must leave at once, whoever is signed in.
    "/exit/",
    "/language/",
)


class PreferredLanguageMiddleware:
    """A signed-in person who arrives on a path without a language prefix goes to the site in
    their preferred language (anonymous visitors get Accept-Language via LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            request.method in {"GET", "HEAD"}
            and user is not None
            and user.is_authenticated
            and not path.startswith(UNPREFIXED)
            and get_language_from_path(path) is None
            and user.preferred_language in self.languages
        ):
            query = request.META.get("QUERY_STRING")
            target = f"/{user.preferred_language}{path}" + (f"?{query}" if query else "")
            return HttpResponseRedirect(target)
        return self.get_response(request)
