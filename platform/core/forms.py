"""Form widgets every app's pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ГГГГ-ММ-ДД whatever the locale shows."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def errors_into_form(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown where it belongs: next to the field it names (if the form has
    that field), else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def messages_from(request: HttpRequest, source: ValidationError | forms.BaseForm) -> None:
    """A refusal as the page's error messages: a service's ValidationError, or a form's errors
    (each message once, in the form's order)."""
    if isinstance(source, ValidationError):
        texts = source.messages
    else:
        texts = [str(message) for errors in source.errors.values() for message in errors]
    for text in texts:
        messages.error(request, text)


def error_texts(error: ValidationError) -> dict[str, str]:
    """A refusal as {field: its messages in one line} for a page that draws its own fields (a
    questionnaire by its link); one without fields under "__all__"."""
    if hasattr(error, "error_dict"):
        return {key: " ".join(messages) for key, messages in error.message_dict.items()}
    return {"__all__": " ".join(error.messages)}
