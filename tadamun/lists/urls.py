"""Public list endpoints, outside `i18n_patterns`: the one-click unsubscribe link carries no
language prefix (mail providers POST to it, RFC 8058; a redirect would lose the POST), and the
confirmation link carries its language itself, as `/<language>/lists/confirm/<token>/`."""

from django.conf import settings
from django.urls import path, register_converter

from tadamun.lists import views


class LanguageConverter:
    regex = "|".join(code for code, _name in settings.LANGUAGES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "language")

app_name = "lists"
urlpatterns = [
    path("lists/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<language:language>/lists/confirm/<str:token>/", views.confirm, name="confirm"),
]
