"""URLs of the routes (ИОМ) on the organisation's host."""

from __future__ import annotations

from django.urls import path

from tenants.routes import views

app_name = "routes"

urlpatterns = [
    path("", views.own, name="own"),
    path("school/", views.school, name="school"),
    path("<int:pk>/", views.route_page, name="route"),
    path("<int:pk>/route.docx", views.document, name="document"),
    path("<int:pk>/describe/", views.describe, name="describe"),
    path("<int:pk>/diagnosis/<str:kind>/", views.diagnosis, name="diagnosis"),
    path("<int:pk>/deficits/", views.deficit_add, name="deficit-add"),
    path("<int:pk>/deficits/<int:deficit_pk>/close/", views.deficit_close, name="deficit-close"),
    path("<int:pk>/activities/new/", views.activity_edit, name="activity-new"),
    path("<int:pk>/activities/<int:activity_pk>/", views.activity_edit, name="activity"),
    path(
        "<int:pk>/activities/<int:activity_pk>/cancel/",
        views.activity_cancel,
        name="activity-cancel",
    ),
    path(
        "<int:pk>/activities/<int:activity_pk>/accept/",
        views.recommendation_accept,
        name="activity-accept",
    ),
    path("<int:pk>/activities/<int:activity_pk>/product/", views.product, name="product"),
    path(
        "<int:pk>/activities/<int:activity_pk>/product/file/",
        views.product_file,
        name="product-file",
    ),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/reflection/", views.reflection, name="reflection"),
    path("<int:pk>/consent/", views.consent, name="consent"),
]
