"""Host → organisation: public hosts, tenant hosts, unknown hosts, the warm cache."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import host_client


def test_unknown_subdomain_gets_404_not_the_public_site(world):
    response = host_client("nobody.localhost").get("/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page
    assert "Организации региона" not in page


def test_bare_localhost_serves_the_regional_layer(world):
    response = host_client("localhost").get("/")
    assert response.status_code == 200
    assert "МБОУ «Школа Альфа»" in response.content.decode()


def test_organisation_host_serves_that_organisation(world):
    response = host_client("alpha.localhost", world.alice).get("/")
    assert response.status_code == 200
    assert "МБОУ «Школа Альфа»" in response.content.decode()


def test_inactive_organisation_host_is_404(world):
    world.beta.is_active = False
    world.beta.save(update_fields=["is_active"])
    assert host_client("beta.localhost", world.charlie).get("/").status_code == 404


def test_warm_host_lookup_makes_no_registry_query(world):
    client = host_client("alpha.localhost", world.alice)
    client.get("/healthz")  # warms the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "organizations_domain" in q["sql"]]


def test_a_request_sets_search_path_at_most_once(world):
    client = host_client("alpha.localhost", world.alice)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    search_paths = [q for q in queries.captured_queries if "search_path" in q["sql"].lower()]
    assert len(search_paths) <= 1


def test_every_error_is_the_sites_own_russian_page_on_every_host(world):
    cases = [
        ("nope.localhost", "/", None, 404, "Страница не найдена"),
        ("alpha.localhost", "/no-such-page/", world.alice, 404, "Страница не найдена"),
        ("localhost", "/no-such-page/", None, 404, "Страница не найдена"),
        ("alpha.localhost", "/people/", world.bob, 403, "Нет доступа"),
        ("beta.localhost", "/", world.alice, 403, "Нет доступа"),
        ("evil.example.com", "/", None, 400, "Этот адрес не обслуживается платформой"),
    ]
    for host, path, user, status, text in cases:
        response = host_client(host, user).get(path)
        page = response.content.decode()
        assert response.status_code == status, (host, path)
        assert '<html lang="ru"' in page and text in page, (host, path)
