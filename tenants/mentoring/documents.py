"""Приказ on pairs, the cooperation agreement and the program's final report, as DOCX."""

from __future__ import annotations

from core.russian import decline_name, short_name
from organizations.models import Organization
from tenants.documents.rendering import (
    add_centered,
    document_bytes,
    loop_table,
    new_document,
    plain_table,
    register,
    render_document,
    right_aligned,
)
from tenants.documents.sandbox import date, number, records, text
from tenants.mentoring.models import Order, Program
from tenants.mentoring.services import progress
from tenants.participants.models import Participant

ORDER_FIELDS = {
    "organization_full_name": text("полное наименование организации"),
    "organization_short_name": text("краткое наименование организации"),
    "signed_on": date("дата приказа"),
    "number": text("номер приказа"),
    "title": text("заголовок приказа"),
    "rows": records(
        "пары и группы приказа",
        n=number("№ по порядку"),
        mentor=text("наставник"),
        mentees=text("наставляемые"),
        form=text("форма наставничества"),
        kind=text("вид наставничества"),
        period=text("сроки"),
    ),
    "curator_accusative": text("куратор в винительном падеже («Белову Ольгу Сергеевну»)"),
    "director_short": text("руководитель: инициалы и фамилия"),
    "locality": text("место издания («г. Северный»)"),
    "signer_position": text("должность подписывающего («Директор», «Заведующий»)"),
    "acquainted": records("с приказом ознакомлены", name=text("ФИО"), role=text("роль в приказе")),
}
AGREEMENT_FIELDS = {
    "organization_full_name": text("полное наименование организации"),
    "number": text("номер договора"),
    "signed_on": date("дата договора"),
    "valid_until": date("срок действия договора"),
    "director_genitive": text("руководитель в родительном падеже"),
    "director_short": text("руководитель: инициалы и фамилия"),
    "mentor_full": text("ФИО наставника"),
    "mentor_short": text("наставник: фамилия и инициалы"),
    "workplace": text("место работы наставника"),
    "forms": text("формы наставничества"),
    "locality": text("место заключения («г. Северный»)"),
    "signer_position_genitive": text("должность руководителя в родительном падеже («директора»)"),
    "organization_address": text("адрес организации"),
    "mentor_phone": text("телефон наставника"),
    "mentor_email": text("email наставника"),
}
REPORT_FIELDS = {
    "organization_full_name": text("полное наименование организации"),
    "mentor": text("наставник"),
    "mentor_short": text("наставник: фамилия и инициалы"),
    "mentees": text("наставляемые"),
    "form": text("форма наставничества"),
    "kind": text("вид наставничества"),
    "period": text("сроки программы"),
    "goals": text("цели и задачи"),
    "expected_results": text("ожидаемые результаты"),
    "plan_done": number("выполнено мероприятий плана"),
    "plan_total": number("мероприятий в плане"),
    "meetings_count": number("встреч проведено"),
    "meetings": records(
        "встречи",
        date=text("дата"),
        kind=text("встреча"),
        format=text("формат"),
        notes=text("заметки"),
    ),
    "final_report": text("итоги"),
    "monitoring": text("мониторинг: волны, ответившие, удовлетворённость"),
    "growth": records(
        "характеристики наставляемых на «входе» и «выходе»",
        mentee=text("наставляемый, кто оценивал"),
        item=text("характеристика"),
        entry=text("на «входе»"),
        exit=text("на «выходе»"),
    ),
    "curator_short": text("куратор: инициалы и фамилия"),
}


@register("order_pairs", "Приказ об утверждении наставнических пар/групп", ORDER_FIELDS)
def _order_pairs() -> bytes:
    """After ГОСТ Р 7.0.97-2016: the organisation, the kind of document, date and number on one
    line, the place of issue, the title, the text with «ПРИКАЗЫВАЮ:», the signature, and the
    list of everyone named in the order to sign that they have read it."""
    document = new_document()
    add_centered(document, "{{ organization_full_name }}")
    add_centered(document, "ПРИКАЗ")
    line = plain_table(document, [["{{ date_long(signed_on) }}", "№ {{ number }}"]], [8.5, 8.5])
    right_aligned(line, 1)
    add_centered(document, "{{ locality }}", bold=False)
    title = document.add_paragraph()
    title.add_run("{{ title }}").bold = True
    document.add_paragraph(
        "В соответствии с распоряжением Министерства просвещения Российской Федерации от "
        "25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) наставничества "
        "обучающихся для организаций, осуществляющих образовательную деятельность по "
        "общеобразовательным, дополнительным общеобразовательным и программам среднего "
        "профессионального образования, в том числе с применением лучших практик обмена опытом "
        "между обучающимися», Положением о наставничестве {{ organization_short_name }}, на "
        "основании письменного согласия участников"
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    document.add_paragraph("1. Утвердить наставнические пары (группы) согласно таблице:")
    loop_table(
        document,
        ["№", "Наставник", "Наставляемый (наставляемые)", "Форма наставничества", "Вид", "Сроки"],
        ["{{ row.n }}", "{{ row.mentor }}", "{{ row.mentees }}", "{{ row.form }}",
         "{{ row.kind }}", "{{ row.period }}"],
        "for row in rows", widths=[0.8, 3.9, 3.9, 3.3, 2.3, 2.8], font=10)  # fmt: skip
    document.add_paragraph(
        "2. Наставникам разработать персонализированные программы наставничества в течение "
        "первого месяца работы пары (группы)."
    )
    document.add_paragraph(
        "3. Назначить куратором реализации программ наставничества {{ curator_accusative }}."
    )
    document.add_paragraph("4. Контроль за исполнением приказа оставляю за собой.")
    document.add_paragraph("")
    signature = plain_table(
        document,
        [["{{ signer_position }}", "______________", "{{ director_short }}"]],
        [6.5, 4.5, 6],
    )
    right_aligned(signature, 2)
    document.add_paragraph("")
    document.add_paragraph("С приказом ознакомлены:")
    loop_table(document, ["ФИО", "Роль", "Подпись", "Дата"],
                             ["{{ person.name }}", "{{ person.role }}", "", "«___» ________ 20__ г."],
                             "for person in acquainted", widths=[5.5, 3.5, 3.5, 4.5], font=10)  # fmt: skip
    return document_bytes(document)


@register(
    "cooperation_agreement", "Договор о сотрудничестве с внешним наставником", AGREEMENT_FIELDS
)
def _cooperation_agreement() -> bytes:
    document = new_document()
    add_centered(document, "ДОГОВОР № {{ number }}")
    add_centered(
        document, "о сотрудничестве в рамках реализации целевой модели наставничества", bold=False
    )
    line = plain_table(document, [["{{ locality }}", "{{ date_long(signed_on) }}"]], [8.5, 8.5])
    right_aligned(line, 1)
    document.add_paragraph(
        "{{ organization_full_name }} (далее — Организация) в лице {{ signer_position_genitive }} "
        "{{ director_genitive }}, действующего на основании Устава, с одной стороны, и "
        "{{ mentor_full }}{% if workplace %} ({{ workplace }}){% endif %} (далее — Наставник), с "
        "другой стороны, вместе — Стороны, заключили настоящий договор о нижеследующем."
    )
    document.add_paragraph(
        "1. Наставник на безвозмездной основе участвует в реализации программ наставничества "
        "Организации: передаёт опыт, знания и навыки наставляемым в форме «{{ forms }}»."
    )
    document.add_paragraph(
        "2. Организация назначает куратора, обеспечивает условия для встреч наставника и "
        "наставляемых и соблюдение требований Федерального закона № 152-ФЗ «О персональных данных»."
    )
    document.add_paragraph(
        "3. Наставник обязуется соблюдать Положение о наставничестве Организации, правила "
        "внутреннего распорядка и конфиденциальность сведений о наставляемых."
    )
    document.add_paragraph("4. Договор действует до {{ date_long(valid_until) }}")
    document.add_paragraph(
        "5. Договор составлен в двух экземплярах, имеющих одинаковую силу, по одному для каждой из Сторон."
    )
    add_centered(document, "Реквизиты и подписи Сторон")
    parties = plain_table(
        document,
        [["Организация", "Наставник"],
         ["{{ organization_full_name }}", "{{ mentor_full }}"],
         ["Адрес: {{ organization_address }}", "{% if workplace %}Место работы: {{ workplace }}{% endif %}"],
         ["", "Паспорт: серия ______ № __________, выдан ____________________"],
         ["", "Телефон: {{ mentor_phone }}{% if mentor_email %}, e-mail: {{ mentor_email }}{% endif %}"],
         ["______________ / {{ director_short }} /", "______________ / {{ mentor_short }} /"]],
        [8.5, 8.5],
    )  # fmt: skip
    assert parties is not None
    return document_bytes(document)


@register("program_report", "Итоговый отчёт по программе наставничества", REPORT_FIELDS)
def _program_report() -> bytes:
    document = new_document()
    add_centered(document, "{{ organization_full_name }}")
    add_centered(document, "Итоговый отчёт по персонализированной программе наставничества")
    document.add_paragraph("Наставник: {{ mentor }}")
    document.add_paragraph("Наставляемые: {{ mentees }}")
    document.add_paragraph("Форма наставничества: {{ form }}; вид: {{ kind }}")
    document.add_paragraph("Сроки программы: {{ period }}")
    document.add_paragraph("Цели и задачи: {{ goals }}")
    document.add_paragraph("Ожидаемые результаты: {{ expected_results }}")
    document.add_paragraph(
        "Выполнено мероприятий плана: {{ plan_done }} из {{ plan_total }}; встреч проведено: "
        "{{ meetings_count }}."
    )
    loop_table(document, ["Дата", "Встреча", "Формат", "Заметки"],
                ["{{ m.date }}", "{{ m.kind }}", "{{ m.format }}", "{{ m.notes }}"],
                "for m in meetings")  # fmt: skip
    document.add_paragraph("Итоги: {{ final_report }}")
    document.add_paragraph("Мониторинг (отметки не выставляются): {{ monitoring }}")
    loop_table(document, ["Наставляемый", "Характеристика", "На «входе»", "На «выходе»"],
               ["{{ g.mentee }}", "{{ g.item }}", "{{ g.entry }}", "{{ g.exit }}"], "for g in growth",
               widths=[3.5, 6.5, 3.5, 3.5], font=9)  # fmt: skip
    document.add_paragraph("")
    document.add_paragraph("Наставник ______________ / {{ mentor_short }} /")
    document.add_paragraph("Куратор ______________ / {{ curator_short }} /")
    return document_bytes(document)


def _short(person: Participant) -> str:
    return person.short_name


def _full_declined(person: Participant, case: str) -> str:
    return decline_name(person.last_name, person.first_name, person.patronymic, case)


def _split(name: str) -> tuple[str, str, str]:
    parts = [*name.split(), "", "", ""][:3]
    return parts[0], parts[1], parts[2]


def _who(person: Participant) -> str:
    """«Кузнецов Игорь Андреевич, учитель физики» / «Петров Артём Сергеевич, 7 «Б»»."""
    detail = person.class_group or ", ".join(p for p in (person.position, person.subject) if p)
    if person.is_external and person.workplace:
        detail = ", ".join(p for p in (person.position, person.workplace) if p)
    return f"{person.full_name}, {detail}" if detail else person.full_name


SIGNER_POSITION = {"kindergarten": "Заведующий", "additional": "Директор"}


def signer_position(organization: Organization) -> str:
    return SIGNER_POSITION.get(organization.kind, "Директор")


def order_docx(*, order: Order, organization: Organization) -> bytes:
    """The приказ as it is signed: the names of the director and the curator always filled
    (from the draft, else from who holds the roles now)."""
    from accounts.models import Role
    from tenants.mentoring.services import role_holder_name

    pairs = list(
        order.pairs.select_related("mentor", "form").prefetch_related("mentees").order_by("pk")
    )
    rows = [
        {
            "n": index,
            "mentor": _who(pair.mentor),
            "mentees": "; ".join(_who(m) for m in pair.mentees.all()),
            "form": pair.form.title,
            "kind": pair.get_kind_display(),
            "period": f"{pair.starts_on:%d.%m.%Y} – {pair.ends_on:%d.%m.%Y}",
        }
        for index, pair in enumerate(pairs, start=1)
    ]
    curator = order.curator_name or role_holder_name(Role.COORDINATOR)
    director = order.director_name or role_holder_name(Role.DIRECTOR)
    acquainted = [{"name": curator, "role": "куратор"}] if curator else []
    for pair in pairs:
        acquainted.append({"name": pair.mentor.full_name, "role": "наставник"})
        acquainted.extend({"name": m.full_name, "role": "наставляемый"} for m in pair.mentees.all())
    once: dict[str, dict[str, str]] = {}
    for person in acquainted:
        once.setdefault(person["name"], person)  # a mentor of two pairs signs once
    acquainted = list(once.values())
    return render_document(
        "order_pairs",
        {
            "organization_full_name": organization.full_name,
            "organization_short_name": organization.short_name,
            "signed_on": order.signed_on,
            "number": order.number or "______",
            "title": order.title,
            "rows": rows,
            "curator_accusative": decline_name(*_split(curator), "accusative") if curator else "____________________",
            "director_short": initials_first(director) if director else "____________",
            "locality": organization.locality or "",
            "signer_position": signer_position(organization),
            "acquainted": acquainted,
        },
    )  # fmt: skip


def initials_first(full_name: str) -> str:
    """«И.Н. Кравцова» under a signature (ГОСТ Р 7.0.97: initials before the surname)."""
    return short_name(*_split(full_name))


def agreement_docx(*, mentor: Participant, organization: Organization, director_name: str) -> bytes:

    signed_on = mentor.agreement_date or organization.local_today()
    return render_document(
        "cooperation_agreement",
        {
            "locality": organization.locality,
            "signer_position_genitive": {"Заведующий": "заведующего"}.get(
                signer_position(organization), "директора"
            ),
            "organization_address": organization.address or "____________________",
            "mentor_phone": mentor.phone or "____________",
            "mentor_email": mentor.email,
            "organization_full_name": organization.full_name,
            "number": mentor.agreement_number or "______",
            "signed_on": signed_on,
            "valid_until": organization.academic_year_bounds(
                organization.academic_year_of(signed_on)
            )[1],
            "director_genitive": decline_name(*_split(director_name), "genitive")
            if director_name
            else "__________",
            "director_short": short_name(*_split(director_name)) if director_name else "__________",
            "mentor_full": mentor.full_name,
            "mentor_short": _short(mentor),
            "workplace": mentor.workplace,
            "forms": "; ".join(mentor.form_labels) or "по согласованию",
        },
    )


def report_docx(*, program: Program, organization: Organization) -> bytes:
    pair = program.pair
    figures = progress(program)
    return render_document(
        "program_report",
        {
            "organization_full_name": organization.full_name,
            "mentor": pair.mentor.full_name,
            "mentor_short": _short(pair.mentor),
            "mentees": ", ".join(m.full_name for m in pair.mentees.all()),
            "form": pair.form.title,
            "kind": pair.get_kind_display(),
            "period": f"{program.starts_on:%d.%m.%Y} – {program.ends_on:%d.%m.%Y}",
            "goals": program.goals,
            "expected_results": program.expected_results,
            "plan_done": figures["plan_done"],
            "plan_total": figures["plan_total"],
            "meetings_count": figures["meetings"],
            "meetings": [
                {
                    "date": f"{m.held_on:%d.%m.%Y}",
                    "kind": m.get_kind_display(),
                    "format": m.get_format_display(),
                    "notes": m.notes,
                }
                for m in program.meetings.all()
            ],
            "final_report": program.final_report or "—",
            **_monitoring_summary(program),
            "curator_short": _curator_short(),
        },
    )


def _monitoring_summary(program: Program) -> dict[str, object]:
    """The program's waves and the «вход» against «выход» of each characteristic, for its
    report (the final wave is what completion compares)."""
    from tenants.monitoring.selectors import pair_results

    results = pair_results(program)
    waves = "; ".join(
        f"{w.get_kind_display()} — ответили {getattr(w, 'answered', 0)} из {getattr(w, 'total', 0)}" if w.opened_at else f"{w.get_kind_display()} — не проводился"
        for w in results.waves
    ) or "волн мониторинга нет"  # fmt: skip
    satisfaction = "; ".join(f"{s['respondent']}: {s['index']} из 100" for s in results.satisfaction if s["wave"].kind == "final")  # fmt: skip
    rows = [
        {"mentee": f"{view.mentee.short_name} ({view.title})", "item": row.text, "entry": row.entry_label, "exit": row.exit_label}
        for view in results.profiles for row in view.rows if row.entry is not None or row.exit is not None
    ]  # fmt: skip
    text = waves + (f". Удовлетворённость (итоговый): {satisfaction}" if satisfaction else "") + "."
    return {"monitoring": text, "growth": rows}


def _curator_short() -> str:
    from accounts.models import Role
    from tenants.mentoring.services import role_holder_name

    curator = role_holder_name(Role.COORDINATOR)
    return initials_first(curator) if curator else "____________"
