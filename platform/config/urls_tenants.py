"""URLs of an organisation's host (<slug>.BASE_DOMAIN): its own data only."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.urls_public import healthz
from core.api import APIRouter
from tenants.home import members
from tenants.home import views as home
from tenants.mentoring import api as mentoring_api
from tenants.mentoring import views as mentoring_views
from tenants.monitoring import views as monitoring_views
from tenants.participants import api as participant_api
from tenants.participants import views as participant_views
from tenants.roadmap import api as roadmap_api
from tenants.roadmap import views as roadmap_views
from tenants.routes import api as routes_api

router = APIRouter()
router.register("roadmaps", roadmap_api.RoadmapViewSet, basename="roadmap")
router.register("roadmap-items", roadmap_api.RoadmapItemViewSet, basename="roadmap-item")
router.register("participants", participant_api.ParticipantViewSet, basename="participant")
router.register("pairs", mentoring_api.PairViewSet, basename="pair")
router.register("suggestions", mentoring_api.SuggestionViewSet, basename="suggestion")
router.register("routes", routes_api.RouteViewSet, basename="route")

api_patterns = [
    path("organization/", home.current_organization, name="current-organization"),
    path("deadlines/parse/", roadmap_api.deadline_parse, name="deadline-parse"),
    *router.urls,
]

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("profile/", home.profile, name="profile"),
    path("signing/", home.signing, name="signing"),
    path("people/", members.people, name="people"),
    path("people/invite/", members.people_invite, name="people-invite"),
    path("people/<int:user_id>/roles/", members.people_roles, name="people-roles"),
    path("people/<int:user_id>/end/", members.people_end, name="people-end"),
    path("people/<int:user_id>/resend/", members.people_resend, name="people-resend"),
    path("participants/<int:pk>/account/", members.participant_account, name="participant-account"),
    path("roadmap/", include("tenants.roadmap.urls")),
    path("participants/", include("tenants.participants.urls")),
    path("pairs/", include("tenants.mentoring.urls")),
    path("documents/", include("tenants.documents.urls")),
    path("routes/", include("tenants.routes.urls")),
    path("monitoring/", include("tenants.monitoring.urls")),
    path("notifications/", include("tenants.notifications.urls")),
    path("choose/<str:token>/", mentoring_views.choose, name="choose"),
    path("q/<str:token>/", participant_views.answer, name="answer"),
    path("m/<str:token>/", monitoring_views.answer, name="monitoring-answer"),
    path("calendar/<str:token>.ics", roadmap_views.calendar_feed, name="calendar-feed"),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_tenants"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz),
]

# The API's unknown paths (e.g. /api/v1/pairs/1.5/) answer JSON; pages keep 404.html.
handler404 = "core.api.not_found_view"
handler500 = "core.outage.server_error"
