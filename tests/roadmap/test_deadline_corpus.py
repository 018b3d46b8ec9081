"""The deadline grammar on real phrases: every «Сроки» cell of the seed roadmaps and of the
published roadmaps whose text could be harvested (tests/fixtures/roadmap_corpus), and the
patterns the issue names; ≥ 95 % must be read, and none may raise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenants.roadmap.deadlines import parse_deadline

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "roadmap_corpus"


def _phrases(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("name", ["deadlines.txt", "issue_patterns.txt"])
def test_at_least_95_percent_of_real_phrases_are_read(name):
    phrases = _phrases(name)
    assert len(set(phrases)) == len(phrases), "a phrase is listed twice"
    unread = [p for p in phrases if not parse_deadline(p.replace("; ", "\n")).readable]
    assert len(unread) <= 0.05 * len(phrases), unread


def test_ejegodno_with_a_date_is_one_annual_date_not_a_whole_year():
    deadline = parse_deadline("ежегодно, до 25 мая")
    [occurrence] = deadline.occurrences(2026)
    assert (occurrence.start, str(occurrence.due)) == (None, "2027-05-25")


def test_a_specific_academic_year_and_lists_joined_by_i():
    [year] = parse_deadline("в течение 2023-2024 уч. г.").occurrences(2026)
    assert (str(year.start), str(year.due)) == ("2023-09-01", "2024-08-31")
    assert [str(o.due) for o in parse_deadline("до 15 октября и до 15 апреля").occurrences(2026)] == [
        "2026-10-15", "2027-04-15",
    ]  # fmt: skip
    assert [o.start.month for o in parse_deadline("сентябрь и май").occurrences(2026)] == [9, 5]
    assert [o.start.month for o in parse_deadline("Май, 2022; Август, 2022").occurrences(2026)] == [
        5,
        8,
    ]
