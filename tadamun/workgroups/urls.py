from django.urls import path

from tadamun.workgroups import views

app_name = "workgroups"
W = "workgroups/<slug:slug>/"
urlpatterns = [
    path("workgroups/", views.workgroup_list, name="list"),
    path(W, views.workgroup, name="workgroup"),
    path(W + "join/", views.join, name="join"),
    path(W + "request/", views.request_membership, name="request"),
    path(W + "invitation/accept/", views.accept_invitation, name="accept_invitation"),
    path(W + "invitation/decline/", views.decline_invitation, name="decline_invitation"),
    path(W + "leave/", views.leave, name="leave"),
    path(W + "delivery/", views.subscription, name="subscription"),
    path(W + "threads/new/", views.thread_new, name="thread_new"),
    path(W + "threads/<int:pk>/", views.thread, name="thread"),
    path(W + "threads/<int:pk>/reply/", views.reply, name="reply"),
    path(W + "threads/<int:pk>/mute/", views.mute, name="mute"),
    path(W + "moderation/", views.moderation, name="moderation"),
    path(W + "moderation/<int:pk>/", views.moderate, name="moderate"),
    path(W + "archive/", views.archive, name="archive"),
    path(W + "archive.mbox", views.archive_mbox, name="archive_mbox"),
    path(W + "archive/<int:year>/<int:month>/", views.archive_month, name="archive_month"),
    path(
        W + "archive/<int:year>/<int:month>.mbox",
        views.archive_month_mbox,
        name="archive_month_mbox",
    ),
    path(W + "search/", views.search, name="search"),
    path(W + "attachments/<int:pk>/", views.attachment, name="attachment"),
    path(W + "members/", views.members, name="members"),
    path(W + "members/<int:pk>/decide/", views.membership_decide, name="membership_decide"),
    path(W + "members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path(W + "members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path(W + "settings/", views.list_settings, name="list_settings"),
]
