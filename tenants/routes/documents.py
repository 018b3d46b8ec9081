"""The route (ИОМ) as a DOCX in the form ЦНППМ use: a title page, the seven sections of the
algorithm, the roadmap table and the signatures of the teacher, the tutor and the director.
Through the sandboxed template pipeline: a school may upload its own version of the form."""

from __future__ import annotations

from cnppm.catalogue import catalogue_titles
from organizations.models import Organization
from tenants.documents.rendering import (
    add_centered,
    document_bytes,
    loop_table,
    new_document,
    plain_table,
    register,
    render_document,
)
from tenants.documents.sandbox import records, text
from tenants.mentoring.documents import initials_first, signer_position
from tenants.routes.models import ActivityStatus, RespondentKind, Section
from tenants.routes.selectors import RouteOverview

ROUTE_FIELDS = {
    "organization_full_name": text("полное наименование организации"),
    "teacher": text("педагог: фамилия, имя, отчество"),
    "teacher_short": text("педагог: инициалы и фамилия"),
    "position": text("должность, предмет"),
    "period": text("сроки маршрута"),
    "cycles": text("циклы по учебным годам"),
    "approval": text("согласование дорожной карты"),
    "desired_image": text("желаемый образ (самоопределение)"),
    "instrument": text("инструмент самодиагностики, версия"),
    "areas": records(
        "направления диагностики",
        title=text("направление"),
        own=text("самодиагностика"),
        tutor=text("оценка тьютора"),
        curator=text("оценка куратора"),
        achievements=text("достижения, ресурсы"),
        difficulties=text("затруднения"),
    ),
    "deficits": records(
        "дефициты", area=text("направление"), description=text("в чём затруднение")
    ),
    "activities": records(
        "дорожная карта",
        n=text("№"),
        section=text("раздел"),
        title=text("мероприятие"),
        deadline=text("сроки"),
        deficits=text("против дефицитов"),
        product=text("педагогический продукт"),
        status=text("выполнение"),
    ),
    "products": records(
        "реализация",
        title=text("продукт"),
        kind=text("вид"),
        activity=text("мероприятие"),
        attitude=text("отношение к результату"),
    ),
    "changes": records(
        "корректировка",
        date=text("дата"),
        who=text("кто"),
        summary=text("что изменено"),
        reason=text("причина"),
    ),
    "reflections": records(
        "рефлексивный анализ",
        year=text("год"),
        distance=text("приближение к образу"),
        progress=text("по дефицитам"),
        conclusions=text("выводы"),
    ),
    "tutor_short": text("тьютор: инициалы и фамилия"),
    "director_short": text("руководитель: инициалы и фамилия"),
    "signer_position": text("должность руководителя"),
}

SECTION_SHORT = {
    Section.COURSES: "ДПО",
    Section.TRIALS: "пробно-поисковые действия",
    Section.PROJECTS: "проекты, исследования",
    Section.MEASURES: "другие меры",
}


@register("route_iom", "Индивидуальный образовательный маршрут педагога (ИОМ)", ROUTE_FIELDS)
def _route_iom() -> bytes:
    document = new_document()
    add_centered(document, "{{ organization_full_name }}")
    add_centered(document, "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ")
    add_centered(
        document, "профессионального самосовершенствования педагогического работника", bold=False
    )
    document.add_paragraph("Педагог: {{ teacher }}")
    document.add_paragraph("Должность, предмет: {{ position }}")
    document.add_paragraph("Сроки реализации: {{ period }} ({{ cycles }})")
    document.add_paragraph("Дорожная карта: {{ approval }}")
    document.add_heading("1. Самоопределение: желаемый образ себя как профессионала", level=2)
    document.add_paragraph("{{ desired_image }}")
    document.add_heading("2–3. Диагностика достижений, ресурсов, затруднений и дефицитов", level=2)
    document.add_paragraph("{{ instrument }}. Уровни: средние по показателям направления.")
    loop_table(
        document, ["Направление", "Сам.", "Тьютор", "Куратор", "Достижения, ресурсы", "Затруднения"],
        ["{{ a.title }}", "{{ a.own }}", "{{ a.tutor }}", "{{ a.curator }}", "{{ a.achievements }}",
         "{{ a.difficulties }}"],
        "for a in areas", widths=[4.2, 1.4, 1.5, 1.6, 4.2, 4.1], font=9)  # fmt: skip
    document.add_paragraph("Дефициты, над которыми ведётся работа:")
    loop_table(document, ["Направление", "В чём затруднение"],
                          ["{{ d.area }}", "{{ d.description }}"], "for d in deficits", widths=[5.5, 11.5], font=9)  # fmt: skip
    document.add_heading("4. Дорожная карта индивидуального образовательного маршрута", level=2)
    loop_table(
        document, ["№", "Раздел", "Мероприятие", "Сроки", "Против дефицитов", "Продукт", "Выполнение"],
        ["{{ r.n }}", "{{ r.section }}", "{{ r.title }}", "{{ r.deadline }}", "{{ r.deficits }}",
         "{{ r.product }}", "{{ r.status }}"],
        "for r in activities", widths=[0.8, 2.4, 4.0, 2.3, 2.8, 2.5, 2.2], font=9)  # fmt: skip
    document.add_heading("5. Реализация: педагогические продукты", level=2)
    loop_table(document, ["Продукт", "Вид", "Мероприятие", "Отношение к результату"],
                          ["{{ p.title }}", "{{ p.kind }}", "{{ p.activity }}", "{{ p.attitude }}"],
                          "for p in products", widths=[4.2, 3.2, 4.2, 5.4], font=9)  # fmt: skip
    document.add_heading("6. Корректировка дорожной карты", level=2)
    loop_table(document, ["Дата", "Кто", "Что изменено", "Причина"],
                         ["{{ c.date }}", "{{ c.who }}", "{{ c.summary }}", "{{ c.reason }}"],
                         "for c in changes", widths=[2.2, 3.5, 6.5, 4.8], font=9)  # fmt: skip
    document.add_heading("7. Рефлексивный анализ эффективности маршрута", level=2)
    loop_table(document, ["Год", "Приближение к образу", "По дефицитам", "Выводы"],
                             ["{{ f.year }}", "{{ f.distance }}", "{{ f.progress }}", "{{ f.conclusions }}"],
                             "for f in reflections", widths=[2.2, 2.8, 6.5, 5.5], font=9)  # fmt: skip
    document.add_paragraph("")
    plain_table(
        document,
        [["Педагог", "______________", "{{ teacher_short }}"],
         ["Тьютор ЦНППМ", "______________", "{{ tutor_short }}"],
         ["{{ signer_position }}", "______________", "{{ director_short }}"]],
        [6.5, 4.5, 6],
    )  # fmt: skip
    return document_bytes(document)


def _level(value: object) -> str:
    return "—" if value is None else f"{value}".replace(".", ",")


def route_docx(*, overview: RouteOverview, organization: Organization, tutor_name: str) -> bytes:
    """Rendered in the route's school schema (its own version of the form, if uploaded)."""
    from accounts.models import Role
    from tenants.mentoring.services import role_holder_name

    route = overview.route
    titles = catalogue_titles() | {a["code"]: a["title"] for a in overview.instrument["areas"]}
    own = overview.diagnoses.get(RespondentKind.SELF)
    director = role_holder_name(Role.DIRECTOR)
    rows = []
    for n, row in enumerate(overview.activities, 1):
        a = row.activity
        rows.append({
            "n": str(n), "section": SECTION_SHORT.get(Section(a.section), a.section), "title": a.title,
            "deadline": a.deadline_text + (f" (до {a.due_on:%d.%m.%Y})" if a.due_on else ""),
            "deficits": "; ".join(d.area_title for d in row.deficits) or "—",
            "product": a.product_title or a.expected_product or "—",
            "status": f"выполнено {a.done_on:%d.%m.%Y}" if a.status == ActivityStatus.DONE and a.done_on else "запланировано",
        })  # fmt: skip
    return render_document(
        "route_iom",
        {
            "organization_full_name": organization.full_name,
            "teacher": route.teacher_name,
            "teacher_short": initials_first(route.teacher_name),
            "position": ", ".join(p for p in (route.position, route.subject) if p) or "—",
            "period": f"{route.started_on:%d.%m.%Y} – {route.ends_on:%d.%m.%Y}",
            "cycles": ", ".join(f"{y}/{y + 1}" for y in route.cycle_years()),
            "approval": route.get_approval_display(),
            "desired_image": route.desired_image or "—",
            "instrument": f"{overview.instrument['title']}, версия {own.instrument_version}" if own else overview.instrument["title"],
            "areas": [
                {
                    "title": a.title, "own": _level(a.levels.get("self")), "tutor": _level(a.levels.get("tutor")),
                    "curator": _level(a.levels.get("curator")),
                    "achievements": a.own.achievements if a.own else "", "difficulties": a.own.difficulties if a.own else "",
                }
                for a in overview.areas
            ],
            "deficits": [{"area": titles.get(d.area, d.area_title), "description": d.description} for d in overview.deficits],
            "activities": rows,
            "products": [
                {"title": r.activity.product_title, "kind": r.activity.get_product_kind_display(),
                 "activity": r.activity.title, "attitude": r.activity.attitude}
                for r in overview.activities if r.activity.status == ActivityStatus.DONE
            ],
            "changes": [
                {"date": f"{c.at:%d.%m.%Y}", "who": f"{c.user_name} ({c.get_role_display()})", "summary": c.summary,
                 "reason": " — ".join(p for p in (c.get_reason_display() if c.reason else "", c.reason_text) if p)}
                for c in reversed(overview.changes)
            ],
            "reflections": [
                {"year": "итог маршрута" if r.reflection.is_final else f"{r.reflection.academic_year}/{r.reflection.academic_year + 1}",
                 "distance": f"{r.reflection.image_distance} из 5",
                 "progress": "; ".join(f"{p.deficit.area_title}: {p.get_degree_display()}" for p in r.progress),
                 "conclusions": r.reflection.conclusions}
                for r in overview.reflections
            ],
            "tutor_short": initials_first(tutor_name) if tutor_name else "____________",
            "director_short": initials_first(director) if director else "____________",
            "signer_position": signer_position(organization),
        },
    )  # fmt: skip
