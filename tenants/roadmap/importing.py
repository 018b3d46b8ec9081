"""Reading an existing roadmap table (DOCX, or TSV text pasted from one) into items.

Pure: bytes or text in, `ParsedRoadmap` out; nothing here touches the database. Columns are
recognised by meaning, whatever their order; rows broken by a page (a continuation row with no
number) are joined back; section rows become stages; every cell that cannot be read is reported.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from core import uploads
from core.tabular import count_text
from tenants.roadmap.deadlines import Deadline, parse_deadline, split_cell

# A roadmap's table is tens of items; a few hundred is a whole municipality's plan pasted in.
MAX_ITEMS = 300
# Rows of a table before items are made of them (page breaks, stage rows): more than this many
# cannot become MAX_ITEMS items, so the table is refused before it is parsed.
MAX_TABLE_ROWS = MAX_ITEMS * 5
ITEM_NOUN = ("пункт", "пункта", "пунктов")
UPLOAD = uploads.UploadPolicy(
    what="дорожную карту",
    kinds=frozenset({uploads.Kind.DOCX, uploads.Kind.TEXT, uploads.Kind.CSV}),
    max_bytes=10 * uploads.MB,
    too_big_hint="Удалите из документа картинки или загрузите только таблицу.",
)

NUMBER, STAGE, TITLE, CONTENT, DEADLINE, RESPONSIBLE, RESULT, INDICATORS, ACTS = (
    "number", "stage", "title", "content", "deadline", "responsible", "result", "indicators",
    "acts",
)  # fmt: skip

COLUMN_LABELS = {
    NUMBER: "№",
    STAGE: "Наименование этапа",
    TITLE: "Мероприятие",
    CONTENT: "Содержание",
    DEADLINE: "Сроки",
    RESPONSIBLE: "Ответственный",
    RESULT: "Ожидаемый результат",
    INDICATORS: "Показатели эффективности",
    ACTS: "Рекомендуемые ЛНА",
}


class RoadmapFileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Russian."""


@dataclass
class Problem:
    field: str
    message: str
    level: str = "error"  # error: could not read; warning: read, but check it


@dataclass
class ParsedItem:
    row: int  # first source row (1-based, as in the file)
    number: str = ""
    stage: str = ""
    title: str = ""
    content: str = ""
    deadline_text: str = ""
    responsible_text: str = ""
    expected_result: str = ""
    indicators: str = ""
    recommended_acts: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def deadline(self) -> Deadline:
        return parse_deadline(self.deadline_text)

    @property
    def responsible(self) -> list[str]:
        return split_people(self.responsible_text)

    def as_json(self, academic_year: int | None = None) -> dict[str, Any]:
        deadline = self.deadline
        data: dict[str, Any] = {
            "row": self.row,
            "number": self.number,
            "stage": self.stage,
            "title": self.title,
            "content": self.content,
            "deadline_text": self.deadline_text,
            "deadline": {**deadline.as_json(), "readable": deadline.readable},
            "responsible": self.responsible,
            "expected_result": self.expected_result,
            "indicators": self.indicators,
            "recommended_acts": self.recommended_acts,
            "problems": [asdict(p) for p in self.problems],
        }
        if academic_year is not None:
            data["deadline"]["occurrences"] = [
                o.as_json() for o in deadline.occurrences(academic_year)
            ]
        return data


@dataclass
class ParsedRoadmap:
    source_format: str
    columns: dict[str, str]  # role -> header as written
    stages: list[str] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)

    @property
    def problem_count(self) -> int:
        return sum(1 for item in self.items for p in item.problems if p.level == "error")

    def as_json(self, academic_year: int | None = None) -> dict[str, Any]:
        return {
            "format": self.source_format,
            "columns": self.columns,
            "stages": self.stages,
            "items": [item.as_json(academic_year) for item in self.items],
        }


# Columns by meaning ----------------------------------------------------------------------------


def column_role(header: str) -> str | None:
    text = re.sub(r"\s+", " ", " ".join(split_cell(header))).strip().lower().rstrip(".:")
    if not text:
        return None
    if text in {"№", "n", "no", "№ п/п", "№п/п", "n п/п", "номер", "п/п", "№ пп"}:
        return NUMBER
    if "ответствен" in text or "исполнител" in text:
        return RESPONSIBLE
    if "результат" in text:
        return RESULT
    if "показател" in text or "индикатор" in text:
        return INDICATORS
    if "срок" in text or "длительность" in text or text in {"дата", "даты", "период"}:
        return DEADLINE
    if "лна" in text or "локальн" in text or "нормативн" in text or text.startswith("документ"):
        return ACTS
    if text.startswith("наименование этап") or text in {"этап", "этапы", "этап реализации"}:
        return STAGE
    if text.startswith("содержание"):
        return CONTENT
    if "мероприяти" in text or text in {"наименование", "название", "действия", "задача"}:
        return TITLE
    return None


def _header_roles(cells: list[str]) -> dict[int, str] | None:
    roles: dict[int, str] = {}
    for index, cell in enumerate(cells):
        role = column_role(cell)
        if role and role not in roles.values():
            roles[index] = role
    named = set(roles.values())
    if (
        len(named) >= 2
        and (DEADLINE in named or RESPONSIBLE in named)
        and (named & {TITLE, CONTENT, STAGE})
    ):
        return roles
    return None


# People ----------------------------------------------------------------------------------------

_UPPER = "А-ЯЁ"
_LOWER = "а-яё"
_SURNAME = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_INITIALS_FIRST = re.compile(rf"([{_UPPER}])\.\s?([{_UPPER}])\.?\s?({_SURNAME})")
_SURNAME_FIRST = re.compile(rf"({_SURNAME})\s+([{_UPPER}])\.\s?([{_UPPER}])\.?")
_ROLES = [
    "заместитель директора по [а-яё]+(?: [а-яё]+)?", "заместитель директора", "заместитель заведующего",
    "старший воспитатель", "педагог-психолог", "социальный педагог", "классные руководители",
    "классный руководитель", "рабочая группа", "педагог-организатор", "учитель-логопед",
    "заведующий", "заведующая", "директор", "воспитатели", "воспитатель", "куратор", "кураторы",
    "координатор", "методист", "наставники", "наставник", "администрация", "руководитель",
    "педагоги", "психолог",
]  # fmt: skip
_ROLE_RE = re.compile(r"\b(?:" + "|".join(_ROLES) + r")\b", re.IGNORECASE)


def split_people(text: str) -> list[str]:
    """«Н.Г.Рогожникова А.В.Матюшина» → ["Н.Г. Рогожникова", "А.В. Матюшина"]; roles likewise."""
    people: list[str] = []
    for line in split_cell(text):
        for chunk in re.split(r"\s*[;,]\s*", line):
            chunk = chunk.strip(" .-–")
            if not chunk:
                continue
            names = _names_in(chunk)
            if names:
                people.extend(names)
                continue
            starts = [m.start() for m in _ROLE_RE.finditer(chunk)]
            if len(starts) > 1:
                bounds = [*starts[1:], len(chunk)]
                head = chunk[: starts[0]].strip()
                pieces = [chunk[a:b].strip() for a, b in zip(starts, bounds, strict=True)]
                if head:
                    pieces[0] = f"{head} {pieces[0]}"
                people.extend(p for p in pieces if p)
            else:
                people.append(chunk)
    seen: list[str] = []
    for person in people:
        if person not in seen:
            seen.append(person)
    return seen


def _names_in(chunk: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for match in _INITIALS_FIRST.finditer(chunk):
        found.append((match.start(), f"{match[1]}.{match[2]}. {match[3]}"))
    if not found:
        for match in _SURNAME_FIRST.finditer(chunk):
            found.append((match.start(), f"{match[1]} {match[2]}.{match[3]}."))
    return [name for _, name in sorted(found)]


def person_key(name: str) -> tuple[str, str] | None:
    """(surname, initials) of «Н.Г. Рогожникова» or «Рогожникова Н.Г.», for matching users."""
    match = _INITIALS_FIRST.search(name)
    if match:
        return match[3].lower(), (match[1] + match[2]).lower()
    match = _SURNAME_FIRST.search(name)
    if match:
        return match[1].lower(), (match[2] + match[3]).lower()
    return None


# Text of cells ---------------------------------------------------------------------------------

_BULLET = re.compile(r"(?:^|(?<=[;.:!?]))\s*[–—-]\s+")


def cell_lines(cell: str) -> list[str]:
    """Paragraphs and list items of a cell, with «– пункт;– пункт» lists split into lines."""
    lines: list[str] = []
    for line in split_cell(cell):
        pieces = [p.strip() for p in _BULLET.split(line) if p.strip()]
        lines.extend(pieces if len(pieces) > 1 else [line])
    return lines


def cell_text(cell: str) -> str:
    return "\n".join(cell_lines(cell))


def _join(first: str, second: str) -> str:
    if not first:
        return second
    if not second:
        return first
    return f"{first}\n{second}"


# Rows ------------------------------------------------------------------------------------------


def rows_from_text(text: str) -> list[tuple[int, list[str]]]:
    """TSV text (as pasted from a Word table) → numbered rows of cells."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" not in line:
            continue  # prose around the table; every row of a pasted table has tabs
        rows.append((number, line.split("\t")))
    return rows


def rows_from_docx(content: bytes | IO[bytes]) -> list[tuple[int, list[str]]]:
    """The first table of a DOCX whose header names at least a deadline or responsible column."""
    from docx import Document

    file = io.BytesIO(content) if isinstance(content, bytes) else content
    try:
        uploads.refuse_big_docx_text(file, name="дорожная карта")
    except uploads.UploadRefused as refusal:
        raise RoadmapFileError(" ".join(refusal.messages)) from None
    try:
        document = Document(file)
    except Exception as error:  # python-docx raises several types for broken packages
        raise RoadmapFileError("Не удалось открыть документ DOCX: файл повреждён.") from error
    tables = document.tables
    if not tables:
        raise RoadmapFileError("В документе нет таблицы: дорожная карта должна быть таблицей.")
    fallback: list[tuple[int, list[str]]] = []
    for table in tables:
        _check_table_rows(len(table.rows))
        rows: list[tuple[int, list[str]]] = []
        above: list[Any] = []
        for number, row in enumerate(table.rows, start=1):
            cells: list[str] = []
            elements: list[Any] = []
            for index, cell in enumerate(row.cells):
                if elements and cell._tc is elements[-1]:
                    continue  # a horizontally merged cell repeats; keep it once
                elements.append(cell._tc)
                merged_from_above = index < len(above) and above[index] is cell._tc
                cells.append("" if merged_from_above else _docx_cell_text(cell))
            above = elements
            rows.append((number, cells))
        if any(_header_roles(cells) for _, cells in rows[:5]):
            return rows
        fallback = fallback or rows
    return fallback


def _docx_cell_text(cell: Any) -> str:
    return "".join(f"<p>{p.text}</p>" for p in cell.paragraphs if p.text.strip())


def _is_blank(cells: list[str]) -> bool:
    return all(not re.sub(r"[-\s–—_|]", "", " ".join(split_cell(c))) for c in cells)


def parse_rows(rows: list[tuple[int, list[str]]], source_format: str) -> ParsedRoadmap:
    header_at = next((i for i, (_, cells) in enumerate(rows) if _header_roles(cells)), None)
    if header_at is None:
        raise RoadmapFileError(
            "Не найдена строка заголовков таблицы: нужны хотя бы столбцы «Мероприятие» "
            "(или «Содержание», «Наименование этапа») и «Сроки» или «Ответственный»."
        )
    header_cells = rows[header_at][1]
    roles = _header_roles(header_cells) or {}
    width = len(header_cells)
    parsed = ParsedRoadmap(
        source_format=source_format,
        columns={role: " ".join(split_cell(header_cells[i])) for i, role in roles.items()},
    )
    has_number = NUMBER in roles.values()
    title_role = next((r for r in (TITLE, STAGE, CONTENT) if r in roles.values()), CONTENT)
    current_stage = ""
    previous: ParsedItem | None = None

    for row_number, raw in rows[header_at + 1 :]:
        if _is_blank(raw):
            continue
        if _header_roles(raw):
            continue  # a header repeated on the next page
        cells = _fit(raw, width)
        values = {role: cells[i].strip() for i, role in roles.items() if i < len(cells)}
        number = _clean_number(values.get(NUMBER, "")) if has_number else ""

        heading = _heading(raw, cells, roles, width, title_role, rows, row_number)
        if heading:
            current_stage = heading
            parsed.stages.append(current_stage)
            previous = None
            continue
        if has_number and not number:
            if previous is not None:
                _append(previous, values, title_role)
                continue
        if (
            not has_number
            and previous is not None
            and not values.get(title_role)
            and not values.get(DEADLINE)
        ):
            _append(previous, values, title_role)
            continue

        item = ParsedItem(row=row_number, number=number, stage=current_stage)
        _fill(item, values, title_role)
        if not item.deadline_text and previous is not None and previous.stage == item.stage:
            item.deadline_text = previous.deadline_text
            item.problems.append(
                Problem(
                    "deadline",
                    "Срок не указан (объединённая ячейка?): взят из строки выше, проверьте.",
                    "warning",
                )
            )
        parsed.items.append(item)
        previous = item

    for index, item in enumerate(parsed.items, start=1):
        if not item.number:
            item.number = str(index)
        _check(item)
    if not parsed.items:
        raise RoadmapFileError("В таблице нет ни одного мероприятия.")
    return parsed


# «1.», «1.1», «I.», «IV)», «а)», «Раздел 2.», «Этап I»: how roadmaps number stages and items.
_ROMAN = r"(?=[IVXLCІХ])[IVXLCІХ]{1,6}"
_NUMBERING = re.compile(
    rf"^\s*(?:(?:раздел|этап|блок|направление|часть)\s+)?((?:{_ROMAN}|\d{{1,2}}(?:\.\d{{1,2}}){{0,3}}|[а-яa-z])[.)]?)(?=\s|$)",
    re.IGNORECASE,
)
_HEADING_WORDS = re.compile(r"^\s*(?:раздел|этап|блок|направление|часть)\b", re.IGNORECASE)


def split_numbering(text: str) -> tuple[str, str]:
    """«1.2. Разработка положения» → ("1.2", "Разработка положения"); «I. Подготовка» → ("I", …)."""
    match = _NUMBERING.match(text)
    if not match:
        return "", text.strip()
    number = match.group(1).rstrip(".)")
    rest = text[match.end() :].strip(" .)–—-:")
    return number, rest


def _is_roman(number: str) -> bool:
    return bool(number) and re.fullmatch(_ROMAN, number.upper()) is not None


def _heading(raw: list[str], cells: list[str], roles: dict[int, str], width: int, title_role: str,
             rows: list[tuple[int, list[str]]], row_number: int) -> str:  # fmt: skip
    """The text of a stage heading row, or "" for an item or a continuation.

    A stage is a row merged across the table (one cell in the DOCX), a row whose only text is in
    its first column, a heading in the title column that names itself («Этап», «I.», «1.»), or a
    row with only a number and a heading whose next rows are numbered under it (1 → 1.1, 1.2).
    """
    non_empty = [i for i, c in enumerate(cells) if c.strip()]
    if not non_empty or width < 3:
        return ""
    text = cell_text(cells[non_empty[0]]).replace("\n", " ").strip()
    words = re.findall(r"[А-ЯЁа-яёA-Za-z]{3,}", text)
    if len(raw) == 1 and words:
        return text  # merged across every column
    index_of = {role: i for i, role in roles.items()}
    number_at, title_at = index_of.get(NUMBER), index_of.get(title_role)
    if len(non_empty) == 1:
        if non_empty[0] == 0 and (number_at != 0 or len(words) >= 2):
            return text
        if non_empty[0] == title_at and (
            _HEADING_WORDS.match(text)
            or split_numbering(text)[0]
            or (text.isupper() and len(words) >= 2)
        ):
            return text
        return ""
    if number_at is not None and title_at is not None and set(non_empty) == {number_at, title_at}:
        number = _clean_number(cells[number_at])
        if _is_roman(number) or _numbered_under(number, rows, row_number, number_at):
            title = cell_text(cells[title_at]).replace("\n", " ").strip()
            return f"{number}. {title}"
    return ""


def _numbered_under(
    number: str, rows: list[tuple[int, list[str]]], row_number: int, at: int
) -> bool:
    """Is the next numbered row «1.1» under this «1»?"""
    if not re.fullmatch(r"\d{1,2}", number):
        return False
    after = False
    for candidate, cells in rows:
        if candidate == row_number:
            after = True
            continue
        if not after or at >= len(cells):
            continue
        following = _clean_number(cells[at])
        if following:
            return following.startswith(f"{number}.") and following != number
    return False


def _fit(cells: list[str], width: int) -> list[str]:
    """Rows shorter than the header keep their last cell in the last column (merged cells)."""
    if len(cells) >= width:
        extra = cells[width:]
        fitted = cells[:width]
        if any(c.strip() for c in extra):
            fitted[-1] = " ".join([fitted[-1], *extra]).strip()
        return fitted
    if len(cells) >= 2 and cells[-1].strip():
        return [*cells[:-1], *[""] * (width - len(cells)), cells[-1]]
    return [*cells, *[""] * (width - len(cells))]


def _clean_number(text: str) -> str:
    return " ".join(split_cell(text)).strip().rstrip(".")


# A title that introduces a list: «Приказ о внедрении ЦМН, включающий: – сроки; – куратора».
_INTRODUCES_LIST = re.compile(
    r"(?::|\b(?:включающ\w*|в том числе|в т\.\s?ч\.|содержащ\w*|по вопросам|следующ\w*))\s*$",
    re.IGNORECASE,
)


def _fill(item: ParsedItem, values: dict[str, str], title_role: str) -> None:
    title_lines = cell_lines(values.get(title_role, ""))
    item.title = title_lines[0] if title_lines else ""
    if len(title_lines) > 1 and _INTRODUCES_LIST.search(item.title):
        # The list stays in the content line by line; the title says a list follows.
        item.title = item.title.rstrip(" :") + ":"
    rest = "\n".join(title_lines[1:])
    if title_role != CONTENT:
        item.content = _join(rest, cell_text(values.get(CONTENT, "")))
    else:
        item.content = rest
    item.deadline_text = "\n".join(split_cell(values.get(DEADLINE, "")))
    item.responsible_text = "\n".join(split_cell(values.get(RESPONSIBLE, "")))
    item.expected_result = cell_text(values.get(RESULT, ""))
    item.indicators = cell_text(values.get(INDICATORS, ""))
    item.recommended_acts = cell_text(values.get(ACTS, ""))
    if title_role == STAGE and not item.title and values.get(TITLE):
        item.title = cell_text(values[TITLE])


def _append(item: ParsedItem, values: dict[str, str], title_role: str) -> None:
    """A row broken by a page: its cells continue the previous item's cells."""
    title = cell_text(values.get(title_role, ""))
    if title:
        if item.content or "\n" in title:
            item.content = _join(item.content, title)
        else:
            item.title = f"{item.title} {title}".strip()
    if title_role != CONTENT and values.get(CONTENT):
        item.content = _join(item.content, cell_text(values[CONTENT]))
    if values.get(DEADLINE):
        item.deadline_text = _join(item.deadline_text, "\n".join(split_cell(values[DEADLINE])))
    if values.get(RESPONSIBLE):
        item.responsible_text = _join(
            item.responsible_text, "\n".join(split_cell(values[RESPONSIBLE]))
        )
    for role, attribute in ((RESULT, "expected_result"), (INDICATORS, "indicators"),
                            (ACTS, "recommended_acts")):  # fmt: skip
        if values.get(role):
            setattr(item, attribute, _join(getattr(item, attribute), cell_text(values[role])))


def _check(item: ParsedItem) -> None:
    if not item.title:
        source = item.content or item.expected_result
        if source:
            first_line = source.splitlines()[0]
            item.title = re.split(r"(?<=[.!?])\s", first_line, maxsplit=1)[0][:200]
            item.problems.append(
                Problem(
                    "title", "Наименование не указано: взято из содержания, проверьте.", "warning"
                )
            )
        else:
            item.problems.append(Problem("title", "Не указано наименование мероприятия."))
    if not item.deadline_text:
        item.problems.append(Problem("deadline", "Срок не указан.", "warning"))
    elif not item.deadline.readable:
        item.problems.append(
            Problem(
                "deadline",
                f"Срок «{item.deadline_text}» не распознан: он сохранится как написан, "
                "но напоминаний по нему не будет.",
            )
        )


# Entry points ----------------------------------------------------------------------------------


def _check_table_rows(count: int) -> None:
    if count > MAX_TABLE_ROWS:
        raise RoadmapFileError(
            f"В таблице {count_text(count, ('строка', 'строки', 'строк'))}: это больше, чем "
            f"бывает в дорожной карте (за один раз можно загрузить не больше "
            f"{count_text(MAX_ITEMS, ITEM_NOUN)}). Разделите её на части."
        )


def _check_items(parsed: ParsedRoadmap) -> ParsedRoadmap:
    if len(parsed.items) > MAX_ITEMS:
        raise RoadmapFileError(
            f"В дорожной карте {count_text(len(parsed.items), ITEM_NOUN)}, а за один раз можно "
            f"загрузить не больше {count_text(MAX_ITEMS, ITEM_NOUN)}: разделите её на части."
        )
    return parsed


def parse_text(text: str) -> ParsedRoadmap:
    if not text.strip():
        raise RoadmapFileError("Текст пустой: вставьте таблицу дорожной карты.")
    if "\t" not in text:
        raise RoadmapFileError(
            "В тексте нет таблицы: скопируйте таблицу из Word целиком (столбцы разделяются табуляцией)."
        )
    rows = rows_from_text(text)
    _check_table_rows(len(rows))
    return _check_items(parse_rows(rows, "text"))


def parse_file(content: bytes | IO[bytes], filename: str) -> ParsedRoadmap:
    """A DOCX, or a text/TSV file; RoadmapFileError with a Russian message for anything else.

    Judged by its bytes (core.uploads): a DOCX is a ZIP with word/document.xml in it.
    """
    file = io.BytesIO(content) if isinstance(content, bytes) else content
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    try:
        kind = uploads.inspect(file, name=uploads.display_name(filename), size=size, policy=UPLOAD)
    except uploads.UploadRefused as refusal:
        raise RoadmapFileError(" ".join(refusal.messages)) from None
    if kind == uploads.Kind.DOCX:
        return _check_items(parse_rows(rows_from_docx(file), "docx"))
    data = file.read()
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return parse_text(text)
    raise RoadmapFileError("Не удалось определить кодировку текста: сохраните в UTF-8.")
