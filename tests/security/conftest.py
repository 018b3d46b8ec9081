"""The matrix's world, built once per module and rolled back at its end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings

from tests.security.world import Matrix, matrix_build


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> Iterator[Matrix]:  # type: ignore[no-untyped-def]
    """Two schools' objects and every persona's session, in one transaction per module.

    Each test's own transaction (pytest-django's `db`) is a savepoint inside it, so whatever a
    request writes is undone after the test while the world and the sessions stay."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = matrix_build()
        connection.set_schema_to_public()
        # The matrix sends a few thousand requests from one address within a minute, past the
        # API throttles (their own tests are tests/accounts/test_throttling.py); and no local
        # mail page, as in production.
        rates = {"anon": "100000/min", "user": "100000/min"}
        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
            LOCAL_MAILDIR="",
        ):
            yield built
        transaction.set_rollback(True)


@pytest.fixture
def db(matrix, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """In this folder `db` is a savepoint inside the module's transaction, undone after the test.

    The same isolation as pytest-django's `db`, and the same name, so pytest-django still sees
    that these tests need the test database (it creates it only for tests asking for `db`);
    but without building a TestCase per test: at three thousand cases their setup and teardown
    cost more than the requests themselves."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
