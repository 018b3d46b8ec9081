"""The routes' reminders in the organisation's sweep: deadlines and courses to the teacher, the
review and a late reflection to the tutor (by e-mail, linking to the regional host)."""

from __future__ import annotations

import datetime as dt

from django_tenants.utils import tenant_context

from cnppm.models import Assignment
from tenants.notifications.planner import plan
from tenants.routes import services
from tenants.routes.models import Activity, Section
from tests.routes.conftest import YEAR

MOSCOW = dt.timezone(dt.timedelta(hours=3))


def _drafts(world, day: dt.date):  # type: ignore[no-untyped-def]
    with tenant_context(world.alpha):
        return [d for d in plan(organization=world.alpha, now=dt.datetime.combine(day, dt.time(12), tzinfo=MOSCOW))
                if d.kind == "route"]  # fmt: skip


def test_a_course_and_a_deadline_remind_the_teacher_and_the_tutor(world, bob_route):
    world.tanya.email = "tanya@cnppm.example.ru"
    world.tanya.save()
    with tenant_context(world.alpha):
        deficit = bob_route.deficits.get()
        services.activity_save(
            route=bob_route, organization=world.alpha, deficits=[deficit], user=world.bob,
            activity=Activity(section=Section.COURSES, title="Цифровой класс", provider="ЦНППМ", hours=36,
                              academic_year=YEAR, deadline_text="до 30.11.2026",
                              course_starts_on=dt.date(2026, 11, 2), course_ends_on=dt.date(2026, 11, 20)),
        )  # fmt: skip
    starting = _drafts(world, dt.date(2026, 10, 30))
    teacher = [d for d in starting if d.recipient_id == world.bob.pk]
    tutor = [d for d in starting if d.recipient_id == world.tanya.pk]
    assert any("Через 3 дня начинается курс: Цифровой класс" in d.subject for d in teacher)
    assert [d.channel for d in tutor] == ["email"]
    assert tutor[0].url.endswith(f"/cnppm/routes/{world.alpha.pk}/{bob_route.pk}/")
    assert "(Борисов Борис Игоревич)" in tutor[0].subject
    due = _drafts(world, dt.date(2026, 11, 30))
    assert any(d.subject == "ИОМ. Сегодня срок: Цифровой класс" for d in due)
    # The same moment planned again gives the same keys (the outbox keeps one of each).
    assert {d.key for d in due} == {d.key for d in _drafts(world, dt.date(2026, 11, 30))}


def test_the_review_and_a_missing_reflection_remind_the_tutor(world, bob_route):
    world.tanya.email = "tanya@cnppm.example.ru"
    world.tanya.save()
    assignment = Assignment.objects.get(teacher=world.bob, ended_at__isnull=True)
    review_on = assignment.assigned_at.date() + dt.timedelta(days=assignment.review_every_days)
    week_before = _drafts(world, review_on - dt.timedelta(days=7))
    assert any(
        d.recipient_id == world.bob.pk and "сопровождение тьютора" in d.subject for d in week_before
    )
    on_the_day = _drafts(world, review_on)
    assert any(d.recipient_id == world.tanya.pk and d.subject == "ИОМ. Пора сопровождения: Борисов Борис Игоревич"
               for d in on_the_day)  # fmt: skip
    late = _drafts(world, dt.date(2027, 6, 14))
    assert any(
        d.recipient_id == world.tanya.pk and "Нет рефлексивного анализа за 2026/2027" in d.subject
        for d in late
    )
    reminded = _drafts(world, dt.date(2027, 5, 31))
    assert any(
        d.recipient_id == world.bob.pk and "Рефлексивный анализ за 2026/2027" in d.subject
        for d in reminded
    )


def test_a_tutor_mail_not_yet_sent_is_dropped_when_consent_or_assignment_ends(world, bob_route):
    from cnppm.services import assignment_end
    from tenants.notifications.delivery import outbox_write
    from tenants.notifications.models import Outbox, OutboxStatus
    from tenants.routes.models import Recipient

    world.tanya.email = "tanya@cnppm.example.ru"
    world.tanya.save()
    assignment = Assignment.objects.get(teacher=world.bob, ended_at__isnull=True)
    review_on = assignment.assigned_at.date() + dt.timedelta(days=assignment.review_every_days)
    with tenant_context(world.alpha):
        outbox_write(_drafts(world, review_on))
        pending = Outbox.objects.filter(recipient_id=world.tanya.pk, status=OutboxStatus.PENDING)
        assert pending.filter(key__startswith=f"route-review:{bob_route.pk}:").exists()
        services.consent_withdraw(
            route=bob_route, organization=world.alpha, recipient=Recipient.TUTOR
        )
        assert not pending.exists()
        services.consent_give(route=bob_route, organization=world.alpha, recipient=Recipient.TUTOR)
        Outbox.objects.all().delete()
        outbox_write(_drafts(world, review_on))
        assert pending.exists()
    assignment_end(assignment=assignment, by=world.olga)
    with tenant_context(world.alpha):
        assert not Outbox.objects.filter(
            recipient_id=world.tanya.pk, status=OutboxStatus.PENDING
        ).exists()
