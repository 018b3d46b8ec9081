"""Pairs as a coordinator and a mentor use them: match, group, приказ, program, meeting."""

from __future__ import annotations

import datetime as dt
import io

from django_tenants.utils import tenant_context
from docx import Document

from accounts.models import Membership, Role, User
from tenants.mentoring.models import Form, Meeting, Pair, PairStatus
from tenants.participants.models import BankRole, Category, ConsentKind, Participant
from tenants.participants.services import ParticipantData, consent_add, participant_create
from tests.conftest import host_client


def _add(world, *, consent=True, user=None, **values):  # type: ignore[no-untyped-def]
    today = world.alpha.local_today()
    year = world.alpha.academic_year_of(today)
    data = {"first_name": "Анна", "patronymic": "Ивановна", "category": Category.TEACHER,
            "bank_role": BankRole.MENTOR, "birth_date": dt.date(1980, 1, 1)} | values  # fmt: skip
    with tenant_context(world.alpha):
        person = participant_create(
            academic_year=year, data=ParticipantData(**data), user=None, today=today
        )
        if user is not None:
            Participant.objects.filter(pk=person.pk).update(user=user)
        if consent:
            minor = person.is_minor(today)
            consent_add(participant=person, kind=ConsentKind.PERSONAL_DATA, signed_on=today, user=None, today=today,
                        representative_name="Родитель Пётр Петрович" if minor else "",
                        representative_relation="father" if minor else "")  # fmt: skip
    return person


def _pupil(world, last_name, requests):  # type: ignore[no-untyped-def]
    return _add(world, last_name=last_name, category=Category.PUPIL, bank_role=BankRole.MENTEE,
                birth_date=dt.date(2012, 2, 2), class_group="7 А", requests=requests)  # fmt: skip


def test_coordinator_matches_three_mentees_into_a_group_orders_and_the_mentor_logs_a_meeting(world):
    mentor = _add(world, last_name="Борисов", first_name="Борис", patronymic="Игоревич",
                  competencies=["математика", "ОГЭ"], capacity=3, user=world.bob)  # fmt: skip
    pupils = [_pupil(world, name, ["математика"]) for name in ("Акимов", "Белкин", "Волков")]
    client = host_client("alpha.localhost", world.alice)
    with tenant_context(world.alpha):
        form = Form.objects.get(code="teacher_pupil")
    start = world.alpha.local_today()
    for pupil in pupils:
        page = client.get(f"/pairs/match/?mentee={pupil.pk}").content.decode()
        assert "Борисов Борис Игоревич" in page and "совпадает с запросами: математика" in page
        response = client.post(
            f"/pairs/match/?mentee={pupil.pk}",
            {"mentee": pupil.pk, "mentor": mentor.pk, "form": form.pk, "kind": "group",
             "starts_on": start.isoformat()},
        )  # fmt: skip
        assert response.status_code == 302
    with tenant_context(world.alpha):
        [group] = Pair.objects.all()
        assert group.mentees.count() == 3

    board = client.get("/pairs/").content.decode()
    assert "Предложена" in board and "Борисов Б.И." in board
    response = client.post("/pairs/orders/new/", {"pairs": [group.pk], "curator": "Алексеева Алиса Петровна",
                                                  "director": "Директорова Дарья Денисовна"})  # fmt: skip
    assert response.status_code == 302
    with tenant_context(world.alpha):
        order = Pair.objects.get().order
    docx = client.get(f"/pairs/orders/{order.pk}.docx")
    document = Document(io.BytesIO(docx.content))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "№")
    assert [c.text for c in table.rows[1].cells][1].startswith("Борисов Борис Игоревич")
    assert "Алексееву Алису Петровну" in "\n".join(p.text for p in document.paragraphs)
    refused = client.post(
        f"/pairs/orders/{order.pk}/sign/", {"number": "12-о", "signed_on": start.isoformat()}
    )
    assert refused.status_code == 403  # the coordinator prepares, the director signs
    director = User.objects.create_user("dir.alpha", last_name="Директорова", first_name="Дарья")
    Membership.objects.create(user=director, role=Role.DIRECTOR, organization=world.alpha)
    signed = host_client("alpha.localhost", director).post(
        f"/pairs/orders/{order.pk}/sign/", {"number": "12-о", "signed_on": start.isoformat()}
    )
    assert signed.status_code == 302
    with tenant_context(world.alpha):
        assert Pair.objects.get().status == PairStatus.APPROVED

    mentor_client = host_client("alpha.localhost", world.bob)
    assert "Программа и встречи" in mentor_client.get("/pairs/").content.decode()
    program = mentor_client.post(
        f"/pairs/{group.pk}/program/",
        {"action": "program", "goals": "Подготовка к ОГЭ по математике", "starts_on": start.isoformat(),
         "ends_on": (start + dt.timedelta(days=200)).isoformat()},
    )  # fmt: skip
    assert program.status_code == 302
    meeting = mentor_client.post(
        f"/pairs/{group.pk}/program/",
        {"action": "meeting", "kind": "organizational", "held_on": start.isoformat(), "format": "in_person",
         "notes": "Познакомились", "attendees": [mentor.pk, pupils[0].pk]},
    )  # fmt: skip
    assert meeting.status_code == 302
    with tenant_context(world.alpha):
        assert Meeting.objects.get().get_kind_display() == "организационная встреча"
        assert Pair.objects.get().status == PairStatus.ACTIVE
    assert "Познакомились" in mentor_client.get(f"/pairs/{group.pk}/program/").content.decode()
    # the mentor now sees his mentees' cards, not others'
    assert mentor_client.get(f"/participants/{pupils[1].pk}/").status_code == 200
    stranger = _pupil(world, "Чужой", ["физика"])
    assert mentor_client.get(f"/participants/{stranger.pk}/").status_code == 404


def test_a_rule_broken_on_accepting_is_shown_in_russian(world):
    mentor = _add(world, last_name="Полный", competencies=["физика"], capacity=1)
    first, second = _pupil(world, "Первый", ["физика"]), _pupil(world, "Второй", ["физика"])
    no_consent = _add(world, consent=False, last_name="Безсогласия", category=Category.PUPIL,
                      bank_role=BankRole.MENTEE, birth_date=dt.date(2012, 1, 1), class_group="7 Б")  # fmt: skip
    client = host_client("alpha.localhost", world.alice)
    with tenant_context(world.alpha):
        form = Form.objects.get(code="teacher_pupil")
    today = world.alpha.local_today().isoformat()
    client.post(f"/pairs/match/?mentee={first.pk}", {"mentee": first.pk, "mentor": mentor.pk, "form": form.pk,
                                                     "kind": "traditional", "starts_on": today})  # fmt: skip
    full = client.post(f"/pairs/match/?mentee={second.pk}", {"mentee": second.pk, "mentor": mentor.pk,
                                                             "form": form.pk, "kind": "traditional",
                                                             "starts_on": today}).content.decode()  # fmt: skip
    assert "не больше 1 наставляемых" in full
    page = client.get(f"/pairs/match/?mentee={no_consent.pk}").content.decode()
    assert "Пока нельзя включить в пару: нет согласия" in page


def test_the_mentee_chooses_among_offered_mentors_by_a_link(world):
    mentee = _pupil(world, "Выбирающий", ["физика"])
    a = _add(world, last_name="Первая", competencies=["физика"], capacity=2)
    b = _add(world, last_name="Вторая", competencies=["физика"], capacity=2)
    client = host_client("alpha.localhost", world.alice)
    response = client.post(
        "/pairs/match/offer/", {"mentee": mentee.pk, "mentors": [a.pk, b.pk]}, follow=True
    )
    assert "Ссылка для выбора наставника" in response.content.decode()
    with tenant_context(world.alpha):
        from tenants.mentoring.models import CandidateOffer

        token = CandidateOffer.objects.get().token
    anonymous = host_client("alpha.localhost")
    assert "Вторая Анна Ивановна" in anonymous.get(f"/choose/{token}/").content.decode()
    assert "Вы выбрали" in anonymous.post(f"/choose/{token}/", {"mentor": b.pk}).content.decode()
    ranked = client.get(f"/pairs/match/?mentee={mentee.pk}").content.decode()
    assert ranked.index("Вторая Анна Ивановна") < ranked.index("Первая Анна Ивановна")
    assert "наставляемый выбрал этого наставника" in ranked


def test_other_schools_and_non_members_see_no_pairs(world):
    mentor = _add(world, last_name="Скрытый", competencies=["x"], capacity=1)
    pupil = _pupil(world, "Скрытова", ["x"])
    with tenant_context(world.alpha):
        from tenants.mentoring.services import pair_create

        pair = pair_create(mentor=mentor, mentees=[pupil], form=Form.objects.get(code="teacher_pupil"),
                           kind="traditional", starts_on=world.alpha.local_today(), ends_on=None,
                           academic_year=world.alpha.academic_year_of(world.alpha.local_today()), user=None,
                           today=world.alpha.local_today())  # fmt: skip
    assert (
        host_client("alpha.localhost", world.charlie).get(f"/pairs/{pair.pk}/").status_code == 403
    )
    assert host_client("alpha.localhost", world.bob).get(f"/pairs/{pair.pk}/").status_code == 404


def test_api_proposes_suggests_and_moves_pairs(world):
    mentor = _add(world, last_name="Апиев", competencies=["химия"], capacity=2)
    pupil = _pupil(world, "Апиева", ["химия"])
    client = host_client("alpha.localhost", world.alice)
    suggestions = client.get(f"/api/v1/suggestions/?mentee={pupil.pk}").json()
    assert suggestions[0]["mentor"] == mentor.pk and suggestions[0]["reasons"]
    created = client.post("/api/v1/pairs/", {"mentor": mentor.pk, "mentees": [pupil.pk], "form": "teacher_pupil",
                                             "kind": "traditional", "starts_on": world.alpha.local_today().isoformat()},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.content
    pair_id = created.json()["id"]
    refused = client.post(
        f"/api/v1/pairs/{pair_id}/transition/", {"to": "approved"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "приказом" in str(refused.json())
    stopped = client.post(f"/api/v1/pairs/{pair_id}/transition/", {"to": "terminated", "reason": "ошибка"},
                          content_type="application/json")  # fmt: skip
    assert stopped.json()["status"] == "terminated"
    assert (
        host_client("alpha.localhost", world.bob).get("/api/v1/suggestions/?mentee=1").status_code
        == 403
    )
    schema = client.get("/api/schema/").content
    assert b"/api/v1/pairs/" in schema and b"/api/v1/suggestions/" in schema


def test_planned_events_and_meetings_reach_the_mentors_ics_feed(world):
    from icalendar import Calendar

    from tenants.mentoring.services import (
        meeting_log,
        order_draft,
        order_sign,
        pair_create,
        plan_item_add,
        program_save,
    )
    from tenants.roadmap.models import CalendarFeed

    mentor = _add(world, last_name="Календарёв", competencies=["x"], capacity=1, user=world.bob)
    pupil = _pupil(world, "Календарная", ["x"])
    today = world.alpha.local_today()
    with tenant_context(world.alpha):
        pair = pair_create(mentor=mentor, mentees=[pupil], form=Form.objects.get(code="teacher_pupil"),
                           kind="traditional", starts_on=today, ends_on=None,
                           academic_year=world.alpha.academic_year_of(today), user=None, today=today)  # fmt: skip
        order_sign(order=order_draft(pairs=[pair], user=None, curator_name="", director_name=""), number="1",
                   signed_on=today, user=None, today=today)  # fmt: skip
        program = program_save(pair=pair, goals="Цель", expected_results="", starts_on=today,
                               ends_on=today + dt.timedelta(days=120), user=None)  # fmt: skip
        plan_item_add(
            program=program, title="Проектная неделя", planned_on=today + dt.timedelta(days=10)
        )
        meeting_log(program=program, kind="organizational", held_on=today, meeting_format="online", notes="",
                    attendees=[], user=None, today=today)  # fmt: skip
    host_client("alpha.localhost", world.bob).get("/roadmap/calendar/")
    with tenant_context(world.alpha):
        token = CalendarFeed.objects.get(user=world.bob).token
    ics = Calendar.from_ical(host_client("alpha.localhost").get(f"/calendar/{token}.ics").content)
    summaries = [str(e["SUMMARY"]) for e in ics.walk("VEVENT")]
    assert "Наставничество: Проектная неделя" in summaries
    assert "Встреча наставника: организационная встреча" in summaries


def test_all_unmatched_mentees_get_suggestions_at_once(world):
    _add(world, last_name="Массовый", competencies=["история"], capacity=5)
    for name in ("Один", "Два"):
        _pupil(world, name, ["история"])
    page = host_client("alpha.localhost", world.alice).get("/pairs/match/all/").content.decode()
    assert page.count("Массовый Анна Ивановна") == 2
    assert "совпадает с запросами: история" in page


def test_an_organisation_adds_its_own_form(world):
    client = host_client("alpha.localhost", world.alice)
    response = client.post("/pairs/forms/", {"title": "родитель – ученик", "code": "parent_pupil",
                                            "mentor_categories": ["parent"], "mentee_categories": ["pupil"]})  # fmt: skip
    assert response.status_code == 302
    assert "родитель – ученик" in client.get("/pairs/forms/").content.decode()


def test_the_organisation_replaces_the_order_template(world):
    import io

    from docx import Document as NewDocument

    client = host_client("alpha.localhost", world.alice)
    assert (
        "Приказ об утверждении наставнических пар/групп"
        in client.get("/documents/").content.decode()
    )
    default = client.get("/documents/order_pairs.docx")
    assert default.status_code == 200
    own = NewDocument()
    own.add_paragraph("ШКОЛА АЛЬФА. Приказ № {{ number }} — свой бланк")
    buffer = io.BytesIO()
    own.save(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        "/documents/order_pairs/upload/",
        {"file": SimpleUploadedFile("x.docx", b"not docx")},
        follow=True,
    )
    assert "«x.docx» — не документ Word (DOCX)" in bad.content.decode()
    ok = client.post(
        "/documents/order_pairs/upload/",
        {"file": SimpleUploadedFile("own.docx", buffer.getvalue())},
        follow=True,
    )
    assert "Шаблон организации загружен" in ok.content.decode()
    with tenant_context(world.alpha):
        from tenants.mentoring.documents import order_docx
        from tenants.mentoring.models import Order

        order = Order.objects.create(number="9", signed_on=world.alpha.local_today())
        text = "\n".join(
            p.text
            for p in NewDocument(
                io.BytesIO(order_docx(order=order, organization=world.alpha))
            ).paragraphs
        )
    assert "ШКОЛА АЛЬФА. Приказ № 9 — свой бланк" in text
    client.post("/documents/order_pairs/upload/", {"reset": "1"})
    assert "свой, загружен" not in client.get("/documents/").content.decode()
