"""Publications over time: a day's counts are never rewritten by a later publication, and what
was hidden stays hidden while its value is unchanged, so two days cannot be subtracted."""

from __future__ import annotations

import datetime as dt

from organizations.models import Municipality, Organization, Region
from regional_dashboard.models import OrganizationRollup, PublishedCell, PublishedOrganization
from regional_dashboard.publication import publish_due

DAY = dt.datetime(2025, 11, 24, 9, 0, tzinfo=dt.UTC)
NEXT = DAY + dt.timedelta(days=1)


def _school(municipality, n):  # type: ignore[no-untyped-def]
    return Organization.objects.bulk_create([Organization(
        full_name=f"Школа {n}", short_name=f"Школа {n}", slug=f"pub{n}", schema_name=f"pub{n}",
        kind="school", municipality=municipality)])[0]  # fmt: skip


def _row(organization, when, pairs, latest=True):  # type: ignore[no-untyped-def]
    OrganizationRollup.objects.filter(organization=organization).update(is_latest=False)
    return OrganizationRollup.objects.create(
        organization=organization, academic_year=2025, day=when.date(), computed_at=when,
        is_latest=latest, pairs_total=pairs,
        breakdown={"pairs_by_status": {"работает": pairs}, "pairs_by_kind": {
            "традиционное (один-на-один)": pairs}, "pairs_by_form": {"учитель – ученик": pairs}},
    )  # fmt: skip


def test_yesterdays_hidden_partner_stays_hidden_and_yesterdays_counts_stay_as_published(db):
    region = Region.objects.create(name="Область публикаций", code="95")
    municipality = Municipality.objects.create(region=region, name="Район")
    x, y, z, w = (_school(municipality, n) for n in range(4))
    for school, pairs in ((x, 3), (y, 7), (z, 9), (w, 20)):
        _row(school, DAY, pairs)
    assert publish_due(now=DAY) == 1

    def shown(on):  # type: ignore[no-untyped-def]
        return {p.organization_id: p.figures["pairs_total"]
                for p in PublishedOrganization.objects.filter(day=on)}  # fmt: skip

    first = shown(DAY.date())
    assert first[x.pk] is None and first[y.pk] is None  # 3 and its partner, the smallest other
    assert (first[z.pk], first[w.pk]) == (9, 20)

    _row(z, NEXT, 6)  # the next morning only Z is refreshed: now the smallest but one
    assert publish_due(now=NEXT) == 1
    second = shown(NEXT.date())
    assert second[x.pk] is None and second[y.pk] is None  # Y unchanged: hidden again
    assert second[z.pk] == 6 and second[w.pk] == 20
    assert shown(DAY.date()) == first  # yesterday's record is yesterday's publication
    cells = {c.day: c.figures["pairs_total"] for c in PublishedCell.objects.filter(
        municipality=municipality, kind="school")}  # fmt: skip
    assert cells == {DAY.date(): 39, NEXT.date(): 36}
    # 39 − 9 − 20 and 36 − 6 − 20 are both X + Y = 10: nothing more.
