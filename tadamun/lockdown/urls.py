from django.urls import path

from tadamun.lockdown import views

app_name = "lockdown"
urlpatterns = [
    path("", views.lockdown_page, name="page"),
    path("<int:pk>/lift/", views.lift, name="lift"),
]
