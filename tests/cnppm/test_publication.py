"""The region's figures of the routes: counts only, small ones hidden with what would give them
away, unchanged hidden cells hidden again, no name anywhere."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cnppm.models import RouteStatus
from cnppm.publication import cell_of, publish, publish_due

PUBLIC = "localhost"


def _statuses(
    organization, n: int, *, areas: list[str], step: int = 4, hours: int = 36, tag: str = ""
) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        teacher = User.objects.create_user(
            username=f"teacher-{organization.slug}-{tag}{i}", last_name=f"Педагогов{i}"
        )
        RouteStatus.objects.create(
            organization=organization, route_id=teacher.pk, teacher=teacher, step=step,
            started_on=dt.date(2026, 9, 1), ends_on=dt.date(2031, 8, 31), deficit_areas=areas,
            planned_hours={area: hours for area in areas}, changed_at=timezone.now(),
        )  # fmt: skip


def test_small_counts_and_what_gives_them_away_are_hidden(world):
    _statuses(world.alpha, 7, areas=["digital", "ict"])
    _statuses(world.beta, 2, areas=["digital"], tag="b")
    publication = publish(world.region)
    region, north, south = (cell_of(publication, m) for m in (None, world.north.pk, world.south.pk))
    assert south["figures"]["deficit:ict"] == 0
    # The region's 9 routes, 7 of them with the ICT deficit, would tell of Beta's two without it.
    assert region["figures"]["deficit:ict"] is None or region["figures"]["routes"] is None
    # Beta's two teachers with the digital deficit: hidden, and so is a total that gives them away.
    assert south["figures"]["deficit:digital"] is None
    assert (
        region["figures"]["deficit:digital"] is None or north["figures"]["deficit:digital"] is None
    )
    assert south["hours"]["digital"] is None  # hours follow the count of teachers
    assert north["hours"]["ict"] in (None, 7 * 36)
    assert (north["hours"]["ict"] is None) == (north["figures"]["deficit:ict"] is None)
    assert region["figures"]["routes"] is None or north["figures"]["routes"] is None
    assert north["by_step"]["4"] in (None, 7)


def test_a_hidden_cell_stays_hidden_while_its_value_is_unchanged(world):
    _statuses(world.alpha, 7, areas=["digital"])
    _statuses(world.beta, 2, areas=["digital"], tag="b")
    first = publish(world.region)
    hidden_first = {
        (c["municipality"], c["kind"])
        for c in first.cells
        if c["figures"]["deficit:digital"] is None
    }
    _statuses(world.alpha, 1, areas=["theory"], tag="x")  # an unrelated change
    second = publish(world.region)
    hidden_second = {
        (c["municipality"], c["kind"])
        for c in second.cells
        if c["figures"]["deficit:digital"] is None
    }
    assert hidden_first <= hidden_second


def test_publish_due_runs_only_after_a_change(world):
    _statuses(world.alpha, 5, areas=["legal"])
    assert publish_due() == 1
    assert publish_due() == 0
    RouteStatus.objects.filter(organization=world.alpha).update(changed_at=timezone.now())
    assert publish_due() == 1


def test_the_page_shows_counts_to_the_region_and_no_names(world, client_for):
    _statuses(world.alpha, 6, areas=["digital"])
    page = client_for(PUBLIC, world.tanya).get("/cnppm/deficits/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Цифровизация образования" in text and "Педагогов" not in text
    municipal = client_for(PUBLIC, world.maria).get("/cnppm/deficits/").content.decode()
    assert "Северный район" in municipal and "Южный район" not in municipal
    assert "Регион:" not in municipal  # a municipal specialist sees their municipality only
    assert client_for("alpha.localhost", world.alice).get("/cnppm/deficits/").status_code == 404
    assert client_for(PUBLIC, world.alice).get("/cnppm/deficits/").status_code == 403


def test_bounds_leave_no_withheld_count_pinned():
    from regional_dashboard.disclosure import widen as _bounds

    # 10, 1 and 1 teachers in three municipalities: shown 10 and 12 would leave 2 for two
    # withheld cells of at least 1 each — both exactly 1. More is withheld until that cannot be.
    values = {(None, "x"): 12, (1, "x"): 10, (2, "x"): 1, (3, "x"): 1}
    relation = [((None, "x"), [(1, "x"), (2, "x"), (3, "x")])]
    hidden = _bounds(values, {(2, "x"), (3, "x")}, relation)
    assert (None, "x") in hidden or (1, "x") in hidden
    # A withheld total whose parts are all shown is their sum: a part goes too.
    assert _bounds(
        {(None, "y"): 3, (1, "y"): 0, (2, "y"): 3},
        {(None, "y")},
        [((None, "y"), [(1, "y"), (2, "y")])],
    ) >= {(2, "y")}


def test_the_complement_of_a_deficit_count_is_protected_too(world):
    _statuses(world.alpha, 6, areas=["digital"])
    _statuses(world.alpha, 1, areas=[], tag="n")  # one teacher of seven without it
    _statuses(world.beta, 6, areas=["digital"], tag="b")
    publication = publish(world.region)
    north = cell_of(publication, world.north.pk)
    routes, digital = north["figures"]["routes"], north["figures"]["deficit:digital"]
    assert routes is None or digital is None  # 7 − 6 would name the one without
    region = cell_of(publication, None)
    assert (
        region["figures"]["routes"] is None
        or region["figures"]["deficit:digital"] is None
        or (region["figures"]["routes"] - region["figures"]["deficit:digital"] >= 5)
    )
