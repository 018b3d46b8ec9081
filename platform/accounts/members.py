"""The people of one organisation, municipality or region as their managers see them: who holds
which role, who has not logged in yet; inviting, changing roles, ending a membership.

Who may grant what: a director grants every role of the organisation, a coordinator every role
but the director's; the regional operator grants the roles of the region (municipal specialists,
ЦНППМ tutors, other operators); a municipal specialist invites the specialists of their
municipality. Nobody removes the organisation's last manager (someone must be able to invite
the next one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.invitations import Granted, Person, role_grant
from accounts.models import (
    ORGANIZATION_MANAGER_ROLES,
    ORGANIZATION_ROLES,
    SIGNING_ROLES,
    Invitation,
    Membership,
    Role,
    User,
)
from organizations.models import Municipality, Organization, Region


class MemberError(Exception):
    """A change refused; the message is Russian and names what to do instead."""


def grantable_roles(*, roles: frozenset[str]) -> list[Role]:
    """The organisation roles the acting member may give (and take back)."""
    if Role.DIRECTOR in roles:
        return [Role(r) for r in ORGANIZATION_ROLES]
    if roles & {Role.COORDINATOR, Role.DEPUTY}:
        return [Role(r) for r in ORGANIZATION_ROLES if r not in SIGNING_ROLES]
    return []


@dataclass
class Member:
    user: User
    roles: list[str] = field(default_factory=list)
    invitation: Invitation | None = None
    scopes: list[str] = field(default_factory=list)  # «Северный район», the region's name…
    removable: bool = False  # may the manager looking at the list end this membership

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles]

    @property
    def never_logged_in(self) -> bool:
        return self.user.last_login is None

    @property
    def status(self) -> str:
        """What the manager needs to know: can the person get in yet?"""
        if self.user.has_usable_password():
            if self.user.last_login is None:
                return "пароль задан, ещё не входил(а)"
            return f"последний вход {timezone.localtime(self.user.last_login):%d.%m.%Y}"
        invitation = self.invitation
        if invitation is None:
            return "приглашение не отправлено"
        if invitation.expires_at <= timezone.now():
            return "приглашение истекло — отправьте снова"
        return f"приглашение {invitation.get_status_display()}, действует до {timezone.localtime(invitation.expires_at):%d.%m.%Y}"


def _members(memberships: list[Membership]) -> list[Member]:
    by_user: dict[int, Member] = {}
    for membership in memberships:
        member = by_user.setdefault(membership.user_id, Member(user=membership.user))
        member.roles.append(membership.role)
        where = str(membership.scope)
        if where not in member.scopes:
            member.scopes.append(where)
    open_invitations = {
        i.user_id: i
        for i in Invitation.objects.filter(user_id__in=by_user, accepted_at__isnull=True).order_by(
            "created_at"
        )
    }
    for user_id, member in by_user.items():
        member.invitation = open_invitations.get(user_id)
        order = list(Role)
        member.roles.sort(key=lambda r: order.index(Role(r)))
    return sorted(by_user.values(), key=lambda m: (m.user.display_name.casefold(), m.user.pk))


def organization_members(*, organization: Organization) -> list[Member]:
    return _members(
        list(Membership.objects.filter(organization=organization).select_related("user"))
    )


def region_members(*, region: Region, municipality: Municipality | None = None) -> list[Member]:
    """Operators and tutors of the region and the specialists of its municipalities (or of one)."""
    if municipality is not None:
        scope = Membership.objects.filter(municipality=municipality)
    else:
        scope = Membership.objects.filter(region=region) | Membership.objects.filter(
            municipality__region=region
        )
    return _members(list(scope.select_related("user", "municipality", "region")))


def member_invite(
    *,
    organization: Organization,
    person: Person,
    role: str,
    by: User,
    by_roles: frozenset[str],
) -> Granted:
    if Role(role) not in grantable_roles(roles=by_roles):
        raise MemberError(
            "Роли руководителя и заместителя, подписывающего приказы, выдаёт только руководитель."
        )
    return role_grant(person=person, role=role, scope=organization, invited_by=by)


@transaction.atomic
def member_roles_set(
    *,
    organization: Organization,
    user: User,
    roles: set[str],
    by: User,
    by_roles: frozenset[str],
) -> None:
    """The member's roles in the organisation become exactly `roles` (none: ends membership)."""
    allowed = {str(r) for r in grantable_roles(roles=by_roles)}
    _lock_members(organization)
    current = set(
        Membership.objects.filter(organization=organization, user=user).values_list(
            "role", flat=True
        )
    )
    changed = current ^ roles
    if changed - allowed:
        raise MemberError(
            "Роли руководителя и заместителя может выдать или снять только руководитель."
        )
    if not roles:
        membership_end(organization=organization, user=user, by=by)
        return
    _keep_a_manager(organization, user, roles)
    Membership.objects.filter(
        organization=organization, user=user, role__in=current - roles
    ).delete()
    for role in roles - current:
        Membership.objects.create(organization=organization, user=user, role=role)


def _lock_members(organization: Organization) -> None:
    """Every membership of the organisation, locked in one order: two managers removing each
    other at once cannot both pass the «someone else still manages» check."""
    list(
        Membership.objects.select_for_update()
        .filter(organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _keep_a_manager(organization: Organization, user: User, roles_after: set[str]) -> None:
    others = (
        Membership.objects.filter(organization=organization, role__in=ORGANIZATION_MANAGER_ROLES)
        .exclude(user=user)
        .exists()
    )
    if not others and not roles_after & ORGANIZATION_MANAGER_ROLES:
        raise MemberError(
            "Это последний руководитель или куратор организации: сначала выдайте эту роль "
            "другому сотруднику."
        )


@transaction.atomic
def membership_end(*, organization: Organization, user: User, by: User | None) -> None:
    """The person leaves the organisation: roles, their calendar address, the open links of
    their card (questionnaires, the choice of a mentor) and an unused invitation end at once."""
    from django_tenants.utils import schema_context

    from tenants.mentoring.models import CandidateOffer
    from tenants.participants.models import Invitation as QuestionnaireLink
    from tenants.participants.models import Participant
    from tenants.roadmap.models import CalendarFeed

    _lock_members(organization)
    if not Membership.objects.filter(organization=organization, user=user).exists():
        return
    _keep_a_manager(organization, user, set())
    Membership.objects.filter(organization=organization, user=user).delete()
    Invitation.objects.filter(
        organization=organization, user=user, accepted_at__isnull=True
    ).delete()
    now = timezone.now()
    with schema_context(organization.schema_name):
        CalendarFeed.objects.filter(user=user).delete()
        cards = list(Participant.objects.filter(user=user).values_list("pk", flat=True))
        yesterday = organization.local_today() - dt.timedelta(days=1)
        QuestionnaireLink.objects.filter(participant_id__in=cards, answered_at__isnull=True).update(
            expires_on=yesterday
        )
        CandidateOffer.objects.filter(
            mentee_id__in=cards, chosen_at__isnull=True, closed_at__isnull=True
        ).update(closed_at=now)
        Participant.objects.filter(pk__in=cards).update(user=None)


@transaction.atomic
def participant_account_give(
    *, organization: Organization, participant_id: int, email: str, by: User,
    by_roles: frozenset[str],
) -> Granted:  # fmt: skip
    """An account for a person of the banks: mentor and/or mentee roles, the card linked to it.

    A minor's account is optional and goes to the parent's (legal representative's) address,
    and only once a valid consent signed by them is on the card.
    """
    from django_tenants.utils import schema_context

    from tenants.participants.models import Participant
    from tenants.participants.services import consent_check

    with schema_context(organization.schema_name):
        participant = Participant.objects.select_for_update().get(pk=participant_id)
        today = organization.local_today()
        if (
            participant.is_minor(today)
            and not consent_check(participant=participant, today=today).ok
        ):
            raise MemberError(
                "Несовершеннолетнему учётная запись выдаётся после согласия родителя "
                "(законного представителя) на обработку персональных данных."
            )
        roles = [Role.MENTOR] if participant.is_mentor else []
        roles += [Role.MENTEE] if participant.is_mentee else []
        person = Person(email=email, last_name=participant.last_name,
                        first_name=participant.first_name, patronymic=participant.patronymic)  # fmt: skip
        granted = None
        for role in roles:
            granted = member_invite(organization=organization, person=person, role=role, by=by,
                                    by_roles=by_roles)  # fmt: skip
        assert granted is not None
        Participant.objects.filter(pk=participant.pk).update(user=granted.membership.user)
        if not participant.email and not participant.is_minor(today):
            Participant.objects.filter(pk=participant.pk).update(email=email.strip().lower())
    return granted


def founders_waiting(
    *, region: Region, municipality: Municipality | None = None
) -> list[Invitation]:
    """Invitations of the directors and coordinators of the region's (or one municipality's)
    organisations that nobody has accepted: the regional layer sends them again when a school
    cannot (its only director's link expired)."""
    invitations = Invitation.objects.filter(
        accepted_at__isnull=True, role__in=[Role.DIRECTOR, Role.COORDINATOR],
        organization__municipality__region=region,
    ).select_related("user", "organization__municipality")  # fmt: skip
    if municipality is not None:
        invitations = invitations.filter(organization__municipality=municipality)
    return list(invitations.order_by("organization__short_name", "role"))
