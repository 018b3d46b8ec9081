"""Import and export of the banks as XLSX/CSV with Russian column headers.

`read_rows` is pure (a DataFrame in, typed rows and row/field errors out); `import_plan` adds
what the database knows (who already exists: re-import updates, never duplicates);
`import_apply` writes only the valid rows, and only when called after the preview.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pandas as pd
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from core import tabular, uploads
from core.imports import (
    Importer,
    ImportFileError,
    PreviewProblem,
    PreviewRow,
    Progress,
    StaleImport,
    mapped_columns,
)
from core.limits import too_long
from core.models import ImportJob
from core.models import ImportRow as StoredRow
from core.tabular import RowError, parse_date
from organizations.schemas import current_tenant
from tenants.participants.models import (
    HEALTH_REASONS,
    BankRole,
    Category,
    Consent,
    ConsentKind,
    EventKind,
    MenteeReason,
    MentoringForm,
    Participant,
    ParticipantEvent,
    Relation,
    age_on,
)
from tenants.participants.services import (
    HEALTH_PURPOSE,
    HEALTH_SCOPE,
    PD_PURPOSE,
    PD_SCOPE,
    ParticipantData,
    natural_key,
    split_tags,
    validate_participant_data,
)

# The biggest organisation's whole bank (a college with its branches) fits: read and written by
# the worker with progress on the page (tests/benchmarks: participants_import_50000_s); a
# region's does not belong in one organisation's upload.
MAX_ROWS = 50_000
UPLOAD = uploads.UploadPolicy(
    what="список",
    kinds=frozenset({uploads.Kind.XLSX, uploads.Kind.CSV}),
    max_bytes=5 * uploads.MB,
    too_big_hint="Разделите список на части.",
)

# Column header (as in the template) → what it holds. The order is the template's.
COLUMNS = [
    "Фамилия", "Имя", "Отчество", "Дата рождения", "Категория", "Класс / группа", "Должность",
    "Предмет", "Роль в базе", "Внешний участник", "Место работы / учёбы", "Телефон", "Email",
    "Основания", "Запросы", "Затруднения", "Компетенции", "Чем может быть полезен",
    "Наставляемых не более", "Формы наставничества", "Согласие на обработку ПДн: дата",
    "Согласие подписал законный представитель: ФИО", "Кем приходится",
    "Согласие на обработку сведений о здоровье: дата",
]  # fmt: skip
REQUIRED = ["Фамилия", "Имя", "Категория", "Роль в базе"]

CATEGORY_BY_TEXT = {label.lower(): value for value, label in Category.choices} | {
    "ученик": Category.PUPIL, "учащийся": Category.PUPIL, "обучающаяся": Category.PUPIL,
    "учитель": Category.TEACHER, "воспитатель": Category.TEACHER, "преподаватель": Category.TEACHER,
    "родитель (законный представитель)": Category.PARENT, "работодатель": Category.EMPLOYER,
    "представитель предприятия": Category.EMPLOYER, "предприниматель": Category.ENTREPRENEUR,
    "общественный деятель": Category.ENTREPRENEUR, "ветеран": Category.VETERAN, "иное": Category.OTHER,
}  # fmt: skip
ROLE_BY_TEXT = {
    "наставник": BankRole.MENTOR, "наставляемый": BankRole.MENTEE, "наставляемая": BankRole.MENTEE,
    "оба": BankRole.BOTH, "наставник и наставляемый": BankRole.BOTH,
}  # fmt: skip
REASON_BY_TEXT = {label.lower(): value for value, label in MenteeReason.choices} | {
    "выдающиеся способности": MenteeReason.OUTSTANDING,
    "неудовлетворительные результаты": MenteeReason.LOW_RESULTS,
    "неуспеваемость": MenteeReason.LOW_RESULTS,
    "овз": MenteeReason.DISABILITY,
    "трудная жизненная ситуация": MenteeReason.HARD_SITUATION,
    "проблемы с поведением": MenteeReason.BEHAVIOUR,
    "не участвует в жизни школы": MenteeReason.NOT_INVOLVED,
    "молодой специалист": MenteeReason.YOUNG_SPECIALIST,
    "выгорание": MenteeReason.BURNOUT,
    "адаптация на новом месте": MenteeReason.NEW_PLACE,
    "цифровые навыки": MenteeReason.DIGITAL,
    "икт": MenteeReason.DIGITAL,
}
FORM_BY_TEXT = {
    label.lower().replace("–", "-").replace(" ", ""): value
    for value, label in MentoringForm.choices
}
RELATION_BY_TEXT = {label.lower(): value for value, label in Relation.choices} | {
    "мама": Relation.MOTHER, "папа": Relation.FATHER, "опекун": Relation.GUARDIAN,
    "попечитель": Relation.GUARDIAN, "законный представитель": Relation.REPRESENTATIVE,
}  # fmt: skip
YES = {"да", "yes", "1", "внешний", "+", "true"}
NO = {"", "нет", "no", "0", "-", "false", "внутренний"}


@dataclass
class ImportRow:
    row: int
    data: ParticipantData
    pd_consent_on: dt.date | None = None
    representative_name: str = ""
    representative_relation: str = ""
    health_consent_on: dt.date | None = None
    key: str = ""
    existing_id: int | None = None  # set by import_plan: this row updates that participant


@dataclass
class ImportPlan:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is None)

    @property
    def update_count(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is not None)


# One column for the whole name, as many school lists have it.
FULL_NAME_HEADERS = {"фио", "ф.и.о.", "ф. и. о.", "ф.и.о", "фамилия, имя, отчество",
                     "фамилия имя отчество", "фамилия, имя, отчество (полностью)"}  # fmt: skip


def read_table(
    content: bytes | IO[bytes], filename: str, *, check_required: bool = True
) -> pd.DataFrame:
    """The list as a DataFrame; a single «ФИО» column becomes «Фамилия», «Имя», «Отчество».
    `check_required=False` leaves missing columns to the column mapping of the preview."""
    frame = tabular.read_table(
        content, filename, required=[], policy=UPLOAD, max_rows=MAX_ROWS,
        nothing_message="В таблице нет ни одного участника.",
    )  # fmt: skip
    frame = split_full_names(frame)
    missing = missing_columns(frame)
    if check_required and missing:
        raise tabular.TableFileError(missing_message(missing))
    return frame


def missing_message(missing: list[str]) -> str:
    return (
        "В первой строке нет столбцов: " + ", ".join(f"«{c}»" for c in missing)
        + ". Скачайте шаблон и заполните его (ФИО можно одним столбцом «ФИО»)."
    )  # fmt: skip


def missing_columns(frame: pd.DataFrame) -> list[str]:
    return [column for column in REQUIRED if column not in frame.columns]


def split_full_names(frame: pd.DataFrame) -> pd.DataFrame:
    """«Иванова Мария Петровна» in one column → three columns (surname, name, the rest)."""
    if "Фамилия" in frame.columns:
        return frame
    header = next((c for c in frame.columns if c.strip().lower() in FULL_NAME_HEADERS), None)
    if header is None:
        return frame
    parts = (
        frame[header]
        .astype(str)
        .str.split(n=2, expand=True)
        .reindex(columns=range(3))
        .astype(object)
    )
    frame = frame.drop(columns=[header])
    frame.insert(0, "Отчество", parts[2].fillna(""))
    frame.insert(0, "Имя", parts[1].fillna(""))
    frame.insert(0, "Фамилия", parts[0].fillna(""))
    return frame


def _choice(value: str, mapping: dict[str, Any], row: int, column: str, errors: list[RowError],
            hint: str) -> Any:  # fmt: skip
    key = " ".join(value.lower().replace("ё", "е").split())
    if key in mapping:
        return mapping[key]
    errors.append(RowError(row, column, f"«{value}» — {hint}"))
    return None


def _date(value: str, row: int, column: str, errors: list[RowError]) -> dt.date | None:
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        errors.append(RowError(row, column, f"«{value}» — не дата; нужен вид ДД.ММ.ГГГГ."))
    return parsed


@dataclass
class CheckedRow:
    row: int
    item: ImportRow
    errors: list[RowError]
    cells: dict[str, str]  # as written in the file, for the preview


def read_rows(frame: pd.DataFrame, *, today: dt.date) -> ImportPlan:
    """Every row checked on its own and against the other rows; pure, no database."""
    plan = ImportPlan(total=len(frame))
    for checked in check_rows(frame, today=today):
        if checked.errors:
            plan.errors.extend(checked.errors)
        else:
            plan.rows.append(checked.item)
    return plan


def check_rows(frame: pd.DataFrame, *, today: dt.date) -> Iterator[CheckedRow]:
    """`read_rows` one row at a time (an import reports its progress); pure, no database."""
    seen: dict[str, int] = {}
    records = frame.to_dict("records")
    for label, record in zip(frame.index, records, strict=True):
        row = int(label) + 2  # the sheet's own row number (blank rows keep their place)
        errors: list[RowError] = []
        v = {column: str(record.get(column, "") or "").strip() for column in COLUMNS}
        category = (
            _choice(v["Категория"], CATEGORY_BY_TEXT, row, "Категория", errors,
                    "неизвестная категория; см. список в шаблоне (обучающийся, педагог, …).")
            if v["Категория"] else None
        )  # fmt: skip
        role = (
            _choice(v["Роль в базе"], ROLE_BY_TEXT, row, "Роль в базе", errors,
                    "укажите: наставник, наставляемый или оба.")
            if v["Роль в базе"] else None
        )  # fmt: skip
        reasons = []
        for text in split_tags(v["Основания"]):
            reason = _choice(text, REASON_BY_TEXT, row, "Основания", errors,
                             "неизвестное основание (см. п. 4.6–4.7 Положения).")  # fmt: skip
            if reason:
                reasons.append(reason)
        forms = []
        for text in split_tags(v["Формы наставничества"]):
            form = FORM_BY_TEXT.get(
                text.lower().replace("–", "-").replace("—", "-").replace(" ", "")
            )
            if form is None:
                errors.append(
                    RowError(row, "Формы наставничества", f"«{text}» — неизвестная форма.")
                )
            else:
                forms.append(form)
        external = v["Внешний участник"].lower()
        if external not in YES | NO:
            errors.append(
                RowError(row, "Внешний участник", f"«{v['Внешний участник']}» — да или нет.")
            )
        capacity_errors: list[RowError] = []
        capacity = tabular.parse_count(
            v["Наставляемых не более"], row, "Наставляемых не более", capacity_errors
        )
        errors += capacity_errors
        birth = _date(v["Дата рождения"], row, "Дата рождения", errors)
        data = ParticipantData(
            last_name=v["Фамилия"], first_name=v["Имя"], patronymic=v["Отчество"], birth_date=birth,
            category=category or "", bank_role=role or "", class_group=v["Класс / группа"],
            position=v["Должность"], subject=v["Предмет"], is_external=external in YES,
            workplace=v["Место работы / учёбы"], phone=v["Телефон"], email=v["Email"],
            reasons=reasons, requests=split_tags(v["Запросы"]), difficulties=split_tags(v["Затруднения"]),
            competencies=split_tags(v["Компетенции"]), offer=v["Чем может быть полезен"],
            capacity=capacity if v["Наставляемых не более"] else 1, forms=forms,
        )  # fmt: skip
        if category and role:
            for name, message in validate_participant_data(data, today=today).items():
                column = _COLUMN_OF_FIELD.get(name, name)
                if not any(e.column == column for e in errors):
                    errors.append(RowError(row, column, message))
        for column in ("Фамилия", "Имя", "Категория", "Роль в базе"):
            if not v[column] and not any(e.column == column for e in errors):
                errors.append(RowError(row, column, "не заполнено."))
        import_row = ImportRow(row=row, data=data)
        import_row.pd_consent_on = _date(v["Согласие на обработку ПДн: дата"], row,
                                         "Согласие на обработку ПДн: дата", errors)  # fmt: skip
        import_row.health_consent_on = _date(v["Согласие на обработку сведений о здоровье: дата"], row,
                                             "Согласие на обработку сведений о здоровье: дата", errors)  # fmt: skip
        import_row.representative_name = v["Согласие подписал законный представитель: ФИО"]
        for message in too_long(
            Consent, {"representative_name": import_row.representative_name}
        ).values():
            errors.append(RowError(row, "Согласие подписал законный представитель: ФИО", message))
        if v["Кем приходится"]:
            import_row.representative_relation = _choice(
                v["Кем приходится"], RELATION_BY_TEXT, row, "Кем приходится", errors,
                "укажите: мать, отец, опекун или законный представитель.",
            ) or ""  # fmt: skip
        _consent_rules(import_row, row, today, errors)
        who = " ".join(part for part in (v["Фамилия"], v["Имя"]) if part)
        if data.last_name and data.first_name and category:
            import_row.key = natural_key(
                last_name=data.last_name, first_name=data.first_name, patronymic=data.patronymic,
                birth_date=birth, category=category, class_group=data.class_group, position=data.position,
            )  # fmt: skip
            if import_row.key in seen:
                errors.append(
                    RowError(
                        row, "Фамилия", f"этот человек уже указан в строке {seen[import_row.key]}."
                    )
                )
            else:
                seen[import_row.key] = row
        for error in errors:
            error.who = who
        yield CheckedRow(row=row, item=import_row, errors=errors, cells=v)


_COLUMN_OF_FIELD = {
    "last_name": "Фамилия", "first_name": "Имя", "patronymic": "Отчество", "birth_date": "Дата рождения",
    "category": "Категория", "bank_role": "Роль в базе", "class_group": "Класс / группа",
    "position": "Должность", "subject": "Предмет", "workplace": "Место работы / учёбы",
    "phone": "Телефон", "email": "Email", "reasons": "Основания", "requests": "Запросы",
    "difficulties": "Затруднения", "competencies": "Компетенции", "offer": "Чем может быть полезен",
    "forms": "Формы наставничества", "capacity": "Наставляемых не более",
}  # fmt: skip


MINOR_CONSENT_COLUMN = "Согласие подписал законный представитель: ФИО"
MINOR_CONSENT_MISSING = (
    "несовершеннолетний: нужны данные согласия родителя (законного представителя) — "
)


def _consent_rules(item: ImportRow, row: int, today: dt.date, errors: list[RowError]) -> None:
    data = item.data
    if item.pd_consent_on and item.pd_consent_on > today:
        errors.append(RowError(row, "Согласие на обработку ПДн: дата", "дата в будущем."))
    minor = (
        age_on(data.birth_date, today) < 18 if data.birth_date else data.category == Category.PUPIL
    )
    if minor:
        missing = []
        if not item.pd_consent_on:
            missing.append("дата согласия")
        if not item.representative_name:
            missing.append("ФИО законного представителя")
        if not item.representative_relation and not any(
            e.column == "Кем приходится" for e in errors
        ):
            missing.append("кем приходится")
        if missing:
            errors.append(
                RowError(
                    row,
                    MINOR_CONSENT_COLUMN,
                    MINOR_CONSENT_MISSING + ", ".join(missing) + ".",
                )
            )
    elif item.representative_name and not item.representative_relation:
        errors.append(
            RowError(row, "Кем приходится", "укажите, кем представитель приходится участнику.")
        )
    if HEALTH_REASONS & set(data.reasons) and not item.health_consent_on:
        errors.append(
            RowError(row, "Основания",
                     "«ОВЗ» можно указать только с датой письменного согласия на обработку сведений о здоровье.")
        )  # fmt: skip
    if item.health_consent_on and not item.pd_consent_on:
        errors.append(
            RowError(
                row, "Согласие на обработку ПДн: дата", "нужно и общее согласие на обработку ПДн."
            )
        )


def import_plan(*, content: bytes, filename: str, academic_year: int, today: dt.date) -> ImportPlan:
    """Read the file and mark which rows update people already in the bank."""
    plan = plan_of(
        list(check_rows(read_table(content, filename), today=today)), academic_year, today
    )
    _mark_existing(plan.rows, academic_year)
    return plan


def plan_of(checked: list[CheckedRow], academic_year: int, today: dt.date) -> ImportPlan:
    """read_rows, knowing the bank: a minor already in it with a parent's valid consent is
    updated without the consent written again in the file."""
    forgive_recorded_consents(checked, academic_year, today)
    plan = ImportPlan(total=len(checked))
    for row in checked:
        if row.errors:
            plan.errors.extend(row.errors)
        else:
            plan.rows.append(row.item)
    return plan


def forgive_recorded_consents(
    checked: list[CheckedRow], academic_year: int, today: dt.date
) -> None:
    """Rows of minors whose only consent problem is that the file does not repeat it: the
    person is in the bank with a parent's valid consent, so nothing is missing."""
    waiting = {
        row.item.key: row for row in checked
        if row.item.key and any(e.column == MINOR_CONSENT_COLUMN and e.message.startswith(MINOR_CONSENT_MISSING)
                                for e in row.errors)
    }  # fmt: skip
    if not waiting:
        return
    known = Participant.objects.in_banks().filter(
        academic_year=academic_year, natural_key__in=list(waiting)
    )
    signed = set(
        Consent.objects.filter(
            participant__in=known, kind=ConsentKind.PERSONAL_DATA, withdrawn_on__isnull=True,
            signed_on__lte=today,
        ).exclude(representative_name="").filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("participant__natural_key", flat=True)
    )  # fmt: skip
    for key in signed:
        row = waiting[key]
        row.errors = [
            e for e in row.errors
            if not (e.column == MINOR_CONSENT_COLUMN and e.message.startswith(MINOR_CONSENT_MISSING))
        ]  # fmt: skip


def _existing(keys: list[str], academic_year: int) -> dict[str, int]:
    return dict(
        Participant.objects.in_banks()
        .filter(academic_year=academic_year, natural_key__in=keys)
        .values_list("natural_key", "pk")
    )


def _mark_existing(rows: list[ImportRow], academic_year: int) -> None:
    existing = _existing([row.key for row in rows], academic_year)
    for row in rows:
        row.existing_id = existing.get(row.key)


_NAME_FIELDS = ("last_name", "first_name", "patronymic")


def _same_but_yo(stored: str, new: str) -> bool:
    """The same name but for ё written as е (the person is found by the folded spelling; the
    stored one, which has the ё, is not to lose it)."""
    fold = str.maketrans("ёЁ", "еЕ")
    return stored != new and stored.translate(fold) == new.translate(fold) and "ё" in stored.lower()


@transaction.atomic
def import_apply(*, plan: ImportPlan, academic_year: int, user: User | None) -> dict[str, int]:
    """Write the valid rows: new people in bulk, known ones updated; consents recorded."""
    existing = {
        p.pk: p
        for p in Participant.objects.filter(
            pk__in=[r.existing_id for r in plan.rows if r.existing_id]
        )
    }
    new: list[tuple[ImportRow, Participant]] = []
    updated: list[Participant] = []
    for row in plan.rows:
        values = row.data.values()
        if row.existing_id and row.existing_id in existing:
            participant = existing[row.existing_id]
            for name, value in values.items():
                if value not in ("", [], None) or name in ("is_external", "capacity"):
                    if name in _NAME_FIELDS and _same_but_yo(getattr(participant, name), value):
                        continue  # «Королёв» stays «Королёв» when the file writes «Королев»
                    setattr(participant, name, value)
            updated.append(participant)
        else:
            new.append(
                (row, Participant(academic_year=academic_year, natural_key=row.key, **values))
            )
    Participant.objects.bulk_create([p for _, p in new], batch_size=1000)
    if updated:
        names = [
            f.name
            for f in Participant._meta.concrete_fields
            if f.name
            not in (
                "id",
                "created_at",
                "natural_key",
                "academic_year",
                "anonymised_at",
                "agreement_file",
                "user",
            )
        ]
        Participant.objects.bulk_update(updated, names, batch_size=500)
    by_row = {row.row: participant for row, participant in new} | {
        row.row: existing[row.existing_id] for row in plan.rows if row.existing_id in existing
    }
    consents: list[Consent] = []
    events: list[ParticipantEvent] = []
    have = {
        (c.participant_id, c.kind, c.signed_on)
        for c in Consent.objects.filter(
            participant__in=list(by_row.values()), withdrawn_on__isnull=True
        )
    }
    for row in plan.rows:
        participant = by_row[row.row]
        for kind, signed_on, purpose, scope in (
            (ConsentKind.PERSONAL_DATA, row.pd_consent_on, PD_PURPOSE, PD_SCOPE),
            (ConsentKind.HEALTH, row.health_consent_on, HEALTH_PURPOSE, HEALTH_SCOPE),
        ):
            if signed_on and (participant.pk, kind, signed_on) not in have:
                consents.append(
                    Consent(
                        participant=participant,
                        kind=kind,
                        signed_on=signed_on,
                        purpose=purpose,
                        scope=scope,
                        representative_name=row.representative_name,
                        representative_relation=row.representative_relation
                        if row.representative_name
                        else "",
                        created_by=user,
                    )
                )
        events.append(
            ParticipantEvent(
                participant=participant,
                user=user,
                kind=EventKind.IMPORTED,
                action=("Обновлён" if row.existing_id else "Добавлен")
                + f" при загрузке списка (строка {row.row})",
            )
        )
    Consent.objects.bulk_create(consents, batch_size=1000)
    ParticipantEvent.objects.bulk_create(events, batch_size=1000)
    return {"created": len(new), "updated": len(updated), "consents": len(consents)}


# Export ---------------------------------------------------------------------------------------

REASON_LABEL = dict(MenteeReason.choices)
FORM_LABEL = dict(MentoringForm.choices)


def export_frame(participants: list[Participant]) -> pd.DataFrame:
    """The banks with the template's columns, so an export can be edited and imported back."""
    rows = []
    for p in participants:
        consents = list(p.consents.all())
        personal = next(
            (c for c in consents if c.kind == ConsentKind.PERSONAL_DATA and c.withdrawn_on is None),
            None,
        )
        health = next(
            (c for c in consents if c.kind == ConsentKind.HEALTH and c.withdrawn_on is None), None
        )
        rows.append(
            {
                "Фамилия": p.last_name,
                "Имя": p.first_name,
                "Отчество": p.patronymic,
                "Дата рождения": p.birth_date.strftime("%d.%m.%Y") if p.birth_date else "",
                "Категория": p.get_category_display(),
                "Класс / группа": p.class_group,
                "Должность": p.position,
                "Предмет": p.subject,
                "Роль в базе": p.get_bank_role_display(),
                "Внешний участник": "да" if p.is_external else "нет",
                "Место работы / учёбы": p.workplace,
                "Телефон": p.phone,
                "Email": p.email,
                "Основания": "; ".join(REASON_LABEL[r] for r in p.reasons),
                "Запросы": "; ".join(p.requests),
                "Затруднения": "; ".join(p.difficulties),
                "Компетенции": "; ".join(p.competencies),
                "Чем может быть полезен": p.offer,
                "Наставляемых не более": p.capacity if p.is_mentor else "",
                "Формы наставничества": "; ".join(FORM_LABEL[f] for f in p.forms),
                "Согласие на обработку ПДн: дата": personal.signed_on.strftime("%d.%m.%Y")
                if personal
                else "",
                "Согласие подписал законный представитель: ФИО": personal.representative_name
                if personal
                else "",
                "Кем приходится": personal.get_representative_relation_display()
                if personal and personal.representative_relation
                else "",
                "Согласие на обработку сведений о здоровье: дата": health.signed_on.strftime(
                    "%d.%m.%Y"
                )
                if health
                else "",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def export_workbook(participants: list[Participant]) -> bytes:
    return tabular.workbook(export_frame(participants), "База участников", width=22)


def export_csv(participants: list[Participant]) -> bytes:
    return tabular.csv_bytes(export_frame(participants))


def template_workbook() -> bytes:
    example = [
        {
            "Фамилия": "Иванова", "Имя": "Мария", "Отчество": "Петровна", "Дата рождения": "14.03.2011",
            "Категория": "обучающийся", "Класс / группа": "8 «Б»", "Роль в базе": "наставляемый",
            "Внешний участник": "нет", "Основания": "неудовлетворительные результаты",
            "Запросы": "математика; подготовка к ОГЭ", "Согласие на обработку ПДн: дата": "02.09.2025",
            "Согласие подписал законный представитель: ФИО": "Иванова Ольга Сергеевна",
            "Кем приходится": "мать",
        },
        {
            "Фамилия": "Петров", "Имя": "Андрей", "Отчество": "Николаевич", "Дата рождения": "05.11.1979",
            "Категория": "педагог", "Должность": "учитель", "Предмет": "математика", "Роль в базе": "наставник",
            "Внешний участник": "нет", "Компетенции": "подготовка к ОГЭ; олимпиадная математика",
            "Чем может быть полезен": "помогу разобраться с трудными темами", "Наставляемых не более": "3",
            "Формы наставничества": "учитель – ученик; учитель – учитель",
            "Согласие на обработку ПДн: дата": "01.09.2025",
        },
    ]  # fmt: skip
    return tabular.workbook(
        pd.DataFrame(example, columns=COLUMNS, dtype=object).fillna(""),
        "База участников",
        width=22,
        choices={
            "Категория": [label for _, label in Category.choices],
            "Роль в базе": ["наставник", "наставляемый", "оба"],
            "Внешний участник": ["нет", "да"],
            "Кем приходится": [label for _, label in Relation.choices],
        },
    )


# The upload → preview → confirm flow (core.imports) -------------------------------------------

PREVIEW_COLUMNS = [
    ("name", "ФИО"), ("birth_date", "Дата рождения"), ("category", "Категория"),
    ("role", "Роль в базе"), ("detail", "Класс / должность"), ("outcome", "Что будет"),
]  # fmt: skip
NEW, UPDATE = "новый", "обновится"


APPLY_CHUNK = 5000


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


class ParticipantsImporter(Importer):
    code = "participants"
    title = "Загрузка базы участников"
    policy = UPLOAD
    columns = PREVIEW_COLUMNS
    template_columns = tuple(COLUMNS)

    def read(self, job: ImportJob, file: IO[bytes], progress: Progress) -> Iterator[PreviewRow]:
        try:
            frame = read_table(file, job.filename, check_required=False)
        except tabular.TableFileError as error:
            raise ImportFileError(str(error)) from error
        frame = split_full_names(mapped_columns(frame, job, self.template_columns))
        missing = missing_columns(frame)
        if missing:
            if not job.summary.get("unknown_columns"):
                raise ImportFileError(missing_message(missing))
            job.summary["required_missing"] = missing  # the page asks to map them
        progress.total(len(frame))
        year = int(job.params["academic_year"])
        today = current_tenant().local_today()
        checked = check_rows(frame, today=today)
        while chunk := list(itertools.islice(checked, 250)):
            forgive_recorded_consents(chunk, year, today)
            existing = _existing([c.item.key for c in chunk if not c.errors], year)
            for row in chunk:
                yield _preview(row, updates=row.item.key in existing)

    def apply(self, job: ImportJob, rows: QuerySet[StoredRow]) -> dict[str, Any]:
        """The previewed rows read again from what the file said (re-validated today) and
        written by import_apply in the caller's transaction, APPLY_CHUNK rows at a time (a
        50,000-row list is not held in memory whole; a later chunk's refusal still rolls back
        the earlier ones)."""
        year = int(job.params["academic_year"])
        today = current_tenant().local_today()
        totals: Counter[str] = Counter()
        stored = rows.order_by("position").values_list("number", "data")
        for chunk in _chunks(stored.iterator(chunk_size=APPLY_CHUNK), APPLY_CHUNK):
            frame = tabular.frame_from_rows(
                COLUMNS,
                [(number, [data["values"].get(c, "") for c in COLUMNS]) for number, data in chunk],
            )
            plan = plan_of(list(check_rows(frame, today=today)), year, today)
            if plan.errors:
                raise StaleImport(
                    f"{plan.errors[0]} — данные изменились с момента проверки. Ничего не записано: "
                    "загрузите файл ещё раз."
                )
            _mark_existing(plan.rows, year)
            totals.update(import_apply(plan=plan, academic_year=year, user=job.created_by))
        return {key: totals[key] for key in ("created", "updated", "consents")}

    def summary(self, job: ImportJob) -> str:
        updates = job.rows.filter(will_apply=True, cells__outcome=UPDATE).count()
        valid = job.rows.filter(will_apply=True).count()
        return f"Новых участников: {valid - updates}, обновятся (уже есть в базе): {updates}."

    def result_message(self, job: ImportJob) -> str:
        result, skipped = job.result, job.summary.get("errors", 0)
        return (
            f"Загружено: новых {result.get('created', 0)}, обновлено {result.get('updated', 0)}"
            + (f"; строк с ошибками пропущено: {skipped}." if skipped else ".")
        )


def _preview(row: CheckedRow, *, updates: bool) -> PreviewRow:
    v = row.cells
    return PreviewRow(
        number=row.row,
        cells={
            "name": " ".join(p for p in (v["Фамилия"], v["Имя"], v["Отчество"]) if p),
            "birth_date": v["Дата рождения"], "category": v["Категория"], "role": v["Роль в базе"],
            "detail": v["Класс / группа"] or v["Должность"],
            "outcome": "" if row.errors else UPDATE if updates else NEW,
        },
        data={"values": v},
        problems=[PreviewProblem(e.column, e.message) for e in row.errors],
    )  # fmt: skip
