"""URLs of the ЦНППМ on the regional host."""

from __future__ import annotations

from django.urls import path

from cnppm import views

app_name = "cnppm"

route = "routes/<int:organization_id>/<int:route_id>/"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("caseload.xlsx", views.workspace_xlsx, name="workspace-xlsx"),
    path(route, views.route_page, name="route"),
    path(route + "route.docx", views.document, name="document"),
    path(route + "review/", views.review, name="review"),
    path(route + "recommend/", views.recommend, name="recommend"),
    path(route + "diagnosis/tutor/", views.diagnosis, name="diagnosis"),
    path(
        route + "activities/<int:activity_pk>/product/file/",
        views.product_file,
        name="product-file",
    ),
    path("deficits/", views.deficits, name="deficits"),
    path("instrument/", views.instrument, name="instrument"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/new/", views.assignment_new, name="assignment-new"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
]
