"""REST API of the monitoring (public host): the dashboard's figures, scoped and suppressed
the same way as the pages and reports: a people count withheld by the disclosure control
(fewer than 5, or one that would let a withheld count be worked out) is null."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.params import ID_SCHEMA, YEAR_SCHEMA, QueryParams
from organizations.models import Municipality, OrganizationKind
from regional_dashboard.dashboard import (
    BREAKDOWNS,
    LIVE_FIELDS,
    MONITORING_SHARES,
    PEOPLE_FIELDS,
    Selection,
    Summary,
    by_municipality,
    chosen_municipality,
    scope_or_refuse,
    select,
)
from regional_dashboard.reports import ORGANIZATION_COLUMNS, organization_record

FILTERS = [
    OpenApiParameter("year", YEAR_SCHEMA, description="учебный год (2025 — это 2025/2026); по умолчанию последний с данными"),
    OpenApiParameter("kind", str, enum=OrganizationKind.values, description="тип организации"),
    OpenApiParameter("municipality", ID_SCHEMA, description="id муниципалитета (в пределах вашей зоны)"),
]  # fmt: skip
WITHHELD = "null, если число скрыто (меньше 5 человек или пар, или его можно было бы вычислить)"
SHARES = ("items_done_share", "pupils_coverage", "teachers_coverage", *MONITORING_SHARES)
SHIFT = "growth_shift"  # the mean shift of the mentees' characteristics, in levels of the scale


def _people(title: str = "") -> serializers.IntegerField:
    return serializers.IntegerField(
        allow_null=True, help_text=f"{title}; {WITHHELD}" if title else WITHHELD
    )


def _share() -> serializers.FloatField:
    return serializers.FloatField(
        allow_null=True, help_text="в процентах; null, если не из чего считать"
    )


def _shift() -> serializers.FloatField:
    return serializers.FloatField(
        allow_null=True,
        help_text="средний сдвиг характеристик наставляемых от «входа» к «выходу», в уровнях шкалы; "
        "null, если скрыто или не из чего считать",
    )


class FiguresSerializer(serializers.Serializer):
    """Roadmap figures and headcounts (live), people counts (as published), shares."""

    organizations = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.update({name: serializers.IntegerField() for name in LIVE_FIELDS})
        fields.update({name: _people() for name in PEOPLE_FIELDS})
        fields.update({name: _share() for name in SHARES})
        fields[SHIFT] = _shift()
        return fields


class MunicipalityFiguresSerializer(FiguresSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrganizationRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    municipality = serializers.CharField()
    organization = serializers.CharField()
    kind = serializers.CharField()
    day = serializers.DateField(help_text="день, на который посчитаны показатели")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for key, title in ORGANIZATION_COLUMNS:
            if key in fields:
                continue
            if key in PEOPLE_FIELDS:
                fields[key] = _people(title)
            elif key in SHARES:
                fields[key] = _share()
            elif key == SHIFT:
                fields[key] = _shift()
            else:
                fields[key] = serializers.IntegerField(help_text=title)
        return fields


class MonitoringOrganizationsSerializer(serializers.Serializer):
    academic_year = serializers.IntegerField()
    count = serializers.IntegerField()
    results = OrganizationRecordSerializer(many=True)


class BreakdownsSerializer(serializers.Serializer):
    """Each breakdown: label → count (zeros left out)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.DictField(
                child=serializers.IntegerField(allow_null=True),
                help_text=f"{title}: подпись → число; {WITHHELD}",
            )
            for name, title in BREAKDOWNS.items()
        }


class MonitoringSummarySerializer(serializers.Serializer):
    academic_year = serializers.IntegerField()
    kind = serializers.CharField(help_text="выбранный тип организации или пустая строка")
    municipality = serializers.CharField(allow_null=True, help_text="выбранный муниципалитет")
    organizations_in_scope = serializers.IntegerField()
    totals = FiguresSerializer()
    breakdowns = BreakdownsSerializer()
    municipalities = MunicipalityFiguresSerializer(many=True)


def _selection(request: Request) -> tuple[Municipality | None, Selection]:
    scope = scope_or_refuse(user=request.user)
    params = QueryParams(request.query_params)  # a bad value is a 400 naming it
    municipality = chosen_municipality(scope, params)
    return municipality, select(scope=scope, params=params, municipality=municipality)


class MonitoringOrganizationsView(APIView):
    """One row per organisation: its latest figures of the academic year."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=FILTERS, responses=MonitoringOrganizationsSerializer, summary="Показатели организаций"
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        _, selection = _selection(request)
        results = [
            {
                "id": row.organization_id,
                **organization_record(
                    row, selection.organization_figures.get(row.organization_id), hidden=None
                ),
            }
            for row in selection.rows
        ]
        return Response(
            {"academic_year": selection.year, "count": len(results), "results": results}
        )


class MonitoringSummaryView(APIView):
    """Sums over the organisations in scope, breakdowns, and per municipality."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=FILTERS, responses=MonitoringSummarySerializer, summary="Сводка по территории"
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
