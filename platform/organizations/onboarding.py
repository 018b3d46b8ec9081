"""Bulk onboarding of a region from an XLSX/CSV list of organisations.

Reading and row validation are pure (a DataFrame in, typed rows and Russian errors out); only
`onboarding_apply` writes, and only after every row has passed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import pandas as pd
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import DataError, transaction
from django.db.models import QuerySet

from accounts.invitations import name_problem, person_of
from accounts.models import Role
from core import tabular, uploads
from core.imports import (
    Importer,
    ImportFileError,
    PreviewProblem,
    PreviewRow,
    Progress,
    StaleImport,
    import_row_applied,
    mapped_columns,
)
from core.models import ImportJob, Problem
from core.models import ImportRow as StoredRow
from core.tabular import RowError, TableFileError, parse_count
from organizations.models import (
    RESERVED_SLUGS,
    RUSSIAN_TIMEZONES,
    SLUG_RE,
    Domain,
    Municipality,
    Organization,
    OrganizationKind,
    Region,
)

log = logging.getLogger(__name__)

# A region onboards in a few lists; each organisation is a schema provisioned on confirmation.
MAX_ROWS = 500
UPLOAD = uploads.UploadPolicy(
    what="список",
    kinds=frozenset({uploads.Kind.XLSX, uploads.Kind.CSV}),
    max_bytes=5 * uploads.MB,
    too_big_hint="Разделите список на части.",
)

# Column header (as in the downloadable template) → field.
COLUMNS = {
    "Полное наименование": "full_name",
    "Краткое наименование": "short_name",
    "Тип": "kind",
    "Муниципальное образование": "municipality",
    "Поддомен": "slug",
    "Часовой пояс": "timezone",
    "Число обучающихся": "pupils_count",
    "Число педагогов": "teachers_count",
    "Руководитель (ФИО)": "director_name",
    "E-mail руководителя": "director_email",
    "Куратор (ФИО)": "coordinator_name",
    "E-mail куратора": "coordinator_email",
}
REQUIRED = [
    "Полное наименование",
    "Краткое наименование",
    "Тип",
    "Муниципальное образование",
]
# The people each organisation starts with: name column, e-mail column, role.
PEOPLE = (
    ("Руководитель (ФИО)", "E-mail руководителя", Role.DIRECTOR),
    ("Куратор (ФИО)", "E-mail куратора", Role.COORDINATOR),
)

KIND_ALIASES = {
    "школа": OrganizationKind.SCHOOL,
    "оо": OrganizationKind.SCHOOL,
    "общеобразовательная организация": OrganizationKind.SCHOOL,
    "детский сад": OrganizationKind.KINDERGARTEN,
    "доу": OrganizationKind.KINDERGARTEN,
    "дошкольная образовательная организация": OrganizationKind.KINDERGARTEN,
    "спо": OrganizationKind.COLLEGE,
    "колледж": OrganizationKind.COLLEGE,
    "техникум": OrganizationKind.COLLEGE,
    "профессиональная образовательная организация": OrganizationKind.COLLEGE,
    "профессиональная образовательная организация (спо)": OrganizationKind.COLLEGE,
    "дополнительное образование": OrganizationKind.ADDITIONAL,
    "до": OrganizationKind.ADDITIONAL,
    "организация дополнительного образования": OrganizationKind.ADDITIONAL,
}
_OFFSET_RE = re.compile(r"^(utc|gmt|мск|msk)?\s*([+\-−])?\s*(\d{1,2})(?::00)?$")
_TZ_BY_UTC_OFFSET = {int(label.split("UTC+")[1].rstrip(")")): tz for tz, label in RUSSIAN_TIMEZONES}
# What people write for a zone: the cities of the catalogue, and the largest others.
_CITY_UTC_OFFSETS = {
    **{label.split(" (")[0].lower(): int(label.split("UTC+")[1].rstrip(")"))
       for _, label in RUSSIAN_TIMEZONES},
    "московское время": 3, "санкт-петербург": 3, "казань": 3, "нижний новгород": 3,
    "воронеж": 3, "ростов-на-дону": 3, "краснодар": 3, "волгоград": 3, "мурманск": 3,
    "архангельск": 3, "ярославль": 3, "симферополь": 3,
    "саратов": 4, "ульяновск": 4, "астрахань": 4, "ижевск": 4,
    "уфа": 5, "челябинск": 5, "пермь": 5, "тюмень": 5, "оренбург": 5, "курган": 5,
    "новосибирск": 7, "томск": 7, "барнаул": 7, "кемерово": 7, "новокузнецк": 7,
    "абакан": 7, "кызыл": 7, "горно-алтайск": 7,
    "улан-удэ": 8, "чита": 9, "благовещенск": 9, "хабаровск": 10,
    "южно-сахалинск": 11, "петропавловск-камчатский": 12, "камчатка": 12, "анадырь": 12,
}  # fmt: skip


OnboardingFileError = TableFileError


@dataclass
class OnboardingRow:
    row: int
    full_name: str
    short_name: str
    kind: str
    municipality: str
    slug: str
    timezone: str
    pupils_count: int
    teachers_count: int
    slug_suggested: bool = False
    director_name: str = ""
    director_email: str = ""
    coordinator_name: str = ""
    coordinator_email: str = ""

    def people(self) -> list[tuple[str, str, str]]:
        """(ФИО, e-mail, role) of the people the organisation starts with."""
        return [
            (name, email, role)
            for name, email, role in (
                (self.director_name, self.director_email, Role.DIRECTOR),
                (self.coordinator_name, self.coordinator_email, Role.COORDINATOR),
            )
            if email
        ]


@dataclass
class OnboardingPlan:
    rows: list[OnboardingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def read_table(content: bytes | IO[bytes], filename: str) -> pd.DataFrame:
    """XLSX or CSV → a DataFrame of strings; OnboardingFileError on anything else."""
    return tabular.read_table(
        content,
        filename,
        required=REQUIRED,
        policy=UPLOAD,
        max_rows=MAX_ROWS,
        noun=("организация", "организации", "организаций"),
        nothing_message="В таблице нет ни одной организации.",
    )


_parse_count = parse_count


def parse_timezone(value: str) -> str | None:
    """What people write for a zone — «Москва», «МСК», «МСК+4», «UTC+7», «+7», «Europe/Moscow»,
    «Новосибирск» — as the catalogue's zone of that offset; None when it is not one of Russia's."""
    text = " ".join(value.strip().split())
    lowered = text.lower().replace("ё", "е")
    by_name = {tz.lower(): tz for tz, _ in RUSSIAN_TIMEZONES}
    if lowered in by_name:
        return by_name[lowered]
    offset: int | None = _CITY_UTC_OFFSETS.get(lowered.split(" (")[0])
    if offset is None and lowered in ("мск", "msk"):
        offset = 3
    if offset is None:
        match = _OFFSET_RE.match(lowered.replace(" ", ""))
        if match:
            base, sign, hours = match.groups()
            offset = int(hours) * (-1 if sign in ("-", "−") else 1)
            if base in ("мск", "msk"):
                offset += 3
            elif base is None and sign is None and int(hours) > 12:
                offset = None
    if offset is None and "/" in text:
        offset = _iana_offset(text)
    return _TZ_BY_UTC_OFFSET.get(offset) if offset is not None else None


def _iana_offset(name: str) -> int | None:
    """A Russian IANA zone outside the catalogue (Asia/Novosibirsk) → its UTC offset in hours."""
    import datetime as dt
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    if not name.startswith(("Europe/", "Asia/")):
        return None
    delta = dt.datetime(2025, 1, 15, tzinfo=zone).utcoffset()
    return int(delta.total_seconds() // 3600) if delta is not None else None


def _parse_timezone(value: str, default: str, row: int, errors: list[RowError]) -> str:
    if not value.strip():
        return default
    parsed = parse_timezone(value)
    if parsed is not None:
        return parsed
    errors.append(
        RowError(
            row,
            "Часовой пояс",
            f"«{value}» — не часовой пояс России (пишите как удобно: «Москва», «МСК+4», "
            "«UTC+7», «Asia/Krasnoyarsk»).",
        )
    )
    return default


# Legal forms that open most short names («МБОУ СОШ № 1»): a subdomain is shorter without them.
_LEGAL_FORMS = re.compile(
    r"^(?:[мгчк]?[бак]?[пд]?оу|[мгчк]?[бак]?у\s*до|[мг][бак]?у|гб?п?оу|ано|чоу|фгб?оу)\b\s*",
    re.IGNORECASE,
)


def suggested_slug(name: str) -> str:
    """«МБОУ СОШ № 1» → «sosh-1»: transliterated (iuliia's Moscow Metro scheme), legal form
    dropped, only a–z, 0–9 and hyphens, starting with a letter, 3–40 characters."""
    import iuliia

    text = _LEGAL_FORMS.sub("", name.strip())
    if not any(ch.isalpha() for ch in text):  # «МБДОУ № 5»: the legal form is the name
        text = name
    latin = iuliia.MOSMETRO.translate(text).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:40].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"oo-{slug}".strip("-")
    while len(slug) < 3:
        slug += "-oo"
    return slug[:40]


def _free_slug(base: str, taken: set[str]) -> str:
    """The base, or base-2, base-3… : the first not taken (nor reserved)."""
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        n += 1
        suffix = f"-{n}"
        candidate = base[: 40 - len(suffix)] + suffix
    return candidate


def _parse_person(values: dict[str, str], name_column: str, email_column: str,
                  row: int, errors: list[RowError]) -> tuple[str, str]:  # fmt: skip
    """ФИО and e-mail of a person the organisation starts with; both or neither."""
    name = " ".join(values[name_column].split())
    email = values[email_column].strip().lower()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(RowError(row, email_column, f"«{email}» — не адрес электронной почты."))
        if len(email) > 150:
            errors.append(RowError(row, email_column, "длиннее 150 символов."))
    if name and not email:
        errors.append(
            RowError(row, email_column, "не заполнено: на этот адрес придёт приглашение.")
        )
    problem = name_problem(name) if (email or name) else ""
    if problem:
        errors.append(RowError(row, name_column, problem))
    return name, email


def validate_rows(frame: pd.DataFrame, *, region_timezone: str) -> OnboardingPlan:
    """Check every row (and the rows against each other); pure, no database."""
    plan = OnboardingPlan()
    seen_slugs: dict[str, int] = {}
    explicit = {str(v).strip().lower() for v in frame.get("Поддомен", [])} - {""}
    for label, record in zip(frame.index, frame.to_dict("records"), strict=True):
        row = int(label) + 2  # the sheet's own row number (blank rows keep their place)
        errors: list[RowError] = []
        values = {column: str(record.get(column, "")).strip() for column in COLUMNS}
        for column in REQUIRED:
            if not values[column]:
                errors.append(RowError(row, column, "не заполнено."))
        kind = KIND_ALIASES.get(values["Тип"].lower(), "")
        if values["Тип"] and not kind:
            errors.append(
                RowError(
                    row,
                    "Тип",
                    f"«{values['Тип']}» — укажите: школа, детский сад, СПО или дополнительное образование.",
                )
            )
        slug = values["Поддомен"].lower()
        suggested = not slug and bool(values["Краткое наименование"])
        if suggested:
            slug = _free_slug(
                suggested_slug(values["Краткое наименование"]), {*seen_slugs, *explicit}
            )
        if slug and not SLUG_RE.match(slug):
            errors.append(
                RowError(
                    row,
                    "Поддомен",
                    f"«{slug}» — только строчные латинские буквы, цифры и дефис, от 3 до 40 символов, начинается с буквы.",
                )
            )
        elif slug in RESERVED_SLUGS:
            errors.append(RowError(row, "Поддомен", f"«{slug}» зарезервирован."))
        elif slug in seen_slugs:
            errors.append(
                RowError(row, "Поддомен", f"«{slug}» уже указан в строке {seen_slugs[slug]}.")
            )
        if slug:
            seen_slugs.setdefault(slug, row)
        if len(values["Полное наименование"]) > 500:
            errors.append(RowError(row, "Полное наименование", "длиннее 500 символов."))
        if len(values["Краткое наименование"]) > 200:
            errors.append(RowError(row, "Краткое наименование", "длиннее 200 символов."))
        if len(values["Муниципальное образование"]) > 200:
            errors.append(RowError(row, "Муниципальное образование", "длиннее 200 символов."))
        timezone = _parse_timezone(values["Часовой пояс"], region_timezone, row, errors)
        pupils = _parse_count(values["Число обучающихся"], row, "Число обучающихся", errors)
        teachers = _parse_count(values["Число педагогов"], row, "Число педагогов", errors)
        people = {
            role: _parse_person(values, name_column, email_column, row, errors)
            for name_column, email_column, role in PEOPLE
        }
        plan.errors.extend(errors)
        if not errors:
            plan.rows.append(
                OnboardingRow(
                    row=row,
                    full_name=values["Полное наименование"],
                    short_name=values["Краткое наименование"],
                    kind=kind,
                    municipality=values["Муниципальное образование"],
                    slug=slug,
                    timezone=timezone,
                    pupils_count=pupils,
                    teachers_count=teachers,
                    slug_suggested=suggested,
                    director_name=people[Role.DIRECTOR][0],
                    director_email=people[Role.DIRECTOR][1],
                    coordinator_name=people[Role.COORDINATOR][0],
                    coordinator_email=people[Role.COORDINATOR][1],
                )
            )
    return plan


def onboarding_plan(*, content: bytes | IO[bytes], filename: str, region: Region) -> OnboardingPlan:
    """Read and validate a file, including the rows against what the registry already holds."""
    return plan_against_registry(validate_rows(read_table(content, filename),
                                               region_timezone=region.timezone))  # fmt: skip


def taken_slugs(slugs: list[str]) -> set[str]:
    from organizations.services import domain_for

    taken = set(Organization.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    return taken | {
        domain.split(".", 1)[0]
        for domain in Domain.objects.filter(domain__in=[domain_for(s) for s in slugs]).values_list(
            "domain", flat=True
        )
    }


def plan_against_registry(plan: OnboardingPlan) -> OnboardingPlan:
    """Subdomains the registry holds: an error where the list gave one, another suggestion
    (base-2, base-3…) where the platform suggested it."""
    taken = taken_slugs([row.slug for row in plan.rows])
    in_file = {row.slug for row in plan.rows}
    for row in plan.rows:
        if row.slug_suggested and row.slug in taken:
            base = re.sub(r"-\d+$", "", row.slug)
            candidates = [base] + [f"{base[:37]}-{n}" for n in range(2, 60)]
            busy = taken_slugs(candidates) | in_file
            row.slug = _free_slug(base, busy)
            in_file.add(row.slug)
    taken = taken_slugs([row.slug for row in plan.rows if not row.slug_suggested])
    still_valid = []
    for row in plan.rows:
        if row.slug in taken:
            plan.errors.append(
                RowError(row.row, "Поддомен", f"«{row.slug}» уже занят другой организацией.")
            )
        else:
            still_valid.append(row)
    plan.rows = still_valid
    plan.errors.sort(key=lambda error: error.row)
    return plan


def onboarding_apply(*, plan: OnboardingPlan, region: Region) -> list[Organization]:
    """Provision every row of a valid plan; refuses a plan with errors (nothing is created).

    Each organisation is created in its own transaction (one schema's DDL takes many locks;
    thousands in one transaction would exhaust the lock table), so none is ever half-created;
    if a later one fails, those created before it are removed (all or nothing) and the error
    is raised.
    """
    if not plan.is_valid:
        raise ValueError("the plan has errors; nothing was created")
    municipalities = {m.name: m for m in Municipality.objects.filter(region=region)}
    known = set(municipalities)
    created: list[Organization] = []
    try:
        for row in plan.rows:
            created.append(
                organization_onboard(row=row, region=region, municipalities=municipalities)
            )
        people_invite(rows=plan.rows, invited_by=None)
    except Exception:
        _remove_created(created, region, known)
        raise
    return created


def organization_onboard(*, row: OnboardingRow, region: Region,
                         municipalities: dict[str, Municipality]) -> Organization:  # fmt: skip
    """One row: its municipality (created on first mention) and the provisioned organisation."""
    from organizations.services import OrganizationData, organization_provision

    municipality = municipalities.get(row.municipality)
    if municipality is None:
        municipality = Municipality.objects.create(region=region, name=row.municipality)
        municipalities[row.municipality] = municipality
    return organization_provision(
        data=OrganizationData(
            full_name=row.full_name, short_name=row.short_name, slug=row.slug, kind=row.kind,
            municipality=municipality, timezone=row.timezone, pupils_count=row.pupils_count,
            teachers_count=row.teachers_count,
        )
    )  # fmt: skip


def _canonical_municipality(name: str, registry: list[str]) -> str | None:
    wanted = " ".join(name.split()).casefold().replace("ё", "е")
    for known in registry:
        if " ".join(known.split()).casefold().replace("ё", "е") == wanted:
            return known
    return None


def _municipality_check(row: OnboardingRow, registry: list[str]) -> PreviewProblem | None:
    """A municipality the registry (its names in the region) knows under another spelling is
    that one; an unknown one is shown for confirmation (it is created when the list is
    confirmed), with the likely match."""
    import difflib

    canonical = _canonical_municipality(row.municipality, registry)
    if canonical is not None:
        row.municipality = canonical
        return None
    close = difflib.get_close_matches(row.municipality, registry, n=1, cutoff=0.75)
    hint = f" Возможно, имелось в виду «{close[0]}»." if close else ""
    return PreviewProblem(
        "Муниципальное образование",
        f"«{row.municipality}» нет в реестре региона: при подтверждении оно будет добавлено.{hint}",
        level=Problem.WARNING,
    )


def _people_cell(row: OnboardingRow) -> str:
    labels = {Role.DIRECTOR: "Руководитель", Role.COORDINATOR: "Куратор"}
    return "; ".join(
        f"{labels[Role(role)]}: {name} <{email}>" for name, email, role in row.people()
    )


def people_invite(*, rows: list[OnboardingRow], invited_by: Any) -> int:
    """The director and coordinator of each new organisation: accounts, roles, invitations
    (sent once the transaction commits). One transaction for the whole list."""
    from accounts.invitations import role_grant

    organizations = {
        o.slug: o for o in Organization.objects.filter(slug__in=[r.slug for r in rows])
    }
    invited = 0
    with transaction.atomic():
        for row in rows:
            for name, email, role in row.people():
                granted = role_grant(person=person_of(name, email), role=role,
                                     scope=organizations[row.slug], invited_by=invited_by)  # fmt: skip
                invited += granted.invitation is not None
    return invited


def template_workbook() -> bytes:
    """The XLSX template to download: the Russian headers and one example row."""
    frame = pd.DataFrame(
        [
            {
                "Полное наименование": "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 1»",
                "Краткое наименование": "МБОУ СОШ № 1",
                "Тип": "школа",
                "Муниципальное образование": "Городской округ Северный",
                "Поддомен": "sosh1",
                "Часовой пояс": "UTC+3",
                "Число обучающихся": 600,
                "Число педагогов": 45,
                "Руководитель (ФИО)": "Смирнова Елена Викторовна",
                "E-mail руководителя": "director@sosh1.example.ru",
                "Куратор (ФИО)": "Кузнецов Игорь Андреевич",
                "E-mail куратора": "kurator@sosh1.example.ru",
            }
        ],
        columns=list(COLUMNS),
    )
    return tabular.workbook(frame, "Организации", width=28)


# The upload → preview → confirm flow (core.imports), on the public schema -------------------

KIND_LABELS = dict(OrganizationKind.choices)


class OrganizationsImporter(Importer):
    code = "organizations"
    title = "Подключение организаций списком"
    policy = UPLOAD
    columns = [
        ("short_name", "Краткое наименование"), ("kind", "Тип"),
        ("municipality", "Муниципальное образование"), ("domain", "Адрес"),
        ("timezone", "Часовой пояс"), ("people", "Руководитель и куратор (приглашения)"),
    ]  # fmt: skip
    noun = ("организацию", "организации", "организаций")
    template_columns = tuple(COLUMNS)
    all_or_nothing = True
    # A schema per row: one transaction for hundreds would exhaust the lock table.
    atomic = False
    inline_apply_rows = 5  # provisioning takes ~0.1–0.5 s each; more go to the worker

    def read(self, job: ImportJob, file: IO[bytes], progress: Progress) -> Iterator[PreviewRow]:
        from organizations.services import domain_for

        try:
            frame = read_table(file, job.filename)
        except TableFileError as error:
            raise ImportFileError(str(error)) from error
        frame = mapped_columns(frame, job, self.template_columns)
        progress.total(len(frame))
        region = Region.objects.get(pk=job.params["region_id"])
        plan = plan_against_registry(validate_rows(frame, region_timezone=region.timezone))
        valid = {row.row: row for row in plan.rows}
        errors: dict[int, list[PreviewProblem]] = {}
        for row_error in plan.errors:
            errors.setdefault(row_error.row, []).append(
                PreviewProblem(row_error.column, row_error.message)
            )
        registry = list(Municipality.objects.filter(region=region).values_list("name", flat=True))
        for checked in plan.rows:
            warning = _municipality_check(checked, registry)
            if warning:
                errors.setdefault(checked.row, []).append(warning)
        for label, record in zip(frame.index, frame.to_dict("records"), strict=True):
            number = int(label) + 2
            row = valid.get(number)
            yield PreviewRow(
                number=number,
                cells={
                    "short_name": str(record.get("Краткое наименование", "")),
                    "kind": KIND_LABELS.get(row.kind, "") if row else str(record.get("Тип", "")),
                    "municipality": (row.municipality if row
                                     else str(record.get("Муниципальное образование", ""))),
                    "domain": (domain_for(row.slug) + (" (предложен)" if row.slug_suggested else "")
                               if row else str(record.get("Поддомен", ""))),
                    "timezone": (dict(RUSSIAN_TIMEZONES)[row.timezone] if row
                                 else str(record.get("Часовой пояс", ""))),
                    "people": _people_cell(row) if row else "",
                },
                data=asdict(row) if row else {},
                problems=errors.get(number, []),
            )  # fmt: skip

    def apply(self, job: ImportJob, rows: QuerySet[StoredRow]) -> dict[str, Any]:
        """Re-checked against the registry first (nothing is created if a subdomain was taken
        meanwhile), then each organisation in its own transaction with its row's mark."""
        region = Region.objects.get(pk=job.params["region_id"])
        pending = list(rows.order_by("position"))
        taken = taken_slugs([r.data["slug"] for r in pending])
        if taken:
            raise StaleImport(
                "Пока список ждал подтверждения, заняты поддомены: "
                + ", ".join(sorted(taken)) + ". Ничего не создано: исправьте файл и загрузите его снова."
            )  # fmt: skip
        municipalities = {m.name: m for m in Municipality.objects.filter(region=region)}
        known = set(municipalities)
        for stored in pending:
            try:
                with transaction.atomic():
                    organization_onboard(row=OnboardingRow(**stored.data), region=region,
                                         municipalities=municipalities)  # fmt: skip
                    import_row_applied(row=stored)
            except Exception as error:
                log.exception(
                    "onboarding row %s failed; removing what this list created", stored.number
                )
                _undo(job, region, known)
                raise StaleImport(
                    f"Организация из строки {stored.number} не создана ({_reason(error)}). "
                    "Ничего не подключено: созданные по этому списку организации удалены. "
                    "Исправьте строку и загрузите список снова."
                ) from error
        rows_data = [OnboardingRow(**stored.data) for stored in pending]
        try:
            invited = people_invite(rows=rows_data, invited_by=job.created_by)
        except Exception as error:
            log.exception("onboarding invitations failed; removing what this list created")
            _undo(job, region, known)
            raise StaleImport(
                f"Приглашения не созданы ({_reason(error)}). Ничего не подключено: созданные по "
                "этому списку организации удалены. Загрузите список снова."
            ) from error
        return {"created": job.rows.filter(applied=True).count(), "invited": invited}

    def summary(self, job: ImportJob) -> str:
        region = Region.objects.filter(pk=job.params.get("region_id")).first()
        return f"Регион: {region.name}." if region else ""

    def result_message(self, job: ImportJob) -> str:
        invited = job.result.get("invited", 0)
        text = f"Подключено организаций: {job.result.get('created', 0)}."
        if invited:
            text += f" Приглашений отправлено: {invited} (письма со ссылкой для входа, действуют 7 дней)."
        return text

    def confirm_label(self, count: int) -> str:
        return f"Подтвердить и подключить ({count})"


def _undo(job: ImportJob, region: Region, known_municipalities: set[str]) -> None:
    """All or nothing: the organisations this job created (rows marked applied) are removed."""
    created = job.rows.filter(applied=True)
    slugs = [row.data["slug"] for row in created]
    _remove_created(list(Organization.objects.filter(slug__in=slugs)), region, known_municipalities)
    created.update(applied=False)


def _remove_created(
    organizations: list[Organization], region: Region, known_municipalities: set[str]
) -> None:
    """The organisations a list created, and the municipalities it added for them."""
    from organizations.services import organization_remove

    for organization in organizations:
        organization_remove(organization=organization)
    Municipality.objects.filter(region=region, organizations__isnull=True).exclude(
        name__in=known_municipalities
    ).delete()


def _reason(error: Exception) -> str:
    if isinstance(error, DjangoValidationError):
        return "; ".join(error.messages)
    if isinstance(error, DataError):
        return "значение не помещается в поле реестра"
    return "ошибка на сервере"
