"""An individual educational route as its people walk it: a teacher of school 19 fills the
self-diagnosis, builds the route's roadmap with a ДПО course and a trial action and uploads a
product; her ЦНППМ tutor, on the regional host, sends it «на доработку»; she corrects it
(the history says why); the tutor approves."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import login, shots

pytestmark = pytest.mark.e2e

TEACHER = "coord.sosh19"  # Белова Ольга Сергеевна: the demo left her route at step 1
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_teacher_and_her_tutor_take_a_route_to_an_approved_roadmap(live_url, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    school = live_url.format(host="sosh19.localhost")
    public = live_url.format(host="localhost")
    product = tmp_path / "Разработки уроков.pdf"
    product.write_bytes(PDF)
    soon = dt.date.today() + dt.timedelta(days=45)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        teacher = browser.new_context(locale="ru-RU").new_page()
        tutor = browser.new_context(locale="ru-RU").new_page()

        # 1. The teacher opens her route and describes the professional she wants to become.
        login(teacher, school, TEACHER)
        teacher.click("nav >> text=Мой маршрут (ИОМ)")
        teacher.wait_for_selector("text=Индивидуальный образовательный маршрут")
        teacher.fill(
            "textarea[name=desired_image]",
            "Учитель, к которому коллеги приходят за цифровыми приёмами",
        )
        teacher.click("#step-1 button[type=submit]")
        teacher.wait_for_selector("text=Желаемый образ сохранён")

        # 2–3. Self-diagnosis: everything «владею уверенно», digitalisation at the lowest level.
        teacher.click("text=Пройти самодиагностику")
        teacher.wait_for_selector("h1:has-text('Самодиагностика')")
        shots(teacher, "route-diagnosis")
        for radio in teacher.query_selector_all("input[type=radio][value='3']"):
            radio.check()
        for name in ("r-digital.1", "r-digital.2"):
            teacher.check(f"input[name='{name}'][value='1']")
        teacher.click("text=Сохранить диагностику")
        teacher.wait_for_selector("text=предлагаем дефициты: Цифровизация образования")
        assert teacher.input_value("#step-3 select[name=area]") == "digital"  # as suggested
        teacher.fill("#step-3 textarea[name=description]", "Не умею вести смешанное обучение")
        teacher.click("#step-3 button:has-text('Добавить')")
        teacher.wait_for_selector("text=Дефицит добавлен")

        # 4. The route's roadmap: a ДПО course and a trial action against the deficit.
        teacher.click("#step-4 >> text=+ добавить >> nth=0")
        teacher.fill("input[name=title]", "Цифровые инструменты учителя")
        teacher.fill("input[name=deadline_text]", "ноябрь")
        teacher.fill("input[name=provider]", "ЦНППМ")
        teacher.fill("input[name=hours]", "36")
        teacher.check("input[name=deficits]")
        teacher.click("main button[type=submit]")
        teacher.wait_for_selector("text=Мероприятие сохранено")
        teacher.click("#step-4 >> text=+ добавить >> nth=1")
        teacher.fill("input[name=title]", "Серия уроков со смешанным обучением")
        teacher.fill("input[name=deadline_text]", f"до {soon:%d.%m.%Y}")
        teacher.fill("input[name=expected_product]", "разработки уроков")
        teacher.check("input[name=deficits]")
        teacher.click("main button[type=submit]")
        teacher.wait_for_selector("text=Мероприятие сохранено")

        # 5. A product of the trial action, with her attitude to the result.
        teacher.click("text=отметить выполнение >> nth=1")
        teacher.select_option("select[name=product_kind]", "lesson")
        teacher.fill("input[name=product_title]", "Разработки трёх уроков")
        teacher.set_input_files("input[name=product_file]", str(product))
        teacher.fill("textarea[name=attitude]", "Ученики работали увлечённо, не хватило времени")
        teacher.click("main button[type=submit]")
        teacher.wait_for_selector("text=Продукт сохранён")

        # She shares the route with her tutor and sends the roadmap for approval.
        teacher.click("text=Согласен передать маршрут тьютору ЦНППМ")
        teacher.wait_for_selector("text=Согласие дано")
        teacher.click("text=Отправить дорожную карту на согласование")
        teacher.wait_for_selector("text=Дорожная карта отправлена на согласование")
        shots(teacher, "route-teacher")

        # The tutor, on the regional host, finds her among the teachers she accompanies.
        login(tutor, public, "tutor")
        tutor.click("nav >> text=ИОМ педагогов")
        tutor.wait_for_selector("text=Сопровождение индивидуальных образовательных маршрутов")
        shots(tutor, "route-caseload")
        tutor.click("text=Белова Ольга Сергеевна")
        tutor.wait_for_selector("text=Разработки трёх уроков")
        tutor.check("input[name=verdict][value=returned]")
        tutor.fill("#reviews textarea[name=text]", "Перенесите курс: в ноябре у вас аттестация")
        tutor.click("#reviews button[type=submit]")
        tutor.wait_for_selector("text=Маршрут отправлен на доработку")
        shots(tutor, "route-tutor")

        # The teacher corrects the course, saying why.
        teacher.goto(school + "/routes/")
        teacher.wait_for_selector("text=Перенесите курс")
        assert "на доработку" in teacher.inner_text(".route-head")
        teacher.click("#step-4 >> text=изменить >> nth=0")
        teacher.fill("input[name=deadline_text]", "декабрь")
        teacher.select_option("select[name=reason]", "review")
        teacher.fill("input[name=reason_text]", "Перенесла по замечанию тьютора")
        teacher.click("main button[type=submit]")
        teacher.wait_for_selector("text=Мероприятие сохранено")
        history = teacher.inner_text("#step-6")
        assert "замечания тьютора или куратора — Перенесла по замечанию тьютора" in history
        assert "сроки: «ноябрь» → «декабрь»" in history

        # The tutor sees the change since her visit and approves.
        tutor.goto(public + "/cnppm/")
        tutor.wait_for_selector(".caseload >> text=изменён")
        tutor.click("text=Белова Ольга Сергеевна")
        tutor.check("input[name=verdict][value=approved]")
        tutor.click("#reviews button[type=submit]")
        tutor.wait_for_selector("text=Дорожная карта согласована")
        teacher.goto(school + "/routes/")
        assert "согласовано" in teacher.inner_text(".route-head")
        assert "Андреева Мария Константиновна (тьютор ЦНППМ)" in teacher.inner_text("#sharing")
        shots(teacher, "route-approved")

        # The region's figures for planning courses: counts only.
        tutor.click("nav >> text=Дефициты педагогов")
        tutor.wait_for_selector("text=Профессиональные дефициты педагогов")
        assert "Белова" not in tutor.inner_text("main")
        shots(tutor, "route-region-deficits")
        browser.close()
