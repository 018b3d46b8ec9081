"""An organisation's own replacement for a built-in document template."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DocumentTemplate(models.Model):
    code = models.CharField("шаблон", max_length=60)
    file = models.FileField("файл DOCX", upload_to="documents/templates/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "шаблон документа"
        verbose_name_plural = "шаблоны документов"
        # A constraint, not unique=True: no extra «_like» index (only = look-ups).
        constraints = [
            models.UniqueConstraint(fields=["code"], name="documents_template_code_unique")
        ]

    def __str__(self) -> str:
        return self.code
