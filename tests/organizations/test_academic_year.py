"""The academic year starts where the organisation says (1 September unless set): roadmap
dates, the timeline, documents and the mentoring page all read it from the organisation."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from organizations.models import academic_year_of


def test_the_default_year_starts_on_the_first_of_september():
    assert academic_year_of(dt.date(2025, 8, 31)) == 2024
    assert academic_year_of(dt.date(2025, 9, 1)) == 2025


def test_an_organisation_whose_year_starts_in_august(world):
    from tenants.roadmap.selectors import timeline_months
    from tenants.roadmap.services import roadmap_create

    alpha = world.alpha
    alpha.academic_year_start_month, alpha.academic_year_start_day = 8, 15
    alpha.save()
    assert alpha.academic_year_of(dt.date(2026, 8, 20)) == 2026
    assert alpha.academic_year_of(dt.date(2026, 8, 10)) == 2025
    assert alpha.academic_year_bounds(2026) == (dt.date(2026, 8, 15), dt.date(2027, 8, 14))
    with tenant_context(alpha):
        roadmap = roadmap_create(organization=alpha, academic_year=2033)
        assert timeline_months(roadmap=roadmap, organization=alpha)[0] == dt.date(2033, 8, 1)
        item = roadmap.items.get(title="Формирование базы наставляемых")
        # «До 10.09. ежегодно» in the year that began on 15 August.
        assert item.due_on == dt.date(2033, 9, 10)
