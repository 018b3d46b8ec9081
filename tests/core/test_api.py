"""core.api and core.schema: one exception handler, the router, and the refusals each
operation documents."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import get_resolver
from django_tenants.utils import tenant_context

from core.api import exception_handler
from tests.conftest import host_client
from tests.participants.conftest import make_person


def test_a_services_validation_error_is_a_400_with_its_field_messages():
    response = exception_handler(ValidationError({"last_name": "Укажите фамилию."}), {})
    assert response is not None and response.status_code == 400
    assert response.data == {"last_name": ["Укажите фамилию."]}
    plain = exception_handler(ValidationError("Сначала отметьте заключительную встречу."), {})
    assert plain is not None and plain.data == {
        "detail": ["Сначала отметьте заключительную встречу."]
    }


def test_a_unique_constraint_met_in_the_database_is_a_russian_409(world):
    from tenants.participants.models import Participant

    with tenant_context(world.alpha):
        person = make_person()
        with pytest.raises(IntegrityError) as raised, transaction.atomic():
            Participant.objects.create(
                academic_year=person.academic_year, natural_key=person.natural_key,
                last_name="x", first_name="y", category="pupil", bank_role="mentee",
            )  # fmt: skip
    response = exception_handler(raised.value, {})
    assert response is not None and response.status_code == 409
    assert response.data == {"detail": "Такая запись уже есть: повторять её нельзя."}


def test_djangos_english_not_found_becomes_russian_and_a_message_of_ours_stays():
    default = exception_handler(Http404("No Participant matches the given query."), {})
    assert default is not None and default.data == {"detail": "Не найдено."}
    ours = exception_handler(Http404("Документ не найден."), {})
    assert ours is not None and ours.data == {"detail": "Документ не найден."}


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost"])
def test_every_operation_documents_its_refusals(world, host):  # type: ignore[no-untyped-def]
    user = world.alice if host != "localhost" else world.maria
    schema = host_client(host, user).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert operations
    for method, path, operation in operations:
        codes = set(operation["responses"])
        assert {"401", "403", "404", "429"} <= codes, (method, path)
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            assert {"400", "409", "413"} <= codes, (method, path)
        if operation.get("parameters"):
            assert "400" in codes, (method, path)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail"}


def test_the_monitoring_schema_says_withheld_people_counts_are_null(world):
    schema = (
        host_client("localhost", world.maria)
        .get("/api/schema/", HTTP_ACCEPT="application/json")
        .json()
    )
    figures = schema["components"]["schemas"]["Figures"]["properties"]
    assert figures["mentors"]["nullable"] is True and figures["items_total"].get("nullable") is None
    record = schema["components"]["schemas"]["OrganizationRecord"]["properties"]
    assert record["pairs_total"]["nullable"] is True and record["day"]["format"] == "date"
    params = {
        p["name"]: p for p in schema["paths"]["/api/v1/monitoring/summary/"]["get"]["parameters"]
    }
    assert params["year"]["schema"] == {"type": "integer", "minimum": 2000, "maximum": 2100}
    assert set(params["kind"]["schema"]["enum"]) == {
        "school",
        "kindergarten",
        "college",
        "additional",
    }


def test_no_api_route_takes_a_format_suffix():
    for urlconf in ("config.urls_public", "config.urls_tenants"):
        patterns = [str(p.pattern) for p in _flatten(get_resolver(urlconf).url_patterns)]
        assert not [p for p in patterns if "format" in p], urlconf


def _flatten(patterns):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _flatten(pattern.url_patterns)
        else:
            yield pattern


def test_a_non_member_on_the_organisations_api_gets_a_json_403(world):
    response = host_client("alpha.localhost", world.charlie).get("/api/v1/pairs/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Нет роли в этой организации."}


def test_an_unknown_api_path_is_a_json_404_and_a_page_keeps_the_html_one(world):
    client = host_client("alpha.localhost", world.alice)
    assert client.get("/api/v1/pairs/1.5/").json() == {"detail": "Не найдено."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
