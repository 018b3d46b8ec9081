"""What an attacker's review of «Сотрудники и доступ» found, held shut: names that are no names,
another school's invitation, a switched-off account's link, someone else's account renamed, two
managers removing each other at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from accounts.invitations import (
    InvitationError,
    Person,
    invitation_for_token,
    invitation_token,
    role_grant,
)
from accounts.members import MemberError, membership_end
from accounts.models import Invitation, Membership, Role, User
from organizations.models import Organization
from tests.conftest import host_client


@pytest.mark.parametrize(
    "name",
    [
        "Иванова Мария " + " ".join(["Ж" * 94] * 3),  # a patronymic of 284 characters
        "Мария срочно войдите https://evil.example/login",
        "Иванова\u200bМария Петровна",
        "Иванова <b>Мария</b>",
    ],
)
def test_a_name_that_is_no_name_is_refused_in_the_form_not_a_500(world, name):
    client = host_client("alpha.localhost", world.alice)
    page = client.post(
        "/people/invite/", {"full_name": name, "email": "x@alpha.example.ru", "role": "mentor"}
    )
    assert page.status_code == 400
    assert not User.objects.filter(username="x@alpha.example.ru").exists()
    regional = host_client("localhost", world.olga).post(
        "/people/", {"full_name": name, "email": "y@mo.example.ru", "role": "tutor"}
    )
    assert regional.status_code == 400


def test_another_schools_invitation_of_the_same_person_leaves_this_one_working(world):
    alpha = role_grant(person=Person("victim@ex.ru", "Жертвина", "Вера"), role=Role.COORDINATOR,
                       scope=world.alpha, invited_by=world.alice)  # fmt: skip
    token = invitation_token(alpha.invitation)
    beta = role_grant(person=Person("victim@ex.ru", "Жертвина", "Вера"), role=Role.MENTOR,
                      scope=world.beta, invited_by=world.charlie)  # fmt: skip
    assert beta.invitation.pk != alpha.invitation.pk
    assert invitation_for_token(token).organization == world.alpha
    membership_end(organization=world.beta, user=beta.membership.user, by=world.charlie)
    assert Invitation.objects.filter(pk=alpha.invitation.pk).exists()
    resend = host_client("alpha.localhost", world.alice).post(f"/people/{alpha.membership.user.pk}/resend/",
                                                             follow=True)  # fmt: skip
    assert "Новое приглашение отправлено на victim@ex.ru" in resend.content.decode()


def test_a_switched_off_accounts_link_does_not_open(world):
    granted = role_grant(person=Person("off@ex.ru", "Отключенова", "Ольга"), role=Role.MENTOR,
                         scope=world.alpha, invited_by=None)  # fmt: skip
    User.objects.filter(pk=granted.membership.user.pk).update(is_active=False)
    with pytest.raises(InvitationError, match="отключена"):
        invitation_for_token(invitation_token(granted.invitation))


def test_inviting_someone_elses_address_changes_nothing_of_their_account(world):
    world.olga.email = "olga@region.example.ru"
    world.olga.patronymic = ""
    world.olga.save()
    role_grant(person=Person("OLGA@region.example.ru", "Хакерова", "Хакерина", "Взломовна"),
               role=Role.COORDINATOR, scope=world.alpha, invited_by=world.alice)  # fmt: skip
    world.olga.refresh_from_db()
    assert world.olga.display_name == "Ольгина Ольга"


@pytest.fixture
def two_coordinators(
    django_db_setup, django_db_blocker
) -> Iterator[tuple[Organization, User, User]]:  # type: ignore[no-untyped-def]
    """A school whose only managers are two coordinators (committed: two connections see it)."""
    with django_db_blocker.unblock():
        school = Organization.objects.get(slug="beta")
        saved = list(Membership.objects.filter(organization=school).values("user_id", "role"))
        Membership.objects.filter(organization=school).delete()
        first = User.objects.create_user("race.one", last_name="Первая", first_name="Анна")
        second = User.objects.create_user("race.two", last_name="Вторая", first_name="Вера")
        for user in (first, second):
            Membership.objects.create(user=user, role=Role.COORDINATOR, organization=school)
        yield school, first, second
        Membership.objects.filter(organization=school).delete()
        Membership.objects.bulk_create([Membership(organization=school, **row) for row in saved])
        from accounts.services import user_delete

        for user in (first, second):
            user_delete(user=user)


def test_two_coordinators_removing_each_other_at_once_leave_one(two_coordinators):
    from tests.mentoring.test_concurrency import _at_once

    school, first, second = two_coordinators

    def end(user: User, by: User):  # type: ignore[no-untyped-def]
        def call() -> str:
            with transaction.atomic():
                membership_end(organization=school, user=user, by=by)
            return "ended"

        return call

    results = _at_once(school, end(first, second), end(second, first))
    assert sorted(type(r).__name__ if isinstance(r, Exception) else r for r in results) == [
        "MemberError", "ended",
    ], results  # fmt: skip
    assert Membership.objects.filter(organization=school, role=Role.COORDINATOR).count() == 1
    assert any(
        isinstance(r, MemberError) and "последний руководитель или куратор" in str(r)
        for r in results
    )
