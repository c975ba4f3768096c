from django.urls import path

from tadamun.privacy import views

app_name = "privacy"

urlpatterns = [
    path("report/", views.report, name="report"),
    path("my-data/", views.my_data, name="my_data"),
]
