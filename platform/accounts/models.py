"""Global users (public schema) and their memberships: who has which role where."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    REGIONAL_OPERATOR = "regional_operator", "Региональный оператор"
    MUNICIPAL_SPECIALIST = (
        "municipal_specialist",
        "Специалист муниципального органа управления образованием",
    )
    DIRECTOR = "director", "Руководитель организации"
    DEPUTY = "deputy", "Заместитель руководителя (подписывает приказы)"
    COORDINATOR = "coordinator", "Куратор (координатор) наставничества"
    MENTOR = "mentor", "Наставник"
    MENTEE = "mentee", "Наставляемый"
    TUTOR = "tutor", "Тьютор ЦНППМ"
    CNPPM_HEAD = "cnppm_head", "Руководитель ЦНППМ"


# Which scope each role is granted on; enforced by a check constraint.
REGION_ROLES = (Role.REGIONAL_OPERATOR, Role.TUTOR, Role.CNPPM_HEAD)
MUNICIPALITY_ROLES = (Role.MUNICIPAL_SPECIALIST,)
ORGANIZATION_ROLES = (Role.DIRECTOR, Role.DEPUTY, Role.COORDINATOR, Role.MENTOR, Role.MENTEE)
# Roles that manage an organisation's mentoring (banks, pairs, roadmap, documents).
ORGANIZATION_MANAGER_ROLES = frozenset({Role.DIRECTOR, Role.DEPUTY, Role.COORDINATOR})
# Who signs the organisation's приказы: the director, or the deputy the director names.
SIGNING_ROLES = frozenset({Role.DIRECTOR, Role.DEPUTY})
# Roles that must log in with a second factor: they see a whole region or municipality, cross
# schools, or sign off an organisation's documents. Platform staff too (accounts.selectors).
TWO_FACTOR_ROLES = frozenset(
    {
        Role.REGIONAL_OPERATOR,
        Role.MUNICIPAL_SPECIALIST,
        Role.TUTOR,
        Role.CNPPM_HEAD,
        Role.DIRECTOR,
        Role.DEPUTY,
    }
)


class User(AbstractUser):
    patronymic = models.CharField("отчество", max_length=150, blank=True)

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """«Иванова Мария Петровна», or the login when no name is known."""
        parts = [self.last_name, self.first_name, self.patronymic]
        return " ".join(part for part in parts if part) or self.username

    @property
    def short_name(self) -> str:
        """«Иванова М. П.» as in Russian documents."""
        initials = " ".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{self.last_name} {initials}".strip() or self.username


class Membership(models.Model):
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="пользователь",
        db_index=False,  # membership_unique leads with it
    )
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "organizations.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="регион",
    )
    municipality = models.ForeignKey(
        "organizations.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="муниципальное образование",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="организация",
    )
    created_at = models.DateTimeField("выдана", auto_now_add=True)

    class Meta:
        verbose_name = "роль пользователя"
        verbose_name_plural = "роли пользователей"
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role__in=REGION_ROLES,
                        region__isnull=False,
                        municipality__isnull=True,
                        organization__isnull=True,
                    )
                    | Q(
                        role__in=MUNICIPALITY_ROLES,
                        region__isnull=True,
                        municipality__isnull=False,
                        organization__isnull=True,
                    )
                    | Q(
                        role__in=ORGANIZATION_ROLES,
                        region__isnull=True,
                        municipality__isnull=True,
                        organization__isnull=False,
                    )
                ),
                violation_error_message="Область действия не соответствует роли: "
                "региональная роль — регион, муниципальная — муниципалитет, роль в ОО — организация.",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region", "municipality", "organization"],
                name="membership_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} ({self.scope})"

    @property
    def scope(self) -> object:
        return self.organization or self.municipality or self.region


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "ожидает отправки"
    SENT = "sent", "отправлено"
    FAILED = "failed", "не отправлено, будет повтор"
    ACCEPTED = "accepted", "принято"


class Invitation(models.Model):
    """A one-time link to set a password, sent to a person given a role (the outbox row of the
    letter too: written in the transaction that grants the role, sent after it commits).

    The link carries a signature of (id, nonce); re-sending draws a new nonce, so an older link
    stops working, and accepting it ends them all.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name="пользователь"
    )
    email = models.EmailField("адрес")
    role = models.CharField("роль", max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="организация",
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="пригласил",
    )
    nonce = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)
    expires_at = models.DateTimeField("действует до")
    accepted_at = models.DateTimeField("принято", null=True, blank=True)

    class Meta:
        verbose_name = "приглашение"
        verbose_name_plural = "приглашения"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="invitation_status")]

    def __str__(self) -> str:
        return f"Приглашение {self.email}"

    @property
    def message_id(self) -> str:
        return f"<invitation-{self.pk}-{self.nonce[:12]}@cmn>"
