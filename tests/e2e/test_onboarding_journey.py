"""From the regional list to a working school, as its people would walk it (`make e2e`):

the regional operator onboards three schools with their directors' e-mails; a director gets the
invitation (the local mail page), sets a password and a second factor, invites a coordinator;
the coordinator follows the first-run checklist — profile, roadmap template, banks from Excel,
forms of mentoring, a pair from the suggestions and its draft приказ — and the director signs
it from «На подпись»: the first pair is approved and the checklist is done.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pandas as pd
import pytest

from tests.e2e.conftest import login, shots, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD_DIRECTOR = "Школа-тридцать-один-2026"
PASSWORD_COORDINATOR = "Куратор-наставничества-31"
SCHOOLS = [
    ("Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 31»",
     "МБОУ СОШ № 31", "Лаптева Нина Сергеевна", "lapteva@sosh31.example.ru"),
    ("Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 32»",
     "МБОУ Гимназия № 32", "Орехов Павел Игоревич", "orekhov@gim32.example.ru"),
    ("Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 33»",
     "МАДОУ Детский сад № 33", "Рябова Анна Юрьевна", "ryabova@ds33.example.ru"),
]  # fmt: skip


def _onboarding_list(path):  # type: ignore[no-untyped-def]
    rows = [
        {"Полное наименование": full, "Краткое наименование": short,
         "Тип": "детский сад" if "сад" in short else "школа",
         "Муниципальное образование": "Городской округ Северный", "Часовой пояс": "Москва",
         "Число обучающихся": 400, "Число педагогов": 30,
         "Руководитель (ФИО)": director, "E-mail руководителя": email}
        for full, short, director, email in SCHOOLS
    ]  # fmt: skip
    pd.DataFrame(rows).to_excel(path, index=False)


def _banks_list(path, consent_on: str):  # type: ignore[no-untyped-def]
    rows = [
        {"Фамилия": "Кузнецов", "Имя": "Игорь", "Отчество": "Андреевич", "Дата рождения": "12.04.1978",
         "Категория": "педагог", "Должность": "учитель", "Предмет": "физика", "Роль в базе": "наставник",
         "Внешний участник": "нет", "Компетенции": "молодой педагог; дисциплина на уроке",
         "Наставляемых не более": "2", "Формы наставничества": "учитель – учитель",
         "Телефон": "+7 900 111-22-33", "Email": "kuznetsov@sosh31.example.ru",
         "Согласие на обработку ПДн: дата": consent_on},
        {"Фамилия": "Белова", "Имя": "Ольга", "Отчество": "Викторовна", "Дата рождения": "03.02.2001",
         "Категория": "педагог", "Должность": "учитель", "Предмет": "физика", "Роль в базе": "наставляемый",
         "Внешний участник": "нет", "Основания": "молодой специалист", "Затруднения": "дисциплина на уроке",
         "Согласие на обработку ПДн: дата": consent_on},
    ]  # fmt: skip
    pd.DataFrame(rows).to_excel(path, index=False)


def _invitation_link(mail_page, base: str, address: str) -> str:  # type: ignore[no-untyped-def]
    """The platform's letter to `address` on the local mail page (the worker sends it)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mail_page.goto(base + "/mail/")
        letters = mail_page.locator("article", has_text=f"Кому: {address}")
        if letters.count():
            body = letters.first.locator("pre").inner_text()
            found = re.search(r"https?://\S+/accounts/invitation/\S+/", body)
            assert found, body
            return found.group(0)
        time.sleep(1)
    raise AssertionError(f"no invitation to {address} at /mail/")


def _set_password(page, link: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    page.wait_for_selector("text=Добро пожаловать")
    page.fill("input[name=new_password1]", password)
    page.fill("input[name=new_password2]", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")


def _step(page, school: str, title: str) -> None:  # type: ignore[no-untyped-def]
    """From the home page's checklist, as the coordinator would."""
    page.goto(school + "/")
    page.click(f".checklist a:has-text('{title}')")
    page.wait_for_load_state()


def test_a_new_school_starts_on_its_own_up_to_its_first_approved_pair(live_url, worker, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    from organizations.services import domain_for
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    public = live_url.format(host="localhost")
    listing = tmp_path / "organizations.xlsx"
    _onboarding_list(listing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        operator = browser.new_context(locale="ru-RU").new_page()
        admin = browser.new_context(locale="ru-RU").new_page()
        director = browser.new_context(locale="ru-RU").new_page()
        coordinator = browser.new_context(locale="ru-RU").new_page()

        # 1. The regional operator onboards the list.
        login(operator, public, "operator")
        operator.goto(public + "/organizations/onboarding/")
        operator.set_input_files("input[type=file]", str(listing))
        operator.click("main button[type=submit]")
        operator.wait_for_selector("text=Подтвердить и подключить (3)")
        preview = operator.inner_text("main")
        assert "sosh-31.localhost (предложен)" in preview
        assert "Руководитель: Лаптева Нина Сергеевна <lapteva@sosh31.example.ru>" in preview
        shots(operator, "journey-onboarding-preview")
        operator.click("text=Подтвердить и подключить (3)")
        operator.wait_for_selector("text=Подключено организаций: 3")
        assert "Приглашений отправлено: 3" in operator.inner_text("main")

        # 2. The director's invitation arrives; she sets a password and her second factor.
        login(admin, public, "admin")
        link = _invitation_link(admin, public, "lapteva@sosh31.example.ru")
        school = "http://" + link.split("/")[2]
        assert link.startswith("http://" + domain_for("sosh-31").split(":")[0])
        _set_password(director, link, PASSWORD_DIRECTOR)
        director.wait_for_selector("text=Подключение двухфакторной аутентификации")
        key = b32decode(director.inner_text("#totp-secret").replace(" ", ""))
        director.fill("input[name=code]", totp_code(key))
        director.click("main button[type=submit]")
        director.wait_for_selector("text=Резервные коды")
        director.click("text=Я сохранил(а) коды, продолжить")
        director.wait_for_selector("text=С чего начать")
        shots(director, "journey-director-home")

        # 3. She invites the coordinator.
        director.goto(school + "/people/")
        director.click("summary:has-text('Пригласить сотрудника')")
        director.fill("input[name=full_name]", "Сомова Дарья Игоревна")
        director.fill("input[name=email]", "somova@sosh31.example.ru")
        director.select_option("select[name=role]", "coordinator")
        director.click("form[action='/people/invite/'] button[type=submit]")
        director.wait_for_selector("text=Приглашение отправлено на somova@sosh31.example.ru")
        shots(director, "journey-people")

        # 4. The coordinator follows the checklist.
        _set_password(coordinator, _invitation_link(admin, public, "somova@sosh31.example.ru"),
                      PASSWORD_COORDINATOR)  # fmt: skip
        coordinator.wait_for_selector("text=С чего начать")
        assert "Готово 1 из 6" in coordinator.inner_text(
            ".checklist"
        )  # staff: the director invited
        shots(coordinator, "journey-coordinator-checklist")

        _step(coordinator, school, "Проверьте сведения об организации")
        coordinator.fill(
            "input[name=address]", "162600, Северная обл., г. Северный, ул. Школьная, д. 31"
        )
        coordinator.fill("input[name=locality]", "г. Северный")
        coordinator.click("main button[type=submit]")
        coordinator.wait_for_selector("text=Сведения об организации сохранены")

        _step(coordinator, school, "Проверьте дорожную карту и впишите, чем она утверждена")
        coordinator.fill("input[name=approval]", "приказ № 30-о от 29.08.2026")
        coordinator.click("main button[type=submit]")
        coordinator.wait_for_selector("text=Выполнено")

        _step(coordinator, school, "Загрузите базы наставников и наставляемых")
        year = int(re.search(r"(\d{4})/\d{4}", coordinator.inner_text("h1")).group(1))  # type: ignore[union-attr]
        banks = tmp_path / "baza.xlsx"
        _banks_list(banks, f"01.09.{year}")
        coordinator.set_input_files("input[type=file]", str(banks))
        coordinator.click("main button[type=submit]")
        coordinator.wait_for_selector("text=Импортировать 2")
        coordinator.click("button:has-text('Импортировать 2')")
        coordinator.wait_for_selector("text=Наставников")

        _step(coordinator, school, "Отметьте формы наставничества")
        coordinator.check("label:has-text('учитель – учитель') input[type=checkbox]")
        coordinator.click("text=Сохранить выбор")
        coordinator.wait_for_selector("text=Отмечено форм наставничества")

        _step(coordinator, school, "Сформируйте первую пару и утвердите приказом")
        coordinator.click("text=Подобрать наставников")
        coordinator.click(".mentee-list a:has-text('Белова Ольга Викторовна')")
        coordinator.wait_for_selector("text=Кузнецов Игорь Андреевич")
        shots(coordinator, "journey-match")
        coordinator.click(".accept-form button:has-text('Принять')")
        coordinator.wait_for_selector("text=в пару к наставнику Кузнецову И. А.")
        coordinator.goto(school + "/pairs/")
        coordinator.check("input[name=pairs]")
        coordinator.click("text=Сформировать проект приказа")
        coordinator.wait_for_selector("text=Проект приказа готов")
        assert "Номер и дату внесёт руководитель после подписи." in coordinator.inner_text("main")

        # 5. The director signs from «На подпись».
        director.goto(school + "/")
        director.wait_for_selector("text=На подпись: проектов приказов — 1")
        director.click("text=На подпись: проектов приказов — 1")
        director.wait_for_selector("text=Проекты приказов (1)")
        shots(director, "journey-signing")
        director.fill("input[name=number]", "31-о")
        today = director.evaluate(
            "new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Moscow'})"
        )
        director.fill("input[name=signed_on]", today)
        director.click("text=Подписан: внести номер и утвердить пары")
        director.wait_for_selector("text=пары утверждены (1)")

        # 6. The coordinator's home: the checklist is done, the pair approved.
        coordinator.goto(school + "/")
        coordinator.wait_for_selector("text=Наставнические пары и группы")
        home = coordinator.inner_text("main")
        assert "С чего начать" not in home
        assert "утверждены: 1" in home
        shots(coordinator, "journey-coordinator-home-done")
        browser.close()
