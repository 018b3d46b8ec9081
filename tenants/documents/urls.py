"""URLs of document templates (organisation host)."""

from __future__ import annotations

from django.urls import path

from tenants.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.templates, name="templates"),
    path("<str:code>.docx", views.template_download, name="download"),
    path("<str:code>/upload/", views.template_upload, name="upload"),
]
