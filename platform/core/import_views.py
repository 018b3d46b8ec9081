"""The pages every import shares: progress (polled with htmx), the paginated preview, confirm.

Each domain app wires them under its own URLs and permission (`import_urls`), with its own
upload form in front.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.permissions import acting_user
from core.imports import Importer, import_job_confirm, import_job_for, importer_for, preview_rows
from core.models import ImportJob, ImportStatus

PAGE_SIZE = 50

View = Callable[..., Any]


def _job(request: HttpRequest, importer: Importer, pk: int) -> ImportJob:
    job = import_job_for(user=acting_user(request), importer=importer, pk=pk)
    if job is None:
        raise Http404("Загрузка не найдена: её проверка устарела или её загрузил другой человек.")
    return job


def job_page(request: HttpRequest, pk: int, *, code: str, upload_url: str) -> HttpResponse:
    importer = importer_for(code)
    job = _job(request, importer, pk)
    if request.GET.get("progress"):
        if not job.is_running:
            return HttpResponseClientRefresh()  # done: the whole page shows the preview
        return render(request, "core/imports/_progress.html", {"job": job})
    only_errors = request.GET.get("errors") == "1"
    page = Paginator(preview_rows(job=job, only_errors=only_errors), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    context = {
        "importer": importer, "job": job, "page": page, "only_errors": only_errors,
        "columns": importer.columns, "upload_url": upload_url,
        "confirm_url": reverse(f"{namespace}:import-confirm", args=[job.pk]),
        "result_message": importer.result_message(job) if job.status == ImportStatus.APPLIED else "",
        "confirm_label": importer.confirm_label(job.summary.get("valid", 0)),
        "can_confirm": job.status == ImportStatus.READY and not job.is_expired()
        and job.summary.get("valid") and not (importer.all_or_nothing and job.summary.get("errors")),
    }  # fmt: skip
    return render(request, "core/imports/job.html", context)


@require_POST
def job_confirm(
    request: HttpRequest, pk: int, *, code: str, done: Callable[[ImportJob], str]
) -> HttpResponse:
    importer = importer_for(code)
    job = _job(request, importer, pk)
    confirmation = import_job_confirm(job=job, user=acting_user(request))
    if confirmation.job.status == ImportStatus.APPLIED and confirmation.ok:
        messages.success(request, confirmation.message)
        return redirect(done(confirmation.job))
    (messages.success if confirmation.ok else messages.error)(request, confirmation.message)
    return redirect(request.path.removesuffix("confirm/"))


def import_urls(*, code: str, guard: Callable[[View], View], upload: str,
                done: Callable[[ImportJob], str], prefix: str = "import/") -> list[URLPattern]:  # fmt: skip
    """`<prefix><pk>/` (preview and progress) and `<prefix><pk>/confirm/` of an app's import."""

    def page(request: HttpRequest, pk: int) -> HttpResponse:
        return job_page(request, pk, code=code, upload_url=reverse(upload))

    def confirm(request: HttpRequest, pk: int) -> HttpResponse:
        return job_confirm(request, pk, code=code, done=done)

    return [
        path(f"{prefix}<int:pk>/", guard(page), name="import-job"),
        path(f"{prefix}<int:pk>/confirm/", guard(confirm), name="import-confirm"),
    ]
