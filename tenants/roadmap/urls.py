"""URLs of the roadmap pages (organisation host)."""

from __future__ import annotations

from django.urls import path

from accounts.permissions import manager_required
from core.import_views import import_urls
from tenants.roadmap import views
from tenants.roadmap.imports import done_url

app_name = "roadmap"

urlpatterns = [
    path("", views.roadmap_index, name="index"),
    path("create/", views.roadmap_create_view, name="create"),
    path("rollover/", views.roadmap_rollover_view, name="rollover"),
    path("import/", views.roadmap_import_view, name="import"),
    *import_urls(code="roadmap", guard=manager_required, upload="roadmap:import", done=done_url),
    path("settings/", views.roadmap_settings, name="settings"),
    path("history/", views.roadmap_history, name="history"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar-reset"),
    path("items/new/", views.item_new, name="item-new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/status/", views.item_status, name="item-status"),
    path("items/<int:pk>/move/", views.item_move, name="item-move"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
