"""The inbox (bell), notification settings, and the reminder log with dead letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import acting_user, manager_required
from core.params import QueryParams
from core.requests import TenantRequest
from messaging.models import Preference
from tenants.notifications.models import Outbox, OutboxStatus
from tenants.notifications.services import inbox_latest, inbox_mark_read


def inbox(request: TenantRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(inbox_latest(user=user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
def mark_read(request: TenantRequest) -> HttpResponse:
    user = acting_user(request)
    assert user is not None
    # No (or no valid) message id: all are marked read, as the «прочитать все» button asks.
    inbox_mark_read(
        user=user, message_id=QueryParams(request.POST, strict=False).integer("message")
    )
    if request.htmx:
        return HttpResponse("")
    return redirect("notifications:inbox")


def preferences(request: TenantRequest) -> HttpResponse:
    user = acting_user(request)
    assert user is not None
    preference = Preference.of(user.pk)
    if request.method == "POST":
        preference.email_enabled = bool(request.POST.get("email_enabled"))
        preference.messenger_enabled = bool(request.POST.get("messenger_enabled"))
        # A NUL cannot be stored: such a chat id is left empty, as if not typed.
        chat = QueryParams(request.POST, strict=False).text("messenger_chat", max_length=10_000)
        preference.messenger_chat = chat[:100]
        preference.save()
        messages.success(request, "Настройки уведомлений сохранены.")
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"preference": preference, "email": user.email}
    )


@manager_required
def log(request: TenantRequest) -> HttpResponse:
    """What was sent to whom, when, through what, with what result; dead letters first."""
    rows = Outbox.objects.select_related("recipient").order_by("-created_at", "-id")
    status = QueryParams(request.GET, strict=False).choice("status", OutboxStatus.values)
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/log.html", {
        "page": page, "status": status, "statuses": OutboxStatus.choices,
        "dead": Outbox.objects.filter(status=OutboxStatus.DEAD).count(),
    })  # fmt: skip


@manager_required
@require_POST
def retry(request: TenantRequest, pk: int) -> HttpResponse:
    """A dead letter goes back to the queue (e.g. after the address was fixed)."""
    updated = Outbox.objects.filter(pk=pk, status=OutboxStatus.DEAD).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None, last_error="", digest=None
    )
    messages.success(
        request,
        "Сообщение снова в очереди." if updated else "Сообщение не найдено среди недоставленных.",
    )
    return redirect("notifications:log")
