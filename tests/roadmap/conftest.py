"""Roadmap fixtures: Alpha's roadmap of the current academic year, in Alpha's schema."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.roadmap.models import Roadmap
from tenants.roadmap.selectors import current_academic_year


@pytest.fixture
def in_alpha(world):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        yield world


@pytest.fixture
def roadmap(in_alpha) -> Roadmap:  # type: ignore[no-untyped-def]
    return Roadmap.objects.get(academic_year=current_academic_year(in_alpha.alpha))
