"""URLs of the regional layer."""

from __future__ import annotations

from django.urls import path, reverse

from core.import_views import import_urls
from regional_dashboard import people, views

app_name = "regional"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/trend/", views.dashboard_trend, name="dashboard-trend"),
    path("dashboard/report.xlsx", views.dashboard_export, {"fmt": "xlsx"}, name="dashboard-xlsx"),
    path("dashboard/report.csv", views.dashboard_export, {"fmt": "csv"}, name="dashboard-csv"),
    path(
        "dashboard/municipalities/<int:pk>/",
        views.dashboard_municipality,
        name="dashboard-municipality",
    ),
    path(
        "dashboard/organizations/<int:pk>/",
        views.dashboard_organization,
        name="dashboard-organization",
    ),
    path("dashboard/monitoring-core/", views.monitoring_core, name="monitoring-core"),
    path("people/", people.people, name="people"),
    path("people/<int:user_id>/resend/", people.people_resend, name="people-resend"),
    path("organizations/onboarding/", views.onboarding, name="onboarding"),
    *import_urls(
        code="organizations",
        guard=views.operator_required,
        upload="regional:onboarding",
        done=lambda job: reverse("regional:home"),
        prefix="organizations/onboarding/",
    ),
    path(
        "organizations/onboarding/template.xlsx",
        views.onboarding_template,
        name="onboarding-template",
    ),
]
