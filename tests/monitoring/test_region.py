"""The region's view of monitoring: anonymous counts through the rollups, published under the
disclosure control (a withheld count's sum withheld with it), the dashboard's cards, the
municipal table, the report and the API; the digest names late waves."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from regional_dashboard.publication import publish_due
from regional_dashboard.rollups import rollup_compute, rollup_refresh
from tenants.mentoring.models import Form, Kind
from tenants.mentoring.services import order_draft, order_sign, pair_create, program_save
from tenants.monitoring.models import Response, Wave, WaveKind
from tenants.monitoring.services import response_submit, wave_open_now
from tests.conftest import host_client
from tests.mentoring.conftest import person, pupil
from tests.monitoring.conftest import DAY, TODAY, YEAR, at


def _answer_all(responses, level_of) -> None:  # type: ignore[no-untyped-def]
    for response in responses.select_related("instrument"):
        answers = {i["code"]: str(level_of(response)) if i["kind"] == "scale" else "Открытый ответ школы"
                   for i in response.instrument.items}  # fmt: skip
        response_submit(response=response, answers=answers, user=None, now=at(TODAY))


def _group_with_waves(organization, mentees: int) -> None:  # type: ignore[no-untyped-def]
    """A group of `mentees` pupils: the entry wave answered, the intermediate one answered but
    for its profiles (satisfaction 100 from all but one mentee, who gives 67)."""
    with tenant_context(organization):
        group = pair_create(mentor=person(capacity=mentees), mentees=[pupil() for _ in range(mentees)],
                            form=Form.objects.get(code="teacher_pupil"), kind=Kind.GROUP, starts_on=TODAY,
                            ends_on=None, academic_year=YEAR, user=None, today=TODAY)  # fmt: skip
        order_sign(order=order_draft(pairs=[group], user=None, curator_name="", director_name=""),
                   number="3", signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
        program = program_save(pair=group, goals="", expected_results="", starts_on=TODAY,
                               ends_on=TODAY + dt.timedelta(days=150), user=None, today=TODAY)  # fmt: skip
        _answer_all(Response.objects.filter(wave__program=program, wave__kind="entry"), lambda r: 2)
        middle = Wave.objects.get(program=program, kind=WaveKind.INTERMEDIATE)
        wave_open_now(wave=middle, user=None, today=TODAY, now=at(TODAY))
        satisfaction = Response.objects.filter(
            wave=middle, instrument__purpose="satisfaction"
        ).order_by("pk")
        first = satisfaction.first()
        _answer_all(satisfaction, lambda r: 3 if r.pk == first.pk else 4)


def test_the_rollup_carries_counts_and_sums_of_the_common_core_only(world):
    _group_with_waves(world.alpha, mentees=4)
    with tenant_context(world.alpha):
        figures = rollup_compute(organization=world.alpha, now=DAY)
    # entry: 4 self + 4 mentor's views; intermediate: 4 views + 5 satisfaction + 1 curator
    assert (figures["survey_invited"], figures["survey_answered"]) == (18, 13)
    assert figures["satisfaction_n"] == 5 and figures["satisfaction_points"] == 467  # 4 × 100 + 67
    assert figures["waves_total"] == 2 and figures["waves_late"] == 0
    assert figures["growth_n"] == 0  # no «выход» yet
    assert "Открытый ответ" not in repr(figures)


def test_the_municipal_specialist_sees_the_schools_rate_and_index_or_a_withheld_sign(world):
    _group_with_waves(world.alpha, mentees=4)
    for organization in (world.alpha, world.beta):
        with tenant_context(organization):
            rollup_refresh(organization=organization, now=DAY)
    publish_due(now=DAY)
    maria = host_client("localhost", world.maria)  # the north: Alpha
    page = maria.get(f"/dashboard/municipalities/{world.north.pk}/?year={YEAR}").content.decode()
    assert "Мониторинг программ наставничества" in page and "Индекс удовлетворённости" in page
    assert "72,2" in page or "72.2" in page  # 13 of 18
    assert "93,4" in page or "93.4" in page  # (4 × 100 + 67) / 5
    # Beta's few answers: withheld, and Alpha's with them where the region's total would
    # otherwise give Beta's away (two schools, one per municipality).
    _group_with_waves(world.beta, mentees=1)  # 2 + 4 questionnaires, 3 answered
    later = DAY + dt.timedelta(minutes=5)
    with tenant_context(world.beta):
        rollup_refresh(organization=world.beta, now=later)
    publish_due(now=later)
    api = (
        host_client("localhost", world.olga)
        .get(f"/api/v1/monitoring/organizations/?year={YEAR}")
        .json()
    )
    by_id = {row["id"]: row for row in api["results"]}
    beta = by_id[world.beta.pk]
    assert (
        beta["satisfaction_index"] is None and beta["satisfaction_n"] is None
    )  # 2 answers: withheld
    summary = (
        host_client("localhost", world.olga).get(f"/api/v1/monitoring/summary/?year={YEAR}").json()
    )
    # Beta's withheld count cannot be had as the region's total less Alpha's.
    alpha = by_id[world.alpha.pk]
    for measure in ("satisfaction_n", "survey_answered", "survey_invited"):
        total = summary["totals"][measure]
        assert total is None or alpha[measure] is None or beta[measure] is not None, measure
    report = host_client("localhost", world.olga).get(f"/dashboard/report.xlsx?year={YEAR}")
    assert report.status_code == 200


def test_the_weekly_digest_names_schools_with_late_waves(world):
    from messaging.models import MunicipalDigest
    from messaging.services import municipal_digests_send

    _group_with_waves(world.alpha, mentees=1)
    # Day 100: the intermediate wave (its last day was 89) still misses the mentor's views.
    late = TODAY + dt.timedelta(days=100)
    with tenant_context(world.alpha):
        rollup_refresh(
            organization=world.alpha, now=dt.datetime.combine(late, dt.time(9), tzinfo=dt.UTC)
        )
    monday = late + dt.timedelta(days=(7 - late.weekday()) % 7)
    municipal_digests_send(now=dt.datetime.combine(monday, dt.time(7), tzinfo=dt.UTC))
    body = MunicipalDigest.objects.get(recipient=world.maria).body
    assert "Волны мониторинга программ наставничества с опозданием" in body
    assert f"• {world.alpha.short_name}: 1" in body
