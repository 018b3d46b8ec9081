"""URLs of pairs and groups (organisation host)."""

from __future__ import annotations

from django.urls import path

from tenants.mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.board, name="board"),
    path("match/", views.match, name="match"),
    path("match/offer/", views.offer, name="offer"),
    path("match/all/", views.match_all, name="match-all"),
    path("forms/", views.forms_page, name="forms"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/<int:pk>.docx", views.order_download, name="order"),
    path("orders/<int:pk>/sign/", views.order_sign, name="order-sign"),
    path("orders/<int:pk>/discard/", views.order_discard, name="order-discard"),
    path("agreements/<int:participant_pk>.docx", views.agreement, name="agreement"),
    path("<int:pk>/", views.pair_detail, name="pair"),
    path("<int:pk>/transition/", views.pair_transition, name="transition"),
    path("<int:pk>/program/", views.program, name="program"),
    path("<int:pk>/report.docx", views.report, name="report"),
]
