from django.urls import include, path

app_name = "petitions"

# Public pages (signing, confirming, counts, partner pages, widget) and the back office
# (exports, invalidation, paper batches, updates to signers, delivery) live in two modules.
urlpatterns = [
    path("", include("tadamun.petitions.urls_public")),
    path("", include("tadamun.petitions.urls_office")),
]
