"""The pages every import shares: progress (polled with htmx), the paginated preview, confirm.

Each domain app wires them under its own URLs and permission (`import_urls`), with its own
upload form in front.
"""

from __future__ import annotations

import difflib
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
from core.imports import (
    Importer,
    import_job_confirm,
    import_job_for,
    import_job_map_columns,
    importer_for,
    preview_rows,
)
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
        "columns_url": reverse(f"{namespace}:import-columns", args=[job.pk]),
        "unknown_columns": _suggestions(job) if importer.template_columns else [],
        "missing_columns": job.summary.get("missing_columns", []),
    }  # fmt: skip
    return render(request, "core/imports/job.html", context)


def _suggestions(job: ImportJob) -> list[tuple[str, str]]:
    """Each file column the template does not know, with the missing template column whose
    name is closest («Дата рожд.» → «Дата рождения»), or "" when none is close."""
    missing = job.summary.get("missing_columns", [])
    lowered = {m.lower(): m for m in missing}
    found = []
    for column in job.summary.get("unknown_columns", []):
        close = difflib.get_close_matches(column.lower(), list(lowered), n=1, cutoff=0.5)
        prefix = [m for m in missing if column.lower().rstrip(".").split()[0] in m.lower()]
        found.append((column, lowered[close[0]] if close else prefix[0] if prefix else ""))
    return found


@require_POST
def job_columns(request: HttpRequest, pk: int, *, code: str) -> HttpResponse:
    """The preview's unknown columns mapped onto template columns; the file is read again."""
    importer = importer_for(code)
    job = _job(request, importer, pk)
    mapping = {
        column: request.POST.get(f"column-{n}", "")
        for n, column in enumerate(job.summary.get("unknown_columns", []))
    }
    try:
        import_job_map_columns(job=job, importer=importer, mapping=mapping)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        chosen = {k: v for k, v in mapping.items() if v}
        if chosen:
            messages.success(request, "Столбцы сопоставлены, файл проверен заново: "
                             + "; ".join(f"«{k}» → «{v}»" for k, v in chosen.items()) + ".")  # fmt: skip
    return redirect(request.path.removesuffix("columns/"))


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

    def columns(request: HttpRequest, pk: int) -> HttpResponse:
        return job_columns(request, pk, code=code)

    return [
        path(f"{prefix}<int:pk>/", guard(page), name="import-job"),
        path(f"{prefix}<int:pk>/confirm/", guard(confirm), name="import-confirm"),
        path(f"{prefix}<int:pk>/columns/", guard(columns), name="import-columns"),
    ]
