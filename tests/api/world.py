"""An organisation with something in it for the API tests: a mentor's (bob's) and a mentee's
(misha's) cards with their accounts, their approved pair with a program, a pupil in no pair,
the roadmap every school starts with, and rollups for the monitoring API. Made through the
services, inside the calling test's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from tenants.mentoring import services as mentoring
from tenants.mentoring.models import Form, Kind, Pair
from tenants.participants.models import BankRole, Category, ConsentKind, Participant, Relation
from tenants.participants.services import ParticipantData, consent_add, participant_create
from tests.conftest import PASSWORD, World


@dataclass
class ApiWorld:
    world: World
    mentee_user: User
    mentor: Participant
    mentee: Participant
    stranger: Participant  # a mentee of the school in no pair
    pair: Pair
    route: int = 0  # bob's route (ИОМ), shared with tanya, his tutor


def _card(year: int, today: dt.date, *, user: User | None, **values: object) -> Participant:
    participant = participant_create(
        academic_year=year,
        data=ParticipantData(**values),
        user=None,
        today=today,  # type: ignore[arg-type]
    )
    if user is not None:
        Participant.objects.filter(pk=participant.pk).update(user=user)
        participant.refresh_from_db()
    minor = participant.is_minor(today)
    consent_add(
        participant=participant, kind=ConsentKind.PERSONAL_DATA, signed_on=today, user=None,
        today=today, representative_name="Родитель Пётр Петрович" if minor else "",
        representative_relation=Relation.FATHER if minor else "",
    )  # fmt: skip
    return participant


def build(world: World) -> ApiWorld:
    mentee_user = User.objects.create_user(
        username="misha", password=PASSWORD, last_name="Мишин", first_name="Михаил"
    )
    Membership.objects.create(user=mentee_user, role=Role.MENTEE, organization=world.alpha)
    today = world.alpha.local_today()
    year = world.alpha.academic_year_of(today)
    with tenant_context(world.alpha):
        mentor = _card(year, today, user=world.bob, last_name="Борисов", first_name="Борис",
                       patronymic="Игоревич", category=Category.TEACHER, bank_role=BankRole.MENTOR,
                       birth_date=dt.date(1980, 1, 1), capacity=3, competencies=["математика"])  # fmt: skip
        mentee = _card(year, today, user=mentee_user, last_name="Мишин", first_name="Михаил",
                       category=Category.PUPIL, bank_role=BankRole.MENTEE, birth_date=dt.date(2012, 2, 2),
                       class_group="7 А", requests=["математика"])  # fmt: skip
        stranger = _card(year, today, user=None, last_name="Чужой", first_name="Пётр",
                         category=Category.PUPIL, bank_role=BankRole.MENTEE, birth_date=dt.date(2012, 3, 3),
                         class_group="7 Б")  # fmt: skip
        pair = mentoring.pair_create(
            mentor=mentor, mentees=[mentee], form=Form.objects.get(code="teacher_pupil"),
            kind=Kind.TRADITIONAL, starts_on=today, ends_on=None, academic_year=year, user=None,
            today=today,
        )  # fmt: skip
        order = mentoring.order_draft(pairs=[pair], user=None, curator_name="", director_name="")
        mentoring.order_sign(order=order, number="1-о", signed_on=today, user=None, today=today)
        mentoring.program_save(
            pair=pair, goals="Подготовка к ОГЭ", expected_results="", starts_on=today,
            ends_on=today + dt.timedelta(days=180), user=None,
        )  # fmt: skip
        pair.refresh_from_db()
    _rollups(world)
    return ApiWorld(world, mentee_user, mentor, mentee, stranger, pair, _route(world, today))


def _route(world: World, today: dt.date) -> int:
    from cnppm.services import assignment_create
    from tenants.routes import services as routes
    from tenants.routes.models import Recipient

    with tenant_context(world.alpha):
        route = routes.route_start(
            organization=world.alpha, teacher=world.bob, started_on=today, years=5
        )
        routes.deficit_add(
            route=route, organization=world.alpha, area="ict", description="Тесты", user=world.bob
        )
        routes.consent_give(route=route, organization=world.alpha, recipient=Recipient.TUTOR)
    assignment_create(
        region=world.region,
        tutor=world.tanya,
        organization=world.alpha,
        teacher=world.bob,
        by=world.olga,
    )
    return route.pk


def _rollups(world: World) -> None:
    from regional_dashboard import rollups
    from regional_dashboard.publication import publish_due

    now = timezone.now()
    for organization in (world.alpha, world.beta):
        with tenant_context(organization):
            rollups.rollup_refresh(organization=organization, now=now)
    publish_due(now=now)
