"""The grammar of Russian deadline phrases («До 10.09. ежегодно», «Ноябрь 2023-январь 2024», …).

`parse_deadline(text)` turns what people write in the «Сроки» column of a дорожная карта into a
`Deadline`; `Deadline.occurrences(academic_year)` gives its concrete dates in an academic year
(named by its first calendar year: 2025 is 2025/2026). Pure functions, no database.

A phrase the grammar cannot read becomes kind "unparsed": kept as written, flagged, never
guessed. A cell with several phrases (one per sub-activity) is read only if every part is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

# Kinds ------------------------------------------------------------------------------------------

DATE = "date"  # «До 01.12.2020», «25.05.2026»
DATE_RANGE = "date_range"  # «с 01.09.2025 по 15.09.2025»
ANNUAL_DATE = "annual_date"  # «До 10.09. ежегодно», «до 15 сентября»
ANNUAL_DATE_RANGE = "annual_date_range"  # «с 1 по 15 сентября»
MONTH = "month"  # «Сентябрь 2023», «Май, 2022»
MONTH_RANGE = "month_range"  # «Ноябрь 2023-январь 2024», «Апрель - май, 2023»
ANNUAL_MONTH = "annual_month"  # «Сентябрь», «в сентябре ежегодно»
ANNUAL_MONTH_RANGE = "annual_month_range"  # «Сентябрь-май ежегодно»
RELATIVE = "relative"  # «В течение первого-второго месяца» (of the program)
WHOLE_PERIOD = "whole_period"  # «В течение всего периода», «В течение года»
ACADEMIC_YEAR = "academic_year"  # «2023-2024 уч. год»
PERIODIC = "periodic"  # «ежемесячно», «ежеквартально», «раз в четверть», «раз в полугодие»
HALF_YEAR = "half_year"  # «I полугодие», «2 полугодие 2024»
QUARTER = "quarter"  # «I квартал 2024»
TERM = "term"  # «2 четверть»
EVENT = "event"  # «По завершению плана мероприятий …»
AS_NEEDED = "as_needed"  # «по мере необходимости»
MULTIPLE = "multiple"  # several phrases in one cell
UNPARSED = "unparsed"

KIND_LABELS = {
    DATE: "дата",
    DATE_RANGE: "период с датами",
    ANNUAL_DATE: "ежегодная дата",
    ANNUAL_DATE_RANGE: "ежегодный период",
    MONTH: "месяц",
    MONTH_RANGE: "несколько месяцев",
    ANNUAL_MONTH: "месяц каждого учебного года",
    ANNUAL_MONTH_RANGE: "месяцы каждого учебного года",
    RELATIVE: "от начала программы",
    WHOLE_PERIOD: "весь учебный год",
    ACADEMIC_YEAR: "учебный год",
    PERIODIC: "периодически",
    HALF_YEAR: "полугодие",
    QUARTER: "квартал",
    TERM: "четверть",
    EVENT: "по событию",
    AS_NEEDED: "по мере необходимости",
    MULTIPLE: "несколько сроков",
    UNPARSED: "не распознан",
}

RECURRING_KINDS = frozenset(
    {
        ANNUAL_DATE, ANNUAL_DATE_RANGE, ANNUAL_MONTH, ANNUAL_MONTH_RANGE, RELATIVE,
        WHOLE_PERIOD, PERIODIC, EVENT, AS_NEEDED,
    }
)  # fmt: skip

# The school year's study period ends on 31 May; periodic activities pause for the summer.
STUDY_END = (5, 31)


@dataclass(frozen=True)
class Occurrence:
    start: dt.date | None
    due: dt.date | None
    label: str = ""  # the sub-activity or period it belongs to («1 четверть», «Май, 2022»)

    def as_json(self) -> dict[str, str | None]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass(frozen=True)
class Part:
    """One readable phrase. Which fields matter depends on `kind`."""

    kind: str
    text: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    end_day: int | None = None
    end_month: int | None = None
    end_year: int | None = None
    by: bool = False  # «до …»: a deadline without a start
    from_month: int | None = None  # relative: months of the program, 1-based
    to_month: int | None = None
    period: str | None = None  # periodic: weekly, monthly, quarterly, term, half
    index: int | None = None  # half_year/quarter/term number

    @property
    def recurring(self) -> bool:
        if self.kind in (HALF_YEAR, QUARTER, TERM):
            return self.year is None
        return self.kind in RECURRING_KINDS


@dataclass(frozen=True)
class Deadline:
    text: str
    parts: tuple[Part, ...] = field(default_factory=tuple)

    @property
    def readable(self) -> bool:
        return bool(self.parts)

    @property
    def kind(self) -> str:
        if not self.parts:
            return UNPARSED
        return MULTIPLE if len(self.parts) > 1 else self.parts[0].kind

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def recurring(self) -> bool:
        return any(part.recurring for part in self.parts)

    def occurrences(
        self,
        academic_year: int,
        *,
        program_start: dt.date | None = None,
        year_start: tuple[int, int] = (9, 1),
    ) -> list[Occurrence]:
        """Concrete dates in the academic year `academic_year`/`academic_year + 1`.

        `program_start` anchors phrases relative to the program; without it they count from the
        first day of the academic year. `year_start` is (month, day) of the academic year.
        """
        calendar_ = AcademicCalendar(academic_year, year_start)
        result: list[Occurrence] = []
        for part in self.parts:
            result.extend(_part_occurrences(part, calendar_, program_start))
        return result

    def as_json(self) -> dict[str, Any]:
        """The structured form stored with a roadmap item."""
        return {
            "text": self.text,
            "kind": self.kind,
            "recurring": self.recurring,
            "parts": [
                {key: value for key, value in asdict(part).items() if value not in (None, False)}
                for part in self.parts
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deadline:
        return cls(text=data.get("text", ""), parts=tuple(Part(**p) for p in data.get("parts", [])))


# Calendar arithmetic ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AcademicCalendar:
    year: int
    start_month_day: tuple[int, int] = (9, 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, *self.start_month_day)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + 1, *self.start_month_day) - dt.timedelta(days=1)

    @property
    def study_end(self) -> dt.date:
        return _safe_date(self.year + 1, *STUDY_END)

    def year_of_month(self, month: int, day: int | None = None) -> int:
        """January falls in the second calendar year of the academic year.

        With a day, the exact start counts: if the year starts on 15.08, 10.08 is at its end.
        """
        if day is not None:
            return self.year if (month, day) >= self.start_month_day else self.year + 1
        return self.year if month >= self.start_month_day[0] else self.year + 1


def _safe_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return _safe_date(day.year + index // 12, index % 12 + 1, day.day)


def _part_occurrences(
    part: Part, cal: AcademicCalendar, program_start: dt.date | None
) -> list[Occurrence]:
    kind = part.kind
    if kind == DATE:
        assert part.year and part.month and part.day
        due = _safe_date(part.year, part.month, part.day)
        return [Occurrence(None if part.by else due, due, part.text)]
    if kind == DATE_RANGE:
        assert part.year and part.month and part.day and part.end_year and part.end_month
        assert part.end_day
        return [
            Occurrence(
                _safe_date(part.year, part.month, part.day),
                _safe_date(part.end_year, part.end_month, part.end_day),
                part.text,
            )
        ]
    if kind == ANNUAL_DATE:
        assert part.month and part.day
        due = _safe_date(cal.year_of_month(part.month, part.day), part.month, part.day)
        return [Occurrence(None if part.by else due, due, part.text)]
    if kind == ANNUAL_DATE_RANGE:
        assert part.month and part.day and part.end_month and part.end_day
        start = _safe_date(cal.year_of_month(part.month, part.day), part.month, part.day)
        end = _safe_date(
            cal.year_of_month(part.end_month, part.end_day), part.end_month, part.end_day
        )
        if end < start:
            end = _safe_date(end.year + 1, end.month, end.day)
        return [Occurrence(start, end, part.text)]
    if kind == MONTH:
        assert part.year and part.month
        first, last = _month_bounds(part.year, part.month)
        return [Occurrence(None if part.by else first, last, part.text)]
    if kind == MONTH_RANGE:
        assert part.year and part.month and part.end_year and part.end_month
        return [
            Occurrence(
                _month_bounds(part.year, part.month)[0],
                _month_bounds(part.end_year, part.end_month)[1],
                part.text,
            )
        ]
    if kind == ANNUAL_MONTH:
        assert part.month
        first, last = _month_bounds(cal.year_of_month(part.month), part.month)
        return [Occurrence(None if part.by else first, last, part.text)]
    if kind == ANNUAL_MONTH_RANGE:
        assert part.month and part.end_month
        first = _month_bounds(cal.year_of_month(part.month), part.month)[0]
        last = _month_bounds(cal.year_of_month(part.end_month), part.end_month)[1]
        if last < first:
            last = _month_bounds(last.year + 1, part.end_month)[1]
        return [Occurrence(first, last, part.text)]
    if kind == RELATIVE:
        assert part.from_month and part.to_month
        anchor = program_start or cal.start
        start = _add_months(anchor, part.from_month - 1)
        due = _add_months(anchor, part.to_month) - dt.timedelta(days=1)
        return [Occurrence(start, due, part.text)]
    if kind == WHOLE_PERIOD:
        return [Occurrence(cal.start, cal.end, part.text)]
    if kind == ACADEMIC_YEAR:
        assert part.year
        other = AcademicCalendar(part.year, cal.start_month_day)
        return [Occurrence(other.start, other.end, part.text)]
    if kind == PERIODIC:
        return _periodic(part.period or "", cal)
    if kind == HALF_YEAR:
        assert part.index
        if part.year:
            first_month = 1 if part.index == 1 else 7
            return [Occurrence(
                dt.date(part.year, first_month, 1),
                _month_bounds(part.year, first_month + 5)[1],
                part.text,
            )]  # fmt: skip
        halves = _school_halves(cal)
        return [replace(halves[part.index - 1], label=part.text)]
    if kind == QUARTER:
        assert part.index
        last_month = part.index * 3
        year = part.year or cal.year_of_month(last_month)
        return [
            Occurrence(
                dt.date(year, last_month - 2, 1), _month_bounds(year, last_month)[1], part.text
            )
        ]
    if kind == TERM:
        assert part.index
        term_cal = cal
        if part.year:
            first_year = part.year if part.index <= 2 else part.year - 1
            term_cal = AcademicCalendar(first_year, cal.start_month_day)
        return [replace(_school_terms(term_cal)[part.index - 1], label=part.text)]
    if kind == EVENT:
        return [Occurrence(None, None, part.text)]
    if kind == AS_NEEDED:
        return []
    raise ValueError(f"unknown deadline kind {kind!r}")


def _school_terms(cal: AcademicCalendar) -> list[Occurrence]:
    """Четверти: dates differ by region and year; these are the usual bounds."""
    y = cal.year
    return [
        Occurrence(cal.start, dt.date(y, 10, 31), "1 четверть"),
        Occurrence(dt.date(y, 11, 1), dt.date(y, 12, 31), "2 четверть"),
        Occurrence(dt.date(y + 1, 1, 1), dt.date(y + 1, 3, 31), "3 четверть"),
        Occurrence(dt.date(y + 1, 4, 1), cal.study_end, "4 четверть"),
    ]


def _school_halves(cal: AcademicCalendar) -> list[Occurrence]:
    y = cal.year
    return [
        Occurrence(cal.start, dt.date(y, 12, 31), "I полугодие"),
        Occurrence(dt.date(y + 1, 1, 1), cal.study_end, "II полугодие"),
    ]


def _periodic(period: str, cal: AcademicCalendar) -> list[Occurrence]:
    if period == "term":
        return _school_terms(cal)
    if period == "half":
        return _school_halves(cal)
    if period == "monthly":
        result = []
        day = cal.start.replace(day=1)
        while day <= cal.study_end:
            first, last = _month_bounds(day.year, day.month)
            result.append(Occurrence(max(first, cal.start), last, MONTHS_NOMINATIVE[day.month]))
            day = _add_months(day, 1)
        return result
    if period == "quarterly":
        result = []
        for year, quarter in ((cal.year, 3), (cal.year, 4), (cal.year + 1, 1), (cal.year + 1, 2)):
            first = dt.date(year, quarter * 3 - 2, 1)
            last = _month_bounds(year, quarter * 3)[1]
            start, due = max(first, cal.start), min(last, cal.study_end)
            if start <= due:
                result.append(Occurrence(start, due, f"{quarter} квартал {year}"))
        return result
    if period == "weekly":
        result = []
        monday = cal.start - dt.timedelta(days=cal.start.weekday())
        while monday <= cal.study_end:
            sunday = monday + dt.timedelta(days=6)
            result.append(Occurrence(max(monday, cal.start), sunday, f"неделя с {monday:%d.%m}"))
            monday += dt.timedelta(days=7)
        return result
    raise ValueError(f"unknown period {period!r}")


# Reading ---------------------------------------------------------------------------------------

MONTHS_NOMINATIVE = {
    1: "январь", 2: "февраль", 3: "март", 4: "апрель", 5: "май", 6: "июнь", 7: "июль",
    8: "август", 9: "сентябрь", 10: "октябрь", 11: "ноябрь", 12: "декабрь",
}  # fmt: skip
_MONTH_STEMS = [
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("ма", 5), ("июн", 6),
    ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
]  # fmt: skip
MONTH_RE = r"(?:январ[ьяею]|феврал[ьяею]|марта?|марте|апрел[ьяею]|ма[йяею]|июн[ьяею]|июл[ьяею]|августа?|августе|сентябр[ьяею]|октябр[ьяею]|ноябр[ьяею]|декабр[ьяею])"
YEAR = r"(?:20\d\d|19\d\d)"
_ORDINALS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6,
    "седьм": 7, "восьм": 8, "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12,
}  # fmt: skip
MAX_RELATIVE_MONTHS = 60  # a route (ИОМ) lasts 4–5 years; a program, up to one
_COUNT_WORDS = {
    "одного": 1, "двух": 2, "трех": 3, "трёх": 3, "четырех": 4, "четырёх": 4, "пяти": 5,
    "шести": 6, "двенадцати": 12,
}  # fmt: skip
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ORDINAL = r"(?:перв|втор|трет|четверт|пят|шест|седьм|восьм|девят|десят|одиннадцат|двенадцат)(?:ого|ый|ой|ий|ему|ом|ая|ое|ью|ых)"


def month_number(word: str) -> int:
    word = word.lower()
    for stem, number in _MONTH_STEMS:
        if word.startswith(stem) and not (stem == "ма" and word.startswith("март")):
            return number
    raise ValueError(word)


def _ordinal(word: str) -> int:
    for stem, number in _ORDINALS.items():
        if word.startswith(stem):
            return number
    raise ValueError(word)


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


_TAG_BREAK = re.compile(r"</?(?:p|br|li|ul|ol|div|tr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def split_cell(text: str) -> list[str]:
    """A table cell as the separate lines its author wrote (paragraphs, list items)."""
    text = html.unescape(_TAG_BREAK.sub("\n", text))
    text = _TAG.sub(" ", text)
    return [line.strip() for line in re.split(r"\n+", text) if line.strip()]


def normalize(text: str) -> str:
    text = html.unescape(_TAG.sub(" ", text)).lower().replace("ё", "е")
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = re.sub(r"(\d)\s*г\.?\s*г\.?", r"\1", text)  # «2023-2024 г.г.»
    text = re.sub(r"(\d)\s*(?:г\.|года|год|г)(?=[\s,.;)-]|$)", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip(" .;,")
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    return text


_ANNUAL_SUFFIX = re.compile(r"[,\s(]*(?:ежегодно|каждый (?:учебный )?год|каждого года)\)?$")
# «Ежегодно, до 25 мая»: one annual date, not the whole year and a date.
_ANNUAL_PREFIX = re.compile(r"^(?:ежегодно|каждый (?:учебный )?год)[,:]?\s+(?=\S)")


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    build: Any


def _rules() -> list[_Rule]:
    rules: list[_Rule] = []

    def rule(pattern: str) -> Any:
        def register(build: Any) -> Any:
            rules.append(_Rule(re.compile(rf"^(?:{pattern})$"), build))
            return build

        return register

    @rule(r"(?:по мере необходимости|по необходимости|при необходимости|по запросу|по потребности)")
    def _as_needed(m: re.Match[str], text: str, annual: bool) -> Part:
        return Part(AS_NEEDED, text)

    @rule(
        r"(?:в течение|на протяжении|в период) (?:всего периода(?: реализации.*)?|всех этапов|"
        r"(?:всего |текущего )?(?:учебного |календарного )?года|реализации (?:программы|цмн).*)"
        r"|весь (?:учебный )?(?:год|период)|постоянно|систематически|ежегодно|в течение уч\. года"
    )
    def _whole(m: re.Match[str], text: str, annual: bool) -> Part:
        return Part(WHOLE_PERIOD, text)

    @rule(
        r"(?:по завершени[июя]|по окончании|после|по итогам|по результатам|по завершении|"
        r"в конце реализации|по факту) .+"
    )
    def _event(m: re.Match[str], text: str, annual: bool) -> Part:
        return Part(EVENT, text)

    @rule(
        rf"(?:в течение |на |в )?(?P<a>{ORDINAL})(?:-(?P<b>{ORDINAL}))? месяц(?:а|е|ев)?"
        r"(?: (?:реализации )?(?:программы|наставничества|работы))?"
    )
    def _relative(m: re.Match[str], text: str, annual: bool) -> Part:
        first = _ordinal(m["a"])
        last = _ordinal(m["b"]) if m["b"] else first
        return Part(RELATIVE, text, from_month=first, to_month=last)

    @rule(
        r"(?:в течение |за )?(?:первых )?(?P<n>\d+|одного|двух|трех|трёх|четырех|пяти|шести|"
        r"двенадцати) (?:первых )?месяц(?:а|ев)(?: (?:реализации )?программы)?"
    )
    def _relative_count(m: re.Match[str], text: str, annual: bool) -> Part | None:
        count = _COUNT_WORDS.get(m["n"]) or int(m["n"])  # \d also takes other scripts' digits
        if not 1 <= count <= MAX_RELATIVE_MONTHS:
            return None  # «99999999999 месяцев» is no deadline: kept as written, flagged
        return Part(RELATIVE, text, from_month=1, to_month=count)

    @rule(
        rf"(?:в течение |на протяжении |на |в )?(?P<a>{YEAR})[-/](?P<b>{YEAR}|\d\d) ?"
        r"(?:уч\.? ?г\.?|уч\.? год|учебн(?:ый|ого|ом) год(?:а|у)?|уч\.?)?"
    )
    def _academic_year(m: re.Match[str], text: str, annual: bool) -> Part | None:
        first, second = int(m["a"]), _full_year(m["b"])
        if second != first + 1:
            return None
        return Part(ACADEMIC_YEAR, text, year=first)

    @rule(
        r"(?:ежемесячно|каждый месяц|(?:1|один) раз в месяц|раз в месяц|ежеквартально|"
        r"(?:1|один) раз в квартал|раз в квартал|каждый квартал|(?:1|один) раз в четверть|"
        r"раз в четверть|ежечетвертно|по четвертям|по итогам (?:каждой )?четверти|"
        r"(?:1|один) раз в полугодие|раз в полугодие|по полугодиям|по итогам полугодия|"
        r"(?:2|два) раза в год|еженедельно|каждую неделю|(?:1|один) раз в неделю|раз в неделю|"
        r"(?:до \d{1,2}(?:-?го)? числа )?каждого месяца|ежемесячно,? до \d{1,2}(?:-?го)? числа)"
        r"(?: в течение (?:учебного )?года)?"
    )
    def _periodic(m: re.Match[str], text: str, annual: bool) -> Part:
        s = m[0]
        if "недел" in s:
            period = "weekly"
        elif "месяц" in s or "ежемесячно" in s:
            period = "monthly"
        elif "квартал" in s:
            period = "quarterly"
        elif "четверт" in s:
            period = "term"
        else:
            period = "half"
        return Part(PERIODIC, text, period=period)

    @rule(
        rf"(?:в |во )?(?P<i>i{{1,3}}|iv|[1-4]|перв(?:ое|ом)|втор(?:ое|ом)) ?-?(?:е|ое|ом)? "
        rf"(?P<what>полугоди[еяи]|квартал[ае]?|четверт[ьи])(?: (?P<y>{YEAR}))?"
    )
    def _half_quarter_term(m: re.Match[str], text: str, annual: bool) -> Part | None:
        raw = m["i"]
        index = _ROMAN.get(raw) or (1 if raw.startswith("перв") else 2)
        what = m["what"]
        if what.startswith("полугод"):
            return Part(HALF_YEAR, text, index=index, year=_year(m["y"])) if index <= 2 else None
        if what.startswith("квартал"):
            return Part(QUARTER, text, index=index, year=_year(m["y"]))
        return Part(TERM, text, index=index, year=_year(m["y"]))

    date = r"(?P<{p}d>\d{{1,2}})\.(?P<{p}m>\d{{1,2}})(?:\.(?P<{p}y>\d{{4}}|\d\d))?\.?"
    tdate = rf"(?P<{{p}}d>\d{{{{1,2}}}}) (?P<{{p}}mw>{MONTH_RE})(?: (?P<{{p}}y>{YEAR}))?"

    def date_parts(m: re.Match[str], prefix: str) -> tuple[int, int, int | None]:
        day = int(m[f"{prefix}d"])
        month = (
            month_number(m[f"{prefix}mw"])
            if m.groupdict().get(f"{prefix}mw")
            else int(m[f"{prefix}m"])
        )
        return day, month, _full_year(m[f"{prefix}y"])

    by = r"(?P<by>до|к|не позднее|не позже|в срок до|срок до)? ?"

    def single_date(m: re.Match[str], text: str, annual: bool) -> Part | None:
        day, month, year = date_parts(m, "")
        if not _valid(day, month, year):
            return None
        if year and not annual:
            return Part(DATE, text, day=day, month=month, year=year, by=bool(m["by"]))
        return Part(ANNUAL_DATE, text, day=day, month=month, by=bool(m["by"]))

    rule(by + date.format(p=""))(single_date)
    rule(by + tdate.format(p=""))(single_date)

    def date_range(m: re.Match[str], text: str, annual: bool) -> Part | None:
        day, month, year = date_parts(m, "a")
        end_day, end_month, end_year = date_parts(m, "b")
        if year is None and end_year is not None:
            year = end_year if (month, day) <= (end_month, end_day) else end_year - 1
        if not (_valid(day, month, year) and _valid(end_day, end_month, end_year)):
            return None
        if year and end_year and not annual:
            return Part(
                DATE_RANGE, text, day=day, month=month, year=year,
                end_day=end_day, end_month=end_month, end_year=end_year,
            )  # fmt: skip
        return Part(
            ANNUAL_DATE_RANGE, text, day=day, month=month, end_day=end_day, end_month=end_month
        )

    rule(rf"(?:с )?{date.format(p='a')}(?:-| по | до ){date.format(p='b')}")(date_range)
    rule(rf"(?:с )?{tdate.format(p='a')}(?:-| по | до ){tdate.format(p='b')}")(date_range)

    @rule(
        rf"(?:с )?(?P<ad>\d{{1,2}})(?:-| по )(?P<bd>\d{{1,2}}) (?P<mw>{MONTH_RE})(?: (?P<y>{YEAR}))?"
    )
    def _day_range_in_month(m: re.Match[str], text: str, annual: bool) -> Part | None:
        month, year = month_number(m["mw"]), _year(m["y"])
        day, end_day = int(m["ad"]), int(m["bd"])
        if not (_valid(day, month, year) and _valid(end_day, month, year)) or end_day < day:
            return None
        if year and not annual:
            return Part(
                DATE_RANGE, text, day=day, month=month, year=year,
                end_day=end_day, end_month=month, end_year=year,
            )  # fmt: skip
        return Part(ANNUAL_DATE_RANGE, text, day=day, month=month, end_day=end_day, end_month=month)

    @rule(rf"(?:до конца|к концу|в конце|не позднее конца) (?P<mw>{MONTH_RE})(?: (?P<y>{YEAR}))?")
    def _end_of_month(m: re.Match[str], text: str, annual: bool) -> Part:
        month, year = month_number(m["mw"]), _year(m["y"])
        if year and not annual:
            return Part(MONTH, text, month=month, year=year, by=True)
        return Part(ANNUAL_MONTH, text, month=month, by=True)

    @rule(
        r"(?:до конца|к концу|в конце) (?:учебного года|года)|до окончания учебного года|"
        r"до 31 мая"
    )
    def _end_of_year(m: re.Match[str], text: str, annual: bool) -> Part:
        return Part(ANNUAL_DATE, text, day=31, month=5, by=True)

    @rule(r"(?:в )?начал[оеа] (?:учебного )?года|в начале учебного года|к началу учебного года")
    def _start_of_year(m: re.Match[str], text: str, annual: bool) -> Part:
        return Part(ANNUAL_MONTH, text, month=9)

    @rule(rf"(?:в |во )?(?P<mw>{MONTH_RE})(?:, | )?(?P<y>{YEAR})?")
    def _month(m: re.Match[str], text: str, annual: bool) -> Part:
        month, year = month_number(m["mw"]), _year(m["y"])
        if year and not annual:
            return Part(MONTH, text, month=month, year=year)
        return Part(ANNUAL_MONTH, text, month=month)

    @rule(
        rf"(?:с |в )?(?P<aw>{MONTH_RE})(?:, | )?(?P<ay>{YEAR})?(?:-| по | до )"
        rf"(?P<bw>{MONTH_RE})(?:, | )?(?P<endy>{YEAR})?"
    )
    def _month_range(m: re.Match[str], text: str, annual: bool) -> Part:
        start, end = month_number(m["aw"]), month_number(m["bw"])
        start_year, end_year = _year(m["ay"]), _year(m["endy"])
        if end_year and not start_year:
            start_year = end_year if start <= end else end_year - 1
        if start_year and not end_year:
            end_year = start_year if end >= start else start_year + 1
        if start_year and end_year and not annual:
            return Part(
                MONTH_RANGE, text, month=start, year=start_year, end_month=end, end_year=end_year
            )
        return Part(ANNUAL_MONTH_RANGE, text, month=start, end_month=end)

    return rules


def _valid(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12:
        return False
    days = calendar.monthrange(year or 2024, month)[1]  # 2024: a leap year admits 29.02
    return 1 <= day <= days


_RULES = _rules()


def _parse_phrase(text: str) -> Part | None:
    s = normalize(text)
    if not s:
        return None
    annual = False
    stripped = _ANNUAL_PREFIX.sub("", _ANNUAL_SUFFIX.sub("", s))
    if stripped != s and stripped:
        annual, s = True, stripped.strip(" ,.")
    for candidate in (s, s.removeprefix("срок: "), s.removeprefix("сроки: ")):
        for rule in _RULES:
            match = rule.pattern.match(candidate)
            if match:
                part = rule.build(match, text.strip(), annual)
                if part is not None:
                    return part
    return None


# «Сентябрь, январь», «до 10.09; до 25.05», «сентябрь и май», «до 15 октября и до 15 апреля».
_LIST_SPLIT = re.compile(r"\s*[;\n]\s*|\s*,(?!\s*\d{4}\b)\s*|\s+и\s+")  # «Май, 2022» stays whole


def parse_deadline(text: str) -> Deadline:
    """Read a «Сроки» cell; unreadable phrases give a Deadline with no parts (kind unparsed)."""
    source = text or ""
    lines = split_cell(source)
    if not lines:
        return Deadline(text=source.strip())
    whole = _parse_phrase(" ".join(lines))
    if whole is not None and len(lines) == 1:
        return Deadline(text=" ".join(lines), parts=(whole,))
    parts: list[Part] = []
    for line in lines:
        part = _parse_phrase(line)
        if part is not None:
            parts.append(part)
            continue
        # «Сентябрь, январь, май» or «До 10.09; до 25.05»: a list inside one line.
        pieces = [p for p in _LIST_SPLIT.split(line) if p.strip()]
        sub = [_parse_phrase(piece) for piece in pieces] if len(pieces) > 1 else [None]
        if any(p is None for p in sub):
            return Deadline(text="\n".join(lines))
        parts.extend(p for p in sub if p is not None)
    return Deadline(text="\n".join(lines), parts=tuple(parts))
