"""Invitations: a role given to an e-mail address, one letter, a one-time link to set a password."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.invitations import (
    INVITATION_DAYS,
    InvitationError,
    Person,
    invitation_for_token,
    invitation_resend,
    invitation_send,
    invitation_token,
    invitations_retry,
    role_grant,
)
from accounts.models import Invitation, InvitationStatus, Membership, Role, User
from dispatch.models import PendingTask
from tests.conftest import host_client

NEW_PASSWORD = "Весна-в-школе-2026"
IVANOVA = Person(email="Ivanova@School.example.ru", last_name="Иванова", first_name="Мария",
                 patronymic="Петровна")  # fmt: skip


def _link() -> str:
    [message] = mail.outbox
    found = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_a_role_for_a_new_address_creates_the_account_without_a_password_and_one_letter(world):
    granted = role_grant(person=IVANOVA, role=Role.COORDINATOR, scope=world.alpha,
                         invited_by=world.alice)  # fmt: skip
    user = granted.membership.user
    assert granted.created_user and user.username == "ivanova@school.example.ru"
    assert not user.has_usable_password() and user.display_name == "Иванова Мария Петровна"
    assert PendingTask.objects.filter(task="accounts.invitation_send").exists()  # after commit
    assert granted.invitation is not None
    assert invitation_send(invitation_id=granted.invitation.pk) == "sent"
    assert invitation_send(invitation_id=granted.invitation.pk) == "sent"  # not twice
    [message] = mail.outbox
    assert message.to == ["ivanova@school.example.ru"]
    assert "Здравствуйте, Мария Петровна!" in message.body
    assert "«Куратор (координатор) наставничества» (МБОУ «Школа Альфа»)" in message.body
    assert "Пригласил(а): Алексеева Алиса Петровна." in message.body
    assert "http://alpha.localhost:8000/accounts/invitation/" in message.body
    assert message.extra_headers["Message-ID"] == granted.invitation.message_id


def test_the_invited_person_sets_a_password_once_and_is_logged_in(world):
    granted = role_grant(person=IVANOVA, role=Role.COORDINATOR, scope=world.alpha, invited_by=None)
    invitation_send(invitation_id=granted.invitation.pk)
    path = _path(_link())
    client = host_client("alpha.localhost")
    page = client.get(path).content.decode()
    assert "Иванова Мария Петровна, вам выдана роль «Куратор (координатор) наставничества»" in page
    weak = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "Введённый пароль слишком широко распространён" in (
        weak.content.decode()
    )
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").status_code == 200  # logged in, a member of Alpha
    user = User.objects.get(username="ivanova@school.example.ru")
    assert user.check_password(NEW_PASSWORD)
    again = host_client("alpha.localhost").get(path)
    assert again.status_code == 410 and "пароль уже задан" in again.content.decode()
    # Later, the e-mail in any case is the login.
    other = host_client("alpha.localhost")
    login = other.post("/accounts/login/", {"username": " IVANOVA@school.example.ru",
                                            "password": NEW_PASSWORD})  # fmt: skip
    assert login.status_code == 302


def test_a_resent_invitation_replaces_the_link_and_an_old_link_says_so(world):
    granted = role_grant(person=IVANOVA, role=Role.MENTOR, scope=world.alpha, invited_by=None)
    first = invitation_token(granted.invitation)
    renewed = invitation_resend(invitation=granted.invitation, by=world.alice)
    assert renewed.pk == granted.invitation.pk and renewed.status == InvitationStatus.PENDING
    with pytest.raises(InvitationError, match="заменена новой"):
        invitation_for_token(first)
    assert invitation_for_token(invitation_token(renewed)).pk == renewed.pk
    page = host_client("alpha.localhost").get(f"/accounts/invitation/{first}/")
    assert page.status_code == 410 and "откройте последнее письмо" in page.content.decode()


def test_a_link_works_seven_days_and_a_forged_one_never(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), tick=False)
    granted = role_grant(person=IVANOVA, role=Role.MENTOR, scope=world.alpha, invited_by=None)
    token = invitation_token(granted.invitation)
    time_machine.move_to(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=INVITATION_DAYS, minutes=-1), tick=False)  # fmt: skip
    assert invitation_for_token(token).pk == granted.invitation.pk
    time_machine.move_to(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=INVITATION_DAYS, minutes=1), tick=False)  # fmt: skip
    with pytest.raises(InvitationError, match="Срок действия ссылки"):
        invitation_for_token(token)
    for forged in (token[:-2] + "xx", "", "a" * 5000, "%00", "Ж"):
        with pytest.raises(InvitationError, match="Ссылка неверна"):
            invitation_for_token(forged)
    assert host_client("alpha.localhost").get("/accounts/invitation/abc/").status_code == 410


def test_someone_who_has_a_password_gets_the_role_without_an_invitation(world):
    world.bob.email = "bob@alpha.example.ru"
    world.bob.save()
    granted = role_grant(person=Person(email="BOB@alpha.example.ru"), role=Role.COORDINATOR,
                         scope=world.alpha, invited_by=world.alice)  # fmt: skip
    assert granted.invitation is None and not granted.created_user
    assert granted.membership.user == world.bob
    assert set(Membership.objects.filter(user=world.bob).values_list("role", flat=True)) == {
        Role.MENTOR, Role.COORDINATOR,
    }  # fmt: skip


def test_a_letter_the_mail_server_refused_is_retried_by_beat(world, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    granted = role_grant(person=IVANOVA, role=Role.MENTOR, scope=world.alpha, invited_by=None)
    assert invitation_send(invitation_id=granted.invitation.pk) == "failed"
    failed = Invitation.objects.get(pk=granted.invitation.pk)
    assert failed.status == InvitationStatus.FAILED and failed.attempts == 1 and failed.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations_retry() == 0  # a fresh one is its own task's to send
    time_machine.shift(dt.timedelta(minutes=2))
    assert invitations_retry() == 1
    assert Invitation.objects.get(pk=failed.pk).status == InvitationStatus.SENT
    assert len(mail.outbox) == 1
