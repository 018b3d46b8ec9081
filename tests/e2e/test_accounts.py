"""Accounts in the browser: a director enrols 2FA from the page's secret, keeps the recovery
codes, logs in again with a code; a password reset goes through the local mail page."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest

from demo.catalogue import DEMO_PASSWORD
from tests.e2e.conftest import login, pass_second_factor, totp_code
from tests.e2e.conftest import shots as _shots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

DIRECTOR = "director.e2e"
NEW_PASSWORD = "Весенний-сад-Малиновки-7"


@pytest.fixture(scope="module")
def new_director(live_url, django_db_blocker):  # type: ignore[no-untyped-def]
    """A director of Малиновская ООШ without an authenticator yet (the demo's have one)."""
    from accounts.models import Membership, Role, User
    from organizations.models import Organization

    with django_db_blocker.unblock():
        user, _ = User.objects.get_or_create(
            username=DIRECTOR,
            defaults={
                "last_name": "Новикова",
                "first_name": "Вера",
                "patronymic": "Ильинична",
                "email": "director.e2e@demo.cmn.local",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.get_or_create(
            user=user, role=Role.DIRECTOR, organization=Organization.objects.get(slug="malinovka")
        )
    return user


def test_a_director_enrols_2fa_keeps_recovery_codes_and_logs_in_with_a_code(
    new_director, browser_page
):
    page, url = browser_page
    base = url.format(host="malinovka.localhost")

    page.goto(base + "/roadmap/")
    page.fill("input[name=username]", DIRECTOR)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Подключение двухфакторной аутентификации")
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("figure.qr svg").count() == 1
    _shots(page, "2fa-setup")

    # What a person with a phone does: the app reads the key (here from the manual-entry text).
    key = b32decode(page.inner_text("#totp-secret").replace(" ", ""))
    page.fill("input[name=code]", "000000" if totp_code(key) != "000000" else "111111")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Код не подошёл")
    page.wait_for_timeout(1100)  # django-otp's back-off after a wrong code
    page.fill("input[name=code]", totp_code(key))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Резервные коды")
    codes = [c.strip() for c in page.locator("ol.recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){5}", c) for c in codes)
    with page.expect_download() as download_info:
        page.click("text=Скачать (.txt)")
    saved = download_info.value
    assert saved.suggested_filename == "rezervnye-kody.txt"
    text = open(saved.path(), encoding="utf-8").read()
    assert all(code in text for code in codes)
    _shots(page, "2fa-recovery-codes")
    page.click("text=Я сохранил(а) коды, продолжить")
    page.wait_for_selector("h1")
    assert page.url.endswith("/roadmap/")

    page.click("text=Выйти")
    page.wait_for_load_state()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", DIRECTOR)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Подтверждение входа")
    _shots(page, "2fa-verify")
    pass_second_factor(page, key)
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "МКОУ «Малиновская ООШ»"
    assert "Руководитель организации" in page.content()

    page.goto(base + "/accounts/security/")
    assert "включена" in page.content() and "Резервных кодов осталось: 10" in page.inner_text(
        "main"
    )
    assert "обязательна" in page.content()
    _shots(page, "security")


def test_a_forgotten_password_is_reset_through_the_mail_page_and_2fa_still_applies(
    new_director, browser_page
):
    page, url = browser_page
    base = url.format(host="malinovka.localhost")
    public = url.format(host="localhost")

    page.goto(base + "/accounts/login/")
    _shots(page, "login")
    page.click("text=Забыли пароль?")
    page.fill("input[name=email]", "director.e2e@demo.cmn.local")
    page.click("text=Прислать ссылку")
    page.wait_for_selector("text=Проверьте почту")

    # The platform's superuser reads the local mail (make run's /mail/: superusers only, it
    # holds every school's letters, reset links included) and looks up the letter.
    login(page, public, "admin")
    page.goto(public + "/mail/")
    letter = page.locator("article", has_text="Восстановление пароля на платформе наставничества")
    letter = letter.filter(has_text="director.e2e@demo.cmn.local").first
    body = letter.inner_text()
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", body)
    assert link, body
    assert link.group(0).startswith(base + "/accounts/password/reset/")  # the host asked from
    page.click("text=Выйти")
    page.wait_for_load_state()

    page.goto(link.group(0))
    page.wait_for_selector("text=Новый пароль")
    page.fill("input[name=new_password1]", "коротко")
    page.fill("input[name=new_password2]", "коротко")
    page.click("text=Сохранить пароль")
    page.wait_for_selector("text=Введённый пароль слишком короткий")
    _shots(page, "password-reset-form")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("text=Сохранить пароль")
    page.wait_for_selector("text=Пароль сохранён")

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", DIRECTOR)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    # The new password is only the first factor.
    assert "/accounts/two-factor/" in page.url
