"""Password change, reset by e-mail (a link to the host asked from), the password policy."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD, host_client
from tests.two_factor import authenticator

NEW_PASSWORD = "Новый-пароль-для-школы-42"


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


def _reset_link(host: str) -> str:
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    assert link, message.body
    return link.group(0)


def test_a_coordinator_changes_her_password(world):
    client = host_client("alpha.localhost", world.alice)
    page = client.get("/accounts/password/change/").content.decode()
    assert "Старый пароль" in page and "Новый пароль" in page
    done = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/accounts/password/change/done/"
    assert client.get("/").status_code == 200  # still logged in here
    world.alice.refresh_from_db()
    assert world.alice.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "Коротко-1",
            "Введённый пароль слишком короткий. Он должен состоять из как минимум 12 символов.",
        ),
        ("123456789012", "Введённый пароль состоит только из цифр."),
        ("password1234", "Введённый пароль слишком широко распространён."),
        ("alice@example.ru", "Введённый пароль слишком похож на адрес электронной почты."),
    ],
)
def test_the_password_policy_speaks_russian(world, password, message):
    world.alice.email = "alice@example.ru"
    world.alice.save(update_fields=["email"])
    client = host_client("alpha.localhost", world.alice)
    page = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    ).content.decode()
    assert message in page


def test_the_demo_password_meets_the_policy():
    from django.contrib.auth.password_validation import validate_password

    from demo.catalogue import DEMO_PASSWORD

    validate_password(DEMO_PASSWORD, User(username="coord.sosh19", last_name="Белова"))


def test_the_login_page_links_to_password_recovery(db):
    page = Client(HTTP_HOST="alpha.localhost").get("/accounts/login/").content.decode()
    assert "Забыли пароль?" in page and "/accounts/password/reset/" in page


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost"])
def test_a_reset_mail_links_to_the_host_it_was_asked_from_and_works(world, host):
    world.bob.email = "bob@example.ru"
    world.bob.save(update_fields=["email"])
    client = Client(HTTP_HOST=host)
    sent = client.post("/accounts/password/reset/", {"email": "BOB@example.ru"})
    assert sent["Location"] == "/accounts/password/reset/sent/"
    assert "Проверьте почту" in client.get(sent["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["bob@example.ru"]
    assert message.subject == "Восстановление пароля на платформе наставничества"
    link = _reset_link(host)
    assert link.startswith(f"http://{host}/accounts/password/reset/")
    assert "«bob»" in message.body

    form = client.get(link.replace(f"http://{host}", ""), follow=True)
    assert "Новый пароль" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/done/"
    assert _login(Client(HTTP_HOST=host), "bob", NEW_PASSWORD).status_code == 302
    # The link works once.
    reused = client.get(link.replace(f"http://{host}", ""), follow=True)
    assert "Ссылка недействительна" in reused.content.decode()


def test_the_reset_answer_does_not_tell_whether_an_account_exists(world):
    world.bob.email = "bob@example.ru"
    world.bob.save(update_fields=["email"])
    known = Client(HTTP_HOST="alpha.localhost").post(
        "/accounts/password/reset/", {"email": "bob@example.ru"}
    )
    unknown = Client(HTTP_HOST="alpha.localhost").post(
        "/accounts/password/reset/", {"email": "nobody@example.ru"}
    )
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_after_a_reset_the_lock_is_lifted_and_the_second_factor_still_applies(world):
    olga = world.olga
    olga.email = "olga@example.ru"
    olga.save(update_fields=["email"])
    authenticator(olga)
    attacker = Client(HTTP_HOST="localhost", REMOTE_ADDR="198.51.100.40")
    for n in range(31):
        _login(attacker, "olga", f"guess-{n}")
    assert _login(Client(HTTP_HOST="localhost"), "olga", PASSWORD).status_code == 429

    client = Client(HTTP_HOST="localhost")
    client.post("/accounts/password/reset/", {"email": "olga@example.ru"})
    form = client.get(_reset_link("localhost").replace("http://localhost", ""), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert not AccessAttempt.objects.filter(username="olga").exists()

    owner = Client(HTTP_HOST="localhost")
    assert _login(owner, "olga", NEW_PASSWORD).status_code == 302
    assert owner.get("/dashboard/")["Location"].startswith("/accounts/two-factor/?next=")
