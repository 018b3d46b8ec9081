"""The first-run checklist of a new organisation: what to set up before the first pair, each
step ticked by what the organisation actually did (never by a click on «готово»)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.models import Invitation, Membership
from organizations.models import Organization


@dataclass(frozen=True)
class Step:
    title: str
    hint: str
    url: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


def first_run_checklist(*, organization: Organization, academic_year: int) -> Checklist:
    from tenants.mentoring.models import Form, Pair, PairStatus
    from tenants.participants.models import Participant

    people = Membership.objects.filter(organization=organization)
    invited = (
        Invitation.objects.filter(organization=organization, invited_by__isnull=False).exists()
        or people.values("user").distinct().count() > 2
    )
    in_banks = Participant.objects.filter(academic_year=academic_year).in_banks()
    steps = [
        Step(
            "Проверьте сведения об организации",
            "Наименование, адрес и место издания приказов, часовой пояс: их печатают документы.",
            reverse("profile"),
            organization.profile_confirmed_at is not None,
        ),
        Step(
            "Проверьте дорожную карту и впишите, чем она утверждена",
            "Типовая дорожная карта для вашего типа организации уже создана: проверьте сроки и "
            "ответственных, впишите реквизиты приказа об утверждении — или загрузите свою из DOCX.",
            reverse("roadmap:settings") + f"?year={academic_year}",
            _roadmap_reviewed(academic_year),
        ),
        Step(
            "Пригласите сотрудников",
            "Руководителя, кураторов, педагогов-наставников: каждому придёт ссылка для входа.",
            reverse("people"),
            invited,
        ),
        Step(
            "Загрузите базы наставников и наставляемых",
            "Из таблицы Excel по шаблону или по одному; для несовершеннолетних — согласия родителей.",
            reverse("participants:import"),
            in_banks.mentors().exists() and in_banks.mentees().exists(),
        ),
        Step(
            "Отметьте формы наставничества",
            "Какие формы из целевой модели внедряет организация: «ученик – ученик», "
            "«учитель – учитель»…",
            reverse("mentoring:forms"),
            Form.objects.filter(in_use=True).exists(),
        ),
        Step(
            "Сформируйте первую пару и утвердите приказом",
            "Подбор наставника, проект приказа, подпись руководителя.",
            reverse("mentoring:board"),
            Pair.objects.filter(
                academic_year=academic_year,
                status__in=[PairStatus.APPROVED, PairStatus.ACTIVE, PairStatus.COMPLETED],
            ).exists(),
        ),
    ]
    return Checklist(steps)


def _roadmap_reviewed(academic_year: int) -> bool:
    """The year's roadmap has items and the school made it its own: the approval recorded, or
    an item changed by a person (not the template's creation)."""
    from tenants.roadmap.models import ItemChange, Roadmap

    roadmap = Roadmap.objects.filter(academic_year=academic_year, items__isnull=False).first()
    if roadmap is None:
        return False
    return (
        bool(roadmap.approval)
        or ItemChange.objects.filter(roadmap=roadmap, user__isnull=False).exists()
    )
