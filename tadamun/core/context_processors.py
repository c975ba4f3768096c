from django.conf import settings
from django.utils.translation import get_language, get_language_bidi


def network(request):
    language = get_language() or settings.LANGUAGE_CODE
    return {
        "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
        "network_description": settings.NETWORK_DESCRIPTION.get(
            language, settings.NETWORK_DESCRIPTION["en"]
        ),
        "text_dir": "rtl" if get_language_bidi() else "ltr",
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != language],
        "mail_catcher": settings.MAIL_CATCHER_ENABLED and settings.DEBUG,
        "quick_exit_url": settings.QUICK_EXIT_URL,
    }
