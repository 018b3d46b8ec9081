"""REST API of the monitoring (public host): the dashboard's figures, scoped and suppressed
the same way as the pages and reports: a people count withheld by the disclosure control
(fewer than 5, or one that would let a withheld count be worked out) is null."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.models import Municipality
from regional_dashboard.dashboard import (
    Selection,
    Summary,
    by_municipality,
    chosen_municipality,
    scope_or_refuse,
    select,
)
from regional_dashboard.reports import organization_record

FILTERS = [
    OpenApiParameter("year", int, description="учебный год (2025 — это 2025/2026); по умолчанию последний с данными"),
    OpenApiParameter("kind", str, description="тип организации: school, kindergarten, college, additional"),
    OpenApiParameter("municipality", int, description="id муниципалитета (в пределах вашей зоны)"),
]  # fmt: skip


def _selection(request: Request) -> tuple[Municipality | None, Selection]:
    scope = scope_or_refuse(user=request.user)
    municipality = chosen_municipality(scope, request.query_params)
    return municipality, select(scope=scope, params=request.query_params, municipality=municipality)


class MonitoringOrganizationsView(APIView):
    """One row per organisation: its latest figures of the academic year."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=FILTERS, responses={200: OpenApiTypes.OBJECT}, summary="Показатели организаций"
    )
    def get(self, request: Request) -> Response:
        _, selection = _selection(request)
        results = [
            {"id": row.organization_id, **organization_record(row, hidden=None)}
            for row in selection.rows
        ]
        return Response(
            {"academic_year": selection.year, "count": len(results), "results": results}
        )


class MonitoringSummaryView(APIView):
    """Sums over the organisations in scope, breakdowns, and per municipality."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=FILTERS, responses={200: OpenApiTypes.OBJECT}, summary="Сводка по территории"
    )
    def get(self, request: Request) -> Response:
        municipality, selection = _selection(request)
        summary = Summary.of_selection(selection)
        return Response({
            "academic_year": selection.year,
            "kind": selection.filters["kind"],
            "municipality": municipality.name if municipality else None,
            "organizations_in_scope": selection.organizations.count(),
            "totals": summary.shown(hidden=None),
            "breakdowns": {name: counts for name, _, counts in summary.shown_breakdowns(hidden=None)},
            "municipalities": [{"id": m.pk, "name": m.name, **figures} for m, figures in by_municipality(selection, hidden=None)],
        })  # fmt: skip
