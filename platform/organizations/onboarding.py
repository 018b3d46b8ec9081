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
from django.db import DataError, transaction
from django.db.models import QuerySet

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
from core.models import ImportJob
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
}
REQUIRED = [
    "Полное наименование",
    "Краткое наименование",
    "Тип",
    "Муниципальное образование",
    "Поддомен",
]

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
_UTC_OFFSET_RE = re.compile(r"^(?:utc|мск)?\s*\+?\s*(\d{1,2})$")
_TZ_BY_UTC_OFFSET = {int(label.split("UTC+")[1].rstrip(")")): tz for tz, label in RUSSIAN_TIMEZONES}


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


def _parse_timezone(value: str, default: str, row: int, errors: list[RowError]) -> str:
    value = value.strip()
    if not value:
        return default
    known = {tz for tz, _ in RUSSIAN_TIMEZONES}
    if value in known:
        return value
    match = _UTC_OFFSET_RE.match(value.lower())
    if match:
        offset = int(match.group(1))
        if value.lower().startswith("мск"):
            offset += 3
        if offset in _TZ_BY_UTC_OFFSET:
            return _TZ_BY_UTC_OFFSET[offset]
    errors.append(
        RowError(
            row,
            "Часовой пояс",
            f"«{value}» — не часовой пояс России (пример: UTC+7 или Asia/Krasnoyarsk).",
        )
    )
    return default


def validate_rows(frame: pd.DataFrame, *, region_timezone: str) -> OnboardingPlan:
    """Check every row (and the rows against each other); pure, no database."""
    plan = OnboardingPlan()
    seen_slugs: dict[str, int] = {}
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
    taken = taken_slugs([row.slug for row in plan.rows])
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
        ("timezone", "Часовой пояс"),
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
        for label, record in zip(frame.index, frame.to_dict("records"), strict=True):
            number = int(label) + 2
            row = valid.get(number)
            yield PreviewRow(
                number=number,
                cells={
                    "short_name": str(record.get("Краткое наименование", "")),
                    "kind": KIND_LABELS.get(row.kind, "") if row else str(record.get("Тип", "")),
                    "municipality": str(record.get("Муниципальное образование", "")),
                    "domain": domain_for(row.slug) if row else str(record.get("Поддомен", "")),
                    "timezone": row.timezone if row else str(record.get("Часовой пояс", "")),
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
        return {"created": job.rows.filter(applied=True).count()}

    def summary(self, job: ImportJob) -> str:
        region = Region.objects.filter(pk=job.params.get("region_id")).first()
        return f"Регион: {region.name}." if region else ""

    def result_message(self, job: ImportJob) -> str:
        return f"Подключено организаций: {job.result.get('created', 0)}."

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
