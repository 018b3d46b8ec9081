"""Приказ on pairs, the cooperation agreement and the program's final report, as DOCX."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from core.russian import decline_name, short_name
from organizations.models import Organization
from tenants.documents.rendering import (
    add_centered,
    document_bytes,
    new_document,
    register,
    render_document,
)
from tenants.documents.sandbox import date, number, records, text
from tenants.mentoring.models import Order, Program
from tenants.mentoring.services import progress
from tenants.participants.models import Participant


def _loop_table(document: DocxDocument, headers: list[str], cells: list[str], loop: str) -> None:
    """A table whose middle row repeats (docxtpl's {%tr %} rows)."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headers, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr " + loop + " %}"
    for cell, placeholder in zip(table.rows[2].cells, cells, strict=True):
        cell.text = placeholder
    table.rows[3].cells[0].text = "{%tr endfor %}"


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
}


@register("order_pairs", "Приказ об утверждении наставнических пар/групп", ORDER_FIELDS)
def _order_pairs() -> bytes:
    document = new_document()
    add_centered(document, "{{ organization_full_name }}")
    add_centered(document, "ПРИКАЗ")
    document.add_paragraph("{{ date_long(signed_on) }}\t\t\t\t\t\t№ {{ number }}")
    add_centered(document, "{{ title }}", bold=True)
    document.add_paragraph(
        "В соответствии с распоряжением Министерства просвещения Российской Федерации от "
        "25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) наставничества "
        "обучающихся для организаций, осуществляющих образовательную деятельность по "
        "общеобразовательным, дополнительным общеобразовательным и программам среднего "
        "профессионального образования…», Положением о наставничестве {{ organization_short_name }}, "
        "на основании письменного согласия участников"
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    document.add_paragraph("1. Утвердить наставнические пары (группы) согласно таблице:")
    _loop_table(
        document,
        ["№", "Наставник", "Наставляемый (наставляемые)", "Форма наставничества", "Вид", "Сроки"],
        [
            "{{ row.n }}",
            "{{ row.mentor }}",
            "{{ row.mentees }}",
            "{{ row.form }}",
            "{{ row.kind }}",
            "{{ row.period }}",
        ],
        "for row in rows",
    )
    document.add_paragraph(
        "2. Наставникам разработать персонализированные программы наставничества в течение "
        "первого месяца работы пары (группы)."
    )
    document.add_paragraph(
        "3. Назначить куратором реализации программ наставничества {{ curator_accusative }}."
    )
    document.add_paragraph("4. Контроль за исполнением приказа оставляю за собой.")
    document.add_paragraph("")
    document.add_paragraph("Руководитель\t\t\t______________\t\t{{ director_short }}")
    document.add_paragraph("С приказом ознакомлены: ______________")
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
    document.add_paragraph("{{ date_long(signed_on) }}")
    document.add_paragraph(
        "{{ organization_full_name }} (далее — Организация) в лице руководителя "
        "{{ director_genitive }} и {{ mentor_full }}{% if workplace %} ({{ workplace }}){% endif %} "
        "(далее — Наставник) заключили настоящий договор о нижеследующем."
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
    document.add_paragraph("4. Договор действует до {{ date_long(valid_until) }}.")
    document.add_paragraph("")
    document.add_paragraph("Организация ______________ / {{ director_short }} /")
    document.add_paragraph("Наставник ______________ / {{ mentor_short }} /")
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
    _loop_table(document, ["Дата", "Встреча", "Формат", "Заметки"],
                ["{{ m.date }}", "{{ m.kind }}", "{{ m.format }}", "{{ m.notes }}"],
                "for m in meetings")  # fmt: skip
    document.add_paragraph("Итоги: {{ final_report }}")
    document.add_paragraph("")
    document.add_paragraph("Наставник ______________ / {{ mentor_short }} /")
    document.add_paragraph("Куратор ______________")
    return document_bytes(document)


def _short(person: Participant) -> str:
    return person.short_name


def _full_declined(person: Participant, case: str) -> str:
    return decline_name(person.last_name, person.first_name, person.patronymic, case)


def _split(name: str) -> tuple[str, str, str]:
    parts = [*name.split(), "", "", ""][:3]
    return parts[0], parts[1], parts[2]


def order_docx(*, order: Order, organization: Organization) -> bytes:
    pairs = list(
        order.pairs.select_related("mentor", "form").prefetch_related("mentees").order_by("pk")
    )
    rows = [
        {
            "n": index,
            "mentor": pair.mentor.full_name,
            "mentees": ", ".join(m.full_name for m in pair.mentees.all()),
            "form": pair.form.title,
            "kind": pair.get_kind_display(),
            "period": f"{pair.starts_on:%d.%m.%Y} – {pair.ends_on:%d.%m.%Y}",
        }
        for index, pair in enumerate(pairs, start=1)
    ]
    curator = order.curator_name or "____________________"
    return render_document(
        "order_pairs",
        {
            "organization_full_name": organization.full_name,
            "organization_short_name": organization.short_name,
            "signed_on": order.signed_on,
            "number": order.number or "______",
            "title": order.title,
            "rows": rows,
            "curator_accusative": decline_name(*_split(curator), "accusative")
            if order.curator_name
            else curator,
            "director_short": short_name(*_split(order.director_name))
            if order.director_name
            else "____________",
        },
    )


def agreement_docx(*, mentor: Participant, organization: Organization, director_name: str) -> bytes:

    signed_on = mentor.agreement_date or organization.local_today()
    return render_document(
        "cooperation_agreement",
        {
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
        },
    )
