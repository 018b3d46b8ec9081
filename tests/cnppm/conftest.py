"""The routes' fixtures (a fixed day, Bob's route with Tanya as his tutor) for the ЦНППМ's tests."""

from tests.routes.conftest import bob_route, on_day  # noqa: F401
