"""Public pages: one-click unsubscribe, and the local mail page of `make run`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from messaging.channels import maildir_messages
from messaging.models import Preference

CHANNELS = {
    "email": ("email_enabled", "письма"),
    "messenger": ("messenger_enabled", "сообщения в мессенджер"),
}


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a form token; the secret is in the URL
def unsubscribe(request: HttpRequest, token: str, channel: str) -> HttpResponse:
    preference = Preference.objects.filter(unsubscribe_token=token).first()
    if preference is None or channel not in CHANNELS:
        raise Http404("Ссылка недействительна.")
    field, label = CHANNELS[channel]
    resubscribe = request.method == "POST" and request.POST.get("resubscribe") == "1"
    setattr(preference, field, resubscribe)
    preference.save(update_fields=[field])
    return render(
        request, "messaging/unsubscribed.html", {"label": label, "subscribed": resubscribe}
    )


@login_required
def local_mail(request: HttpRequest) -> HttpResponse:
    """Only where a local mail server runs (`make run`): production has no such page."""
    maildir = getattr(settings, "LOCAL_MAILDIR", "")
    if not maildir:
        raise Http404("Локальной почты нет.")
    path = Path(maildir)
    mails = maildir_messages(path) if path.is_dir() else []
    return render(request, "messaging/mail.html", {"mails": mails})
