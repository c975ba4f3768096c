"""The back office of petitions (views_office), under /<language>/petitions/<slug>/office/, and
the unsubscribe link of updates to signers."""

from django.urls import path

from tadamun.petitions import views_office as views

office = "<slug:slug>/office/"

urlpatterns = [
    path(office, views.dashboard, name="office"),
    path(f"{office}status/", views.status, name="office_status"),
    path(f"{office}preview/", views.preview, name="office_preview"),
    path(f"{office}invalidate/", views.invalidate, name="office_invalidate"),
    path(f"{office}invalidations/", views.invalidations, name="office_invalidations"),
    path(
        f"{office}invalidations/<int:pk>/restore/",
        views.invalidation_restore,
        name="office_invalidation_restore",
    ),
    path(f"{office}paper/", views.paper, name="office_paper"),
    path(f"{office}paper/sheet.pdf", views.paper_sheet, name="office_paper_sheet"),
    path(f"{office}paper/<int:pk>/", views.paper_batch, name="office_paper_batch"),
    path(
        f"{office}paper/<int:pk>/delete/",
        views.paper_batch_delete,
        name="office_paper_batch_delete",
    ),
    path(f"{office}paper/<int:pk>/evidence/", views.paper_evidence, name="office_paper_evidence"),
    path(f"{office}delivery/", views.delivery_page, name="office_delivery"),
    path(f"{office}delivery/petition.pdf", views.delivery_pdf, name="office_delivery_pdf"),
    path(f"{office}delivery/send/", views.delivery_send, name="office_delivery_send"),
    path(f"{office}delivery/response/", views.response, name="office_response"),
    path(f"{office}updates/", views.updates, name="office_updates"),
    path(f"{office}updates/new/", views.update_new, name="office_update_new"),
    path(f"{office}updates/<int:pk>/", views.update_detail, name="office_update"),
    path(f"{office}updates/<int:pk>/approve/", views.update_approve, name="office_update_approve"),
    path(f"{office}updates/<int:pk>/reject/", views.update_reject, name="office_update_reject"),
    path(f"{office}export/", views.export, name="office_export"),
    path(f"{office}export/signatures.csv", views.export_csv, name="office_export_csv"),
    path(f"{office}partner/<slug:partner_slug>/", views.partner_office, name="office_partner"),
    path(
        f"{office}partner/<slug:partner_slug>/signers.csv",
        views.partner_csv,
        name="office_partner_csv",
    ),
    # The token is signed ("<id>-<kind>:<signature>"): it never matches a petition's slug.
    path("news/unsubscribe/<str:token>/", views.update_unsubscribe, name="update_unsubscribe"),
]
