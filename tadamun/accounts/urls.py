from django.urls import path

from tadamun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("profile/", views.profile, name="profile"),
    path("security/", views.security, name="security"),
    path("security/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("security/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("security/delete/", views.delete_account, name="delete_account"),
    path("security/policy/", views.security_policy, name="security_policy"),
    path("people/<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("audit/", views.audit_log, name="audit_log"),
]
