"""The public pages: list, petition, partner pages, signing, confirming, names, widget."""

from django.urls import path

from tadamun.petitions import views_public as views

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("<slug:slug>/", views.petition_detail, name="petition"),
    path("<slug:slug>/with/<slug:partner_slug>/", views.partner_page, name="partner"),
    path("<slug:slug>/widget/", views.widget, name="widget"),
    path("<slug:slug>/with/<slug:partner_slug>/widget/", views.widget, name="partner_widget"),
    path("<slug:slug>/check-your-email/", views.check_email, name="check_email"),
    path("<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/confirmed/", views.confirmed, name="confirmed"),
    path("<slug:slug>/names/", views.names, name="names"),
]
