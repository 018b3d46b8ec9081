"""No withheld count of the regional layer can be worked out by differencing.

Black box: every filter combination of the monitoring API (municipality × kind, for the
regional operator and for a municipal specialist) is asked, and every number it gives is read
as what it is, a sum over a set of organisations. Each organisation's true counts are the
unknowns (a measure and, for breakdowns, its count under every label, which add up to it).
A withheld number is recoverable exactly when it is a linear combination of the published
ones and of those identities; this is checked by linear algebra (numpy) for every withheld
number, on the demo region and on a generated region of 200 organisations. Published numbers
must also be the true sums.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.core.management import call_command

from organizations.models import Municipality, Organization, OrganizationKind, Region
from regional_dashboard.disclosure import SUPPRESS_BELOW
from regional_dashboard.models import OrganizationRollup
from regional_dashboard.publication import GROUPS, publish_due
from tests.conftest import host_client

NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.UTC)
YEAR = 2025
DERIVED = {
    "pairs_active": ("pairs_by_status", "работает"),
    "groups": ("pairs_by_kind", "в группе"),
    "programs_completed": ("pairs_by_status", "завершена"),
}
COVERAGE = {
    "pupils_involved": ("pupils_coverage", "pupils_count"),
    "teachers_involved": ("teachers_coverage", "teachers_count"),
}


@dataclass
class Facts:
    """Published and withheld numbers, each keyed by what it sums."""

    published: dict[tuple[object, ...], int] = field(default_factory=dict)
    withheld: set[tuple[object, ...]] = field(default_factory=set)

    def add(self, key: tuple[object, ...], value: object) -> None:
        if value is None:
            self.withheld.add(key)
            return
        assert isinstance(value, int), (key, value)
        previous = self.published.setdefault(key, value)
        assert previous == value, f"{key} published as {previous} and {value}"


def _collect(client, region: Region, year: int) -> tuple[Facts, dict[int, int]]:  # type: ignore[no-untyped-def]
    """Every number of every filter combination; and each organisation's municipality."""
    facts = Facts()
    headcounts = {  # registry data, public
        o.pk: {"pupils_count": o.pupils_count, "teachers_count": o.teachers_count}
        for o in Organization.objects.filter(municipality__region=region)
    }
    municipalities = {m.name: m.pk for m in Municipality.objects.filter(region=region)}
    home: dict[int, int] = {}
    labels_seen: dict[str, set[str]] = defaultdict(set)
    responses = []
    for municipality in [None, *municipalities.values()]:
        for kind in ["", *OrganizationKind.values]:
            query = f"?year={year}&kind={kind}" + (
                f"&municipality={municipality}" if municipality else ""
            )
            listed = client.get(f"/api/v1/monitoring/organizations/{query}")
            if listed.status_code == 403:
                continue
            assert listed.status_code == 200
            rows = listed.json()["results"]
            ids = frozenset(r["id"] for r in rows)
            for row in rows:
                home[row["id"]] = municipalities[row["municipality"]]
                for measure in GROUPS:
                    if measure in COVERAGE:  # a share of a known headcount is the count itself
                        share, headcount = COVERAGE[measure]
                        whole = headcounts[row["id"]][headcount]
                        if whole:
                            value = row[share]
                            facts.add(("org", row["id"], measure),
                                      None if value is None else round(value * whole / 100))  # fmt: skip
                        continue
                    facts.add(("org", row["id"], measure), row[measure])
            summary = client.get(f"/api/v1/monitoring/summary/{query}").json()
            responses.append((ids, summary))
            for name, counts in summary["breakdowns"].items():
                labels_seen[name].update(counts)
    for ids, summary in responses:
        if not ids:
            continue
        for measure in [*GROUPS, *DERIVED]:
            facts.add(("sum", ids, measure), summary["totals"][measure])
        for name, counts in summary["breakdowns"].items():
            for label in labels_seen[name]:  # a label not listed is a published zero
                facts.add(("label", ids, name, label), counts.get(label, 0))
        for row in summary["municipalities"]:
            part = frozenset(i for i in ids if home.get(i) == row["id"])
            if part:
                for measure in [*GROUPS, *DERIVED]:
                    facts.add(("sum", part, measure), row[measure])
    return facts, home


def _truth(region: Region, year: int) -> dict[int, OrganizationRollup]:
    return {
        r.organization_id: r
        for r in OrganizationRollup.objects.filter(
            is_latest=True, academic_year=year, organization__municipality__region=region
        )
    }


def _check(facts: Facts, truth: dict[int, OrganizationRollup]) -> tuple[int, int]:
    """(withheld numbers recoverable, withheld numbers) over every measure group; and every
    published number is the true one."""
    recoverable = withheld = 0
    orgs = sorted(truth)
    for measure, breakdowns in GROUPS.items():
        labels: dict[str, list[str]] = {}
        for name in breakdowns:
            found = {label for r in truth.values() for label in r.breakdown.get(name, {})}
            found |= {str(k[3]) for k in [*facts.published, *facts.withheld]
                      if k[0] == "label" and k[2] == name}  # fmt: skip
            found |= {label for derived, label in DERIVED.values() if derived == name}
            labels[name] = sorted(found)
        columns: dict[tuple[object, ...], int] = {}
        for o in orgs:
            columns[("y", o)] = len(columns)
            for name in breakdowns:
                for label in labels[name]:
                    columns[("x", o, name, label)] = len(columns)

        def vector(
            key: tuple[object, ...],
            columns: dict[tuple[object, ...], int] = columns,
            measure: str = measure,
            breakdowns: tuple[str, ...] = breakdowns,
        ) -> tuple[np.ndarray, int] | None:
            v = np.zeros(len(columns))
            if key[0] == "org" and key[2] == measure:
                o = key[1]
                v[columns[("y", o)]] = 1
                return v, getattr(truth[o], measure)  # type: ignore[index]
            if key[0] == "sum" and key[2] == measure:
                for o in key[1]:  # type: ignore[union-attr]
                    v[columns[("y", o)]] = 1
                return v, sum(getattr(truth[o], measure) for o in key[1])  # type: ignore[union-attr,index]
            name, label = (
                (key[2], key[3]) if key[0] == "label" else DERIVED.get(str(key[2]), ("", ""))
            )
            if key[0] in ("label", "sum") and name in breakdowns:
                for o in key[1]:  # type: ignore[union-attr]
                    v[columns[("x", o, name, label)]] = 1
                return v, sum(truth[o].breakdown.get(name, {}).get(label, 0) for o in key[1])  # type: ignore[union-attr,index]
            return None

        rows = []
        for o in orgs:  # identities: each breakdown adds up to the measure
            for name in breakdowns:
                v = np.zeros(len(columns))
                v[columns[("y", o)]] = -1
                for label in labels[name]:
                    v[columns[("x", o, name, label)]] = 1
                rows.append(v)
        for key, value in facts.published.items():
            found = vector(key)
            if found is not None:
                assert value == found[1], f"{key}: published {value}, true {found[1]}"
                rows.append(found[0])
        targets = [(key, found) for key in sorted(facts.withheld, key=str)
                   if (found := vector(key)) is not None]  # fmt: skip
        small = [
            k for k, v in facts.published.items() if (f := vector(k)) and 0 < f[1] < SUPPRESS_BELOW
        ]
        assert not small, f"small counts published: {small[:5]}"
        if not targets:
            continue
        matrix = np.array(rows)
        _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        basis = vt[: int((singular > 1e-9 * singular[0]).sum())]
        t = np.array([found[0] for _, found in targets])
        residual = np.linalg.norm(t - (t @ basis.T) @ basis, axis=1)
        exposed = [key for (key, _), r in zip(targets, residual, strict=True) if r < 1e-7]
        assert not exposed, f"{measure}: recoverable by differencing: {exposed[:5]}"
        recoverable += len(exposed)
        withheld += len(targets)
    return recoverable, withheld


def _generated_region(n: int = 200, municipalities: int = 12, seed: int = 7) -> Region:
    """Organisations in the registry with their latest rollups (no schemas: the regional
    layer reads the public tables only)."""
    from tenants.mentoring.catalogue import OTHER_FORMS, STANDARD_FORMS
    from tenants.mentoring.models import Kind, PairStatus
    from tenants.participants.models import Category

    rng = random.Random(seed)
    region = Region.objects.create(name="Сгенерированная область", code="97")
    places = [Municipality.objects.create(region=region, name=f"Район {i:02d}") for i in range(municipalities)]  # fmt: skip
    kinds = rng.choices(["school", "kindergarten", "college", "additional"], [10, 6, 1, 1], k=n)
    organizations = Organization.objects.bulk_create(
        Organization(full_name=f"ОО {i}", short_name=f"ОО {i}", slug=f"gen{i}", schema_name=f"gen{i}",
                     kind=kinds[i], municipality=rng.choice(places)) for i in range(n)
    )  # fmt: skip
    forms = [*STANDARD_FORMS.values(), OTHER_FORMS]

    def spread(total: int, labels: list[str], weights: list[float]) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for label in rng.choices(labels, weights, k=total):
            counts[label] += 1
        return dict(counts)

    rows = []
    for organization in organizations:
        size = {"school": 12, "kindergarten": 3, "college": 20, "additional": 2}[organization.kind]
        mentors, mentees, pairs = (int(rng.expovariate(1 / size)) for _ in range(3))
        categories = [str(c.label) for c in Category]
        rows.append(OrganizationRollup(
            organization=organization, academic_year=YEAR, day=NOW.date(), computed_at=NOW, is_latest=True,
            mentors=mentors, mentees=mentees, pairs_total=pairs,
            consents_missing=int(rng.expovariate(1 / 2)), meetings_held=int(rng.expovariate(1 / 8)),
            programs_completed=int(rng.expovariate(1 / 2)), pupils_involved=int(rng.expovariate(1 / 10)),
            teachers_involved=int(rng.expovariate(1 / 4)),
            breakdown={
                "mentors_by_category": spread(mentors, categories, [1, 8, 2, 1, 1, 1, 1, 1, 2, 1]),
                "mentees_by_category": spread(mentees, categories, [12, 3, 2, 1, 1, 2, 1, 1, 1, 1]),
                "pairs_by_form": spread(pairs, forms, [3, 2, 1, 1, 4, 1, 2, 1]),
                "pairs_by_kind": spread(pairs, [str(k.label) for k in Kind], [6, 2, 1, 1, 1, 1, 1]),
                "pairs_by_status": spread(pairs, [str(s.label) for s in PairStatus], [1, 2, 5, 2, 1]),
            },
        ))  # fmt: skip
    OrganizationRollup.objects.bulk_create(rows)
    return region


def _operator(region: Region):  # type: ignore[no-untyped-def]
    from accounts.models import Membership, Role, User

    user = User.objects.create_user(username=f"operator{region.code}", password="x-password-123")
    Membership.objects.create(user=user, role=Role.REGIONAL_OPERATOR, region=region)
    return user


def _specialist(municipality: Municipality):  # type: ignore[no-untyped-def]
    from accounts.models import Membership, Role, User

    user = User.objects.create_user(username=f"spec{municipality.pk}", password="x-password-123")
    Membership.objects.create(user=user, role=Role.MUNICIPAL_SPECIALIST, municipality=municipality)
    return user


def _prove(region: Region) -> tuple[int, int]:
    year = (
        OrganizationRollup.objects.filter(is_latest=True, organization__municipality__region=region)
        .values_list("academic_year", flat=True)
        .first()
    )
    assert year is not None
    operator_facts, _ = _collect(host_client("localhost", _operator(region)), region, year)
    biggest = max(Municipality.objects.filter(region=region), key=lambda m: m.organizations.count())
    specialist_facts, _ = _collect(host_client("localhost", _specialist(biggest)), region, year)
    facts = Facts(dict(operator_facts.published), set(operator_facts.withheld))
    for key, value in specialist_facts.published.items():
        facts.add(key, value)
    facts.withheld |= specialist_facts.withheld
    assert not (set(facts.published) & facts.withheld), "a number both shown and withheld"
    return _check(facts, _truth(region, year))


def test_nothing_withheld_is_recoverable_on_a_generated_region_of_200_organisations(db):
    region = _generated_region()
    assert publish_due(now=NOW) == 1
    recoverable, withheld = _prove(region)
    assert recoverable == 0 and withheld > 100  # the check had something to check


@pytest.mark.parametrize("seed", [11, 12])
def test_nothing_withheld_is_recoverable_on_small_generated_regions(db, seed):
    """Small regions are the hard case: one college, a municipality of two schools."""
    region = _generated_region(n=25, municipalities=4, seed=seed)
    publish_due(now=NOW)
    recoverable, withheld = _prove(region)
    assert recoverable == 0 and withheld > 0


def test_nothing_withheld_is_recoverable_on_the_demo_region(db):
    call_command("load_demo")  # refreshes and publishes the demo region's figures
    region = Region.objects.get(code="99")
    recoverable, withheld = _prove(region)
    assert recoverable == 0 and withheld > 0
