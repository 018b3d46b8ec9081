"""Tenant tasks on a real Celery worker over the real Redis: right schema, or refusal."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from config.celery import app
from tasks.base import MissingTenantSchema, send_to_tenant
from tasks.system import public_ping, tenant_probe


@pytest.fixture(scope="module")
def celery_worker(django_db_blocker, monkeypatch_module):  # type: ignore[no-untyped-def]
    # This worker is a thread of the test process: a connection it kept (as real workers do,
    # see CELERY_DB_REUSE_MAX) would outlive it and keep the test database from being dropped.
    monkeypatch_module.setitem(app.conf, "CELERY_DB_REUSE_MAX", None)
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker,
    ):
        yield worker


@pytest.fixture(scope="module")
def monkeypatch_module():  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        yield patch


pytestmark = pytest.mark.celery_worker


def test_tenant_task_runs_in_the_schema_it_was_sent_to(world, celery_worker):
    for organization in (world.alpha, world.beta):
        result = send_to_tenant(tenant_probe, organization.schema_name).get(timeout=30)
        assert result == {
            "schema": organization.schema_name,
            "current_schema": organization.schema_name,
            "tenant": organization.short_name,
        }


def test_a_task_sent_from_a_tenant_context_carries_that_schema(world, celery_worker):
    with schema_context("beta"):
        result = tenant_probe.delay().get(timeout=30)
    assert result["current_schema"] == "beta"


def test_tenant_task_without_a_schema_refuses_to_run(world, celery_worker):
    with pytest.raises(MissingTenantSchema):
        tenant_probe.delay().get(timeout=30)
    with pytest.raises(MissingTenantSchema):
        send_to_tenant(tenant_probe, "public")


def test_public_task_runs_in_public(world, celery_worker):
    assert public_ping.delay().get(timeout=30) == "public"


def test_a_task_nobody_waits_for_leaves_no_result_in_redis(world, celery_worker):
    """Product tasks keep their outcome in PostgreSQL; a stored Celery result would be a Redis
    key for a day per task (each sweep sends one task per organisation)."""
    import redis
    from django.conf import settings

    import tasks.accounts
    import tasks.imports
    import tasks.reminders
    import tasks.rollups  # noqa: F401  (the product's tasks, registered)

    probes = {"system.public_ping", "system.tenant_probe"}
    product = [name for name in app.tasks if name.split(".")[0] in
               {"accounts", "dispatch", "rollups", "cnppm", "imports", "reminders", "system"}]  # fmt: skip
    assert len(product) > 15
    assert {n for n in product if not app.tasks[n].ignore_result} == probes
    # On the real worker: a probe's result is stored, a product task's is not.
    connection = redis.Redis.from_url(settings.REDIS_URL)
    sent = send_to_tenant(app.tasks["imports.cleanup_tenant"], world.alpha.schema_name)
    probe = public_ping.delay()
    assert probe.get(timeout=30) == "public"  # the solo worker ran the first task before it
    assert connection.exists(f"celery-task-meta-{probe.id}")
    assert not connection.exists(f"celery-task-meta-{sent.id}")
