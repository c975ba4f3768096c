from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from tadamun.api.api import api as api_v1
from tadamun.core import views as core_views

# Django's admin has no login page of its own: it is reached only after signing in through
# allauth, which carries the rate limits and the second factor.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Tadamun"

urlpatterns = [
    path("language/", core_views.switch_language, name="switch_language"),
    path("exit/", core_views.quick_exit, name="quick_exit"),
    # Unsubscribe links carry no language prefix (RFC 8058 one-click POSTs).
    path("", include("tadamun.lists.urls")),
    path("api/v1/", api_v1.urls),  # JSON, no language prefix (core.middleware.UNPREFIXED)
]

urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("", include("tadamun.core.urls")),
    path("accounts/", include("tadamun.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("tadamun.organisations.urls")),
    path("", include("tadamun.workgroups.urls")),
    path("", include("tadamun.social.urls")),
    path("notifications/", include("tadamun.notifications.urls")),
    path("documents/", include("tadamun.documents.urls")),
    path("messages/", include("tadamun.messaging.urls")),
    path("reports/", include("tadamun.moderation.urls")),
    path("translations/", include("tadamun.translations.urls")),
    path("search/", include("tadamun.search.urls")),
    path("campaigns/", include("tadamun.campaigns.urls")),
    path("petitions/", include("tadamun.petitions.urls")),
    path("privacy/", include("tadamun.privacy.urls")),
    path("lockdown/", include("tadamun.lockdown.urls")),
    path("api/", include("tadamun.api.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
