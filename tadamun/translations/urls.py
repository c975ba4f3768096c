from django.urls import path

from tadamun.translations import views

app_name = "translations"
ITEM = "<int:content_type_id>/<int:object_id>/"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("both/", views.both, name="both"),
    path("requests/<int:pk>/claim/", views.claim, name="claim"),
    path("requests/<int:pk>/release/", views.release, name="release"),
    path(ITEM + "ask/<str:language>/", views.ask, name="request"),
    path(ITEM + "translate/<str:language>/", views.translate, name="translate"),
]
