"""Time travel through 2025/2026: the right reminders reach the right people on the right dates,
at the local morning hour, in a UTC+3 and a UTC+7 organisation; escalation and digests."""

from __future__ import annotations

import datetime as dt
import email

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role
from messaging.models import MunicipalDigest, Preference
from tenants.notifications.models import InboxMessage, Outbox
from tenants.notifications.planner import plan, reminder_text
from tenants.notifications.services import reminders_run
from tenants.roadmap.importing import parse_text
from tenants.roadmap.services import roadmap_create, roadmap_import, roadmap_item_set_status
from tests.roadmap.seeds import SOSH19, seed_text

UTC = dt.UTC


def _seed_roadmap(organization):  # type: ignore[no-untyped-def]
    roadmap = roadmap_create(organization=organization, academic_year=2025, template_code="")
    roadmap_import(
        roadmap=roadmap, parsed=parse_text(seed_text(SOSH19)), organization=organization, user=None
    )
    return roadmap


def _at(organization, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:  # type: ignore[no-untyped-def]
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=organization.zone).astimezone(UTC)


def _subjects(drafts, user):  # type: ignore[no-untyped-def]
    return sorted({d.subject for d in drafts if d.recipient_id == user.pk and d.channel == "inbox"})


def test_texts_read_naturally_with_plural_forms():
    due = dt.date(2025, 9, 10)
    assert reminder_text(
        title="Формирование базы наставляемых", due=due, offset=3, responsible="Н.Г. Рогожникова"
    ) == (
        "Через 3 дня срок: Формирование базы наставляемых",
        "Срок — до 10.09.2025. Ответственный: Н.Г. Рогожникова.",
    )
    assert (
        reminder_text(title="X", due=due, offset=14, responsible="")[0] == "Через 14 дней срок: X"
    )
    assert reminder_text(title="X", due=due, offset=1, responsible="")[0] == "Через 1 день срок: X"
    assert reminder_text(title="X", due=due, offset=0, responsible="")[0] == "Сегодня срок: X"
    assert reminder_text(title="X", due=due, offset=-7, responsible="")[1] == "Срок был 10.09.2025."


@pytest.mark.parametrize("organization_name", ["alpha", "beta"])  # UTC+3 and UTC+7
def test_seed_deadlines_remind_at_the_local_morning_hour(world, organization_name):
    organization = getattr(world, organization_name)
    coordinator = world.alice if organization_name == "alpha" else world.charlie
    with tenant_context(organization):
        _seed_roadmap(organization)
        base = "Формирование базы наставляемых"
        # 14, 3 and 0 days before «До 10.09. ежегодно», at 09:00 local time, not a minute earlier.
        for day, head in [(dt.date(2025, 8, 27), "Через 14 дней срок"), (dt.date(2025, 9, 7), "Через 3 дня срок"),
                          (dt.date(2025, 9, 10), "Сегодня срок")]:  # fmt: skip
            before = plan(organization=organization, now=_at(organization, day, 8, 59))
            after = plan(organization=organization, now=_at(organization, day, 9, 0))
            assert f"{head}: {base}" not in _subjects(before, coordinator)
            assert f"{head}: {base}" in _subjects(after, coordinator)
        # «До 10.01. ежегодно» is in the second calendar year of the academic year.
        january = plan(organization=organization, now=_at(organization, dt.date(2026, 1, 7), 9))
        assert "Через 3 дня срок: Отбор и обучение наставников" in _subjects(january, coordinator)
        # «Сентябрь-май ежегодно»: the reminder 3 days before 31 May.
        may = plan(organization=organization, now=_at(organization, dt.date(2026, 5, 28), 9))
        assert "Через 3 дня срок: Организация работы наставнических пар/групп" in _subjects(
            may, coordinator
        )


def test_utc_offsets_shift_the_sending_moment(world):
    moment = dt.datetime(2025, 9, 7, 3, 30, tzinfo=UTC)  # 06:30 in Moscow, 10:30 in Krasnoyarsk
    with tenant_context(world.alpha):
        _seed_roadmap(world.alpha)
        assert not [
            d for d in plan(organization=world.alpha, now=moment) if "Через 3 дня" in d.subject
        ]
    with tenant_context(world.beta):
        _seed_roadmap(world.beta)
        assert [d for d in plan(organization=world.beta, now=moment) if "Через 3 дня" in d.subject]


def test_done_items_are_skipped(world):
    with tenant_context(world.alpha):
        roadmap = _seed_roadmap(world.alpha)
        done = roadmap.items.get(title="Формирование базы наставников")
        roadmap_item_set_status(item=done, user=None, status="done", today=dt.date(2025, 9, 5))
        subjects = _subjects(
            plan(organization=world.alpha, now=_at(world.alpha, dt.date(2025, 9, 7), 10)),
            world.alice,
        )
    assert "Через 3 дня срок: Формирование базы наставляемых" in subjects
    assert "Через 3 дня срок: Формирование базы наставников" not in subjects


def test_overdue_reminders_and_escalation_to_the_director(world, django_user_model):
    director = django_user_model.objects.create_user("director.alpha", email="director@alpha.test")
    Membership.objects.create(user=director, role=Role.DIRECTOR, organization=world.alpha)
    with tenant_context(world.alpha):
        _seed_roadmap(world.alpha)
        day1 = plan(organization=world.alpha, now=_at(world.alpha, dt.date(2025, 9, 11), 9))
        day7 = plan(organization=world.alpha, now=_at(world.alpha, dt.date(2025, 9, 17), 9))
    assert "Просрочено на 1 день: Формирование базы наставляемых" in _subjects(day1, world.alice)
    assert not _subjects(day1, director) or all(
        "Эскалация" not in s for s in _subjects(day1, director)
    )
    assert "Просрочено на 7 дней: Формирование базы наставляемых" in _subjects(day7, world.alice)
    assert "Эскалация. Просрочено на 7 дней: Формирование базы наставляемых" in _subjects(
        day7, director
    )


def test_responsible_members_get_their_items_and_nothing_is_sent_twice(world, mail_sink):
    world.alice.email = "alice@alpha.test"
    world.alice.save()
    with tenant_context(world.alpha):
        roadmap = _seed_roadmap(world.alpha)
        moment = _at(world.alpha, dt.date(2025, 9, 10), 9, 30)
        first = reminders_run(organization=world.alpha, now=moment)
        again = reminders_run(organization=world.alpha, now=moment + dt.timedelta(minutes=5))
        inbox = list(InboxMessage.objects.filter(user=world.alice))
        assert first["written"] > 0 and again["written"] == 0
        titles = {m.title for m in inbox}
        assert "Сегодня срок: Формирование базы наставляемых" in titles
        assert len(inbox) == len({m.outbox_id for m in inbox})
        assert roadmap.items.count() == 11
    messages = mail_sink.messages()
    assert len(messages) == 1  # one digest for the day, not one email per reminder
    parsed = email.message_from_bytes(messages[0].as_bytes(), policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "Сегодня срок: Формирование базы наставляемых. Срок — до 10.09.2025." in body
    assert "Сегодня срок: Формирование наставнических пар/групп" in body
    assert "/unsubscribe/" in body and parsed["List-Unsubscribe"]
    # RFC 8058: the header names the same address as the letter, and says it takes a one-click POST.
    link = next(line for line in body.splitlines() if "/unsubscribe/" in line).split(": ", 1)[1]
    assert str(parsed["List-Unsubscribe"]).strip() == f"<{link.strip()}>"
    assert str(parsed["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    assert str(parsed["Subject"]).strip() == "МБОУ «Школа Альфа»: 3 напоминания на 10.09.2025"


def test_unsubscribed_people_get_no_email_but_keep_the_inbox(world, mail_sink):
    world.alice.email = "alice@alpha.test"
    world.alice.save()
    preference = Preference.of(world.alice.pk)
    preference.email_enabled = False
    preference.save()
    with tenant_context(world.alpha):
        _seed_roadmap(world.alpha)
        reminders_run(organization=world.alpha, now=_at(world.alpha, dt.date(2025, 9, 10), 9, 30))
        assert InboxMessage.objects.filter(user=world.alice).exists()
        assert not Outbox.objects.filter(channel="email").exists()
    assert mail_sink.messages() == []


def test_the_municipality_gets_a_weekly_digest_of_counts_only(world, mail_sink):
    from tasks.reminders import municipal_digest

    world.maria.email = "maria@north.test"
    world.maria.save()
    with tenant_context(world.alpha):
        _seed_roadmap(world.alpha)
        reminders_run(organization=world.alpha, now=_at(world.alpha, dt.date(2025, 9, 15), 9))
    monday = dt.datetime(2025, 9, 15, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
    assert municipal_digest(monday.isoformat()) == 1
    assert municipal_digest(monday.isoformat()) == 0  # once a week
    digest = MunicipalDigest.objects.get(recipient=world.maria)
    assert "МБОУ «Школа Альфа»: " in digest.body
    assert "Рогожникова" not in digest.body and "Формирование" not in digest.body
    assert len(mail_sink.messages()) == 1
    tuesday = dt.datetime(2025, 9, 16, 7, 0, tzinfo=UTC)
    assert municipal_digest(tuesday.isoformat()) == 0


def test_the_municipal_digest_has_a_one_click_unsubscribe_that_it_respects(world, mail_sink):
    from tasks.reminders import municipal_digest

    world.maria.email = "maria@north.test"
    world.maria.save()
    monday = dt.datetime(2025, 9, 15, 7, 0, tzinfo=UTC)
    assert municipal_digest(monday.isoformat()) == 1
    parsed = email.message_from_bytes(
        mail_sink.messages()[0].as_bytes(), policy=email.policy.default
    )
    assert "/unsubscribe/" in str(parsed["List-Unsubscribe"])
    assert str(parsed["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    assert "Отписаться от писем:" in parsed.get_body(preferencelist=("plain",)).get_content()
    preference = Preference.of(world.maria.pk)
    preference.email_enabled = False
    preference.save()
    next_monday = monday + dt.timedelta(days=7)
    assert municipal_digest(next_monday.isoformat()) == 0
    assert len(mail_sink.messages()) == 1


def test_send_reminders_dry_run_shows_the_day_and_writes_nothing(world, capsys):
    from django.core.management import call_command

    with tenant_context(world.alpha):
        _seed_roadmap(world.alpha)
        before = Outbox.objects.count()
    call_command("send_reminders", "--dry-run", "--date", "2025-09-07", "--schema", "alpha")
    out = capsys.readouterr().out
    assert "== МБОУ «Школа Альфа» (Москва (МСК, UTC+3))" in out
    assert (
        "07.09.2025 09:00  inbox     Алексеева Алиса Петровна: Через 3 дня срок: Формирование базы наставляемых"
        in out
    )
    assert "ничего не отправлено" in out
    with tenant_context(world.alpha):
        assert Outbox.objects.count() == before


def test_unanswered_questionnaires_and_program_events_are_reminded(world):
    from tenants.participants.models import BankRole, Category, Questionnaire
    from tenants.participants.services import ParticipantData, invitation_create, participant_create

    with tenant_context(world.alpha):
        today = dt.date(2025, 10, 1)
        person = participant_create(academic_year=2025, data=ParticipantData(
            last_name="Анкетная", first_name="Ольга", category=Category.TEACHER, bank_role=BankRole.MENTOR),
            user=None, today=today)  # fmt: skip
        invitation_create(participant=person, questionnaire=Questionnaire.objects.get(kind="mentor"),
                          user=None, today=today, days=3)  # fmt: skip
        drafts = plan(organization=world.alpha, now=_at(world.alpha, today, 9))
    subjects = _subjects(drafts, world.alice)
    assert (
        "Через 3 дня срок: анкета «Чем я могу быть полезен в качестве наставника?» не заполнена (Анкетная О.)"
        in subjects
    )


def test_a_later_reminder_about_an_item_replaces_the_earlier_in_the_inbox(world):
    from tenants.notifications.delivery import outbox_write
    from tenants.notifications.planner import Draft
    from tenants.notifications.services import inbox_latest, inbox_unread
    from tests.conftest import host_client

    def draft(key: str, kind: str, subject: str, day: int) -> Draft:
        moment = dt.datetime(2025, 9, day, 6, tzinfo=UTC)
        return Draft(key, kind, world.alice.pk, "inbox", subject, "Срок — до 10.09.2025.",
                     "/roadmap/items/1/", moment)  # fmt: skip

    with tenant_context(world.alpha):
        outbox_write([draft("a", "reminder", "Через 3 дня срок: База", 7)],
                     deliver_inbox_at=dt.datetime(2025, 9, 7, 7, tzinfo=UTC))  # fmt: skip
        outbox_write([draft("b", "overdue", "Просрочено на 1 день: База", 11)],
                     deliver_inbox_at=dt.datetime(2025, 9, 11, 7, tzinfo=UTC))  # fmt: skip
        assert [m.title for m in inbox_latest(user=world.alice)] == ["Просрочено на 1 день: База"]
        assert inbox_unread(user=world.alice) == 1
    page = host_client("alpha.localhost", world.alice).get("/notifications/").content.decode()
    assert "Просрочено на 1 день: База" in page and "Через 3 дня" not in page
