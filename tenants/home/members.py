"""«Сотрудники и доступ»: the organisation's members, invitations, roles, ending a membership."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import AccountForParticipantForm, InviteForm
from accounts.members import (
    MemberError,
    grantable_roles,
    member_invite,
    member_roles_set,
    membership_end,
    organization_members,
    participant_account_give,
)
from accounts.models import Invitation, Membership, User
from accounts.permissions import acting_user, manager_required
from accounts.views import invitation_resend_reply, role_granted_message
from core.requests import TenantRequest


def _actor(request: TenantRequest) -> User:
    user = acting_user(request)
    assert user is not None  # behind the membership middleware
    return user


def _choices(request: TenantRequest) -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in grantable_roles(roles=request.roles)]


@manager_required
def people(request: TenantRequest) -> HttpResponse:
    return _people_page(request)


def _people_page(request: TenantRequest, form: InviteForm | None = None) -> HttpResponse:
    organization = request.tenant
    members = organization_members(organization=organization)
    grantable = {value for value, _ in _choices(request)}
    for member in members:  # whom this manager may remove: no director for a coordinator
        member.removable = set(member.roles) <= grantable
    return render(
        request,
        "home/people.html",
        {
            "members": members,
            "form": form or InviteForm(roles=_choices(request)),
            "grantable": _choices(request),
            "waiting": sum(1 for m in members if m.never_logged_in),
            "me": request.user.pk,
        },
        status=400 if form is not None else 200,
    )


@manager_required
@require_POST
def people_invite(request: TenantRequest) -> HttpResponse:
    form = InviteForm(request.POST, roles=_choices(request))
    if not form.is_valid():
        return _people_page(request, form=form)
    try:
        granted = member_invite(
            organization=request.tenant, person=form.person(), role=form.cleaned_data["role"],
            by=_actor(request), by_roles=request.roles,
        )  # fmt: skip
    except (MemberError, ValidationError) as error:
        form.add_error(
            None, str(error.messages[0] if isinstance(error, ValidationError) else error)
        )
        return _people_page(request, form=form)
    role_granted_message(request, granted)
    return redirect("people")


def _member(request: TenantRequest, user_id: int) -> User:
    if not Membership.objects.filter(organization=request.tenant, user_id=user_id).exists():
        raise Http404("Такого сотрудника в организации нет.")
    return get_object_or_404(User, pk=user_id)


@manager_required
@require_POST
def people_roles(request: TenantRequest, user_id: int) -> HttpResponse:
    user = _member(request, user_id)
    known = {value for value, _ in _choices(request)}
    current = set(Membership.objects.filter(organization=request.tenant, user=user)
                  .values_list("role", flat=True))  # fmt: skip
    wanted = {r for r in request.POST.getlist("roles") if r in known} | (current - known)
    try:
        member_roles_set(organization=request.tenant, user=user, roles=wanted,
                         by=_actor(request), by_roles=request.roles)  # fmt: skip
    except MemberError as error:
        messages.error(request, str(error))
        return redirect("people")
    messages.success(request, f"Роли сотрудника {user.display_name} сохранены.")
    return redirect("people")


@manager_required
@require_POST
def people_end(request: TenantRequest, user_id: int) -> HttpResponse:
    user = _member(request, user_id)
    current = set(Membership.objects.filter(organization=request.tenant, user=user)
                  .values_list("role", flat=True))  # fmt: skip
    if current - {value for value, _ in _choices(request)}:
        messages.error(request, "Руководителя может исключить только руководитель.")
        return redirect("people")
    try:
        membership_end(organization=request.tenant, user=user, by=_actor(request))
    except MemberError as error:
        messages.error(request, str(error))
        return redirect("people")
    messages.success(
        request,
        f"{user.display_name} больше не состоит в организации: доступ, календарь и личные "
        "ссылки закрыты.",
    )
    return redirect("people")


@manager_required
@require_POST
def people_resend(request: TenantRequest, user_id: int) -> HttpResponse:
    user = _member(request, user_id)
    invitation = (
        Invitation.objects.filter(user=user, organization=request.tenant, accepted_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return invitation_resend_reply(request, invitation, back="people")


@manager_required
@require_POST
def participant_account(request: TenantRequest, pk: int) -> HttpResponse:
    """«Выдать доступ» on a card of the banks."""
    from django.urls import reverse

    from tenants.participants.models import Participant

    get_object_or_404(Participant.objects.in_banks(), pk=pk)
    card = reverse("participants:card", args=[pk])
    form = AccountForParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Укажите адрес электронной почты: "
            + " ".join(str(e) for e in form.errors.get("email", [])),
        )
        return redirect(card)
    try:
        granted = participant_account_give(
            organization=request.tenant, participant_id=pk, email=form.cleaned_data["email"],
            by=_actor(request), by_roles=request.roles,
        )  # fmt: skip
    except MemberError as error:
        messages.error(request, str(error))
        return redirect(card)
    role_granted_message(request, granted)
    return redirect(card)
