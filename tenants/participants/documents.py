"""Consent forms and the destruction act as DOCX (built-in templates, replaceable per organisation)."""

from __future__ import annotations

import datetime as dt

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from core.russian import decline_name, organization_dative
from organizations.models import Organization
from tenants.documents.rendering import (
    add_centered,
    document_bytes,
    new_document,
    plain_table,
    register,
    render_document,
    right_aligned,
)
from tenants.documents.sandbox import date, flag, records, text
from tenants.participants.models import (
    Consent,
    ConsentKind,
    Participant,
    ParticipantEvent,
    Relation,
)

RELATION_GENITIVE = {  # «являясь матерью (законным представителем) …»
    Relation.MOTHER: "матерью",
    Relation.FATHER: "отцом",
    Relation.GUARDIAN: "опекуном (попечителем)",
    Relation.REPRESENTATIVE: "законным представителем",
}


def _consent_template(subject: str) -> bytes:
    """After 152-ФЗ ст. 9 ч. 4: who consents (passport and address), whose data (the child's,
    for a parent), the operator with its address, the purpose, the data, the actions, the term
    and the withdrawal; the date and the signature by hand."""
    document = new_document()
    add_centered(document, "СОГЛАСИЕ")
    add_centered(document, subject, bold=False)
    document.add_paragraph(
        "Я, {{ signer_name }}, паспорт серия ________ № ______________, выдан "
        "_____________________________________________ «___» ________ ______ г., "
        "зарегистрированный(ая) по адресу: ______________________________________________,"
        "{% if representative %} являясь {{ relation }}{% if relation_is_parent %} (законным "
        "представителем){% endif %} {{ participant_genitive }}{% if birth_date %}, "
        "{{ date_short(birth_date) }} года рождения{% endif %} (свидетельство о рождении / паспорт "
        "серия ________ № ______________, адрес: ______________________________________________),"
        "{% endif %} в соответствии со {% if health %}статьями 9 и 10{% else %}статьёй 9{% endif %} "
        "Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие "
        "{{ operator_dative }}{% if organization_address %}, расположенному по адресу: "
        "{{ organization_address }}{% endif %} (далее — Оператор), на обработку "
        "{% if representative %}персональных данных моего ребёнка (подопечного){% else %}моих "
        "персональных данных{% endif %} на следующих условиях."
    )
    document.add_paragraph("Цель обработки: {{ purpose }}.")
    document.add_paragraph("Перечень персональных данных: {{ scope }}.")
    document.add_paragraph(
        "Действия с персональными данными: сбор, запись, систематизация, накопление, хранение, "
        "уточнение (обновление, изменение), использование, обезличивание, блокирование, удаление, "
        "уничтожение; обработка автоматизированная и без использования средств автоматизации. "
        "Персональные данные хранятся на территории Российской Федерации."
    )
    document.add_paragraph(
        "Согласие действует {% if valid_until %}до {{ date_long(valid_until) }}{% else %}до "
        "окончания участия в программе наставничества{% endif %} и может быть отозвано мною в "
        "любой момент письменным заявлением, поданным Оператору."
    )
    document.add_paragraph("")
    signature = plain_table(
        document,
        [["{{ date_long(signed_on) }}", "______________", "{{ signer_short }}"]],
        [6, 5, 6],
    )
    right_aligned(signature, 2)
    small = document.add_paragraph("Форма согласия, версия {{ form_version }}.")
    small.runs[0].font.size = Pt(9)
    return document_bytes(document)


CONSENT_FIELDS = {
    "organization_full_name": text("полное наименование организации (оператора)"),
    "signer_name": text("ФИО подписывающего согласие"),
    "signer_short": text("фамилия и инициалы подписывающего"),
    "representative": flag("подписывает родитель (законный представитель)"),
    "relation": text("кем приходится: «матерью», «отцом», «опекуном (попечителем)»…"),
    "participant_name": text("ФИО участника (ребёнка)"),
    "participant_genitive": text(
        "ФИО участника в родительном падеже («Петрова Артёма Сергеевича»)"
    ),
    "operator_dative": text("оператор в дательном падеже («Муниципальному бюджетному …»)"),
    "organization_address": text("адрес оператора"),
    "relation_is_parent": flag(
        "кем приходится: мать, отец или опекун (не «законный представитель»)"
    ),
    "birth_date": date("дата рождения участника"),
    "health": flag("согласие на сведения о здоровье (ст. 10 152-ФЗ)"),
    "purpose": text("цель обработки"),
    "scope": text("перечень персональных данных"),
    "valid_until": date("срок действия согласия"),
    "signed_on": date("дата подписания"),
    "form_version": text("версия формы согласия"),
}
DESTRUCTION_ACT_FIELDS = {
    "organization_full_name": text("полное наименование организации"),
    "number": text("номер акта"),
    "on": date("дата акта"),
    "participant_name": text("субъект персональных данных"),
    "category": text("категория участника"),
    "reason": text("основание уничтожения"),
    "destroyed": text("уничтоженные персональные данные"),
    "events": records(
        "выписка из журнала обработки",
        at=text("дата и время"),
        action=text("действие"),
        who=text("кто"),
    ),
    "organization_address": text("адрес оператора"),
    "commission": records("комиссия", name=text("ФИО"), position=text("должность")),
    "director_short": text("руководитель: инициалы и фамилия"),
    "responsible_short": text("ответственный за обработку ПДн: инициалы и фамилия"),
}


@register("consent_personal_data", "Согласие на обработку персональных данных", CONSENT_FIELDS)
def _consent_personal_data() -> bytes:
    return _consent_template("на обработку персональных данных")


@register("consent_health", "Согласие на обработку сведений о состоянии здоровья", CONSENT_FIELDS)
def _consent_health() -> bytes:
    return _consent_template(
        "на обработку специальной категории персональных данных (сведений о состоянии здоровья)"
    )


@register("destruction_act", "Акт об уничтожении персональных данных", DESTRUCTION_ACT_FIELDS)
def _destruction_act() -> bytes:
    document = new_document()
    document.add_paragraph("{{ organization_full_name }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("{{ organization_address }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_centered(document, "АКТ № {{ number }}")
    add_centered(document, "об уничтожении персональных данных", bold=False)
    document.add_paragraph("{{ date_long(on) }}")
    document.add_paragraph(
        "Комиссия в составе: {% for member in commission %}{{ member.name }} ({{ member.position }})"
        "{% if not loop.last %}, {% endif %}{% endfor %} составила настоящий акт о нижеследующем."
    )
    document.add_paragraph(
        "Субъект персональных данных: {{ participant_name }}{% if category %} ({{ category }})"
        "{% endif %}."
    )
    document.add_paragraph("Основание уничтожения: {{ reason }}.")
    document.add_paragraph("Уничтоженные персональные данные: {{ destroyed }}.")
    document.add_paragraph(
        "Способ уничтожения: удаление (стирание) из информационной системы «Платформа целевой "
        "модели наставничества» и удаление электронных копий документов; в системе сохранены "
        "только обезличенные сведения для статистики (категория участника, роль, учебный год)."
    )
    document.add_paragraph("Выписка из журнала обработки персональных данных:")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text, header[1].text, header[2].text = "Дата и время", "Действие", "Кто"
    loop = table.rows[1].cells
    loop[0].text = "{%tr for event in events %}"
    row = table.rows[2].cells
    row[0].text, row[1].text, row[2].text = (
        "{{ event.at }}",
        "{{ event.action }}",
        "{{ event.who }}",
    )
    end = table.add_row().cells
    end[0].text = "{%tr endfor %}"
    document.add_paragraph("")
    signatures = plain_table(
        document,
        [["Ответственный за обработку персональных данных", "______________", "{{ responsible_short }}"],
         ["Руководитель организации", "______________", "{{ director_short }}"]],
        [8, 4, 5],
    )  # fmt: skip
    right_aligned(signatures, 2)
    return document_bytes(document)


def consent_docx(*, consent: Consent, organization: Organization, blank: bool = False) -> bytes:
    """A recorded consent as signed; `blank`: a form to print, its date left to write by hand."""
    participant = consent.participant
    representative = consent.by_representative
    signer = consent.representative_name if representative else participant.full_name
    parts = signer.split()
    signer_short = (
        f"{parts[0]} {''.join(p[0] + '.' for p in parts[1:3])}" if len(parts) > 1 else signer
    )
    relation = (
        Relation(consent.representative_relation)
        if consent.representative_relation in Relation.values
        else Relation.REPRESENTATIVE
    )
    return render_document(
        "consent_health" if consent.kind == ConsentKind.HEALTH else "consent_personal_data",
        {
            "organization_full_name": organization.full_name,
            "operator_dative": organization_dative(organization.full_name),
            "organization_address": organization.address,
            "relation_is_parent": relation != Relation.REPRESENTATIVE,
            "participant_genitive": decline_name(
                participant.last_name, participant.first_name, participant.patronymic, "genitive"
            ),
            "signer_name": signer,
            "signer_short": signer_short,
            "representative": representative,
            "relation": RELATION_GENITIVE.get(relation, "законным представителем"),
            "participant_name": participant.full_name,
            "birth_date": participant.birth_date,
            "health": consent.kind == ConsentKind.HEALTH,
            "purpose": consent.purpose,
            "scope": consent.scope,
            "valid_until": consent.valid_until,
            "signed_on": None if blank else consent.signed_on,
            "form_version": consent.form_version,
        },
    )


def blank_consent_docx(*, participant: Participant, organization: Organization, kind: str,
                       today: dt.date) -> bytes:  # fmt: skip
    """A form to print and sign: filled with what is known, the signature left blank."""
    consent = Consent(
        participant=participant,
        kind=kind,
        signed_on=today,
        purpose="",
        scope="",
        representative_name="__________________________________"
        if participant.is_minor(today)
        else "",
        representative_relation=Relation.REPRESENTATIVE,
    )
    from tenants.participants.services import HEALTH_PURPOSE, HEALTH_SCOPE, PD_PURPOSE, PD_SCOPE

    consent.purpose = HEALTH_PURPOSE if kind == ConsentKind.HEALTH else PD_PURPOSE
    consent.scope = HEALTH_SCOPE if kind == ConsentKind.HEALTH else PD_SCOPE
    return consent_docx(consent=consent, organization=organization, blank=True)


def destruction_act_docx(
    *,
    participant: Participant,
    organization: Organization,
    number: int,
    on: dt.date,
    reason: str,
    destroyed: str,
    events: list[ParticipantEvent],
) -> bytes:
    return render_document(
        "destruction_act",
        {
            "organization_full_name": organization.full_name,
            "number": str(number),
            "on": on,
            "participant_name": participant.full_name,
            "category": participant.get_category_display(),
            "reason": reason,
            "destroyed": destroyed,
            "events": [
                {
                    "at": event.at.astimezone(organization.zone).strftime("%d.%m.%Y %H:%M"),
                    "action": event.action,
                    "who": event.user.short_name if event.user else "система",
                }
                for event in events
            ],
            "organization_address": organization.address,
            **_commission(organization),
        },
    )


def _commission(organization: Organization) -> dict[str, object]:
    """The director and the coordinators: the commission that signs the act."""
    from accounts.models import Membership, Role

    members = list(
        Membership.objects.filter(organization=organization, role__in=[Role.DIRECTOR, Role.COORDINATOR])
        .select_related("user").order_by("role", "created_at")
    )  # fmt: skip
    director = next((m.user for m in members if m.role == Role.DIRECTOR), None)
    coordinator = next((m.user for m in members if m.role == Role.COORDINATOR), None)
    positions = {Role.DIRECTOR: "руководитель", Role.COORDINATOR: "куратор наставничества"}
    commission = [
        {"name": m.user.display_name, "position": positions[Role(m.role)]} for m in members
    ]
    return {
        "commission": commission or [{"name": "____________________", "position": "____________"}],
        "director_short": director.short_name if director else "____________",
        "responsible_short": coordinator.short_name if coordinator else "____________",
    }
