"""Reads for the regional layer: public registry data only, never a tenant schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from organizations.models import Municipality, Organization, OrganizationKind, Region


@dataclass
class RegionOverview:
    region: Region
    municipalities: Sequence[Municipality]
    organizations_total: int
    by_kind: list[tuple[str, int]]


def region_overviews(*, kind: str = "") -> list[RegionOverview]:
    """Every region with its municipalities and their active organisations (two queries + one)."""
    organizations = Organization.objects.filter(is_active=True).order_by("short_name")
    if kind:
        organizations = organizations.filter(kind=kind)
    municipalities = Municipality.objects.prefetch_related(
        Prefetch("organizations", queryset=organizations, to_attr="active_organizations")
    ).order_by("name")
    regions = Region.objects.prefetch_related(
        Prefetch("municipalities", queryset=municipalities, to_attr="municipality_list")
    ).annotate(
        **{
            f"n_{value}": Count(
                "municipalities__organizations",
                filter=Q(
                    municipalities__organizations__kind=value,
                    municipalities__organizations__is_active=True,
                ),
            )
            for value in OrganizationKind.values
        }
    )
    overviews = []
    for region in regions:
        by_kind = [
            (OrganizationKind(value).short_label, getattr(region, f"n_{value}"))
            for value in OrganizationKind.values
        ]
        overviews.append(
            RegionOverview(
                region=region,
                municipalities=region.municipality_list,
                organizations_total=sum(count for _, count in by_kind),
                by_kind=by_kind,
            )
        )
    return overviews
