from __future__ import annotations

from django.urls import path

from accounts.permissions import manager_required
from core.import_views import import_urls
from tenants.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("waves/<int:pk>/", views.wave, name="wave"),
    path("waves/<int:pk>/action/", views.wave_action, name="wave-action"),
    path("pairs/<int:pair_pk>/", views.pair_monitoring, name="pair"),
    path("pairs/<int:pair_pk>/outcomes/", views.outcomes_save, name="outcomes"),
    path("instruments/", views.instruments, name="instruments"),
    path("instruments/<slug:code>/", views.instrument_edit, name="instrument"),
    path("report/", views.report, name="report"),
    path("report.docx", views.report_docx, name="report-docx"),
    path("outcomes/import/", views.outcomes_import, name="import"),
    path("outcomes/template.xlsx", views.outcomes_template, name="template"),
    *import_urls(
        code="outcomes",
        guard=manager_required,
        upload="monitoring:import",
        done=lambda job: "/monitoring/",
        prefix="outcomes/import/",
    ),
]
