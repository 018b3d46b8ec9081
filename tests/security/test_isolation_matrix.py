"""The isolation matrix: every route of both URLconfs × every role, as tests/security/routes.py says.

Generated from the URLconfs, so a new route without an entry in the table fails here by name.
Each case is one request (a failure names route × role): no 5xx, the status the table grants
or a refusal, no school's data (its canary) in an answer to anyone but that school's members,
and no write by a refused request.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.security.routes import (
    PUBLIC_GROUPS,
    PUBLIC_ROUTES,
    TENANT_GROUPS,
    TENANT_ROUTES,
    Probe,
)
from tests.security.urlconf import PUBLIC_URLCONF, TENANT_URLCONF, Route, routes_of
from tests.security.world import (
    ANONYMOUS,
    COORDINATOR,
    FOREIGN_COORDINATOR,
    PERSONAS,
    ROLES,
    Matrix,
    School,
)

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

TABLES = {
    TENANT_URLCONF: ("TENANT_ROUTES", TENANT_ROUTES, "TENANT_GROUPS", TENANT_GROUPS),
    PUBLIC_URLCONF: ("PUBLIC_ROUTES", PUBLIC_ROUTES, "PUBLIC_GROUPS", PUBLIC_GROUPS),
}
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Viewpoint:
    """Who asks, on whose host, with whose objects' ids, judged by which row of the table."""

    name: str
    host: str  # "alpha", "beta" or "public"
    refs: str  # "alpha", "beta" or "public"
    persona: str | None
    role: str


# Alpha's host with Alpha's objects for every role; then Beta's coordinator trying his own
# school's ids on Alpha, at home on Beta (a control: his session works, so his 403s on Alpha
# are about the school), and Alpha's coordinator on Beta.
TENANT_VIEWPOINTS = (
    *(Viewpoint(role, "alpha", "alpha", PERSONAS.get(role), role) for role in ROLES),
    Viewpoint("charlie_with_betas_ids", "alpha", "beta", "charlie", FOREIGN_COORDINATOR),
    Viewpoint("charlie_at_home_on_beta", "beta", "beta", "charlie", COORDINATOR),
    Viewpoint("alice_on_beta", "beta", "beta", "alice", FOREIGN_COORDINATOR),
)
PUBLIC_VIEWPOINTS = tuple(
    Viewpoint(role, "public", "public", PERSONAS.get(role), role) for role in ROLES
)


@dataclass(frozen=True)
class Case:
    urlconf: str
    pattern: str
    name: str | None  # to reverse the path; None for a literal one
    probe: Probe
    json_format: bool  # the route's DRF `.json` twin
    viewpoint: Viewpoint


def _entry_key(
    route: Route, table: Mapping[str, object], groups: Mapping[str, object]
) -> str | None:
    pattern = route.format_of or route.pattern
    if pattern in table:
        return pattern
    return next((prefix for prefix in groups if pattern.startswith(prefix)), None)


def _cases() -> Iterator[ParameterSet]:
    for urlconf, (_, table, _, groups) in TABLES.items():
        viewpoints = TENANT_VIEWPOINTS if urlconf == TENANT_URLCONF else PUBLIC_VIEWPOINTS
        seen_groups: set[str] = set()
        for route in routes_of(urlconf):
            key = _entry_key(route, table, groups)
            if key is None:
                continue  # test_every_route_has_an_entry_and_every_entry_a_route names it
            if key in groups:
                if key in seen_groups:
                    continue
                seen_groups.add(key)
                probes, name = groups[key], None
            else:
                probes, name = table[key], route.name
            for probe in probes:
                if route.format_of and probe.method != "GET":
                    continue  # the twin runs the same view; reads are enough to show it guarded
                suffix = ".json" if route.format_of else ""
                label = f" [{probe.label}]" if probe.label else ""
                what = probe.path or (route.name or route.pattern) + suffix
                for viewpoint in viewpoints:
                    case = Case(
                        urlconf, route.pattern, name, probe, bool(route.format_of), viewpoint
                    )
                    reason = probe.xfail.get(viewpoint.role)
                    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                    yield pytest.param(
                        case,
                        id=f"{viewpoint.host} {what} {probe.method}{label} as {viewpoint.name}",
                        marks=marks,
                    )


CASES = list(_cases())


def _value(value: str, refs: Mapping[str, str]) -> str:
    return refs[value[1:]] if value.startswith("@") else value


def _refs(matrix: Matrix, which: str) -> Mapping[str, str]:
    return matrix.public_refs if which == "public" else _school(matrix, which).refs


def _school(matrix: Matrix, which: str) -> School:
    return matrix.alpha if which == "alpha" else matrix.beta


def _host(matrix: Matrix, which: str) -> str:
    return "localhost" if which == "public" else _school(matrix, which).host


def _path(case: Case, refs: Mapping[str, str]) -> str:
    if case.probe.path:
        return case.probe.path
    kwargs = {key: _value(value, refs) for key, value in case.probe.params.items()}
    if case.json_format:
        kwargs["format"] = "json"
    if case.name is None:
        return "/" + case.pattern
    return reverse(case.name, urlconf=case.urlconf, kwargs=kwargs)


def _request(client: Client, case: Case, path: str, refs: Mapping[str, str]) -> HttpResponse:
    probe = case.probe
    query = {key: _value(value, refs) for key, value in probe.query.items()}
    data = {key: _value(value, refs) for key, value in probe.data.items()}
    if probe.method == "GET":
        return client.get(path, query, follow=probe.follow)  # type: ignore[return-value]
    if query:
        path += "?" + urlencode(query)
    if path.startswith("/api/"):
        send = getattr(client, probe.method.lower())
        return send(path, json.dumps(data), content_type="application/json")  # type: ignore[no-any-return]
    return client.post(path, data, follow=probe.follow)  # type: ignore[return-value]


def _body(response: HttpResponse) -> str:
    """What a client would read, decoded as it would be: the headers (a file name, a redirect's
    address) and the body, DOCX and XLSX unpacked, with XML character references and JSON
    \\u-escapes turned back into letters (openpyxl writes Cyrillic as &#1048;…)."""
    # Reading a streamed body to its end lets the test client close it; closing it here would
    # fire request_finished, whose handler drops the connection inside our transaction.
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    text = content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return f"{unquote(str(response.headers))}\n{html.unescape(text)}"


def _watched_tables() -> dict[int, str]:
    """Every table of the public schema and of both schools (but the sessions: logging in
    writes them, not a view), by oid."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid, n.nspname || '.' || c.relname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'alpha', 'beta')"
            " AND (n.nspname, c.relname) <> ('public', 'django_session')"
        )
        return dict(cursor.fetchall())


def table_writes(tables: Mapping[int, str]) -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table written.

    PostgreSQL counts them per transaction (pg_stat_xact_*), savepoints included: a write
    that was rolled back still shows, and the check costs one query however big the tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, n FROM unnest(%s::oid[]) AS t, LATERAL (SELECT"
            " pg_stat_get_xact_tuples_inserted(t) + pg_stat_get_xact_tuples_updated(t)"
            " + pg_stat_get_xact_tuples_deleted(t) AS n) AS counted WHERE n > 0",
            [list(tables)],
        )
        return {tables[oid]: n for oid, n in cursor.fetchall()}


def _refusal_problem(case: Case, response: HttpResponse, path: str) -> str | None:
    """Why the answer is not a refusal, or None if it is one."""
    status = response.status_code
    if case.viewpoint.role == ANONYMOUS or case.probe.refusal == "login":
        if path.startswith("/api/"):
            return None if status in (401, 403) else f"got {status}, not 401/403"
        chain = getattr(response, "redirect_chain", None)
        target = chain[-1][0] if chain else (response.get("Location", "") if status == 302 else "")
        if target.startswith(LOGIN_PAGES):
            return None
        return f"got {status} {target}, not a redirect to the login page"
    return None if status in (403, 404) else f"got {status}, not 403/404"


@pytest.fixture(scope="module")
def matrix_tables(matrix: Matrix, django_db_blocker) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return _watched_tables()


@pytest.mark.parametrize("case", CASES)
def test_each_route_answers_each_role_as_the_table_says(
    case: Case, matrix: Matrix, matrix_tables: dict[int, str], db: None
) -> None:
    viewpoint, probe = case.viewpoint, case.probe
    refs = _refs(matrix, viewpoint.refs)
    path = _path(case, refs)
    client = Client(HTTP_HOST=_host(matrix, viewpoint.host), raise_request_exception=False)
    if viewpoint.persona is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = matrix.sessions[viewpoint.persona]
    granted = probe.granted(viewpoint.role)
    must_not_write = granted is None or granted in (404, 405)
    before = table_writes(matrix_tables) if must_not_write else {}
    response = _request(client, case, path, refs)
    written = []
    if must_not_write:
        written = [t for t, n in table_writes(matrix_tables).items() if n > before.get(t, 0)]
    body = _body(response)
    where = f"{probe.method} {_host(matrix, viewpoint.host)}{path} as {viewpoint.name}"

    assert response.status_code < 500, f"{where}: {response.status_code} (a server error)"
    if granted is not None:
        assert response.status_code == granted, f"{where}: {response.status_code}, not {granted}"
    else:
        problem = _refusal_problem(case, response, path)
        assert problem is None, f"{where} must be refused: {problem}"
    if must_not_write:
        assert not written, f"{where} was refused but wrote to {written}"
    for which in ("alpha", "beta"):
        school = _school(matrix, which)
        if viewpoint.host == which and viewpoint.persona in school.members:
            continue
        assert school.canary not in body, f"{where}: the answer shows {which}'s data"


def _missing_entry(urlconf: str, table_name: str, route: Route) -> str:
    params = {k: "@<object kind>" for k in route.kwargs if k != "format"}
    example = f"get({{200: MEMBERS}}, params={params!r})" if params else "get({200: MEMBERS})"
    return (
        f"{urlconf}: no entry for the route {route.pattern!r} (name {route.name!r}, view "
        f"{route.view}). Add it to {table_name} in tests/security/routes.py, e.g.\n"
        f"    {route.pattern!r}: ({example},),\n"
        f"  with its parameters filled from the world (tests/security/world.py) and the roles "
        f"that get each status (a POST probe too if it writes; its .json twin, if any, is "
        f"covered by the same entry)."
    )


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    problems = []
    for urlconf, (table_name, table, groups_name, groups) in TABLES.items():
        routes = routes_of(urlconf)
        patterns = {route.pattern for route in routes}
        used: set[str] = set()
        for route in routes:
            key = _entry_key(route, table, groups)
            if key is None:
                if route.format_of not in patterns:  # a twin is reported with its route
                    problems.append(_missing_entry(urlconf, table_name, route))
                continue
            used.add(key)
            for probe in table.get(key) or ():
                missing = set(route.kwargs) - {"format"} - set(probe.params)
                if missing:
                    problems.append(
                        f"{urlconf}: {table_name}[{key!r}] {probe.method} {probe.label} does not "
                        f"fill the path parameters {sorted(missing)}."
                    )
        stale = (set(table) | set(groups)) - used
        problems += [
            f"{urlconf}: {table_name if key in table else groups_name}[{key!r}] names no route "
            f"any more: remove it, or update its key to the route's new pattern."
            for key in sorted(stale)
        ]
    assert not problems, "\n".join(problems)


def _as(matrix: Matrix, host: str, persona: str | None = None) -> Client:
    client = Client(HTTP_HOST=host)
    if persona is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = matrix.sessions[persona]
    return client


def test_the_canaries_are_where_members_see_them(matrix: Matrix, db: None) -> None:
    """The canary check is not vacuous: each school's coordinator meets its canary at home, in
    pages and inside an XLSX (the check reads archives unpacked)."""
    for school, coordinator in ((matrix.alpha, "alice"), (matrix.beta, "charlie")):
        client = _as(matrix, school.host, coordinator)
        assert school.canary in _body(client.get(f"/participants/{school.refs['participant']}/"))
        assert school.canary in _body(client.get("/participants/export.xlsx"))


def test_the_open_routes_answer_their_real_secret(matrix: Matrix, db: None) -> None:
    """The matrix's 404s on the open routes are about the wrong secret: the right one works,
    without logging in."""
    tokens = matrix.real_tokens
    alpha = _as(matrix, matrix.alpha.host)
    assert alpha.get(f"/q/{tokens['invitation']}/").status_code == 200
    assert alpha.get(f"/choose/{tokens['offer']}/").status_code == 200
    feed = alpha.get(f"/calendar/{tokens['calendar']}.ics")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    public = _as(matrix, "localhost")
    assert public.get(f"/unsubscribe/{tokens['unsubscribe']}/email/").status_code == 200
    # Static files pass the membership gate too (the test settings serve none: 404, not login).
    assert alpha.get("/static/css/app.css").status_code == 404
