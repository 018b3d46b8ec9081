"""The regional layer's own people: the operator invites municipal specialists, ЦНППМ tutors and
other operators; a municipal specialist invites the colleagues of their municipality. Who has
not logged in yet is in plain sight."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.forms import InviteForm
from accounts.invitations import role_grant
from accounts.members import founders_waiting, region_members
from accounts.models import Invitation, Membership, Role, User
from accounts.permissions import acting_user
from accounts.views import invitation_resend_reply, role_granted_message
from organizations.models import Municipality, Region


class RegionInviteForm(InviteForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label="Муниципальное образование", required=False,
        help_text="Для специалиста муниципального органа управления образованием.",
    )  # fmt: skip

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.MUNICIPAL_SPECIALIST and not data.get("municipality"):
            self.add_error("municipality", "Выберите муниципальное образование.")
        return data


def _scope(request: HttpRequest) -> tuple[Region, Municipality | None, list[tuple[str, str]]]:
    """The region the user manages people of, their municipality (a specialist) and the roles
    they may give."""
    user = acting_user(request)
    if user is None:
        raise PermissionDenied("Войдите в систему.")
    operator = (
        Membership.objects.filter(user=user, role=Role.REGIONAL_OPERATOR)
        .select_related("region")
        .first()
    )
    if operator is not None and operator.region is not None:
        roles = [Role.MUNICIPAL_SPECIALIST, Role.TUTOR, Role.REGIONAL_OPERATOR]
        return operator.region, None, [(r.value, r.label) for r in roles]
    specialist = (
        Membership.objects.filter(user=user, role=Role.MUNICIPAL_SPECIALIST)
        .select_related("municipality__region")
        .first()
    )
    if specialist is not None and specialist.municipality is not None:
        role = Role.MUNICIPAL_SPECIALIST
        return specialist.municipality.region, specialist.municipality, [(role.value, role.label)]
    raise PermissionDenied(
        "Сотрудников приглашают региональный оператор и специалисты муниципальных органов."
    )


def _municipalities(region: Region, own: Municipality | None) -> Any:
    if own is not None:
        return Municipality.objects.filter(pk=own.pk)
    return Municipality.objects.filter(region=region).order_by("name")


@login_required
def people(request: HttpRequest) -> HttpResponse:
    region, own, roles = _scope(request)
    form = RegionInviteForm(request.POST if request.method == "POST" else None, roles=roles,
                            municipalities=_municipalities(region, own))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        scope: Any = region
        if role == Role.MUNICIPAL_SPECIALIST:
            scope = own or form.cleaned_data["municipality"]
        by = acting_user(request)
        granted = role_grant(person=form.person(), role=role, scope=scope, invited_by=by)
        role_granted_message(request, granted)
        return redirect("regional:people")
    members = region_members(region=region, municipality=own)
    only_waiting = request.GET.get("waiting") == "1"
    shown = [m for m in members if m.never_logged_in] if only_waiting else members
    return render(
        request,
        "regional/people.html",
        {
            "region": region,
            "municipality": own,
            "form": form,
            "members": shown,
            "waiting": sum(1 for m in members if m.never_logged_in),
            "only_waiting": only_waiting,
            "founders": founders_waiting(region=region, municipality=own),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def people_resend(request: HttpRequest, user_id: int) -> HttpResponse:
    region, own, _ = _scope(request)  # who may not manage people is refused before the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    members = {m.user.pk for m in region_members(region=region, municipality=own)}
    founders = {i.user_id: i for i in founders_waiting(region=region, municipality=own)}
    if user_id not in members and user_id not in founders:
        raise PermissionDenied("Этот человек не из вашего региона или муниципалитета.")
    user = get_object_or_404(User, pk=user_id)
    invitation = (
        founders.get(user_id)
        or Invitation.objects.filter(
            user=user, organization__isnull=True, accepted_at__isnull=True
        ).first()
    )
    return invitation_resend_reply(request, invitation, back="regional:people")
