"""Deleting an account: tenant tables refer to users without database constraints, so the
service applies each reference's on_delete in every organisation's schema."""

from __future__ import annotations

from django.core import checks
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import Membership, Role, User
from accounts.services import user_delete, user_references
from tenants.notifications.models import InboxMessage
from tenants.roadmap.models import CalendarFeed, ItemChange, RoadmapItem
from tests.conftest import host_client


def test_no_tenant_schema_has_a_database_constraint_on_a_shared_table(world):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, c.conname FROM pg_constraint c
            JOIN pg_namespace n ON n.oid = c.connamespace
            JOIN pg_class target ON target.oid = c.confrelid
            WHERE c.contype = 'f' AND n.nspname <> 'public'
              AND target.relnamespace = 'public'::regnamespace
            """
        )
        assert cursor.fetchall() == []
    # Every reference is known to the service, M2M through tables included.
    tables = {model._meta.db_table for model, _ in user_references()}
    assert "roadmap_roadmapitem_responsible_users" in tables
    assert "notifications_inboxmessage" in tables


def test_the_system_check_names_a_tenant_reference_with_a_constraint(monkeypatch):
    field = ItemChange._meta.get_field("user")
    monkeypatch.setattr(field, "db_constraint", True)
    errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    assert [e.id for e in errors] == ["organizations.E001"]
    assert "roadmap.ItemChange.user" in errors[0].msg


def _referenced_in_two_schemas(world) -> User:
    user = User.objects.create_user("leaving", password="x-pass-12345", last_name="Уходящий")
    Membership.objects.create(user=user, role=Role.COORDINATOR, organization=world.alpha)
    with schema_context(world.alpha.schema_name):
        item = RoadmapItem.objects.filter(is_stage=False).first()
        item.responsible_users.add(user)
        ItemChange.objects.create(item=item, user=user, summary="статус изменён")
        InboxMessage.objects.create(user=user, title="Напоминание", body="…")
    with schema_context(world.beta.schema_name):
        CalendarFeed.objects.create(user=user)
    return user


def test_deleting_a_user_clears_their_references_in_every_schema(world):
    user = _referenced_in_two_schemas(world)
    assert user_delete(user=user) == 2
    assert not User.objects.filter(username="leaving").exists()
    assert not Membership.objects.filter(user_id=user.pk).exists()
    with schema_context(world.alpha.schema_name):
        assert not RoadmapItem.responsible_users.through.objects.filter(user_id=user.pk).exists()
        change = ItemChange.objects.get(summary="статус изменён")
        assert change.user_id is None  # SET_NULL: the history stays, without the name
        assert not InboxMessage.objects.filter(user_id=user.pk).exists()  # CASCADE
    with schema_context(world.beta.schema_name):
        assert not CalendarFeed.objects.filter(user_id=user.pk).exists()


def test_the_operator_deletes_a_user_in_the_admin(world, django_user_model):
    user = _referenced_in_two_schemas(world)
    root = django_user_model.objects.create_superuser("root", password="x-admin-pass-1")
    client = host_client("localhost", root)
    confirm = client.get(f"/admin/accounts/user/{user.pk}/delete/")
    assert confirm.status_code == 200
    assert "Уходящий" in confirm.content.decode() or "leaving" in confirm.content.decode()
    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    with schema_context(world.alpha.schema_name):
        assert ItemChange.objects.get(summary="статус изменён").user_id is None


def test_the_admin_bulk_action_deletes_through_the_service(world, django_user_model):
    user = _referenced_in_two_schemas(world)
    root = django_user_model.objects.create_superuser("root", password="x-admin-pass-1")
    response = host_client("localhost", root).post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    with schema_context(world.beta.schema_name):
        assert not CalendarFeed.objects.filter(user_id=user.pk).exists()
