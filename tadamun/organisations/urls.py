from django.urls import path

from tadamun.organisations import views

app_name = "organisations"
urlpatterns = [
    path("organisations/", views.directory, name="directory"),
    path("people/", views.people, name="people"),
    path("members/", views.public_directory, name="public_directory"),
    path("join/", views.apply, name="apply"),
    path("applications/", views.review_queue, name="review_queue"),
]
