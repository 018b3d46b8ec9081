"""Channels: retry with backoff, dead letters, the messenger adapter on a local bot API server,
the inbox with its bell, one-click unsubscribe, the local mail page."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from devstack.services import _free_port
from messaging.models import Preference
from tenants.notifications.delivery import drain, outbox_write
from tenants.notifications.models import Digest, InboxMessage, Outbox, OutboxStatus
from tenants.notifications.planner import Draft
from tests.conftest import host_client

NOW = dt.datetime(2025, 9, 10, 7, 0, tzinfo=dt.UTC)


def _draft(user, channel: str, n: int = 1) -> Draft:  # type: ignore[no-untyped-def]
    return Draft(f"test:{n}:{user.pk}:{channel}", "reminder", user.pk, channel, f"Сегодня срок: пункт {n}",
                 f"Сегодня срок: пункт {n} (до 10.09.2025).", "/roadmap/", NOW - dt.timedelta(hours=1))  # fmt: skip


def test_a_failing_mail_server_is_retried_with_backoff_then_delivered(world, mail_sink, settings):
    world.alice.email = "alice@alpha.test"
    world.alice.save()
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "email")])
        first = drain(organization=world.alpha, now=NOW)
        digest = Digest.objects.get()
        assert first.failed == 1 and digest.status == OutboxStatus.FAILED and digest.attempts == 1
        assert (
            drain(organization=world.alpha, now=NOW + dt.timedelta(seconds=30)).emails == 0
        )  # backing off
        settings.EMAIL_PORT = good_port
        assert drain(organization=world.alpha, now=NOW + dt.timedelta(minutes=2)).emails == 1
        digest.refresh_from_db()
        assert digest.status == OutboxStatus.SENT
        assert Outbox.objects.get().status == OutboxStatus.SENT
    assert len(mail_sink.messages()) == 1


def test_after_the_last_attempt_the_message_is_a_dead_letter(world, settings):
    world.alice.email = "alice@alpha.test"
    world.alice.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.LOCAL_MAILDIR = "127.0.0.1", _free_port(), ""
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "email")])
        moment = NOW
        for _ in range(5):
            drain(organization=world.alpha, now=moment)
            moment += dt.timedelta(hours=2)
        assert Digest.objects.get().status == OutboxStatus.DEAD
        assert Outbox.objects.get().status == OutboxStatus.DEAD
    client = host_client("alpha.localhost", world.alice)
    page = client.get("/notifications/log/?status=dead").content.decode()
    assert "Не доставлено: 1" in page and "Повторить" in page


def test_an_interrupted_email_is_settled_by_the_mail_store_not_resent(world, mail_sink):
    from messaging.channels import send_email

    world.alice.email = "alice@alpha.test"
    world.alice.save()
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "email")])
        drain(organization=world.alpha, now=NOW - dt.timedelta(days=1))  # nothing due yet
        from tenants.notifications.delivery import _collect_digests, _lease

        _collect_digests(world.alpha, NOW, 100)
        digest = _lease(Digest.objects.get().pk, NOW)  # a worker took it ...
        send_email(
            to="alice@alpha.test", subject="s", body="b", message_id=digest.message_id
        )  # ... sent ...
        # ... and died before recording it. After the lease expires:
        result = drain(organization=world.alpha, now=NOW + dt.timedelta(minutes=5))
        assert result.reconciled == 1 and result.emails == 0
        assert Digest.objects.get().status == OutboxStatus.SENT
    assert len(mail_sink.messages()) == 1


def test_a_long_drain_leases_each_email_from_when_it_takes_it(
    world, mail_sink, monkeypatch, settings
):
    """A drain of a big school sends for longer than a lease. A lease counted from the drain's
    start was over when taken: a second worker's drain took the email while it was being sent,
    found it not yet in the mail store and sent it again (seen in the fault test)."""
    import messaging.channels
    import tenants.notifications.delivery as delivery

    settings.REMINDER_LEASE_SECONDS = 60
    people = [world.alice, world.bob, world.charlie]
    for user in people:
        user.email = f"{user.username}@alpha.test"
        user.save()
    ticks = iter(range(0, 10**6, 100))  # each look at the clock: 100 s later (a slow drain)
    monkeypatch.setattr(delivery, "monotonic", lambda: float(next(ticks)))
    send, leases, second = messaging.channels.send_email, [], []

    def slow_send(**kwargs):  # type: ignore[no-untyped-def]
        leases.append(Digest.objects.get(message_id=kwargs["message_id"]).leased_until)
        if len(leases) == 2 and not second:
            # Another worker's sweep comes while this one sends its second email.
            second.append(drain(organization=world.alpha, now=NOW + dt.timedelta(seconds=150)))
        send(**kwargs)

    monkeypatch.setattr(messaging.channels, "send_email", slow_send)
    with tenant_context(world.alpha):
        outbox_write([_draft(user, "email") for user in people])
        first = drain(organization=world.alpha, now=NOW)
        assert Digest.objects.filter(status=OutboxStatus.SENT).count() == 3
    assert first.emails + second[0].emails == 3 and second[0].reconciled == 0
    assert leases == sorted(leases) and leases[-1] > NOW + dt.timedelta(seconds=260)
    ids = [m["Message-ID"] for m in mail_sink.messages()]
    assert len(ids) == len(set(ids)) == 3


def test_a_send_that_failed_is_settled_by_the_mail_store_before_it_is_tried_again(world, mail_sink):
    """A timeout can come after the server stored the email: the retry asks the store first."""
    from messaging.channels import send_email

    world.alice.email = "alice@alpha.test"
    world.alice.save()
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "email")])
        from tenants.notifications.delivery import _collect_digests

        _collect_digests(world.alpha, NOW, 100)
        digest = Digest.objects.get()
        send_email(to="alice@alpha.test", subject="s", body="b", message_id=digest.message_id)
        Digest.objects.update(status=OutboxStatus.FAILED, attempts=1, next_attempt_at=NOW)
        result = drain(organization=world.alpha, now=NOW + dt.timedelta(minutes=5))
        assert result.reconciled == 1 and result.emails == 0
        assert Digest.objects.get().status == OutboxStatus.SENT
    assert len(mail_sink.messages()) == 1


class _BotApi(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"path": self.path, **body})
        payload = json.dumps(
            {"ok": True, "result": {"message_id": len(type(self).received)}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bot_api(world, settings):  # type: ignore[no-untyped-def]
    """A local server speaking the bot API, configured as the messenger; alice's chat is on."""
    server = HTTPServer(("127.0.0.1", 0), _BotApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.MESSENGER_API_URL = f"http://127.0.0.1:{server.server_port}/bot-test-token"
    _BotApi.received = []
    preference = Preference.of(world.alice.pk)
    preference.messenger_enabled, preference.messenger_chat = True, "12345"
    preference.save()
    try:
        yield _BotApi.received
    finally:
        server.shutdown()


def test_the_messenger_gets_a_count_and_a_link_never_names(world, bot_api):
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "messenger", 1), _draft(world.alice, "messenger", 2)])
        assert drain(organization=world.alpha, now=NOW).messenger == 1
    [message] = _BotApi.received
    assert message["path"] == "/bot-test-token/sendMessage" and message["chat_id"] == "12345"
    assert message["text"].startswith(
        "У вас 2 новых напоминания в системе наставничества: http://alpha.localhost"
    )
    assert "пункт" not in message["text"] and "Алексеева" not in message["text"]


def test_a_message_whose_worker_died_while_sending_is_never_sent_twice(world, bot_api):
    from tenants.notifications.delivery import INTERRUPTED_MESSAGE
    from tenants.notifications.models import Outbox

    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "messenger", 1)])
        # A worker took it (its lease is on disk) and died before recording the answer.
        Outbox.objects.update(status="sending", leased_until=NOW + dt.timedelta(seconds=30))
        assert drain(organization=world.alpha, now=NOW).messenger == 0  # held: not taken
        later = NOW + dt.timedelta(minutes=5)
        assert drain(organization=world.alpha, now=later).messenger == 0
        row = Outbox.objects.get()
        assert (row.status, row.last_error) == ("dead", INTERRUPTED_MESSAGE)
    assert bot_api == []


def test_a_message_the_bot_api_did_not_answer_in_time_is_never_sent_twice(
    world, bot_api, settings, monkeypatch
):
    """A timeout after the request went out: it may have arrived, so it is not retried."""
    from tenants.notifications.delivery import INTERRUPTED_MESSAGE, send_timeout
    from tenants.notifications.models import Outbox

    settings.REMINDER_LEASE_SECONDS = 3
    assert send_timeout() == 0.5
    answer = _BotApi.do_POST

    def slow_answer(self):  # type: ignore[no-untyped-def]
        threading.Event().wait(1.5)
        answer(self)

    monkeypatch.setattr(_BotApi, "do_POST", slow_answer)
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "messenger", 1)])
        assert drain(organization=world.alpha, now=NOW).failed == 1
        row = Outbox.objects.get()
        assert (row.status, row.last_error) == ("dead", INTERRUPTED_MESSAGE)
        assert drain(organization=world.alpha, now=NOW + dt.timedelta(hours=2)).messenger == 0
    threading.Event().wait(1.5)  # the server's answer to nobody
    assert len(bot_api) == 1


def test_the_bell_counts_unread_and_the_inbox_marks_read(world):
    with tenant_context(world.alpha):
        outbox_write([_draft(world.alice, "inbox", 1), _draft(world.alice, "inbox", 2)])
        drain(organization=world.alpha, now=NOW)
        first = InboxMessage.objects.filter(user=world.alice).order_by("pk").first()
    client = host_client("alpha.localhost", world.alice)
    home = client.get("/").content.decode()
    assert 'class="bell-count">2<' in home
    page = client.get("/notifications/").content.decode()
    assert "Сегодня срок: пункт 1" in page
    client.post("/notifications/read/", {"message": first.pk}, HTTP_HX_REQUEST="true")
    assert 'class="bell-count">1<' in client.get("/").content.decode()
    client.post("/notifications/read/")
    assert "bell-count" not in client.get("/").content.decode()
    assert (
        "Сегодня срок: пункт 1"
        not in host_client("alpha.localhost", world.bob).get("/notifications/").content.decode()
    )


def test_opening_the_unsubscribe_link_only_asks_and_the_button_unsubscribes(world):
    token = Preference.of(world.alice.pk).unsubscribe_token
    anonymous = host_client("localhost")
    page = anonymous.get(f"/unsubscribe/{token}/email/").content.decode()
    assert "Отписаться от рассылки?" in page and 'value="One-Click"' in page
    assert (
        Preference.of(world.alice.pk).email_enabled is True
    )  # a mail scanner's GET changes nothing
    done = anonymous.post(f"/unsubscribe/{token}/email/", {"List-Unsubscribe": "One-Click"})
    assert "Вы отписались" in done.content.decode()
    assert Preference.of(world.alice.pk).email_enabled is False
    anonymous.post(f"/unsubscribe/{token}/email/", {"resubscribe": "1"})
    assert Preference.of(world.alice.pk).email_enabled is True
    assert anonymous.get("/unsubscribe/wrong/email/").status_code == 404


def test_a_mail_clients_one_click_post_unsubscribes_and_an_empty_post_does_not(world):
    token = Preference.of(world.alice.pk).unsubscribe_token
    anonymous = host_client("localhost")
    assert anonymous.post(f"/unsubscribe/{token}/email/").status_code == 400
    assert Preference.of(world.alice.pk).email_enabled is True
    # RFC 8058: the body a mail client sends, form-encoded, without any CSRF token.
    strict = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    response = strict.post(
        f"/unsubscribe/{token}/email/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Preference.of(world.alice.pk).email_enabled is False


def test_the_local_mail_page_is_for_platform_superusers_only(world, mail_sink):
    from accounts.models import User
    from messaging.channels import send_email

    send_email(
        to="alice@alpha.test", subject="Проверка письма", body="Текст письма", message_id="<t1@cmn>"
    )
    admin = User.objects.create_superuser("root", "root@cmn.test", "x")
    page = host_client("localhost", admin).get("/mail/").content.decode()
    assert "Проверка письма" in page and "Текст письма" in page
    assert host_client("localhost", world.olga).get("/mail/").status_code == 403
    assert host_client("localhost", world.alice).get("/mail/").status_code == 403
    assert host_client("localhost").get("/mail/").status_code == 302  # login first


def test_without_a_local_mail_server_there_is_no_mail_page(world, settings):
    from accounts.models import User

    settings.LOCAL_MAILDIR = ""
    admin = User.objects.create_superuser("root", "root@cmn.test", "x")
    assert host_client("localhost", admin).get("/mail/").status_code == 404
