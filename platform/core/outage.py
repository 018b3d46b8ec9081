"""PostgreSQL unreachable for a moment (a restart, a failover): a read is tried once more on a
fresh connection; what still fails answers «попробуйте ещё раз» (503), never a traceback.

- `DatabaseRetryMiddleware` (first in MIDDLEWARE): a GET or HEAD that met a dropped
  connection anywhere is run again once, whole, on a new connection (waiting up to two
  seconds for one). Writes are not retried: whether the first attempt committed is unknown, and the
  person who sent it decides (forms carry what makes a repeat harmless).
- `server_error` (handler500 of both URLconfs): a database error becomes the 503 page (JSON on
  the API) with Retry-After; anything else is Django's 500 page. Neither touches the database.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_PAUSE_SECONDS = 0.5
RECONNECT_ATTEMPTS = 4
RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = "database_unavailable"  # the attribute server_error sets on its answer
UNAVAILABLE = "База данных временно недоступна. Повторите запрос через несколько секунд."


class DatabaseRetryMiddleware:
    """First in MIDDLEWARE: a GET or HEAD answered with the database-unavailable page (by
    server_error, wherever the error came from: a middleware loading the session, the view, a
    template's query) is run once more, whole, on a new connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and getattr(response, DATABASE_UNAVAILABLE, False):
            log.warning("database connection lost during %s; trying once more", request.path)
            _reconnect()
            response = self.get_response(request)
        return response


def _reconnect() -> None:
    """A new connection, waiting up to RECONNECT_ATTEMPTS pauses for the server to be back
    (a fast restart takes about a second); the one retry runs either way."""
    for _ in range(RECONNECT_ATTEMPTS):
        connection.close()
        time.sleep(RETRY_PAUSE_SECONDS)
        try:
            connection.ensure_connection()
        except DATABASE_ERRORS:
            continue
        return


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_ERRORS):
        return django_server_error(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    setattr(response, DATABASE_UNAVAILABLE, True)
    return response
