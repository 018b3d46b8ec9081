"""Public pages: one-click unsubscribe, and the local mail page of `make run`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from messaging.channels import maildir_messages
from messaging.models import Preference

CHANNELS = {
    "email": ("email_enabled", "письма"),
    "messenger": ("messenger_enabled", "сообщения в мессенджер"),
}
# RFC 8058: what a mail client's one-click POST carries (also the button of the GET page).
ONE_CLICK = ("List-Unsubscribe", "One-Click")


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a form token; the secret is in the URL
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str, channel: str) -> HttpResponse:
    """A GET only asks (mail scanners open every link in a letter, and used to unsubscribe
    people that way); the change is a POST: the mail client's one-click
    `List-Unsubscribe=One-Click`, or the page's buttons."""
    preference = Preference.objects.filter(unsubscribe_token=token).first()
    if preference is None or channel not in CHANNELS:
        raise Http404("Ссылка недействительна.")
    field, label = CHANNELS[channel]
    state = "ask"
    if request.method == "POST":
        if request.POST.get(ONE_CLICK[0]) == ONE_CLICK[1]:
            state = "unsubscribed"
        elif request.POST.get("resubscribe") == "1":
            state = "subscribed"
        else:
            return HttpResponse("Неверный запрос отписки.", status=400)
        setattr(preference, field, state == "subscribed")
        preference.save(update_fields=[field])
    return render(
        request,
        "messaging/unsubscribed.html",
        {"label": label, "state": state, "enabled": getattr(preference, field)},
    )


@login_required
def local_mail(request: HttpRequest) -> HttpResponse:
    """Only where a local mail server runs (`make run`): production has no such page. It holds
    every school's letters with their unsubscribe links, so only platform superusers see it."""
    maildir = getattr(settings, "LOCAL_MAILDIR", "")
    if not maildir:
        raise Http404("Локальной почты нет.")
    if not request.user.is_superuser:
        raise PermissionDenied("Письма платформы видит только администратор платформы.")
    path = Path(maildir)
    mails = maildir_messages(path) if path.is_dir() else []
    return render(request, "messaging/mail.html", {"mails": mails})
