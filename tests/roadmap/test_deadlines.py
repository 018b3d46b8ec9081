"""The deadline grammar: every deadline cell of every seed roadmap, by hand, for 2025/2026."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from tenants.roadmap.deadlines import parse_deadline
from tenants.roadmap.importing import parse_text
from tests.roadmap.seeds import DOU8, MALINOVKA, MICHURINSK, SOSH19, seed_text

D = dt.date
WHOLE_2025 = (D(2025, 9, 1), D(2026, 8, 31))

# number → (kind, recurring, [(start, due), ...]) for academic year 2025/2026.
SOSH19_EXPECTED = {
    "1": ("date", False, [(None, D(2020, 12, 1))]),
    "2": ("date", False, [(None, D(2020, 12, 15))]),
    "3": ("date", False, [(None, D(2021, 2, 15))]),
    "4": ("date", False, [(None, D(2021, 4, 1))]),
    "5": ("date", False, [(None, D(2021, 9, 1))]),
    "6": ("annual_date", True, [(None, D(2025, 9, 10))]),
    "7": ("annual_date", True, [(None, D(2025, 9, 10))]),
    "8": ("annual_date", True, [(None, D(2026, 1, 10))]),  # January: second calendar year
    "9": ("annual_date", True, [(None, D(2025, 9, 10))]),
    "10": ("annual_month_range", True, [(D(2025, 9, 1), D(2026, 5, 31))]),
    "11": ("annual_date", True, [(D(2026, 5, 25), D(2026, 5, 25))]),
}
MALINOVKA_EXPECTED = {
    "1": (
        "multiple",
        False,
        [
            (D(2022, 5, 1), D(2022, 5, 31)),
            (D(2022, 8, 1), D(2022, 8, 31)),
            (D(2022, 9, 1), D(2022, 9, 30)),
        ],
    ),
    "2": ("month", False, [(D(2022, 8, 1), D(2022, 8, 31))]),
    "3": ("month", False, [(D(2022, 8, 1), D(2022, 8, 31))]),
    "4": ("multiple", True, [(D(2022, 8, 1), D(2022, 8, 31)), WHOLE_2025]),
    "5": ("multiple", True, [(D(2022, 9, 1), D(2022, 9, 30)), WHOLE_2025]),
    "6": ("month_range", False, [(D(2023, 4, 1), D(2023, 5, 31))]),
}
DOU8_EXPECTED = {  # no numbers in the source: rows in order
    "1": ("month", False, [(D(2023, 9, 1), D(2023, 9, 30))]),
    "2": ("month_range", False, [(D(2023, 11, 1), D(2024, 1, 31))]),
    "3": ("month_range", False, [(D(2023, 11, 1), D(2024, 1, 31))]),  # merged cell above
    "4": ("month", False, [(D(2024, 2, 1), D(2024, 2, 29))]),  # 2024 is a leap year
    "5": ("whole_period", True, [WHOLE_2025]),
    "6": ("whole_period", True, [WHOLE_2025]),
    "7": ("month", False, [(D(2024, 2, 1), D(2024, 2, 29))]),
    "8": ("month", False, [(D(2024, 4, 1), D(2024, 4, 30))]),
    "9": ("whole_period", True, [WHOLE_2025]),
    "10": ("month", False, [(D(2024, 2, 1), D(2024, 2, 29))]),
    "11": ("whole_period", True, [WHOLE_2025]),
    "12": ("month_range", False, [(D(2024, 4, 1), D(2024, 5, 31))]),
}
MICHURINSK_EXPECTED = {  # relative to the program; without a start date: 1 September
    "1": ("relative", True, [(D(2025, 9, 1), D(2025, 9, 30))]),
    "2": ("relative", True, [(D(2025, 9, 1), D(2025, 9, 30))]),
    "3": ("relative", True, [(D(2025, 9, 1), D(2025, 9, 30))]),
    "4": ("relative", True, [(D(2025, 9, 1), D(2025, 10, 31))]),
    "5": ("relative", True, [(D(2025, 9, 1), D(2025, 10, 31))]),
    "6": ("event", True, [(None, None)]),
    "7": ("whole_period", True, [WHOLE_2025]),
}


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (SOSH19, SOSH19_EXPECTED),
        (MALINOVKA, MALINOVKA_EXPECTED),
        (DOU8, DOU8_EXPECTED),
        (MICHURINSK, MICHURINSK_EXPECTED),
    ],
    ids=["sosh19", "malinovka", "dou8", "michurinsk"],
)
def test_every_deadline_cell_of_the_seed_roadmap_reads_right_for_2025(seed, expected):
    items = parse_text(seed_text(seed)).items
    assert [item.number for item in items] == list(expected)
    for item in items:
        kind, recurring, dates = expected[item.number]
        deadline = parse_deadline(item.deadline_text)
        got = [(o.start, o.due) for o in deadline.occurrences(2025)]
        assert (deadline.kind, deadline.recurring, got) == (kind, recurring, dates), (
            item.number,
            item.deadline_text,
        )


def test_program_relative_phrases_count_from_the_program_start():
    deadline = parse_deadline("В течение первого-второго месяца")
    [occurrence] = deadline.occurrences(2025, program_start=D(2025, 10, 15))
    assert (occurrence.start, occurrence.due) == (D(2025, 10, 15), D(2025, 12, 14))
    [first] = parse_deadline("В течение первого месяца").occurrences(
        2025, program_start=D(2026, 1, 31)
    )
    assert (first.start, first.due) == (D(2026, 1, 31), D(2026, 2, 27))


@pytest.mark.parametrize(
    ("phrase", "kind", "recurring", "dates"),
    [
        ("до 15 сентября", "annual_date", True, [(None, D(2025, 9, 15))]),
        ("До 15 сентября 2025 г.", "date", False, [(None, D(2025, 9, 15))]),
        ("с 1 по 15 сентября", "annual_date_range", True, [(D(2025, 9, 1), D(2025, 9, 15))]),
        ("01.09.2025 - 15.09.2025", "date_range", False, [(D(2025, 9, 1), D(2025, 9, 15))]),
        ("до конца сентября", "annual_month", True, [(None, D(2025, 9, 30))]),
        ("Сентябрь", "annual_month", True, [(D(2025, 9, 1), D(2025, 9, 30))]),
        ("в марте", "annual_month", True, [(D(2026, 3, 1), D(2026, 3, 31))]),
        ("Май, 2022", "month", False, [(D(2022, 5, 1), D(2022, 5, 31))]),
        ("Ноябрь-январь", "annual_month_range", True, [(D(2025, 11, 1), D(2026, 1, 31))]),
        ("2023-2024 уч. год", "academic_year", False, [(D(2023, 9, 1), D(2024, 8, 31))]),
        ("2025/2026 учебный год", "academic_year", False, [(D(2025, 9, 1), D(2026, 8, 31))]),
        ("I полугодие", "half_year", True, [(D(2025, 9, 1), D(2025, 12, 31))]),
        ("II полугодие", "half_year", True, [(D(2026, 1, 1), D(2026, 5, 31))]),
        ("2 полугодие 2024", "half_year", False, [(D(2024, 7, 1), D(2024, 12, 31))]),
        ("I квартал 2026", "quarter", False, [(D(2026, 1, 1), D(2026, 3, 31))]),
        ("IV квартал", "quarter", True, [(D(2025, 10, 1), D(2025, 12, 31))]),
        ("3 четверть", "term", True, [(D(2026, 1, 1), D(2026, 3, 31))]),
        ("по мере необходимости", "as_needed", True, []),
        ("По окончании учебного года", "event", True, [(None, None)]),
        ("В течение учебного года", "whole_period", True, [WHOLE_2025]),
        (
            "раз в полугодие",
            "periodic",
            True,
            [(D(2025, 9, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 5, 31))],
        ),
        (
            "1 раз в четверть",
            "periodic",
            True,
            [
                (D(2025, 9, 1), D(2025, 10, 31)),
                (D(2025, 11, 1), D(2025, 12, 31)),
                (D(2026, 1, 1), D(2026, 3, 31)),
                (D(2026, 4, 1), D(2026, 5, 31)),
            ],
        ),
        (
            "ежеквартально",
            "periodic",
            True,
            [
                (D(2025, 9, 1), D(2025, 9, 30)),
                (D(2025, 10, 1), D(2025, 12, 31)),
                (D(2026, 1, 1), D(2026, 3, 31)),
                (D(2026, 4, 1), D(2026, 5, 31)),
            ],
        ),
        (
            "Сентябрь, январь, май",
            "multiple",
            True,
            [
                (D(2025, 9, 1), D(2025, 9, 30)),
                (D(2026, 1, 1), D(2026, 1, 31)),
                (D(2026, 5, 1), D(2026, 5, 31)),
            ],
        ),
    ],
)
def test_other_phrases_real_roadmaps_use(phrase, kind, recurring, dates):
    deadline = parse_deadline(phrase)
    assert deadline.kind == kind
    assert deadline.recurring is recurring
    assert [(o.start, o.due) for o in deadline.occurrences(2025)] == dates


def test_monthly_runs_through_the_study_months():
    occurrences = parse_deadline("ежемесячно").occurrences(2025)
    assert (occurrences[0].start, occurrences[0].due) == (D(2025, 9, 1), D(2025, 9, 30))
    assert [o.due.month for o in occurrences] == [9, 10, 11, 12, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "phrase",
    ["Когда получится", "32.09.2025", "До 31.02.2025", "Сентябрь; когда-нибудь", "", "13 месяц"],
)
def test_unreadable_phrases_are_kept_as_written_and_never_guessed(phrase):
    deadline = parse_deadline(phrase)
    assert deadline.kind == "unparsed"
    assert not deadline.readable
    assert deadline.occurrences(2025) == []
    assert deadline.text == phrase.strip()


def test_structured_form_round_trips_through_json():
    deadline = parse_deadline("<p>Август, 2022</p> <p>В течение года</p>")
    again = type(deadline).from_json(json.loads(json.dumps(deadline.as_json())))
    assert again.occurrences(2025) == deadline.occurrences(2025)
    assert again.kind == "multiple" and again.recurring


def test_academic_year_starting_on_another_day_shifts_annual_dates():
    deadline = parse_deadline("Сентябрь-май ежегодно")
    [occurrence] = deadline.occurrences(2025, year_start=(8, 15))
    assert (occurrence.start, occurrence.due) == (D(2025, 9, 1), D(2026, 5, 31))
    [annual] = parse_deadline("До 20.08. ежегодно").occurrences(2025, year_start=(8, 15))
    assert annual.due == D(2025, 8, 20)


def test_parse_deadline_command_prints_json(capsys):
    call_command("parse_deadline", "До 10.01. ежегодно", "--academic-year", "2025")
    assert json.loads(capsys.readouterr().out) == {
        "kind": "annual_date",
        "recurring": True,
        "occurrences": [{"start": None, "due": "2026-01-10"}],
    }
    call_command(
        "parse_deadline", "В течение первого месяца", "--academic-year", "2025",
        "--program-start", "2025-10-01",
    )  # fmt: skip
    assert json.loads(capsys.readouterr().out)["occurrences"] == [
        {"start": "2025-10-01", "due": "2025-10-31"}
    ]


def test_parse_deadline_command_refuses_an_unreadable_phrase_in_russian():
    with pytest.raises(CommandError, match="Не удалось распознать срок «как-нибудь потом»"):
        call_command("parse_deadline", "как-нибудь потом", "--academic-year", "2025")


def test_a_date_before_a_late_year_start_falls_at_the_end_of_the_year():
    [occurrence] = parse_deadline("До 10.08. ежегодно").occurrences(2025, year_start=(8, 15))
    assert occurrence.due == D(2026, 8, 10)
