from django.urls import path

from tadamun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("profile/", views.profile, name="profile"),
    path("security/", views.security, name="security"),
    path("audit/", views.audit_log, name="audit_log"),
]
