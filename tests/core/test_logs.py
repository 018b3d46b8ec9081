"""Errors reach someone: with SENTRY_DSN set, an error is reported to a Sentry-compatible
server (here a local one speaking its envelope protocol over HTTP) without personal data; with
LOG_FORMAT=json every log line is a JSON object naming the organisation's schema."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.faults.processes import REPO, python_env, wait_for

FAILING = """
import django, logging
django.setup()
from django.core.signals import got_request_exception
from django.test import RequestFactory
from django_tenants.utils import schema_context

def mark_attended(person):
    return 1 / 0

with schema_context("alpha"):
    try:
        mark_attended(person="Сидорова Анна Игоревна, 14.03.2011")
    except ZeroDivisionError:
        # What Django's handler does with an exception a view did not catch.
        request = RequestFactory().post("/mentoring/", {"mentee": "Сидорова Анна Игоревна"},
                                        HTTP_HOST="alpha.localhost")
        got_request_exception.send(sender=None, request=request)
        logging.getLogger("django.request").exception("Internal Server Error: /mentoring/")
import sentry_sdk
sentry_sdk.flush(timeout=10)
"""


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Collector.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", FAILING], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_an_error_is_reported_to_the_sentry_server_without_personal_data(db):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Collector.received = []
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
        result = _run(python_env(SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="test"))
        assert result.returncode == 0, result.stderr[-2000:]
        wait_for(lambda: Collector.received, 15, "the error report")
    finally:
        server.shutdown()
    path, body = Collector.received[0]
    assert path == "/api/42/envelope/"
    items = [json.loads(line) for line in body.decode().splitlines() if line.startswith("{")]
    event = next(i for i in items if "exception" in i)
    assert event["exception"]["values"][-1]["type"] == "ZeroDivisionError"
    assert event["environment"] == "test"
    # The failing frame's locals (a pupil's name and birth date) do not leave the platform.
    assert "Сидорова" not in body.decode()
    assert "vars" not in json.dumps(event["exception"])


def test_without_a_dsn_nothing_is_sent_and_json_logs_name_the_schema():
    result = _run(python_env(SENTRY_DSN="", LOG_FORMAT="json"))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    error = next(line for line in lines if line["logger"] == "django.request")
    assert (error["level"], error["schema"], error["message"]) == (
        "ERROR",
        "alpha",
        "Internal Server Error: /mentoring/",
    )
    assert "ZeroDivisionError" in error["exc_info"]
