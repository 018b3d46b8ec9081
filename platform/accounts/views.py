"""Two-factor pages (verify, enrolment, recovery codes), the security page, password reset."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import quote

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import TotpConfirmForm, TwoFactorVerifyForm, verify_with_device
from accounts.invitations import Granted
from accounts.models import Invitation, User
from accounts.selectors import recovery_codes_left, recovery_device, two_factor_state
from accounts.services import (
    login_lockout_clear,
    recovery_codes_generate,
    totp_enrolment_confirm,
    totp_enrolment_start,
    two_factor_disable,
)
from core.russian import plural_ru

NEW_CODES_SESSION_KEY = "accounts_new_recovery_codes"
NEXT_SESSION_KEY = "accounts_two_factor_next"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # behind login_required
    return request.user


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _otp_login(request: HttpRequest, device: Device) -> None:
    """Mark the session verified by this device; a new session key for the raised privilege."""
    django_otp.login(request, device)
    request.session.cycle_key()


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    target = _safe_next(request)
    if _is_verified(request):
        return redirect(target)
    state = two_factor_state(user=user)
    if not state.enrolled and recovery_device(user=user) is None:
        return redirect(
            f"{reverse('accounts:two_factor_setup')}?next={quote(target)}"
            if state.required
            else target
        )
    form = TwoFactorVerifyForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.device is not None
        _otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = recovery_codes_left(user=user)
            messages.warning(
                request,
                f"Вы вошли по резервному коду; осталось кодов: {left}. "
                "Новые коды можно создать на странице «Безопасность входа».",
            )
        return redirect(target)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": target})


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    target = _safe_next(request)
    state = two_factor_state(user=user)
    if state.enrolled and not _is_verified(request):
        # Another authenticator only after proving the current one.
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={quote(target)}")
    device = totp_enrolment_start(user=user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, reason = verify_with_device(device, form.cleaned_data["code"])
        if ok:
            device.refresh_from_db()
            totp_enrolment_confirm(device=device)
            _otp_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = recovery_codes_generate(user=user)
            request.session[NEXT_SESSION_KEY] = target
            return redirect("accounts:recovery_codes")
        form.add_error(
            "code", reason or "Код не подошёл. Проверьте время на телефоне и введите новый код."
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": target,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(secret),
            "required": state.required,
            "replacing": state.enrolled,
        },
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once: they leave the session as the page is drawn."""
    if not _is_verified(request):
        return redirect("accounts:two_factor_verify")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    target = request.session.pop(NEXT_SESSION_KEY, "/")
    if not codes:
        messages.info(
            request,
            "Резервные коды показываются один раз. Если вы их не сохранили, создайте новые.",
        )
        return redirect("accounts:security")
    text = "Резервные коды для входа на платформу наставничества\n"
    text += f"Учётная запись: {_user(request).username}\n"
    text += "Каждый код действует один раз.\n\n" + "\n".join(codes) + "\n"
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "download": quote(text), "next": target},
    )


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = two_factor_state(user=user)
    return render(
        request,
        "accounts/security.html",
        {
            "state": state,
            "verified": _is_verified(request),
            "codes_left": recovery_codes_left(user=user),
            "device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        },
    )


@require_POST
@login_required
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    if not _is_verified(request):
        return redirect("accounts:two_factor_verify")
    request.session[NEW_CODES_SESSION_KEY] = recovery_codes_generate(user=_user(request))
    request.session[NEXT_SESSION_KEY] = reverse("accounts:security")
    return redirect("accounts:recovery_codes")


@require_POST
@login_required
def two_factor_turn_off(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if two_factor_state(user=user).required:
        messages.error(request, "Для вашей роли двухфакторная аутентификация обязательна.")
        return redirect("accounts:security")
    if not _is_verified(request):
        return redirect("accounts:two_factor_verify")
    two_factor_disable(user=user)
    messages.success(request, "Двухфакторная аутентификация отключена.")
    return redirect("accounts:security")


def reset_link_lifetime() -> str:
    """«3 часа»: how long a password reset link works (PASSWORD_RESET_TIMEOUT)."""
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    return f"{hours} {plural_ru(hours, 'час', 'часа', 'часов')}"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view: the same answer whether or not the address has an account; the link
    points to the host the request came to (no sites framework: RequestSite)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        self.extra_email_context = {"link_lifetime": reset_link_lifetime()}
        return super().get_form_kwargs()


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "link_lifetime": reset_link_lifetime()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password by e-mail also lifts the login's lockout. The user then
    logs in as usual, second factor included."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        login_lockout_clear(username=form.user.get_username())
        return response


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person sets a password (Django's SetPasswordForm: the validators' Russian
    messages) and is logged in; the second factor follows where the role requires it."""
    from django.contrib.auth import login, logout

    from accounts.invitations import InvitationError, invitation_accept, invitation_for_token

    try:
        found = invitation_for_token(token)
    except InvitationError as error:
        return render(request, "accounts/invitation.html", {"refusal": str(error)}, status=410)
    form = SetPasswordForm(found.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except InvitationError as error:
            return render(request, "accounts/invitation.html", {"refusal": str(error)}, status=410)
        if request.user.is_authenticated:
            logout(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Пароль задан. Ваш логин — адрес электронной почты.")
        return redirect("/")
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "invitation": found, "role": found.get_role_display()},
    )


def role_granted_message(request: HttpRequest, granted: Granted) -> None:
    """What the person who gave a role is told (the school's and the region's people pages)."""
    email = granted.membership.user.email
    if granted.invitation is not None:
        messages.success(
            request, f"Приглашение отправлено на {email}: ссылка для входа действует 7 дней."
        )
    else:
        messages.success(
            request, f"Роль выдана: у владельца адреса {email} уже есть пароль, он может войти."
        )


def invitation_resend_reply(
    request: HttpRequest, invitation: Invitation | None, *, back: str
) -> HttpResponse:
    """«Отправить приглашение снова» on a people page: a new link, the old one void."""
    from accounts.invitations import InvitationError, invitation_resend

    if invitation is None:
        messages.info(request, "Пароль уже задан: приглашение не нужно.")
        return redirect(back)
    user = request.user if isinstance(request.user, User) else None
    try:
        invitation_resend(invitation=invitation, by=user)
    except InvitationError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        f"Новое приглашение отправлено на {invitation.email}; прежняя ссылка больше не действует.",
    )
    return redirect(back)
