"""A form sent twice (a double click, a resend after a slow answer, two tabs) does one thing.

The page renders a fresh key in the form (`{% submit_key %}`, core.templatetags.ru); the view
is wrapped in `@once_per_submit`: the first submission with that key runs the view in one
transaction and records the key with the page its answer redirected to, in that transaction;
a later one (or a concurrent twin, which waits on the key's unique index and then loses) writes
nothing and is sent to the same page with a calm message. A submission without a key, or
one whose view does not redirect (a form with errors), is not recorded.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from core.models import SubmittedForm

FIELD = "submit_key"
ALREADY_SENT = "Эта форма уже была отправлена: повторная отправка ничего не изменила."
_KEY = re.compile(r"^[0-9a-f]{32}$")
KEEP_DAYS = 7  # keys older than this are deleted (a resend a week later is a new submission)


def new_key() -> str:
    return uuid.uuid4().hex


class _Twin(Exception):
    """The same key was recorded by a concurrent submission first."""


def once_per_submit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _KEY.match(key):
            return view(request, *args, **kwargs)
        done = SubmittedForm.objects.filter(key=key).first()
        if done is not None:
            return _already(request, done)
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if response.status_code in (301, 302, 303):
                    try:
                        with transaction.atomic():
                            SubmittedForm.objects.create(key=key, result_url=response["Location"])
                    except IntegrityError:
                        raise _Twin from None  # rolls back what the view wrote
        except _Twin:
            _forget_queued_messages(request)
            return _already(request, SubmittedForm.objects.get(key=key))
        return response

    return wrapper


def _already(request: HttpRequest, done: SubmittedForm) -> HttpResponse:
    messages.info(request, ALREADY_SENT)
    return redirect(done.result_url)


def _forget_queued_messages(request: HttpRequest) -> None:
    """The rolled-back twin's «Сохранено» must not be shown."""
    storage = messages.get_messages(request)
    queued = getattr(storage, "_queued_messages", None)
    if isinstance(queued, list):
        queued.clear()


def submitted_forms_cleanup(*, now: dt.datetime | None = None) -> int:
    """Delete the current schema's keys older than KEEP_DAYS (hourly, with the previews)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    deleted, _ = SubmittedForm.objects.filter(submitted_at__lt=cutoff).delete()
    return deleted
