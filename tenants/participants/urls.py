"""URLs of the banks (organisation host)."""

from __future__ import annotations

from django.urls import path, reverse

from accounts.permissions import manager_required
from core.import_views import import_urls
from core.models import ImportJob
from tenants.participants import views

app_name = "participants"


def _bank_of(job: ImportJob) -> str:
    return reverse("participants:bank") + f"?year={job.params['academic_year']}"


urlpatterns = [
    path("", views.bank, name="bank"),
    path("new/", views.participant_new, name="new"),
    path("import/", views.import_view, name="import"),
    *import_urls(
        code="participants",
        guard=manager_required,
        upload="participants:import",
        done=_bank_of,
    ),
    path("template.xlsx", views.template_download, name="template"),
    path("export.xlsx", views.export, name="export"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("acts/", views.acts, name="acts"),
    path("audit/", views.access_log, name="access-log"),
    path("acts/<int:number>.docx", views.act_download, name="act"),
    path("questionnaires/", views.questionnaires, name="questionnaires"),
    path("questionnaires/<str:kind>/new/", views.question_edit, name="question-new"),
    path("questionnaires/<str:kind>/<int:pk>/", views.question_edit, name="question"),
    path("<int:pk>/", views.card, name="card"),
    path("<int:pk>/edit/", views.participant_edit, name="edit"),
    path("<int:pk>/agreement/", views.agreement_download, name="agreement"),
    path("<int:pk>/consents/", views.consent_add, name="consent-add"),
    path("<int:pk>/consents/blank.docx", views.consent_blank, name="consent-blank"),
    path(
        "<int:pk>/consents/<int:consent_pk>.docx", views.consent_document, name="consent-document"
    ),
    path("<int:pk>/consents/<int:consent_pk>/scan/", views.consent_scan, name="consent-scan"),
    path(
        "<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<int:pk>/invite/", views.invitation_new, name="invite"),
]
