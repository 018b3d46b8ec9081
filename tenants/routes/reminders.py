"""Reminders of the routes (ИОМ), planned by the organisation's sweep (notifications.planner):

- an activity of the route's roadmap: its deadline (the organisation's lead days) and overdue,
  to the teacher;
- a ДПО course about to start (3 days before, on the day), to the teacher and the tutor;
- the tutor's review due (the assignment's interval since the last one), to the tutor, and the
  teacher a week before;
- the reflective analysis of the year at the end of the study year (step 7), to the teacher,
  and to the tutor once it is overdue.

The tutor is no member of the school: their reminders go by e-mail only, with links to the
regional host (the school's inbox is not theirs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from accounts.models import User
from cnppm.models import Assignment, next_review
from core.links import site_url
from organizations.models import Organization
from tenants.notifications.models import ReminderSettings
from tenants.notifications.planner import reminder_text
from tenants.roadmap.deadlines import STUDY_END
from tenants.routes.models import Activity, ActivityStatus, Recipient, Route, RouteConsent, Section

CATCH_UP_DAYS = 2
Add = Callable[[str, str, list[User], str, str, str, dt.datetime], None]
COURSE_LEAD = (3, 0)
REVIEW_LEAD = (7, 0)  # the teacher a week before, the tutor on the day
REFLECTION_LEAD = (7, 0)
REFLECTION_LATE = 14  # then the tutor is told too


def _due(day: dt.date, today: dt.date) -> bool:
    return today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today


def route_drafts(
    *, organization: Organization, today: dt.date, now: dt.datetime, settings: ReminderSettings,
    zone: ZoneInfo, users: dict[int, User], add: Add, add_outside: Add,
) -> None:  # fmt: skip
    routes = {r.pk: r for r in Route.objects.filter(completed_on__isnull=True)}
    if not routes:
        return

    def moment(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(settings.morning_hour), tzinfo=zone)

    shared = set(
        RouteConsent.objects.filter(
            recipient=Recipient.TUTOR, withdrawn_at__isnull=True
        ).values_list("route_id", flat=True)
    )
    tutors = {
        a.teacher_id: a
        for a in Assignment.objects.filter(organization_id=organization.pk, ended_at__isnull=True).select_related("tutor")
    }  # fmt: skip

    def tutor_of(route: Route) -> Assignment | None:
        return tutors.get(route.teacher_id) if route.pk in shared else None

    def public_link(route: Route) -> str:
        return site_url(f"/cnppm/routes/{organization.pk}/{route.pk}/")

    # Activities and courses: a look at the dates first, the joined rows only for those due.
    horizon = max([*settings.lead_days, *COURSE_LEAD])
    late = max(settings.overdue_days or [0])
    window_from, window_to = (
        today - dt.timedelta(days=late + CATCH_UP_DAYS),
        today + dt.timedelta(days=horizon),
    )
    activities = Activity.objects.filter(
        route_id__in=list(routes), status=ActivityStatus.PLANNED,
    ).filter(due_on__range=(window_from, window_to)) | Activity.objects.filter(
        route_id__in=list(routes), status=ActivityStatus.PLANNED, section=Section.COURSES,
        course_starts_on__range=(today - dt.timedelta(days=CATCH_UP_DAYS), today + dt.timedelta(days=3)),
    )  # fmt: skip
    for activity in activities:
        route = routes[activity.route_id]
        teacher = users.get(route.teacher_id)
        url = f"/routes/{route.pk}/#step-4"
        if activity.due_on is not None and teacher is not None:
            offsets = [*settings.lead_days, *(-days for days in settings.overdue_days)]
            for offset in offsets:
                day = activity.due_on - dt.timedelta(days=offset)
                if _due(day, today) and moment(day) <= now:
                    subject, body = reminder_text(title=activity.title, due=activity.due_on, offset=offset,
                                                  responsible="")  # fmt: skip
                    if offset < 0:
                        body += " Отметьте выполнение с продуктом или перенесите срок с причиной."
                    add(f"route-activity:{activity.pk}:{activity.due_on}:{offset}", "route", [teacher],
                        f"ИОМ. {subject}"[:300], body, url, moment(day))  # fmt: skip
        if activity.course_starts_on is not None:
            assignment = tutor_of(route)
            for lead in COURSE_LEAD:
                day = activity.course_starts_on - dt.timedelta(days=lead)
                if not (_due(day, today) and moment(day) <= now):
                    continue
                subject = (
                    f"ИОМ. {'Через 3 дня' if lead else 'Сегодня'} начинается курс: {activity.title}"
                )[:300]
                body = f"{activity.provider}, {activity.hours or '—'} ч, с {activity.course_starts_on:%d.%m.%Y}."
                if teacher is not None:
                    add(f"route-course:{activity.pk}:{activity.course_starts_on}:{lead}", "route", [teacher],
                        subject, body, url, moment(day))  # fmt: skip
                if assignment is not None:
                    add_outside(f"route-course-tutor:{route.pk}:{activity.pk}:{activity.course_starts_on}:{lead}", "route",
                                [assignment.tutor], f"{subject} ({route.teacher_name})"[:300], body,
                                public_link(route), moment(day))  # fmt: skip

    # Reviews by the tutor.
    for route in routes.values():
        assignment = tutor_of(route)
        if assignment is None:
            continue
        review_on = next_review(
            route.last_reviewed_on, assignment.assigned_at.date(), assignment.review_every_days
        )
        teacher = users.get(route.teacher_id)
        for lead in REVIEW_LEAD:
            day = review_on - dt.timedelta(days=lead)
            if not (_due(day, today) and moment(day) <= now):
                continue
            if lead and teacher is not None:
                add(f"route-review-teacher:{route.pk}:{review_on}", "route", [teacher],
                    f"ИОМ. Через неделю — сопровождение тьютора ({review_on:%d.%m.%Y})",
                    "Отметьте выполненное и приложите продукты: тьютор увидит маршрут таким.",
                    f"/routes/{route.pk}/", moment(day))  # fmt: skip
            if not lead:
                add_outside(f"route-review:{route.pk}:{review_on}", "route", [assignment.tutor],
                            f"ИОМ. Пора сопровождения: {route.teacher_name}"[:300],
                            f"{organization.short_name}: последнее сопровождение "
                            f"{route.last_reviewed_on:%d.%m.%Y}." if route.last_reviewed_on else
                            f"{organization.short_name}: сопровождения ещё не было.",
                            public_link(route), moment(day))  # fmt: skip

    # The reflective analysis at the end of the study year.
    year = organization.academic_year_of(today)
    study_end = dt.date(year + 1, *STUDY_END)
    reflected = set(
        Route.objects.filter(pk__in=list(routes), reflections__academic_year=year).values_list(
            "pk", flat=True
        )
    )
    for route in routes.values():
        if route.pk in reflected or route.desired_image == "":
            continue
        teacher = users.get(route.teacher_id)
        for lead in REFLECTION_LEAD:
            day = study_end - dt.timedelta(days=lead)
            if teacher is not None and _due(day, today) and moment(day) <= now:
                add(f"route-reflection:{route.pk}:{year}:{lead}", "route", [teacher],
                    f"ИОМ. Рефлексивный анализ за {year}/{year + 1} учебный год — до {study_end:%d.%m.%Y}",
                    "По каждому дефициту: насколько преодолён; насколько вы приблизились к желаемому образу.",
                    f"/routes/{route.pk}/reflection/", moment(day))  # fmt: skip
        assignment = tutor_of(route)
        day = study_end + dt.timedelta(days=REFLECTION_LATE)
        if assignment is not None and _due(day, today) and moment(day) <= now:
            add_outside(f"route-reflection-late:{route.pk}:{year}", "route", [assignment.tutor],
                        f"ИОМ. Нет рефлексивного анализа за {year}/{year + 1}: {route.teacher_name}"[:300],
                        f"{organization.short_name}: срок был {study_end:%d.%m.%Y}.", public_link(route),
                        moment(day))  # fmt: skip


TUTOR_KEYS = ("route-course-tutor", "route-review", "route-reflection-late")


def tutor_mail_cancel(*, route_ids: list[int], why: str) -> int:
    """The tutor's reminders about these routes not yet sent are dropped (in the current
    school's schema): the consent was withdrawn or the assignment ended."""
    from django.db.models import Q

    from tenants.notifications.models import Outbox, OutboxStatus

    if not route_ids:
        return 0
    keys = Q()
    for prefix in TUTOR_KEYS:
        for route_id in route_ids:
            keys |= Q(key__startswith=f"{prefix}:{route_id}:")
    return Outbox.objects.filter(
        keys, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]
    ).update(status=OutboxStatus.DEAD, last_error=why[:500])
