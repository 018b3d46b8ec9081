"""Giving people accounts: a role granted to an e-mail address, and the one-time link by which
the person sets a password.

The `Invitation` row is the letter's outbox: it is written in the transaction that grants the
role, and a task sends it once that commits (dispatch.send_on_commit keeps the task in
PostgreSQL if Redis is down). The letter carries a fixed Message-ID, so a worker that died
between «accepted by the mail server» and «recorded as sent» is settled by asking the mail store
(messaging.channels.email_delivered), not by sending it twice.

The link is signed with SECRET_KEY over (invitation id, nonce) and works for
INVITATION_DAYS days, once: accepting sets the password and marks the invitation accepted;
re-sending draws a new nonce, so the earlier link stops working.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    ORGANIZATION_ROLES,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    User,
)
from core.links import site_url
from core.tokens import new_token
from organizations.models import Municipality, Organization, Region

log = logging.getLogger(__name__)

INVITATION_DAYS = 7
MAX_ATTEMPTS = 5
_SALT = "accounts.invitation"


class InvitationError(Exception):
    """A link that cannot be used (expired, replaced, already used); the message is Russian."""


@dataclass(frozen=True)
class Person:
    """Who is invited: the e-mail is the login; the name is how letters and documents say it."""

    email: str
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""


@dataclass(frozen=True)
class Granted:
    membership: Membership
    invitation: Invitation | None  # None: the person already has a password and was told so
    created_user: bool


def normalized_email(email: str) -> str:
    return email.strip().lower()


# A name is letters (Cyrillic or Latin), spaces, hyphens, apostrophes and dots: what a person's
# name holds, and nothing a letter could carry as a link or an instruction.
NAME_PART = re.compile(r"^[A-Za-zА-Яа-яЁё]+(?:[-'’.][A-Za-zА-Яа-яЁё]*)*$")
NAME_MAX = 150  # User.first_name / last_name / patronymic


def name_problem(full_name: str) -> str:
    """Why «Иванова Мария Петровна» cannot be a person's name (Russian), or ""."""
    parts = full_name.split()
    if len(parts) < 2:
        return "укажите фамилию и имя (и отчество, если есть)."
    if not all(NAME_PART.match(part) for part in parts):
        return "в ФИО могут быть только буквы, пробелы, дефис и апостроф."
    if any(len(part) > NAME_MAX for part in parts[:2]) or len(" ".join(parts[2:])) > NAME_MAX:
        return f"фамилия, имя и отчество — не длиннее {NAME_MAX} символов каждое."
    return ""


def person_of(full_name: str, email: str) -> Person:
    """«Иванова Мария Петровна» → surname, name, patronymic (the rest)."""
    parts = full_name.split()
    return Person(email=email, last_name=parts[0] if parts else "",
                  first_name=parts[1] if len(parts) > 1 else "", patronymic=" ".join(parts[2:]))  # fmt: skip


def _user_for(person: Person) -> tuple[User, bool]:
    email = normalized_email(person.email)
    user = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if user is not None:
        # Someone else's account: the role is given, nothing of the account is changed.
        return user, False
    user = User(
        username=email,
        email=email,
        last_name=person.last_name.strip(),
        first_name=person.first_name.strip(),
        patronymic=person.patronymic.strip(),
    )
    user.set_unusable_password()
    user.save()
    return user, True


def _scope(role: str, scope: Organization | Municipality | Region) -> dict[str, Any]:
    if role in ORGANIZATION_ROLES:
        assert isinstance(scope, Organization)
        return {"organization": scope}
    if role == Role.MUNICIPAL_SPECIALIST:
        assert isinstance(scope, Municipality)
        return {"municipality": scope}
    assert isinstance(scope, Region)
    return {"region": scope}


@transaction.atomic
def role_grant(
    *,
    person: Person,
    role: str,
    scope: Organization | Municipality | Region,
    invited_by: User | None,
    now: dt.datetime | None = None,
) -> Granted:
    """The person's account (found by e-mail or created without a password), the role in the
    scope, and, unless they already set a password, an invitation sent after commit."""
    user, created = _user_for(person)
    membership, _ = Membership.objects.get_or_create(user=user, role=role, **_scope(role, scope))
    invitation = None
    if not user.has_usable_password():
        organization = scope if isinstance(scope, Organization) else None
        invitation = _invitation_issue(
            user=user, role=role, organization=organization, invited_by=invited_by, now=now
        )
    return Granted(membership=membership, invitation=invitation, created_user=created)


def _invitation_issue(
    *,
    user: User,
    role: str,
    organization: Organization | None,
    invited_by: User | None,
    now: dt.datetime | None,
) -> Invitation:
    """One live invitation per person and organisation (another school inviting the same
    person does not replace this one): an open one is renewed (new link), else a new one."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(user=user, organization=organization, accepted_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if invitation is None:
        invitation = Invitation(user=user)
    invitation.email = user.email
    invitation.role = role
    invitation.organization = organization
    invitation.invited_by = invited_by
    invitation.nonce = new_token()
    invitation.status = InvitationStatus.PENDING
    invitation.attempts = 0
    invitation.last_error = ""
    invitation.sent_at = None
    invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    invitation.save()
    _send_after_commit(invitation)
    return invitation


def _send_after_commit(invitation: Invitation) -> None:
    from django_tenants.utils import get_public_schema_name

    from dispatch.services import send_on_commit
    from tasks.accounts import invitation_send_task

    send_on_commit(invitation_send_task, get_public_schema_name(), invitation.pk)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User | None) -> Invitation:
    """A new link valid another INVITATION_DAYS days; the old one stops working."""
    if invitation.accepted_at is not None:
        raise InvitationError("Приглашение уже принято: пароль задан.")
    return _invitation_issue(
        user=invitation.user,
        role=invitation.role,
        organization=invitation.organization,
        invited_by=by or invitation.invited_by,
        now=None,
    )


# The link ------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accounts:invitation", args=[invitation_token(invitation)])
    slug = invitation.organization.slug if invitation.organization_id else ""  # type: ignore[union-attr]
    return site_url(path, slug=slug)


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation:
    """The invitation the link stands for, or InvitationError saying why it cannot be used."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=_SALT, max_age=dt.timedelta(days=INVITATION_DAYS + 1))
    except signing.SignatureExpired as error:
        raise InvitationError(_EXPIRED) from error
    except signing.BadSignature as error:
        raise InvitationError("Ссылка неверна: проверьте, что она скопирована целиком.") from error
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        raise InvitationError("Ссылка неверна: проверьте, что она скопирована целиком.")
    invitation = (
        Invitation.objects.select_related("user", "organization").filter(pk=data["i"]).first()
    )
    if invitation is None:
        raise InvitationError("Приглашение отозвано.")
    if not invitation.user.is_active:
        raise InvitationError("Учётная запись отключена. Обратитесь к тому, кто вас пригласил.")
    if invitation.accepted_at is not None or invitation.user.has_usable_password():
        raise InvitationError(
            "По этой ссылке пароль уже задан. Войдите с ним или восстановите пароль по почте."
        )
    if invitation.nonce != data.get("n"):
        raise InvitationError(
            "Эта ссылка заменена новой: откройте последнее письмо с приглашением."
        )
    if invitation.expires_at <= now:
        raise InvitationError(_EXPIRED)
    return invitation


_EXPIRED = (
    f"Срок действия ссылки ({INVITATION_DAYS} дней) истёк. Попросите того, кто вас пригласил, "
    "отправить приглашение ещё раз."
)


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the password (the validators' Russian messages as ValidationError) and close the
    invitation; the same link cannot be used again."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError("По этой ссылке пароль уже задан.")
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        accepted_at=now, status=InvitationStatus.ACCEPTED
    )
    return user


# Sending ---------------------------------------------------------------------------------


def _letter(invitation: Invitation) -> tuple[str, str]:
    role = Role(invitation.role).label
    where = (
        invitation.organization.short_name
        if invitation.organization
        else "платформа наставничества"
    )
    user = invitation.user
    greeting = " ".join(p for p in (user.first_name, user.patronymic) if p)
    lines = [
        f"Здравствуйте{', ' + greeting if greeting else ''}!",
        "",
        f"Вам выдана роль «{role}» ({where}) на платформе целевой модели наставничества.",
    ]
    if invitation.invited_by:
        lines.append(f"Пригласил(а): {invitation.invited_by.display_name}.")
    lines += [
        "",
        "Чтобы войти, задайте пароль по ссылке:",
        invitation_url(invitation),
        "",
        f"Ссылка действует до {timezone.localtime(invitation.expires_at):%d.%m.%Y %H:%M} (МСК) "
        "и только один раз. Ваш логин — адрес этой почты.",
        "",
        "Если вы не ждали этого письма, просто не открывайте ссылку.",
    ]
    return f"Приглашение на платформу наставничества: {where}", "\n".join(lines)


def invitation_send(*, invitation_id: int) -> str:
    """Send the letter once: leased by a row lock; a retry first asks the mail store whether the
    previous attempt arrived."""
    from messaging.channels import email_delivered, send_email

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "organization", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return "locked-or-gone"
        if invitation.status not in (InvitationStatus.PENDING, InvitationStatus.FAILED):
            return invitation.status
        if invitation.attempts >= MAX_ATTEMPTS:
            return "dead"
        if invitation.attempts and email_delivered(invitation.message_id):
            _mark_sent(invitation)
            return "reconciled"
        invitation.attempts += 1
        Invitation.objects.filter(pk=invitation.pk).update(attempts=invitation.attempts)
        subject, body = _letter(invitation)
        try:
            send_email(to=invitation.email, subject=subject, body=body,
                       message_id=invitation.message_id)  # fmt: skip
        except Exception as error:
            log.warning("invitation %s not sent", invitation.pk, exc_info=True)
            Invitation.objects.filter(pk=invitation.pk).update(
                status=InvitationStatus.FAILED, last_error=str(error)[:1000]
            )
            return "failed"
        _mark_sent(invitation)
        return "sent"


def _mark_sent(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SENT, sent_at=timezone.now(), last_error=""
    )


def invitations_retry(*, now: dt.datetime | None = None) -> int:
    """Beat: letters still pending a minute after they were written (their task was lost) or
    failed, sent again while attempts are left."""
    now = now or timezone.now()
    ids = list(
        Invitation.objects.filter(
            status__in=[InvitationStatus.PENDING, InvitationStatus.FAILED],
            attempts__lt=MAX_ATTEMPTS,
            expires_at__gt=now,
            created_at__lte=now - dt.timedelta(minutes=1),
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        invitation_send(invitation_id=pk)
    return len(ids)
