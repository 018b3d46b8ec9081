"""URLs of an organisation's host (<slug>.BASE_DOMAIN): its own data only."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.urls_public import healthz
from tenants.home import views as home

api_patterns = [
    path("organization/", home.current_organization, name="current-organization"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_tenants"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz),
]
