"""The public-schema registry: region → municipality → organisation (the tenant) and its domains."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import schema_exists

# Russia spans 11 time zones (UTC+2 … UTC+12); one representative IANA zone for each.
RUSSIAN_TIMEZONES = [
    ("Europe/Kaliningrad", "Калининград (МСК−1, UTC+2)"),
    ("Europe/Moscow", "Москва (МСК, UTC+3)"),
    ("Europe/Samara", "Самара (МСК+1, UTC+4)"),
    ("Asia/Yekaterinburg", "Екатеринбург (МСК+2, UTC+5)"),
    ("Asia/Omsk", "Омск (МСК+3, UTC+6)"),
    ("Asia/Krasnoyarsk", "Красноярск (МСК+4, UTC+7)"),
    ("Asia/Irkutsk", "Иркутск (МСК+5, UTC+8)"),
    ("Asia/Yakutsk", "Якутск (МСК+6, UTC+9)"),
    ("Asia/Vladivostok", "Владивосток (МСК+7, UTC+10)"),
    ("Asia/Magadan", "Магадан (МСК+8, UTC+11)"),
    ("Asia/Kamchatka", "Петропавловск-Камчатский (МСК+9, UTC+12)"),
]

RESERVED_SLUGS = frozenset(
    {"www", "api", "admin", "public", "static", "media", "mail", "smtp", "template", "region"}
)
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")

slug_validator = RegexValidator(
    SLUG_RE,
    "Адрес (поддомен): от 3 до 40 строчных латинских букв, цифр и дефисов, "
    "начинается с буквы, не оканчивается дефисом.",
)


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"Адрес «{value}» зарезервирован, выберите другой.")


# 1 September, unless an organisation says otherwise (its own fields); the regional layer,
# which spans organisations, names years by it.
DEFAULT_ACADEMIC_YEAR_START = (9, 1)


def academic_year_of(day: dt.date, start: tuple[int, int] = DEFAULT_ACADEMIC_YEAR_START) -> int:
    """The academic year a date belongs to, named by its first calendar year (2025 = 2025/26)."""
    return day.year if day >= dt.date(day.year, *start) else day.year - 1


class Region(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код субъекта РФ", max_length=3, unique=True)
    timezone = models.CharField(
        "часовой пояс по умолчанию",
        max_length=40,
        choices=RUSSIAN_TIMEZONES,
        default="Europe/Moscow",
    )
    # Targets the region sets for the coverage of its organisations (целевые показатели).
    target_pupils_coverage = models.PositiveSmallIntegerField(
        "цель: доля вовлечённых обучающихся, %", default=70, validators=[MaxValueValidator(100)]
    )
    target_teachers_coverage = models.PositiveSmallIntegerField(
        "цель: доля вовлечённых педагогов, %", default=70, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The stubs cannot see reverse managers of TenantMixin subclasses (django-tenants is untyped).
class Municipality(models.Model):  # type: ignore[django-manager-missing]
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name="регион",
        db_index=False,  # municipality_unique_name leads with it
    )
    name = models.CharField("название", max_length=200)
    oktmo = models.CharField("ОКТМО", max_length=11, blank=True)

    class Meta:
        verbose_name = "муниципальное образование"
        verbose_name_plural = "муниципальные образования"
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationKind(models.TextChoices):
    SCHOOL = "school", "Общеобразовательная организация"
    KINDERGARTEN = "kindergarten", "Дошкольная образовательная организация"
    COLLEGE = "college", "Профессиональная образовательная организация (СПО)"
    ADDITIONAL = "additional", "Организация дополнительного образования"

    @property
    def short_label(self) -> str:
        return {
            "school": "школа",
            "kindergarten": "детский сад",
            "college": "СПО",
            "additional": "доп. образование",
        }[self.value]


class Organization(TenantMixin):
    """An educational organisation; its personal data lives in its own PostgreSQL schema."""

    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    slug = models.CharField(
        "адрес (поддомен)",
        max_length=40,
        unique=True,
        validators=[slug_validator, validate_slug_not_reserved],
        help_text="Латиницей: sosh19 → sosh19.<домен региона>",
    )
    kind = models.CharField("тип", max_length=20, choices=OrganizationKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name="муниципальное образование",
    )
    timezone = models.CharField(
        "часовой пояс", max_length=40, choices=RUSSIAN_TIMEZONES, default="Europe/Moscow"
    )
    pupils_count = models.PositiveIntegerField(
        "число обучающихся (воспитанников, студентов)", default=0
    )
    teachers_count = models.PositiveIntegerField("число педагогических работников", default=0)
    academic_year_start_month = models.PositiveSmallIntegerField(
        "месяц начала учебного года",
        default=DEFAULT_ACADEMIC_YEAR_START[0],
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    academic_year_start_day = models.PositiveSmallIntegerField(
        "день начала учебного года",
        default=DEFAULT_ACADEMIC_YEAR_START[1],
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # What documents name: the operator's address (consents, acts), the place of issue (приказы).
    address = models.CharField(
        "адрес (место нахождения)", max_length=500, blank=True,
        help_text="Как в Уставе: индекс, область, город, улица, дом.",
    )  # fmt: skip
    locality = models.CharField(
        "место издания документов", max_length=200, blank=True,
        help_text="Как в приказах под заголовком: «г. Северный», «с. Озёрное».",
    )  # fmt: skip
    profile_confirmed_at = models.DateTimeField("сведения проверены", null=True, blank=True)
    is_active = models.BooleanField("подключена", default=True)
    created_at = models.DateTimeField("подключена с", auto_now_add=True)

    # Schemas are made by organizations.services.organization_provision inside its transaction.
    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["municipality__name", "short_name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def kind_label(self) -> str:
        return OrganizationKind(self.kind).label

    @property
    def kind_short_label(self) -> str:
        return OrganizationKind(self.kind).short_label

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        """Today in the organisation's own time zone (Russia spans 11 of them)."""
        now = now or dt.datetime.now(dt.UTC)
        return now.astimezone(self.zone).date()

    @property
    def academic_year_start(self) -> tuple[int, int]:
        """(month, day) the organisation's academic year starts on (1 September by default)."""
        return (self.academic_year_start_month, self.academic_year_start_day)

    def academic_year_of(self, day: dt.date) -> int:
        """The academic year a date belongs to by the organisation's own calendar."""
        return academic_year_of(day, self.academic_year_start)

    def academic_year_bounds(self, year: int) -> tuple[dt.date, dt.date]:
        start = dt.date(year, self.academic_year_start_month, self.academic_year_start_day)
        end = dt.date(year + 1, self.academic_year_start_month, self.academic_year_start_day)
        return start, end - dt.timedelta(days=1)

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):  # type: ignore[no-untyped-def]
        """Replay the template's snapshot; without a current one, run the migrations.

        django-tenants' own path (its `clone_schema` function, then a faked `migrate_schemas`) is
        not used: the clone renames unique constraints, turns unique nullable columns into NULLS
        NOT DISTINCT, and slows down as the catalog grows; the faked migrate costs most of the
        time. The snapshot replay is exact (pg_dump) and flat (organizations.cloning).
        """
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from organizations.cloning import snapshot_replay
        from organizations.schemas import use_public_schema

        _check_schema_name(self.schema_name)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        base = settings.TENANT_BASE_SCHEMA
        replayed = (
            sync_schema
            and settings.TENANT_CREATION_FAKES_MIGRATIONS
            and schema_exists(base)
            and snapshot_replay(base, self.schema_name)
        )
        if not replayed:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{self.schema_name}"')
            if sync_schema:
                call_command("migrate_schemas", tenant=True, schema_name=self.schema_name,
                             interactive=False, verbosity=verbosity)  # fmt: skip
        use_public_schema()
        return True


class Domain(DomainMixin):
    class Meta:
        verbose_name = "домен"
        verbose_name_plural = "домены"

    def __str__(self) -> str:
        return self.domain


class SchemaSnapshot(models.Model):
    """The template schema as SQL (pg_dump), taken by `migrate`; new schemas replay it.

    Replaying the DDL costs about 0.1 s whatever the number of schemas, while django-tenants'
    `clone_schema` reads the catalog table by table and slows as the catalog grows (≈ 1 s at
    1,000 schemas) and migrations take 0.5–2 s. `fingerprint` is the template's applied migrations: a snapshot taken before
    the last migration is never replayed.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=32)
    sql = models.TextField()
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "снимок схемы-шаблона"
        verbose_name_plural = "снимки схемы-шаблона"

    def __str__(self) -> str:
        return f"{self.schema_name} ({self.taken_at:%d.%m.%Y %H:%M})"
