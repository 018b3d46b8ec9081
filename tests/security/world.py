"""The isolation matrix's world: two schools holding the same kinds of objects, every persona.

Built once per module inside a transaction that is rolled back at its end (see conftest.py).
Each school's objects carry a distinctive surname (its canary): a canary may appear only in
answers on its own school's host to that school's members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from cnppm.services import assignment_create
from messaging.models import Preference
from organizations.models import Municipality, Organization, Region
from regional_dashboard.publication import publish_due
from regional_dashboard.rollups import rollup_refresh
from tenants.documents.models import DocumentTemplate
from tenants.documents.rendering import template_bytes
from tenants.mentoring.models import Form, Kind, MeetingFormat, MeetingKind
from tenants.mentoring.services import (
    meeting_log,
    offer_candidates,
    order_draft,
    order_sign,
    pair_create,
    program_save,
)
from tenants.notifications.models import Channel, InboxMessage, Outbox, OutboxStatus
from tenants.participants.models import (
    BankRole,
    Category,
    ConsentKind,
    Participant,
    Questionnaire,
    Relation,
)
from tenants.participants.services import (
    ParticipantData,
    consent_add,
    consent_withdraw,
    invitation_create,
    participant_attach_agreement,
    participant_create,
)
from tenants.roadmap.calendar import calendar_feed_for
from tenants.roadmap.models import ItemStatus, Roadmap
from tenants.roadmap.services import roadmap_item_create, roadmap_item_set_status
from tenants.routes import services as route_services
from tenants.routes.models import Activity, Recipient, Section
from tests.conftest import PASSWORD
from tests.two_factor import logged_in

ALPHA_CANARY = "Изоляцияев"
BETA_CANARY = "Чужестранцев"
WRONG_TOKEN = "net-takogo-tokena-0000000000"
DOCUMENT_CODE = "order_pairs"
QUESTIONNAIRE_KIND = "mentor"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Roles of the matrix: who asks. Organisation roles are Alpha's unless named otherwise.
ANONYMOUS = "anonymous"
DIRECTOR = "director"
COORDINATOR = "coordinator"
MENTOR = "mentor"
MENTEE = "mentee"
FOREIGN_COORDINATOR = "foreign_coordinator"  # charlie, Beta's coordinator, on Alpha's host
OPERATOR = "regional_operator"
TUTOR = "tutor"
MUNICIPAL = "municipal_specialist"  # of Alpha's municipality
MUNICIPAL_OTHER = "municipal_specialist_elsewhere"  # of Beta's municipality
SUPERUSER = "superuser"

ROLES = (
    ANONYMOUS, DIRECTOR, COORDINATOR, MENTOR, MENTEE, FOREIGN_COORDINATOR,
    OPERATOR, TUTOR, MUNICIPAL, MUNICIPAL_OTHER, SUPERUSER,
)  # fmt: skip
ALPHA_ROLES = frozenset({DIRECTOR, COORDINATOR, MENTOR, MENTEE})
# Who plays each role: alice, bob, charlie, olga, tanya and maria are tests/conftest.py's
# personas; dina, misha, sergei and platon are added by the matrix's world.
PERSONAS = {
    DIRECTOR: "dina",
    COORDINATOR: "alice",
    MENTOR: "bob",
    MENTEE: "misha",
    FOREIGN_COORDINATOR: "charlie",
    OPERATOR: "olga",
    TUTOR: "tanya",
    MUNICIPAL: "maria",
    MUNICIPAL_OTHER: "sergei",
    SUPERUSER: "platon",
}


@dataclass
class School:
    organization: Organization
    host: str
    canary: str
    members: frozenset[str]  # usernames
    refs: dict[str, str] = field(default_factory=dict)  # object kind → its id, token or value


@dataclass
class Matrix:
    alpha: School
    beta: School
    public_refs: dict[str, str]
    sessions: dict[str, str]  # username → session key of a logged-in (and verified) session
    real_tokens: dict[str, str]  # Alpha's working secret links, for the open routes' controls


def _user(username: str, last: str, first: str, **extra: object) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, last_name=last, first_name=first, **extra
    )


def _person(year: int, today: dt.date, *, user: User | None = None, scan: bool = False,
            **values: object) -> Participant:  # fmt: skip
    """A person in the banks with a signed consent (a parent's for a minor), as pairs need."""
    data = {"first_name": "Анна", "patronymic": "Ивановна", "category": Category.TEACHER,
            "bank_role": BankRole.MENTOR, "birth_date": dt.date(1980, 1, 1)} | values  # fmt: skip
    person = participant_create(
        academic_year=year,
        data=ParticipantData(**data),  # type: ignore[arg-type]
        user=None,
        today=today,
    )
    if user is not None:
        Participant.objects.filter(pk=person.pk).update(user=user)
    minor = person.is_minor(today)
    consent_add(
        participant=person, kind=ConsentKind.PERSONAL_DATA, signed_on=today, user=None,
        today=today, representative_name="Родителева Ольга Петровна" if minor else "",
        representative_relation=Relation.MOTHER if minor else "",
        scan=SimpleUploadedFile("soglasie.pdf", PDF) if scan else None,
    )  # fmt: skip
    return person


def school_build(
    organization: Organization,
    *,
    canary: str,
    mentor_user: User | None = None,
    mentee_user: User | None = None,
    inbox_user: User,
) -> dict[str, str]:
    """Every kind of object a route of an organisation's host takes by id, token or code.

    Through the same services the pages use; the canary goes into names, titles and notes."""
    today = organization.local_today()
    year = organization.academic_year_of(today)
    with tenant_context(organization):
        # Provisioning gave the school this year's roadmap (tenants/roadmap/receivers.py).
        roadmap = Roadmap.objects.get(academic_year=year)
        item = roadmap_item_create(
            roadmap=roadmap, organization=organization, user=None,
            title=f"Совещание с {canary}ой по наставничеству",
        )  # fmt: skip
        roadmap_item_set_status(
            item=item, user=None, status=ItemStatus.IN_PROGRESS, today=today,
            files=[SimpleUploadedFile(f"Протокол {canary}ой.pdf", PDF)],
        )  # fmt: skip
        evidence = item.evidence.get()

        mentor = _person(year, today, user=mentor_user, last_name="Борисова", capacity=2)
        mentee = _person(year, today, user=mentee_user, last_name=f"{canary}а",
                         first_name="Мария", category=Category.YOUNG_SPECIALIST,
                         bank_role=BankRole.MENTEE)  # fmt: skip
        other_mentor = _person(year, today, last_name="Громова")
        # The person no mentor or mentee of the matrix may see: a minor, with a scanned consent.
        pupil = _person(year, today, last_name=f"{canary}а", first_name="Анна", scan=True,
                        category=Category.PUPIL, bank_role=BankRole.MENTEE,
                        birth_date=today.replace(year=today.year - 12, day=1),
                        class_group="6 «А»")  # fmt: skip
        external = _person(year, today, last_name="Внешний", first_name="Виктор",
                           category=Category.EMPLOYER, is_external=True, workplace="АО «Завод»",
                           agreement_number="7", agreement_date=today)  # fmt: skip
        participant_attach_agreement(
            participant=external, scan=SimpleUploadedFile("dogovor.pdf", PDF), user=None
        )
        leaving = _person(year, today, last_name="Уходящева")
        act = consent_withdraw(
            consent=leaving.consents.get(), user=None, on=today, reason="заявление",
            organization=organization,
        )  # fmt: skip
        assert act is not None

        teacher_teacher = Form.objects.get(code="teacher_teacher")
        pair = pair_create(
            mentor=mentor, mentees=[mentee], form=teacher_teacher, kind=Kind.TRADITIONAL,
            starts_on=today, ends_on=None, academic_year=year, user=None, today=today,
        )  # fmt: skip
        order = order_draft(pairs=[pair], user=None, curator_name="", director_name="")
        order_sign(order=order, number="1-н", signed_on=today, user=None, today=today)
        program = program_save(
            pair=pair, goals=f"Адаптация {canary}ой", expected_results="",
            starts_on=today, ends_on=today + dt.timedelta(days=180), user=None, today=today,
        )  # fmt: skip
        wave = _monitoring_build(program, canary=canary, today=today)
        meeting_log(
            program=program, kind=MeetingKind.ORGANIZATIONAL, held_on=today,
            meeting_format=MeetingFormat.IN_PERSON, notes=f"Знакомство с {canary}ой",
            attendees=[mentor, mentee], user=None, today=today,
        )  # fmt: skip
        other_pair = pair_create(
            mentor=other_mentor, mentees=[pupil], form=Form.objects.get(code="teacher_pupil"),
            kind=Kind.TRADITIONAL, starts_on=today, ends_on=None, academic_year=year, user=None,
            today=today,
        )  # fmt: skip

        questionnaire = Questionnaire.objects.get(kind=QUESTIONNAIRE_KIND)
        invitation = invitation_create(
            participant=pupil, questionnaire=questionnaire, user=None, today=today
        )
        offer = offer_candidates(mentee=pupil, mentors=[other_mentor])
        feed = calendar_feed_for(user=inbox_user)  # a manager's feed: the whole organisation
        DocumentTemplate.objects.create(
            code=DOCUMENT_CODE,
            file=ContentFile(template_bytes(DOCUMENT_CODE), name=f"{DOCUMENT_CODE}.docx"),
        )
        dead = Outbox.objects.create(
            key=f"matrix:{organization.slug}", kind="reminder", recipient=inbox_user,
            channel=Channel.EMAIL, subject=f"Срок: совещание с {canary}ой", body=canary,
            send_after=timezone.now(), status=OutboxStatus.DEAD,
        )  # fmt: skip
        InboxMessage.objects.create(user=inbox_user, title=f"Совещание с {canary}ой", body="")
        teacher = mentor_user
        if teacher is None:  # Beta's own teacher, no persona of the matrix
            teacher = _user(f"teacher_{organization.slug}", "Учителева", "Вера")
            Membership.objects.create(user=teacher, role=Role.MENTOR, organization=organization)
        route_refs = _route_build(organization, teacher=teacher, today=today, year=year)
        return route_refs | {
            "year": str(year),
            "next_year": str(year + 2),
            "today": today.isoformat(),
            "roadmap": str(roadmap.pk),
            "roadmap_item": str(item.pk),
            "evidence": str(evidence.pk),
            "participant": str(pupil.pk),
            "own_participant": str(mentee.pk),
            "mentor_participant": str(mentor.pk),
            "other_mentor": str(other_mentor.pk),
            "external_mentor": str(external.pk),
            "consent": str(pupil.consents.get().pk),
            "act": str(act.number),
            "questionnaire": QUESTIONNAIRE_KIND,
            "question": str(questionnaire.questions.first().pk),  # type: ignore[union-attr]
            "pair": str(pair.pk),
            "other_pair": str(other_pair.pk),
            "wave": str(wave.pk),
            "order": str(order.pk),
            "outbox": str(dead.pk),
            "document": DOCUMENT_CODE,
            "wrong_token": WRONG_TOKEN,
            "invitation_token": invitation.token,
            "offer_token": offer.token,
            "calendar_token": feed.token,
        }


def _monitoring_build(program: Any, *, canary: str, today: dt.date) -> Any:
    """The entry wave answered by the mentee with the canary in an open answer (which must never
    leave the school), and an outcome at entry."""
    from tenants.monitoring.models import Response, WaveKind
    from tenants.monitoring.services import outcomes_save, response_submit

    response = Response.objects.select_related("wave", "instrument").get(
        wave__program=program, wave__kind=WaveKind.ENTRY, respondent="mentee"
    )
    answers = {i["code"]: "3" if i["kind"] == "scale" else f"Рассказала {canary}ой" for i in response.instrument.items}  # fmt: skip
    response_submit(response=response, answers=answers, user=None, now=timezone.now())
    mentee = program.pair.mentees.get()
    outcomes_save(program=program, mentee=mentee, stage="entry", values={"courses": "1"}, today=today, user=None)  # fmt: skip
    return response.wave


def _route_build(
    organization: Organization, *, teacher: User, today: dt.date, year: int
) -> dict[str, str]:
    """The teacher's route (ИОМ) with a deficit and a done activity with a product file, shared
    with the tutor (not with the curator). No canary: the tutor reads it on the public host."""
    route = route_services.route_start(
        organization=organization, teacher=teacher, started_on=today, years=5
    )
    route_services.route_describe(
        route=route, organization=organization, desired_image="Учитель-методист",
        position="учитель", subject="математика", years=5,
    )  # fmt: skip
    deficit = route_services.deficit_add(
        route=route, organization=organization, area="digital", description="Смешанное обучение",
        user=teacher,
    )  # fmt: skip
    activity = route_services.activity_save(
        route=route, organization=organization, deficits=[deficit], user=teacher,
        activity=Activity(section=Section.TRIALS, title="Уроки со смешанным обучением",
                          academic_year=year, deadline_text=f"до {today + dt.timedelta(days=30):%d.%m.%Y}"),
    )  # fmt: skip
    route_services.product_record(
        activity=activity, organization=organization, user=teacher, kind="lesson",
        title="Разработки уроков", link="", upload=SimpleUploadedFile("uroki.pdf", PDF),
        attitude="Получилось", done_on=today,
    )  # fmt: skip
    planned = route_services.activity_save(
        route=route, organization=organization, deficits=[deficit], user=teacher,
        activity=Activity(section=Section.MEASURES, title="Открытый урок", academic_year=year,
                          deadline_text=f"до {today + dt.timedelta(days=60):%d.%m.%Y}"),
    )  # fmt: skip
    route_services.consent_give(route=route, organization=organization, recipient=Recipient.TUTOR)
    return {
        "route": str(route.pk), "route_deficit": str(deficit.pk),
        "route_activity": str(activity.pk), "route_planned": str(planned.pk),
    }  # fmt: skip


def _session(user: User) -> str:
    client = logged_in(Client(), user)
    return client.session.session_key or ""


def matrix_build() -> Matrix:
    region = Region.objects.get(code="98")
    north = Municipality.objects.get(region=region, name="Северный район")
    south = Municipality.objects.get(region=region, name="Южный район")
    alpha = Organization.objects.get(slug="alpha")
    beta = Organization.objects.get(slug="beta")
    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS.values())}
    users["dina"] = _user("dina", "Директорова", "Дина")
    users["misha"] = _user("misha", "Михайлов", "Михаил")
    users["sergei"] = _user("sergei", "Сергеев", "Сергей")
    users["platon"] = _user("platon", "Платформов", "Платон", is_staff=True, is_superuser=True)
    Membership.objects.create(user=users["dina"], role=Role.DIRECTOR, organization=alpha)
    Membership.objects.create(user=users["misha"], role=Role.MENTEE, organization=alpha)
    Membership.objects.create(
        user=users["sergei"], role=Role.MUNICIPAL_SPECIALIST, municipality=south
    )

    alpha_school = School(
        organization=alpha, host="alpha.localhost", canary=ALPHA_CANARY,
        members=frozenset(PERSONAS[role] for role in ALPHA_ROLES),
    )  # fmt: skip
    beta_school = School(
        organization=beta, host="beta.localhost", canary=BETA_CANARY,
        members=frozenset({"charlie"}),
    )  # fmt: skip
    alpha_school.refs = school_build(
        alpha, canary=ALPHA_CANARY, mentor_user=users["bob"], mentee_user=users["misha"],
        inbox_user=users["alice"],
    )  # fmt: skip
    beta_school.refs = school_build(beta, canary=BETA_CANARY, inbox_user=users["charlie"])
    alpha_school.refs["member_user"] = str(users["misha"].pk)
    beta_school.refs["member_user"] = str(users["charlie"].pk)
    # Figures for the regional pages, as the rollup tasks would compute them: the dashboard
    # then draws both schools, and the canary check sees what a school's data could leak into.
    for organization in (alpha, beta):
        with tenant_context(organization):
            rollup_refresh(organization=organization)
    publish_due()
    public_refs = {
        "region": str(region.pk),
        "municipality": str(north.pk),
        "other_municipality": str(south.pk),
        "organization": str(alpha.pk),
        "other_organization": str(beta.pk),
        "organization_slug": alpha.slug,
        "specialist": str(users["maria"].pk),
        "route": alpha_school.refs["route"],
        "route_activity": alpha_school.refs["route_activity"],
        "assignment": str(
            assignment_create(
                region=region,
                tutor=users["tanya"],
                organization=alpha,
                teacher=users["bob"],
                by=users["olga"],
            ).pk
        ),
        "wrong_token": WRONG_TOKEN,
    }
    sessions = {name: _session(user) for name, user in users.items()}
    real_tokens = {
        "invitation": alpha_school.refs["invitation_token"],
        "offer": alpha_school.refs["offer_token"],
        "calendar": alpha_school.refs["calendar_token"],
        "unsubscribe": Preference.of(users["alice"].pk).unsubscribe_token,
    }
    return Matrix(alpha_school, beta_school, public_refs, sessions, real_tokens)
