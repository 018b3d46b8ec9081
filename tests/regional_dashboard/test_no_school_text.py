"""No school's free text leaves its schema: a school's own item title, form name and people's
names planted in its schema appear in no regional page, API response, report or digest."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django_tenants.utils import tenant_context

from regional_dashboard import rollups
from tests.conftest import host_client
from tests.mentoring.conftest import person, pupil

WHEN = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)
CANARIES = ("CANARY", "Канарейкин", "канарейкин")


def _plant(world) -> None:  # type: ignore[no-untyped-def]
    from tenants.mentoring.models import Form, Kind
    from tenants.mentoring.services import pair_create
    from tenants.roadmap.models import Roadmap
    from tenants.roadmap.services import roadmap_create, roadmap_item_create

    with tenant_context(world.alpha):
        roadmap = Roadmap.objects.filter(academic_year=2025).first() or roadmap_create(
            organization=world.alpha, academic_year=2025
        )
        roadmap_item_create(roadmap=roadmap, organization=world.alpha, user=None,
                            title="CANARY мероприятие Канарейкиной", deadline_text="До 01.09")  # fmt: skip
        form = Form.objects.create(code="canary", title="CANARY форма Канарейкиной",
                                   mentor_categories=["teacher"], mentee_categories=["pupil"])  # fmt: skip
        mentor = person(last_name="Канарейкина", capacity=3)
        pair = pair_create(mentor=mentor, mentees=[pupil(last_name="Канарейкин")], form=form,
                           kind=Kind.TRADITIONAL, starts_on=dt.date(2025, 10, 1), ends_on=None,
                           academic_year=2025, user=None, today=dt.date(2025, 10, 1))  # fmt: skip
        _plant_monitoring(pair)
        rollups.rollup_refresh(organization=world.alpha, now=WHEN)
    with tenant_context(world.beta):
        rollups.rollup_refresh(organization=world.beta, now=WHEN)
    from regional_dashboard.publication import publish_due

    publish_due(now=WHEN)


def _plant_monitoring(pair) -> None:  # type: ignore[no-untyped-def]
    """The pair's entry wave answered with the canary in an open answer and in a question the
    school added to the instrument (open answers and a school's questions stay in the school)."""
    from django.utils import timezone

    from tenants.mentoring.services import order_draft, order_sign, program_save
    from tenants.monitoring.models import Response
    from tenants.monitoring.services import instrument_adapt, response_submit

    day = dt.date(2025, 10, 1)
    instrument_adapt(
        code="profile_pupil", text="CANARY вопрос Канарейкиной | редко; часто", note="", user=None
    )
    order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""),
               number="9", signed_on=day, user=None, today=day)  # fmt: skip
    program = program_save(pair=pair, goals="", expected_results="", starts_on=day,
                           ends_on=day + dt.timedelta(days=120), user=None, today=day)  # fmt: skip
    for response in Response.objects.filter(wave__program=program).select_related("instrument"):
        answers = {i["code"]: "2" if i["kind"] == "scale" else "CANARY рассказ Канарейкиной"
                   for i in response.instrument.items}  # fmt: skip
        response_submit(response=response, answers=answers, user=None, now=timezone.now())


def _texts(response) -> str:  # type: ignore[no-untyped-def]
    content = response.content
    if content.startswith(b"PK"):  # XLSX: every part of the archive
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def test_a_schools_own_words_appear_in_no_regional_output(world):
    _plant(world)
    from regional_dashboard.models import OrganizationRollup, RollupCount, RollupStep

    stored = " ".join(
        str(value)
        for model in (OrganizationRollup, RollupStep, RollupCount)
        for value in model.objects.values_list(flat=False)
    )
    assert not any(canary in stored for canary in CANARIES)  # not even in the public tables

    north, alpha = world.north.pk, world.alpha.pk
    paths = [
        "/", "/?kind=school", "/dashboard/?year=2025", "/dashboard/?year=2025&kind=school",
        f"/dashboard/municipalities/{north}/?year=2025", f"/dashboard/organizations/{alpha}/?year=2025",
        "/dashboard/trend/?year=2025", f"/dashboard/trend/?year=2025&municipality={north}",
        "/dashboard/report.xlsx?year=2025", f"/dashboard/report.xlsx?year=2025&municipality={north}",
        "/dashboard/report.csv?year=2025", "/api/v1/monitoring/summary/?year=2025",
        f"/api/v1/monitoring/summary/?year=2025&municipality={north}&kind=school",
        "/api/v1/monitoring/organizations/?year=2025", "/api/v1/organizations/",
        f"/api/v1/organizations/{alpha}/",
    ]  # fmt: skip
    seen = 0
    for user in (world.olga, world.maria, world.tanya):
        client = host_client("localhost", user)
        for path in paths:
            response = client.get(path, follow=True)
            if response.status_code != 200:
                continue
            seen += 1
            text = _texts(response)
            assert not any(canary in text for canary in CANARIES), (user.username, path)
    assert seen >= 30  # the outputs were really looked at

    # The heatmap still counts the planted item, under a stage of the catalogue.
    olga = host_client("localhost", world.olga)
    summary = olga.get("/api/v1/monitoring/summary/?year=2025").json()
    assert summary["totals"]["items_total"] >= 1


def test_the_municipal_digest_carries_counts_and_registry_names_only(world):
    from messaging.models import MunicipalDigest
    from messaging.services import municipal_digests_send

    _plant(world)
    world.maria.email = "maria@north.test"
    world.maria.save()
    municipal_digests_send(now=dt.datetime(2025, 10, 6, 7, 0, tzinfo=dt.UTC))  # a Monday
    bodies = " ".join(MunicipalDigest.objects.values_list("body", flat=True))
    assert bodies and not any(canary in bodies for canary in CANARIES)
