"""URLs of notifications (organisation host)."""

from __future__ import annotations

from django.urls import path

from tenants.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="read"),
    path("settings/", views.preferences, name="preferences"),
    path("log/", views.log, name="log"),
    path("log/<int:pk>/retry/", views.retry, name="retry"),
]
