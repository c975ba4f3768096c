from django.urls import path

from tadamun.campaigns import views

app_name = "campaigns"
C = "<slug:slug>/"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.propose, name="propose"),
    path("review/", views.review_queue, name="review_queue"),
    path(C, views.campaign_detail, name="campaign"),
    path(C + "edit/", views.edit, name="edit"),
    path(C + "submit/", views.submit, name="submit"),
    path(C + "review/", views.review, name="review"),
    path(C + "status/", views.change_status, name="status"),
    path(C + "targets/", views.targets, name="targets"),
    path(C + "targets/<int:pk>/remove/", views.target_remove, name="target_remove"),
    path(C + "events/", views.events, name="events"),
    path(C + "events/<int:pk>/remove/", views.event_remove, name="event_remove"),
    path(C + "updates/new/", views.update_new, name="update_new"),
    path(C + "updates/<int:pk>/remove/", views.update_remove, name="update_remove"),
    path(C + "links/", views.links, name="links"),
    path(C + "links/documents/", views.link_document, name="link_document"),
    path(C + "links/documents/<int:pk>/remove/", views.unlink_document, name="unlink_document"),
    path(C + "links/posts/", views.link_post, name="link_post"),
    path(C + "links/posts/<int:pk>/remove/", views.unlink_post, name="unlink_post"),
]
