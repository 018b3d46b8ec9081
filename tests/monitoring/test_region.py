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


def _pairs_with_waves(organization, pairs: int) -> None:  # type: ignore[no-untyped-def]
    """`pairs` pairs of one mentee each: the entry waves answered, the intermediate ones open
    with the satisfaction answered (100 from everyone but the first, who gives 67) and the
    mentors' views of their mentees not yet."""
    with tenant_context(organization):
        made = [
            pair_create(mentor=person(), mentees=[pupil()], form=Form.objects.get(code="teacher_pupil"),
                        kind=Kind.TRADITIONAL, starts_on=TODAY, ends_on=None, academic_year=YEAR, user=None,
                        today=TODAY)
            for _ in range(pairs)
        ]  # fmt: skip
        order_sign(order=order_draft(pairs=made, user=None, curator_name="", director_name=""),
                   number="3", signed_on=TODAY, user=None, today=TODAY)  # fmt: skip
        for pair in made:
            program = program_save(pair=pair, goals="", expected_results="", starts_on=TODAY,
                                   ends_on=TODAY + dt.timedelta(days=150), user=None, today=TODAY)  # fmt: skip
            _answer_all(
                Response.objects.filter(wave__program=program, wave__kind="entry"), lambda r: 2
            )
            middle = Wave.objects.get(program=program, kind=WaveKind.INTERMEDIATE)
            wave_open_now(wave=middle, user=None, today=TODAY, now=at(TODAY))
        satisfaction = Response.objects.filter(wave__kind="intermediate", instrument__purpose="satisfaction", answered_at__isnull=True).order_by("pk")  # fmt: skip
        first = satisfaction.first()
        _answer_all(satisfaction, lambda r: 3 if r.pk == first.pk else 4)


def test_the_rollup_carries_counts_of_people_and_sums_of_the_common_core_only(world):
    _pairs_with_waves(world.alpha, pairs=5)
    with tenant_context(world.alpha):
        figures = rollup_compute(organization=world.alpha, now=DAY)
    # People, not questionnaires: 5 mentors and 5 mentees asked; the mentees answered all
    # they were asked, the mentors not their views of the intermediate wave.
    assert (figures["survey_invited"], figures["survey_answered"]) == (10, 5)
    assert figures["satisfaction_n"] == 10 and figures["satisfaction_points"] == 967  # 9 × 100 + 67
    assert figures["satisfaction_answers"] == 10
    assert figures["waves_total"] == 10 and figures["waves_late"] == 0
    assert figures["growth_n"] == 0  # no «выход» yet
    assert "Открытый ответ" not in repr(figures)


def test_the_municipal_specialist_sees_the_schools_rate_and_index_or_a_withheld_sign(world):
    _pairs_with_waves(world.alpha, pairs=5)
    for organization in (world.alpha, world.beta):
        with tenant_context(organization):
            rollup_refresh(organization=organization, now=DAY)
    publish_due(now=DAY)
    maria = host_client("localhost", world.maria)  # the north: Alpha
    page = maria.get(f"/dashboard/municipalities/{world.north.pk}/?year={YEAR}").content.decode()
    assert "Мониторинг программ наставничества" in page and "Индекс удовлетворённости" in page
    assert "50,0" in page  # 5 of 10 answered all they were asked
    assert "96,7" in page  # (9 × 100 + 67) / 10
    # Beta's few answers: withheld, and Alpha's with them where the region's total would
    # otherwise give Beta's away (two schools, one per municipality).
    _pairs_with_waves(world.beta, pairs=1)  # one pair: withheld, and Alpha's pairs with it
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

    _pairs_with_waves(world.alpha, pairs=5)
    # Day 100: the intermediate wave (its last day was 89) still misses the mentor's views.
    late = TODAY + dt.timedelta(days=100)
    moment = dt.datetime.combine(late, dt.time(9), tzinfo=dt.UTC)
    with tenant_context(world.alpha):
        rollup_refresh(organization=world.alpha, now=moment)
    publish_due(now=moment)
    monday = late + dt.timedelta(days=(7 - late.weekday()) % 7)
    municipal_digests_send(now=dt.datetime.combine(monday, dt.time(7), tzinfo=dt.UTC))
    body = MunicipalDigest.objects.get(recipient=world.maria).body
    assert "Волны мониторинга программ наставничества с опозданием" in body
    assert f"• {world.alpha.short_name}: 5" in body  # five intermediate waves miss the views


def test_a_days_new_answers_cannot_be_had_by_subtracting_yesterdays_index(world):
    """Satisfaction of 10 people published; one more pair answers (2 people): the index and its
    base stay as they were until at least five people's answers changed them."""

    def alpha_row(moment: dt.datetime) -> dict:  # type: ignore[type-arg]
        with tenant_context(world.alpha):
            rollup_refresh(organization=world.alpha, now=moment)
        publish_due(now=moment)
        api = host_client("localhost", world.olga).get(
            f"/api/v1/monitoring/organizations/?year={YEAR}"
        )
        return next(r for r in api.json()["results"] if r["id"] == world.alpha.pk)

    _pairs_with_waves(world.alpha, pairs=5)
    first = alpha_row(DAY)
    assert (first["satisfaction_n"], first["satisfaction_index"]) == (10, 96.7)
    _pairs_with_waves(world.alpha, pairs=1)  # two more people, both «полностью удовлетворён»
    second = alpha_row(DAY + dt.timedelta(hours=1))
    assert second["satisfaction_n"] == 12 and second["satisfaction_index"] == 96.7  # held
    _pairs_with_waves(world.alpha, pairs=5)  # ten more: enough to move
    third = alpha_row(DAY + dt.timedelta(hours=2))
    assert third["satisfaction_n"] == 22 and third["satisfaction_index"] != 96.7
