from django.urls import path

from tadamun.search import views

app_name = "search"
urlpatterns = [path("", views.search, name="search")]
