from django.urls import path

from tadamun.moderation import views

app_name = "moderation"
ITEM = "item/<int:content_type_id>/<int:object_id>/"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.my_reports, name="my_reports"),
    path("new/<int:content_type_id>/<int:object_id>/", views.report, name="report"),
    path(ITEM, views.item, name="item"),
    path(ITEM + "hide/", views.hide, name="hide"),
    path(ITEM + "restore/", views.restore, name="restore"),
    path(ITEM + "dismiss/", views.dismiss, name="dismiss"),
]
