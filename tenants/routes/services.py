"""Writes to a route (ИОМ): each in one transaction with the public projection of its status
(cnppm.RouteStatus), so the tutor's caseload and the region's figures never disagree with the
route itself.

Who may call what is the views' business (tenants.routes.access): a service takes the acting
user and the role they act in, and records it in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from cnppm.catalogue import DEFICIT_LEVEL, STRENGTH_LEVEL
from cnppm.models import RouteStatus
from cnppm.services import instrument_for
from core import uploads
from core.params import ascii_int
from organizations.models import Organization
from tenants.roadmap.deadlines import parse_deadline
from tenants.routes.models import (
    ROUTE_YEARS,
    Activity,
    ActivityStatus,
    ActorRole,
    Approval,
    AreaResult,
    Change,
    ChangeReason,
    Deficit,
    DeficitProgress,
    Diagnosis,
    Overcome,
    Recipient,
    Reflection,
    RespondentKind,
    Review,
    Route,
    RouteConsent,
    Section,
    Step,
    Verdict,
    route_end,
)

PRODUCT_UPLOAD = uploads.UploadPolicy(
    what="педагогический продукт",
    kinds=frozenset({
        uploads.Kind.PDF, uploads.Kind.DOC, uploads.Kind.DOCX, uploads.Kind.ODT, uploads.Kind.XLSX,
        uploads.Kind.XLS, uploads.Kind.ODS, uploads.Kind.JPEG, uploads.Kind.PNG, uploads.Kind.RTF,
        uploads.Kind.TEXT, uploads.Kind.ZIP,
    }),
    max_bytes=25 * uploads.MB,
    max_unpacked_bytes=200 * uploads.MB,
)  # fmt: skip

ACTIVITY_FIELDS = {
    "section": "раздел",
    "title": "мероприятие",
    "academic_year": "учебный год",
    "deadline_text": "сроки",
    "expected_product": "ожидаемый продукт",
    "provider": "организация ДПО",
    "hours": "часов",
    "course_starts_on": "начало обучения",
    "course_ends_on": "окончание обучения",
    "course_format": "форма обучения",
    "certificate": "документ об обучении",
}
DEADLINE_EXAMPLES = "например, «до 01.12.2026», «октябрь 2026», «в течение учебного года», «май»"


def _now() -> dt.datetime:
    return timezone.now()


def _clean(text: object, limit: int) -> str:
    """Free text as PostgreSQL can keep it: no NUL, trimmed, cut to the column."""
    return str(text or "").replace("\x00", "").strip()[:limit]


# Route ------------------------------------------------------------------------------------------


def route_start(
    *, organization: Organization, teacher: User, started_on: dt.date, years: int,
    position: str = "", subject: str = "",
) -> Route:  # fmt: skip
    if years not in ROUTE_YEARS:
        raise ValidationError("Маршрут рассчитан на 4 или 5 лет.")
    with transaction.atomic():
        if Route.objects.filter(teacher_id=teacher.pk, completed_on__isnull=True).exists():
            raise ValidationError("У вас уже есть действующий маршрут.")
        route = Route.objects.create(
            teacher_id=teacher.pk, teacher_name=teacher.display_name[:300], started_on=started_on,
            years=years, position=position[:150], subject=subject[:150],
        )  # fmt: skip
        projection_sync(route, organization)
    return route


def route_describe(
    *, route: Route, organization: Organization, desired_image: str, position: str, subject: str,
    years: int,
) -> None:  # fmt: skip
    """Step 1: the desired image of oneself as an accomplished professional."""
    if years not in ROUTE_YEARS:
        raise ValidationError("Маршрут рассчитан на 4 или 5 лет.")
    with transaction.atomic():
        route = Route.objects.select_for_update().get(pk=route.pk)
        route.desired_image = desired_image.strip()
        route.position, route.subject, route.years = position[:150], subject[:150], years
        route.save()
        step_refresh(route, organization)


def step_of(route: Route, *, academic_year: int) -> int:
    """The step the route is at: the first not yet done, in the seed's order; after approval the
    work is implementation, a change after approval is a correction, a reflection ends a cycle."""
    if not route.desired_image.strip():
        return Step.SELF_DETERMINATION
    own = Diagnosis.objects.filter(
        route=route, kind=RespondentKind.SELF, submitted_at__isnull=False
    )
    if not own.exists():
        return Step.ACHIEVEMENTS
    if not route.deficits.filter(closed_on__isnull=True).exists():
        return Step.DEFICITS
    if Reflection.objects.filter(route=route, academic_year=academic_year).exists():
        return Step.REFLECTION
    if route.approval == Approval.APPROVED:
        return Step.IMPLEMENTATION
    if route.approved_once:
        return Step.CORRECTION
    return Step.ROADMAP


def step_refresh(route: Route, organization: Organization) -> None:
    """Recompute the step from the stored route (the caller's copy may be older than what its
    transaction wrote) and write the projection; the caller's copy gets the stored state."""
    stored = Route.objects.get(pk=route.pk)
    today = organization.local_today()
    step = step_of(stored, academic_year=organization.academic_year_of(today))
    if step != stored.step:
        Route.objects.filter(pk=stored.pk).update(step=step)
        stored.step = step
    for name in ("desired_image", "position", "subject", "years", "step", "approval",
                 "approved_once", "last_reviewed_on", "completed_on"):  # fmt: skip
        setattr(route, name, getattr(stored, name))
    projection_sync(stored, organization)


def projection_sync(route: Route, organization: Organization) -> None:
    """The route's public status: codes, dates and counts only (no text)."""
    deficit_areas = sorted(
        set(route.deficits.filter(closed_on__isnull=True).values_list("area", flat=True))
    )
    hours: dict[str, int] = {}
    courses = Activity.objects.filter(
        route=route, section=Section.COURSES, hours__isnull=False,
        status__in=[ActivityStatus.PLANNED, ActivityStatus.DONE],
    ).prefetch_related("deficits")  # fmt: skip
    for course in courses:
        for area in {d.area for d in course.deficits.all()} or {"": None}:
            if area:
                hours[area] = hours.get(area, 0) + (course.hours or 0)
    counts = (
        Activity.objects.filter(route=route)
        .exclude(status=ActivityStatus.CANCELLED)
        .aggregate(total=Count("id"), done=Count("id", filter=Q(status=ActivityStatus.DONE)))
    )
    planned_due = [
        day
        for day in Activity.objects.filter(route=route, status=ActivityStatus.PLANNED)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        if day is not None
    ]
    shared = RouteConsent.objects.filter(
        route=route, recipient=Recipient.TUTOR, withdrawn_at__isnull=True
    ).exists()
    RouteStatus.objects.update_or_create(
        organization=organization, route_id=route.pk,
        defaults={
            "teacher_id": route.teacher_id, "step": route.step, "approval": route.approval,
            "started_on": route.started_on, "ends_on": route_end(route.started_on, route.years),
            "deficit_areas": deficit_areas, "planned_hours": hours,
            "activities": counts["total"], "done": counts["done"], "planned_due": planned_due,
            "shared_with_tutor": shared, "last_reviewed_on": route.last_reviewed_on,
            "changed_at": _now(), "is_active": route.completed_on is None,
        },
    )  # fmt: skip


# Diagnostics (steps 2 and 3) --------------------------------------------------------------------


def diagnosis_for(
    *, route: Route, organization: Organization, kind: str, academic_year: int, author: User,
) -> Diagnosis:  # fmt: skip
    """This respondent's diagnosis of the cycle, begun on the instrument version in force."""
    existing = Diagnosis.objects.filter(route=route, kind=kind, academic_year=academic_year).first()
    if existing is not None:
        return existing
    instrument = instrument_for(organization)
    diagnosis, _ = Diagnosis.objects.get_or_create(
        route=route, kind=kind, academic_year=academic_year,
        defaults={
            "author_id": author.pk, "author_name": author.display_name[:300],
            "instrument_version": instrument.version,
            "instrument": instrument.content,
        },
    )  # fmt: skip
    return diagnosis


def _scale_values(instrument: dict[str, Any]) -> set[int]:
    return {int(level["value"]) for level in instrument.get("scale", [])}


def diagnosis_save(
    *, diagnosis: Diagnosis, organization: Organization, author: User,
    answers: dict[str, dict[str, Any]], submit: bool,
) -> list[str]:  # fmt: skip
    """`answers`: area code → {"ratings": {indicator: level}, "achievements", "difficulties",
    "comment"}. Every indicator of every area is required on submit (a draft may be partial).
    Returns the codes of the areas suggested as deficits."""
    instrument = diagnosis.instrument
    values = _scale_values(instrument)
    problems: list[str] = []
    results: list[AreaResult] = []
    for area in instrument["areas"]:
        answer = answers.get(area["code"], {})
        ratings: dict[str, int] = {}
        for indicator in area["indicators"]:
            raw = (answer.get("ratings") or {}).get(indicator["code"])
            if raw in (None, ""):
                if submit:
                    problems.append(
                        f"«{area['title']}»: не отмечен уровень — «{indicator['text']}»."
                    )
                continue
            value = ascii_int(str(raw))
            if value is None:
                value = -1
            if value not in values:
                problems.append(f"«{area['title']}»: уровень «{raw}» не из шкалы.")
                continue
            ratings[indicator["code"]] = value
        level = (
            (Decimal(sum(ratings.values())) / len(ratings)).quantize(Decimal("0.01"))
            if ratings else None
        )  # fmt: skip
        results.append(AreaResult(
            diagnosis=diagnosis, area=area["code"], ratings=ratings, level=level,
            achievements=_clean(answer.get("achievements"), 5000),
            difficulties=_clean(answer.get("difficulties"), 5000),
            comment=_clean(answer.get("comment"), 5000),
        ))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        AreaResult.objects.filter(diagnosis=diagnosis).delete()
        AreaResult.objects.bulk_create(results)
        diagnosis.author_id, diagnosis.author_name = author.pk, author.display_name[:300]
        if submit and diagnosis.submitted_at is None:
            diagnosis.submitted_at = _now()
        diagnosis.save()
        step_refresh(diagnosis.route, organization)
    return suggested_deficits(results)


def suggested_deficits(results: Iterable[AreaResult]) -> list[str]:
    """Areas whose mean level is low or with an indicator at the lowest level."""
    codes = []
    for result in results:
        low = any(int(v) <= 1 for v in result.ratings.values())
        if (result.level is not None and result.level <= Decimal(str(DEFICIT_LEVEL))) or low:
            codes.append(result.area)
    return codes


def strengths(results: Iterable[AreaResult]) -> list[str]:
    return [
        r.area for r in results if r.level is not None and r.level >= Decimal(str(STRENGTH_LEVEL))
    ]


def deficit_add(
    *, route: Route, organization: Organization, area: str, description: str, user: User,
    role: str = ActorRole.TEACHER,
) -> Deficit:  # fmt: skip
    titles = {a["code"]: a["title"] for a in instrument_for(organization).areas}
    if area not in titles:
        raise ValidationError("Выберите направление из перечня.")
    description = " ".join(description.split())
    if not description:
        raise ValidationError("Опишите, в чём затруднение.")
    if len(description) > 1000:
        raise ValidationError("Описание дефицита — не длиннее 1000 знаков.")
    with transaction.atomic():
        deficit = Deficit.objects.create(
            route=route, area=area, area_title=titles[area], description=description,
            academic_year=organization.academic_year_of(organization.local_today()),
        )  # fmt: skip
        if route.approval != Approval.DRAFT or route.approved_once:
            _change(route, user, role, "", "", f"Добавлен дефицит: {titles[area]} — {description}")
        step_refresh(route, organization)
    return deficit


def deficit_close(
    *, deficit: Deficit, organization: Organization, user: User, reason: str, reason_text: str,
) -> None:  # fmt: skip
    with transaction.atomic():
        deficit.closed_on = organization.local_today()
        deficit.save(update_fields=["closed_on"])
        _change(deficit.route, user, ActorRole.TEACHER, reason, reason_text,
                f"Снят с маршрута дефицит: {deficit.area_title} — {deficit.description}")  # fmt: skip
        step_refresh(deficit.route, organization)


# The route's roadmap (step 4) and its corrections (step 6) --------------------------------------


def _schedule(activity: Activity, route: Route, organization: Organization) -> None:
    deadline = parse_deadline(activity.deadline_text)
    if not deadline.readable:
        raise ValidationError(
            {
                "deadline_text": f"Срок «{activity.deadline_text}» не распознан. Напишите, "
                f"{DEADLINE_EXAMPLES}."
            }
        )
    occurrences = deadline.occurrences(
        activity.academic_year, program_start=route.started_on,
        year_start=organization.academic_year_start,
    )  # fmt: skip
    starts = [day for o in occurrences if (day := o.start or o.due) is not None]
    dues = [o.due for o in occurrences if o.due is not None]
    activity.deadline = deadline.as_json()
    activity.starts_on = min(starts) if starts else None
    activity.due_on = max(dues) if dues else None
    if activity.due_on is not None and not (route.started_on <= activity.due_on <= route.ends_on):
        raise ValidationError(
            {
                "deadline_text": f"Срок {activity.due_on:%d.%m.%Y} — вне маршрута "
                f"({route.started_on:%d.%m.%Y} – {route.ends_on:%d.%m.%Y})."
            }
        )


def _clean_activity(activity: Activity, route: Route) -> None:
    errors: dict[str, str] = {}
    if activity.academic_year not in route.cycle_years():
        errors["academic_year"] = "Учебный год — один из годов маршрута."
    if activity.section == Section.COURSES:
        if not activity.provider.strip():
            errors["provider"] = "Укажите организацию ДПО."
        if not activity.hours:
            errors["hours"] = "Укажите объём программы в часах."
    if (
        activity.course_starts_on and activity.course_ends_on
        and activity.course_ends_on < activity.course_starts_on
    ):  # fmt: skip
        errors["course_ends_on"] = "Окончание обучения раньше его начала."
    if errors:
        raise ValidationError(errors)


def _needs_reason(route: Route) -> bool:
    """Once the roadmap went to a reviewer, every change says why (step 6)."""
    return route.approval != Approval.DRAFT or route.approved_once


def _change(
    route: Route, user: User | None, role: str, reason: str, reason_text: str, summary: str,
    changes: dict[str, Any] | None = None,
) -> Change:  # fmt: skip
    return Change.objects.create(
        route=route, user_id=user.pk if user else None,
        user_name=(user.display_name if user else "")[:300], role=role,
        reason=reason if reason in ChangeReason.values else "",
        reason_text=_clean(reason_text, 1000), summary=_clean(summary, 1000), changes=changes or {},
    )  # fmt: skip


def _reason_check(route: Route, reason: str, reason_text: str) -> None:
    if not _needs_reason(route):
        return
    if reason not in ChangeReason.values:
        raise ValidationError(
            {"reason": "Укажите причину изменения: дорожная карта уже у тьютора."}
        )
    if reason == ChangeReason.OTHER and not reason_text.strip():
        raise ValidationError({"reason_text": "Поясните причину изменения."})


def _after_roadmap_change(route: Route) -> None:
    """A change to a roadmap under review or approved goes back to the reviewer."""
    if route.approval in (Approval.APPROVED, Approval.RETURNED):
        Route.objects.filter(pk=route.pk).update(approval=Approval.SUBMITTED)
        route.approval = Approval.SUBMITTED


def _display(activity: Activity, field: str) -> str:
    value = getattr(activity, field)
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if field == "section":
        return str(Section(value).label)
    if field == "academic_year":
        return f"{value}/{value + 1}"
    if field == "course_format":
        return str(activity.get_course_format_display())
    return str(value)


def activity_save(
    *, route: Route, organization: Organization, activity: Activity, deficits: list[Deficit],
    user: User, role: str = ActorRole.TEACHER, reason: str = "", reason_text: str = "",
) -> Activity:  # fmt: skip
    """Add (activity.pk is None) or change an activity of the route's roadmap."""
    if any(d.route_id != route.pk for d in deficits):
        raise ValidationError({"deficits": "Дефицит не из этого маршрута."})
    activity.route = route
    _clean_activity(activity, route)
    _schedule(activity, route, organization)
    _reason_check(route, reason, reason_text)
    with transaction.atomic():
        route = Route.objects.select_for_update().get(pk=route.pk)
        is_new = activity.pk is None
        before: dict[str, str] = {}
        before_deficits: set[int] = set()
        if not is_new:
            old = Activity.objects.get(pk=activity.pk, route=route)
            before = {f: _display(old, f) for f in ACTIVITY_FIELDS}
            before_deficits = set(old.deficits.values_list("pk", flat=True))
        else:
            activity.position = Activity.objects.filter(
                route=route, section=activity.section
            ).count()
        activity.save()
        activity.deficits.set(deficits)
        after = {f: _display(activity, f) for f in ACTIVITY_FIELDS}
        diff = {
            ACTIVITY_FIELDS[f]: [before[f], after[f]]
            for f in ACTIVITY_FIELDS
            if before and before[f] != after[f]
        }
        if not is_new and set(d.pk for d in deficits) != before_deficits:
            diff["дефициты"] = [str(len(before_deficits)), str(len(deficits))]
        if is_new:
            _change(
                route, user, role, reason, reason_text, f"Добавлено мероприятие: {activity.title}"
            )
        elif diff:
            fields = ", ".join(diff)
            _change(route, user, role, reason, reason_text,
                    f"Изменено мероприятие «{activity.title}»: {fields}", diff)  # fmt: skip
        if is_new or diff:
            _after_roadmap_change(route)
        step_refresh(route, organization)
    return activity


def activity_cancel(
    *, activity: Activity, organization: Organization, user: User, reason: str, reason_text: str,
) -> None:  # fmt: skip
    route = activity.route
    _reason_check(route, reason, reason_text)
    with transaction.atomic():
        activity.status = ActivityStatus.CANCELLED
        activity.save(update_fields=["status"])
        _change(route, user, ActorRole.TEACHER, reason, reason_text,
                f"Исключено мероприятие: {activity.title}")  # fmt: skip
        _after_roadmap_change(route)
        step_refresh(route, organization)


def recommendation_accept(*, activity: Activity, organization: Organization, user: User) -> None:
    """The teacher takes a course the tutor recommended into the roadmap."""
    if activity.status != ActivityStatus.RECOMMENDED:
        raise ValidationError("Это мероприятие уже в дорожной карте.")
    with transaction.atomic():
        activity.status = ActivityStatus.PLANNED
        activity.save(update_fields=["status"])
        _change(activity.route, user, ActorRole.TEACHER, ChangeReason.REVIEW, "",
                f"Принята рекомендация: {activity.title}")  # fmt: skip
        _after_roadmap_change(activity.route)
        step_refresh(activity.route, organization)


def roadmap_submit(*, route: Route, organization: Organization, user: User) -> None:
    if not route.activities.exclude(status=ActivityStatus.CANCELLED).exists():
        raise ValidationError("Добавьте в дорожную карту хотя бы одно мероприятие.")
    uncovered = route.deficits.filter(closed_on__isnull=True, activities__isnull=True)
    if uncovered.exists():
        names = "; ".join(f"{d.area_title}: {d.description}" for d in uncovered[:5])
        raise ValidationError(f"Нет мероприятий против дефицитов: {names}.")
    with transaction.atomic():
        Route.objects.filter(pk=route.pk).update(approval=Approval.SUBMITTED)
        route.approval = Approval.SUBMITTED
        _change(route, user, ActorRole.TEACHER, "", "", "Дорожная карта отправлена на согласование")
        step_refresh(route, organization)


# Implementation (step 5) ------------------------------------------------------------------------


def product_record(
    *, activity: Activity, organization: Organization, user: User, kind: str, title: str,
    link: str, upload: UploadedFile | None, attitude: str, done_on: dt.date,
) -> None:  # fmt: skip
    if activity.status in (ActivityStatus.CANCELLED, ActivityStatus.RECOMMENDED):
        raise ValidationError("Мероприятие не в дорожной карте.")
    errors: dict[str, str] = {}
    if kind not in dict(Activity._meta.get_field("product_kind").choices or []):
        errors["product_kind"] = "Выберите вид продукта."
    if not title.strip():
        errors["product_title"] = "Назовите продукт."
    if upload is None and not link and not activity.product_file:
        errors["product_file"] = "Приложите файл или ссылку на продукт."
    if not attitude.strip():
        errors["attitude"] = "Напишите своё отношение к достигнутому результату."
    route = activity.route
    if not (route.started_on <= done_on <= organization.local_today()):
        errors["done_on"] = "Дата — в пределах маршрута и не позже сегодняшнего дня."
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        uploads.validate(upload, PRODUCT_UPLOAD)
    with transaction.atomic():
        activity.product_kind, activity.product_title = kind, title.strip()[:500]
        activity.product_link, activity.attitude = link, attitude.strip()[:5000]
        activity.done_on, activity.status = done_on, ActivityStatus.DONE
        if upload is not None:
            activity.product_file.save(upload.name or "product", upload, save=False)
        activity.save()
        step_refresh(route, organization)


# Reviews ---------------------------------------------------------------------------------------


def review_add(
    *, route: Route, organization: Organization, reviewer: User, role: str, verdict: str,
    text: str, step: int | None = None, activity: Activity | None = None,
) -> Review:  # fmt: skip
    text = text.strip()
    if verdict not in Verdict.values:
        raise ValidationError("Неизвестное решение.")
    if verdict == Verdict.RETURNED and not text:
        raise ValidationError({"text": "Напишите, что доработать."})
    if verdict == Verdict.COMMENT and not text:
        raise ValidationError({"text": "Напишите комментарий."})
    if verdict != Verdict.COMMENT and route.approval != Approval.SUBMITTED:
        raise ValidationError("Дорожная карта не на согласовании.")
    if activity is not None and activity.route_id != route.pk:
        raise ValidationError("Мероприятие не из этого маршрута.")
    with transaction.atomic():
        route = Route.objects.select_for_update().get(pk=route.pk)
        review = Review.objects.create(
            route=route, reviewer_id=reviewer.pk, reviewer_name=reviewer.display_name[:300],
            role=role, verdict=verdict, step=step, activity=activity, text=text[:5000],
        )  # fmt: skip
        route.last_reviewed_on = organization.local_today()
        if verdict == Verdict.APPROVED:
            route.approval, route.approved_once = Approval.APPROVED, True
        elif verdict == Verdict.RETURNED:
            route.approval = Approval.RETURNED
        route.save(update_fields=["last_reviewed_on", "approval", "approved_once", "updated_at"])
        step_refresh(route, organization)
    return review


def course_recommend(
    *, route: Route, organization: Organization, tutor: User, title: str, provider: str,
    hours: int | None, deadline_text: str, deficits: list[Deficit], academic_year: int,
) -> Activity:  # fmt: skip
    activity = Activity(
        route=route, section=Section.COURSES, title=title.strip()[:500], provider=provider[:300],
        hours=hours, deadline_text=deadline_text.strip()[:300], academic_year=academic_year,
        status=ActivityStatus.RECOMMENDED, recommended_by=tutor.display_name[:300],
    )  # fmt: skip
    if not activity.title:
        raise ValidationError({"title": "Назовите программу."})
    if any(d.route_id != route.pk for d in deficits):
        raise ValidationError({"deficits": "Дефицит не из этого маршрута."})
    _clean_activity(activity, route)
    _schedule(activity, route, organization)
    with transaction.atomic():
        activity.position = Activity.objects.filter(route=route, section=Section.COURSES).count()
        activity.save()
        activity.deficits.set(deficits)
        Review.objects.create(
            route=route, reviewer_id=tutor.pk, reviewer_name=tutor.display_name[:300],
            role=ActorRole.TUTOR, verdict=Verdict.COMMENT, step=Step.ROADMAP, activity=activity,
            text=f"Рекомендую программу ДПО «{activity.title}» ({activity.provider}).",
        )  # fmt: skip
        step_refresh(route, organization)
    return activity


# Reflection (step 7) ---------------------------------------------------------------------------


def reflection_save(
    *, route: Route, organization: Organization, user: User, academic_year: int,
    degrees: dict[int, tuple[int, str]], image_distance: int | None, image_text: str,
    conclusions: str, is_final: bool,
) -> Reflection:  # fmt: skip
    if academic_year not in route.cycle_years():
        raise ValidationError("Учебный год — один из годов маршрута.")
    open_deficits = {d.pk: d for d in route.deficits.filter(closed_on__isnull=True)}
    missing = [d for pk, d in open_deficits.items() if pk not in degrees]
    if missing:
        raise ValidationError(
            [
                f"Отметьте, насколько преодолён дефицит: {d.area_title} — {d.description}."
                for d in missing
            ]
        )
    if any(degree not in Overcome.values for degree, _ in degrees.values()):
        raise ValidationError("Степень преодоления — из шкалы.")
    if image_distance is None or not 1 <= image_distance <= 5:
        raise ValidationError(
            {"image_distance": "Отметьте степень приближения к желаемому образу (1–5)."}
        )
    with transaction.atomic():
        reflection, _ = Reflection.objects.update_or_create(
            route=route, academic_year=academic_year,
            defaults={
                "is_final": is_final, "image_distance": image_distance,
                "image_text": image_text.strip()[:5000], "conclusions": conclusions.strip()[:5000],
                "author_name": user.display_name[:300],
            },
        )  # fmt: skip
        reflection.progress.all().delete()
        DeficitProgress.objects.bulk_create(
            DeficitProgress(
                reflection=reflection, deficit_id=pk, degree=degree, comment=comment[:1000]
            )
            for pk, (degree, comment) in degrees.items()
            if pk in open_deficits
        )
        if is_final:
            Route.objects.filter(pk=route.pk).update(completed_on=organization.local_today())
            route.completed_on = organization.local_today()
        step_refresh(route, organization)
    return reflection


# Consent ---------------------------------------------------------------------------------------


def consent_give(*, route: Route, organization: Organization, recipient: str) -> RouteConsent:
    if recipient not in Recipient.values:
        raise ValidationError("Неизвестный получатель.")
    with transaction.atomic():
        Route.objects.select_for_update().get(pk=route.pk)
        consent = RouteConsent.objects.filter(
            route=route, recipient=recipient, withdrawn_at__isnull=True
        ).first()
        if consent is None:
            consent = RouteConsent.objects.create(route=route, recipient=recipient, given_at=_now())
        projection_sync(route, organization)
    return consent


def consent_withdraw(*, route: Route, organization: Organization, recipient: str) -> None:
    from tenants.routes.reminders import tutor_mail_cancel

    with transaction.atomic():
        RouteConsent.objects.filter(
            route=route, recipient=recipient, withdrawn_at__isnull=True
        ).update(withdrawn_at=_now())
        if recipient == Recipient.TUTOR:
            tutor_mail_cancel(
                route_ids=[route.pk], why="педагог отозвал согласие на передачу маршрута"
            )
        projection_sync(route, organization)


def consent_active(route: Route, recipient: str) -> bool:
    return RouteConsent.objects.filter(
        route=route, recipient=recipient, withdrawn_at__isnull=True
    ).exists()


def route_years_choices(route: Route) -> list[tuple[int, str]]:
    return [(year, f"{year}/{year + 1}") for year in route.cycle_years()]
