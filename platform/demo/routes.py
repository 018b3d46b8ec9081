"""Demo routes (ИОМ): three teachers in each of four organisations, each at a different step of
the seven, with products, corrections and the tutors' reviews; two tutors of the ЦНППМ
accompany them. Built through the services the pages use; safe to run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.models import User
from cnppm.services import assignment_create
from organizations.models import Organization, Region
from tenants.routes import services
from tenants.routes.models import Activity, ChangeReason, Recipient, Route, Section

HEAD = "cnppm"  # the head of the ЦНППМ, who assigns the tutors
# Who accompanies whom: the tutor's login → the organisations of the teachers.
TUTORS = {"tutor": ("sosh19", "malinovka"), "tutor2": ("sosh62", "michurinsk")}
TEACHERS = {
    "sosh19": ("coord.sosh19", "mentor.sosh19", "ped.sosh19"),
    "malinovka": ("coord.malinovka", "mentor.malinovka", "ped.malinovka"),
    "sosh62": ("coord.sosh62", "mentor.sosh62", "ped.sosh62"),
    "michurinsk": ("coord.michurinsk", "mentor.michurinsk", "ped.michurinsk"),
}
# How far each route has come (the demo shows every step somewhere).
STAGES = ("started", "image", "diagnosed", "roadmap", "submitted", "approved", "corrected",
          "returned", "implementing", "reflected", "approved", "diagnosed")  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Profile:
    position: str
    subject: str
    image: str
    low: tuple[str, ...]  # areas the self-diagnosis shows as deficits
    deficits: tuple[tuple[str, str], ...]


PROFILES = [
    Profile("учитель математики", "математика",
            "Учитель, у которого ученики решают задачи функциональной грамотности и сами "
            "ставят учебные цели; веду методическое объединение и открытые уроки для района.",
            ("digital", "psychology"),
            (("digital", "Не владею инструментами смешанного обучения на платформе «Моя школа»"),
             ("psychology", "Затрудняюсь в работе с родителями обучающихся с трудностями в обучении"))),
    Profile("учитель русского языка и литературы", "русский язык",
            "Педагог-исследователь: провожу с учениками проекты по краеведению и публикую "
            "методические разработки уроков развития речи.",
            ("methods", "theory"),
            (("methods", "Не умею составлять задания формата ОГЭ по развитию речи"),
             ("theory", "Слабо знаю современные концепции преподавания литературы"))),
    Profile("воспитатель", "дошкольное образование",
            "Воспитатель, к которому приходят коллеги за играми и сценариями; родители — "
            "партнёры в развитии детей.",
            ("upbringing", "ict"),
            (("upbringing", "Не хватает сценариев тематических праздников с участием родителей"),
             ("ict", "Не умею готовить интерактивные презентации для занятий"))),
    Profile("преподаватель спецдисциплин", "технология машиностроения",
            "Преподаватель, чьи студенты побеждают в чемпионатах профессионального мастерства; "
            "я эксперт демонстрационного экзамена.",
            ("legal", "subject"),
            (("legal", "Плохо ориентируюсь в требованиях ФГОС СПО нового поколения"),
             ("subject", "Не проходил стажировку на предприятии по новым станкам с ЧПУ"))),
]  # fmt: skip
COURSES = {
    "digital": ("Цифровые образовательные ресурсы в работе учителя", "ЦНППМ", 36),
    "psychology": ("Взаимодействие с семьями обучающихся", "Институт развития образования", 24),
    "methods": ("Подготовка к ОГЭ: задания по развитию речи", "Институт развития образования", 36),
    "theory": ("Современная методика преподавания литературы", "ЦНППМ", 72),
    "upbringing": ("Воспитательная работа в ДОО с участием семьи", "ЦНППМ", 36),
    "ict": ("Интерактивные технологии на занятиях с дошкольниками", "ЦНППМ", 18),
    "legal": (
        "ФГОС СПО: проектирование образовательных программ",
        "Институт развития образования",
        40,
    ),
    "subject": ("Стажировка на предприятии: станки с ЧПУ", "АО «Станкомаш»", 72),
}


def _profile(slug: str) -> Profile:
    return {"malinovka": PROFILES[1], "sosh62": PROFILES[1], "michurinsk": PROFILES[3]}.get(
        slug, PROFILES[0]
    )


def _date(day: dt.date) -> str:
    return f"до {day:%d.%m.%Y}"


def _build(
    organization: Organization, teacher: User, tutor: User, stage: str, today: dt.date
) -> None:
    year = organization.academic_year_of(today)
    profile = _profile(organization.slug)
    route = services.route_start(
        organization=organization, teacher=teacher, started_on=dt.date(year - 1, 9, 1), years=5,
        position=profile.position, subject=profile.subject,
    )  # fmt: skip
    if stage == "started":
        return
    services.route_describe(
        route=route, organization=organization, desired_image=profile.image,
        position=profile.position, subject=profile.subject, years=5,
    )  # fmt: skip
    if stage != "image":
        services.consent_give(route=route, organization=organization, recipient=Recipient.TUTOR)
    if stage == "image":
        return
    diagnosis = services.diagnosis_for(
        route=route, organization=organization, kind="self", academic_year=year, author=teacher
    )
    services.diagnosis_save(
        diagnosis=diagnosis, organization=organization, author=teacher, submit=True,
        answers={
            area["code"]: {
                "ratings": {i["code"]: (1 if area["code"] in profile.low else 3) for i in area["indicators"]},
                "achievements": "" if area["code"] in profile.low else "Открытые уроки, участие в конкурсах",
                "difficulties": "Нужна помощь" if area["code"] in profile.low else "",
            }
            for area in diagnosis.instrument["areas"]
        },
    )  # fmt: skip
    if stage == "diagnosed":
        return
    deficits = [
        services.deficit_add(
            route=route, organization=organization, area=area, description=text, user=teacher
        )
        for area, text in profile.deficits
    ]
    activities = []
    for n, deficit in enumerate(deficits):
        title, provider, hours = COURSES[deficit.area]
        activities.append(services.activity_save(
            route=route, organization=organization, deficits=[deficit], user=teacher,
            activity=Activity(
                section=Section.COURSES, title=title, provider=provider, hours=hours,
                academic_year=year, deadline_text=_date(today + dt.timedelta(days=40 + 30 * n)),
                course_format="distance" if n else "mixed", certificate="удостоверение о ПК",
                expected_product="удостоверение о повышении квалификации",
            ),
        ))  # fmt: skip
    activities.append(services.activity_save(
        route=route, organization=organization, deficits=deficits[:1], user=teacher,
        activity=Activity(
            section=Section.TRIALS, title="Серия уроков с новыми приёмами", academic_year=year,
            deadline_text=_date(today - dt.timedelta(days=10)), expected_product="разработки уроков",
        ),
    ))  # fmt: skip
    activities.append(services.activity_save(
        route=route, organization=organization, deficits=deficits[1:], user=teacher,
        activity=Activity(
            section=Section.PROJECTS, title="Участие в муниципальном проекте «Наставник+»",
            academic_year=year, deadline_text="в течение учебного года",
            expected_product="методические рекомендации",
        ),
    ))  # fmt: skip
    if stage == "roadmap":
        return
    services.roadmap_submit(route=route, organization=organization, user=teacher)
    if stage == "submitted":
        return
    if stage == "returned":
        services.review_add(
            route=route, organization=organization, reviewer=tutor, role="tutor", verdict="returned",
            text="Добавьте пробные действия против второго дефицита и уточните сроки курса.",
        )  # fmt: skip
        return
    services.review_add(
        route=route, organization=organization, reviewer=tutor, role="tutor", verdict="approved",
        text="Дорожная карта согласована: дефициты закрыты мероприятиями, сроки реалистичны.",
    )  # fmt: skip
    if stage == "approved":
        return
    if stage == "corrected":  # a correction after approval, waiting for the tutor (step 6)
        course = activities[0]
        course.deadline_text = _date(today + dt.timedelta(days=70))
        services.activity_save(
            route=route, organization=organization, activity=course, deficits=list(course.deficits.all()),
            user=teacher, reason=ChangeReason.EDUCATION,
            reason_text="Курс перенесён: программа ДПО обновлена под новый ФОП",
        )  # fmt: skip
        return
    services.product_record(
        activity=activities[-2], organization=organization, user=teacher, kind="lesson",
        title="Разработки трёх уроков с приёмами смешанного обучения", link="",
        upload=SimpleUploadedFile("razrabotki-urokov.pdf", PDF), done_on=today - dt.timedelta(days=3),
        attitude="Ученики работали активнее; не хватило времени на рефлексию в конце урока.",
    )  # fmt: skip
    services.review_add(
        route=route, organization=organization, reviewer=tutor, role="tutor", verdict="comment",
        activity=activities[-2], text="Хорошие разработки — предложите их в методическую копилку.",
    )  # fmt: skip
    if stage == "implementing":
        return
    services.reflection_save(
        route=route, organization=organization, user=teacher, academic_year=year,
        degrees={d.pk: (1 + n, "") for n, d in enumerate(deficits)}, image_distance=3,
        image_text="Стала увереннее в цифровых инструментах; образ ближе, но впереди работа с родителями.",
        conclusions="Продолжить маршрут: на следующий год — проект с родителями.", is_final=False,
    )  # fmt: skip


def demo_routes(*, region: Region, organizations: dict[str, Organization]) -> int:
    users = {u.username: u for u in User.objects.all().filter(
        username__in=[*TUTORS, HEAD, *(login for logins in TEACHERS.values() for login in logins)]
    )}  # fmt: skip
    made = 0
    stages = iter(STAGES * 2)
    for tutor_login, slugs in TUTORS.items():
        tutor = users[tutor_login]
        for slug in slugs:
            organization = organizations[slug]
            today = organization.local_today()
            for login in TEACHERS[slug]:
                teacher = users[login]
                stage = next(stages)
                assignment_create(
                    region=region, tutor=tutor, organization=organization, teacher=teacher,
                    by=users[HEAD],
                )  # fmt: skip
                with tenant_context(organization):
                    if Route.objects.filter(teacher_id=teacher.pk).exists():
                        continue
                    _build(organization, teacher, tutor, stage, today)
                    made += 1
    return made
