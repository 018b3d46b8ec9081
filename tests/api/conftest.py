"""Fixtures of the API tests: the populated organisation of tests.api.world."""

from __future__ import annotations

import pytest

from tests.api.world import ApiWorld, build


@pytest.fixture
def api_world(world) -> ApiWorld:  # type: ignore[no-untyped-def]
    return build(world)
