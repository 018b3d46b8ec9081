"""The regional home: municipalities and organisations with their kind, filters, registry API."""

from __future__ import annotations

from tests.conftest import host_client


def test_regional_home_lists_municipalities_and_organisations_with_kind(world):
    page = host_client("localhost").get("/").content.decode()
    assert "Тестовая область" in page
    assert "Северный район" in page and "Южный район" in page
    assert "МБОУ «Школа Альфа»" in page and "МБДОУ «Бета»" in page
    assert "детский сад" in page
    assert 'href="http://alpha.localhost/"' in page


def test_links_keep_the_port_of_the_request(world):
    page = host_client("localhost:8000").get("/").content.decode()
    assert 'href="http://alpha.localhost:8000/"' in page


def test_filter_by_kind_answers_htmx_with_the_fragment(world):
    response = host_client("localhost").get("/?kind=kindergarten", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "МБДОУ «Бета»" in fragment and "МБОУ «Школа Альфа»" not in fragment


def test_public_navigation_adapts_to_the_role(world):
    anonymous = host_client("localhost").get("/").content.decode()
    operator = host_client("localhost", world.olga).get("/").content.decode()
    tutor = host_client("localhost", world.tanya).get("/").content.decode()
    assert "Войти" in anonymous and "Подключение организаций" not in anonymous
    assert "Подключение организаций" in operator and "Мониторинг" in operator
    assert "ИОМ педагогов" in tutor and "Подключение организаций" not in tutor


def test_registry_api_lists_and_lets_only_operators_provision(world):
    listing = host_client("localhost", world.maria).get("/api/v1/organizations/").json()
    assert {item["slug"] for item in listing["results"]} >= {"alpha", "beta"}
    payload = {
        "full_name": "Муниципальное общеобразовательное учреждение «Школа Каппа»",
        "short_name": "МОУ «Школа Каппа»",
        "slug": "kappa",
        "kind": "school",
        "municipality_id": world.north.pk,
    }
    refused = host_client("localhost", world.maria).post("/api/v1/organizations/", payload)
    assert refused.status_code == 403
    created = host_client("localhost", world.olga).post("/api/v1/organizations/", payload)
    assert created.status_code == 201, created.content
    assert created.json()["domain"] == "kappa.localhost"
    duplicate = host_client("localhost", world.olga).post("/api/v1/organizations/", payload)
    assert duplicate.status_code == 400
    assert "slug" in duplicate.json()


def test_public_openapi_schema_describes_the_registry(world):
    response = host_client("localhost", world.olga).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organizations/" in response.content
    assert host_client("localhost", world.olga).get("/api/docs/").status_code == 200


def test_a_member_finds_their_own_organisations_on_the_regional_home(world):
    page = host_client("localhost:8000", world.alice).get("/").content.decode()
    assert "Мои организации" in page
    assert '<a href="http://alpha.localhost:8000/">МБОУ «Школа Альфа»</a>' in page
    assert "Мои организации" not in host_client("localhost", world.olga).get("/").content.decode()
