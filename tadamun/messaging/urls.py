from django.urls import path

from tadamun.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/leave/", views.leave, name="leave"),
    path("<int:pk>/mute/", views.mute, name="mute"),
    path("<int:pk>/messages/<int:message_pk>/edit/", views.edit, name="edit"),
]
