"""Document templates: download the built-in one, upload the organisation's own, go back."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import acting_user, manager_required
from core import uploads
from tenants.documents.models import DocumentTemplate
from tenants.documents.rendering import BUILTIN, docx_response, template_bytes, validate_template
from tenants.documents.sandbox import HELPER_DESCRIPTIONS

# A template is a DOCX by its members (word/document.xml), not by its name.
TEMPLATE_UPLOAD = uploads.UploadPolicy(
    what="шаблон", kinds=frozenset({uploads.Kind.DOCX}), max_bytes=5 * uploads.MB
)


@manager_required
def templates(request: HttpRequest) -> HttpResponse:
    own = {t.code: t for t in DocumentTemplate.objects.all()}
    rows = [
        {"code": code, "title": builtin.title, "own": own.get(code), "fields": builtin.fields}
        for code, builtin in sorted(BUILTIN.items())
    ]
    return render(
        request, "documents/templates.html", {"rows": rows, "helpers": HELPER_DESCRIPTIONS}
    )


@manager_required
def template_download(request: HttpRequest, code: str) -> HttpResponse:
    if code not in BUILTIN:
        raise Http404("Нет такого шаблона.")
    return docx_response(template_bytes(code), f"shablon-{code}.docx")


@manager_required
@require_POST
def template_upload(request: HttpRequest, code: str) -> HttpResponse:
    if code not in BUILTIN:
        raise Http404("Нет такого шаблона.")
    if request.POST.get("reset"):
        DocumentTemplate.objects.filter(code=code).delete()
        messages.success(request, "Восстановлен стандартный шаблон.")
        return redirect("documents:templates")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Выберите файл DOCX.")
        return redirect("documents:templates")
    try:
        uploads.validate(upload, TEMPLATE_UPLOAD)  # on its size, before it is read
    except uploads.UploadRefused as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("documents:templates")
    content = upload.read()
    problem = validate_template(code, content, max_bytes=TEMPLATE_UPLOAD.max_bytes)
    if problem:
        messages.error(request, problem)
        return redirect("documents:templates")
    upload.seek(0)
    template = DocumentTemplate.objects.filter(code=code).first() or DocumentTemplate(code=code)
    replaced = template.file.name if template.pk else ""
    template.file.save(f"{code}.docx", upload, save=False)  # stored once
    template.uploaded_by = acting_user(request)
    template.save()
    if replaced and replaced != template.file.name:
        template.file.storage.delete(replaced)  # the previous one, not left behind
    messages.success(request, "Шаблон организации загружен: документы теперь формируются по нему.")
    return redirect("documents:templates")
