from django.urls import path

from tadamun.organisations import views

app_name = "organisations"
urlpatterns = [
    path("members/", views.public_directory, name="public_directory"),
    path("organisations/", views.directory, name="directory"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("join/", views.apply, name="apply"),
    path("join/sent/", views.apply_sent, name="apply_sent"),
    path("join/invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("applications/", views.review_queue, name="review_queue"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
