"""URLs of the public host (BASE_DOMAIN, localhost): regional layer, admin, registry API."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cnppm import api as cnppm_api
from core.api import APIRouter
from messaging import views as messaging_views
from organizations.api import OrganizationViewSet
from regional_dashboard.api import MonitoringOrganizationsView, MonitoringSummaryView

router = APIRouter()
router.register("organizations", OrganizationViewSet, basename="organization")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# admin.site is accounts.admin_site.PlatformAdminSite (titles, second factor required).
urlpatterns = [
    path("", include("regional_dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("cnppm/", include("cnppm.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/monitoring/summary/", MonitoringSummaryView.as_view(), name="monitoring-summary"),
    path(
        "api/v1/monitoring/organizations/",
        MonitoringOrganizationsView.as_view(),
        name="monitoring-organizations",
    ),
    path("api/v1/cnppm/caseload/", cnppm_api.CaseloadView.as_view(), name="cnppm-caseload"),
    path(
        "api/v1/cnppm/routes/<int:organization>/<int:route>/",
        cnppm_api.TutorRouteView.as_view(),
        name="cnppm-route",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_public"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz),
    path("unsubscribe/<str:token>/<str:channel>/", messaging_views.unsubscribe, name="unsubscribe"),
    path("mail/", messaging_views.local_mail, name="local-mail"),
]

# The API's unknown paths (e.g. /api/v1/pairs/1.5/) answer JSON; pages keep 404.html.
handler404 = "core.api.not_found_view"
handler500 = "core.outage.server_error"
