from django.urls import path

from tadamun.core import views

app_name = "core"
urlpatterns = [
    path("dev/mail/", views.dev_mail_list, name="dev_mail"),
    path("dev/mail/<int:pk>/", views.dev_mail_detail, name="dev_mail_detail"),
]
