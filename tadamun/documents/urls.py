from django.urls import path

from tadamun.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("workgroup/<slug:slug>/", views.workgroup_library, name="workgroup"),
    path("workgroup/<slug:slug>/upload/", views.workgroup_upload, name="workgroup_upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/versions/new/", views.new_version, name="new_version"),
    # One name for both: reverse with the document alone for the current file, with the
    # document and a version for an earlier one.
    path("<int:pk>/versions/<int:version_pk>/download/", views.download, name="download"),
]
