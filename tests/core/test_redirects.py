"""A `next` sends the browser on only within the request's own host."""

from __future__ import annotations

from django.test import RequestFactory

from core.redirects import safe_next

FALLBACK = "/roadmap/items/1/"


def _next(value: str, host: str = "alpha.localhost") -> str:
    request = RequestFactory().post("/x/", {"next": value}, HTTP_HOST=host)
    return safe_next(request, FALLBACK)


def test_a_path_on_the_same_host_is_followed():
    assert _next("/roadmap/?year=2025#item-3") == "/roadmap/?year=2025#item-3"
    assert _next("http://alpha.localhost/roadmap/") == "http://alpha.localhost/roadmap/"


def test_another_site_or_another_school_falls_back_to_the_default():
    for target in (
        "https://evil.example/",
        "//evil.example/path",
        "\\\\evil.example",
        "/\\evil.example",
        "http://beta.localhost/roadmap/",
        "javascript:alert(1)",
        "",
    ):
        assert _next(target) == FALLBACK, target


def test_a_query_string_next_is_checked_the_same_way():
    request = RequestFactory().get(
        "/x/", {"next": "https://evil.example/"}, HTTP_HOST="alpha.localhost"
    )
    assert safe_next(request, FALLBACK) == FALLBACK
