"""Forms of the login, two-factor and password pages (Django's and django-otp's, in Russian)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device, VerifyNotAllowed

from accounts.models import User
from accounts.selectors import recovery_device, totp_device
from accounts.services import recovery_code_digest
from core.params import ascii_int
from core.russian import plural_ru


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Логин или e-mail",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.",
        "inactive": "Учётная запись отключена. Обратитесь к администратору.",
    }

    def clean(self) -> dict[str, Any]:
        # Invited people log in with their e-mail, which is stored in lower case.
        username = self.cleaned_data.get("username") or ""
        if "@" in username:
            self.cleaned_data["username"] = username.strip().lower()
        return super().clean()


def _wait_message(extra: dict[str, Any] | None) -> str:
    locked_until = (extra or {}).get("locked_until")
    if locked_until is None:
        return "Проверка кода временно недоступна. Попробуйте позже."
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    word = plural_ru(seconds, "секунду", "секунды", "секунд")
    return f"Слишком много неверных кодов подряд. Попробуйте снова через {seconds} {word}."


def verify_with_device(device: Device, token: str) -> tuple[bool, str]:
    """One attempt on one device under django-otp's own throttling (exponential back-off).

    The row is locked for the attempt, so two parallel guesses cannot both pass the throttle.
    """
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, extra = locked.verify_is_allowed()
        if not allowed:
            if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                return False, _wait_message(extra)
            return False, _wait_message(None)
        if locked.verify_token(token):
            device.refresh_from_db()
            return True, ""
    return False, ""


class TotpCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Код из приложения")
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("min_length", 6)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "inputmode": "numeric",
                    "pattern": "[0-9]{6}",
                    "autofocus": True,
                }
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Введите шестизначный код.",
                "min_length": "Код состоит из 6 цифр.",
                "max_length": "Код состоит из 6 цифр.",
            },
        )
        super().__init__(**kwargs)


class TwoFactorVerifyForm(forms.Form):
    """The second step of login: a code from the authenticator or a recovery code."""

    code = forms.CharField(
        label="Код из приложения или резервный код",
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off"}
        ),
        error_messages={"required": "Введите код."},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].replace(" ", "")
        device: Device | None
        if len(code) == 6 and ascii_int(code) is not None:
            device, token = totp_device(user=self.user), code
        else:
            device, token = recovery_device(user=self.user), recovery_code_digest(code)
        if device is None:
            raise forms.ValidationError("Неверный код. Проверьте его и попробуйте ещё раз.")
        ok, reason = verify_with_device(device, token)
        if not ok:
            raise forms.ValidationError(
                reason or "Неверный код. Проверьте его и попробуйте ещё раз.",
                code="invalid_token",
            )
        self.device = device
        return code


class TotpConfirmForm(forms.Form):
    """Enrolment: the first code from the newly scanned authenticator proves it works."""

    code = TotpCodeField()

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if ascii_int(code) is None:
            raise forms.ValidationError("Код состоит из 6 цифр.")
        return code


class InviteForm(forms.Form):
    """A person to invite: ФИО as people write it, the e-mail the letter goes to, the role."""

    full_name = forms.CharField(
        label="Фамилия, имя, отчество", max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "Иванова Мария Петровна", "autocomplete": "off"}),
    )  # fmt: skip
    email = forms.EmailField(
        label="Электронная почта",
        max_length=150,
        help_text="На этот адрес придёт ссылка для входа; он же станет логином.",
    )
    role = forms.ChoiceField(label="Роль")

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = roles

    def clean_full_name(self) -> str:
        from accounts.invitations import name_problem

        name = " ".join(self.cleaned_data["full_name"].split())
        problem = name_problem(name)
        if problem:
            raise forms.ValidationError(problem[0].upper() + problem[1:])
        return name

    def person(self) -> Any:
        from accounts.invitations import person_of

        return person_of(self.cleaned_data["full_name"], self.cleaned_data["email"])


class AccountForParticipantForm(forms.Form):
    email = forms.EmailField(label="Электронная почта", max_length=150)
