"""A dropped database connection: a read is run once more, whole, on a new connection; a
write, or a read that fails again, gets the «попробуйте ещё раз» page (JSON on the API), not a traceback.
The real thing (PostgreSQL restarted under traffic) is tests/faults/test_outages.py."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from core import outage


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(outage, "RETRY_PAUSE_SECONDS", 0)


def _handled(path: str, error: Exception, method: str = "get") -> HttpResponse:
    try:
        raise error
    except Exception:
        return outage.server_error(getattr(RequestFactory(), method)(path))


class FlakyChain:
    """The rest of the middleware chain and the view: the try-again page `failures` times
    (as server_error answers a dropped connection), then the page."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.calls += 1
        if self.calls <= self.failures:
            return _handled(request.path, OperationalError("server closed the connection"), "get")
        return HttpResponse("ok")


@pytest.fixture
def reconnects(monkeypatch):  # type: ignore[no-untyped-def]
    made: list[bool] = []
    monkeypatch.setattr(outage, "_reconnect", lambda: made.append(True))
    return made


def test_a_read_is_run_once_more_on_a_new_connection(reconnects):
    chain = FlakyChain(failures=1)
    response = outage.DatabaseRetryMiddleware(chain)(RequestFactory().get("/roadmap/"))
    assert (response.status_code, response.content, chain.calls) == (200, b"ok", 2)
    assert reconnects == [True]


def test_a_read_failing_twice_and_a_write_get_the_try_again_page(reconnects):
    chain = FlakyChain(failures=2)
    response = outage.DatabaseRetryMiddleware(chain)(RequestFactory().get("/roadmap/"))
    assert (response.status_code, chain.calls) == (503, 2)
    write = FlakyChain(failures=1)
    response = outage.DatabaseRetryMiddleware(write)(RequestFactory().post("/roadmap/"))
    assert (response.status_code, write.calls) == (503, 1)  # whether it committed is unknown


def test_reconnecting_waits_for_the_server_to_be_back(monkeypatch):
    attempts: list[int] = []

    def ensure_connection() -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "close", lambda: None)
    monkeypatch.setattr(connection, "ensure_connection", ensure_connection)
    outage._reconnect()
    assert len(attempts) == 3


def test_a_database_error_answers_the_try_again_page_and_the_api_json():
    page = _handled("/roadmap/", OperationalError("connection refused"))
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "Попробуйте ещё раз через несколько секунд" in page.content.decode()
    api = _handled("/api/v1/organization/", OperationalError("connection refused"))
    assert api.status_code == 503 and json.loads(api.content) == {"detail": outage.UNAVAILABLE}
    other = _handled("/roadmap/", ZeroDivisionError())
    assert other.status_code == 500 and "Мы уже знаем об ошибке" in other.content.decode()
