"""Reading existing roadmaps: the seed tables as pasted text and as DOCX; broken files."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tenants.roadmap.importing import (
    RoadmapFileError,
    column_role,
    parse_file,
    parse_text,
    split_people,
)
from tests.roadmap.seeds import (
    DOU8,
    MALINOVKA,
    MICHURINSK,
    ROADMAP_SEEDS,
    SOSH19,
    docx_from_rows,
    seed_table_rows,
    seed_text,
)
from tests.roadmap.test_deadlines import (
    DOU8_EXPECTED,
    MALINOVKA_EXPECTED,
    MICHURINSK_EXPECTED,
    SOSH19_EXPECTED,
)

EXPECTED_2025 = {
    SOSH19: SOSH19_EXPECTED,
    MALINOVKA: MALINOVKA_EXPECTED,
    DOU8: DOU8_EXPECTED,
    MICHURINSK: MICHURINSK_EXPECTED,
}

# Items, as a person counts them in each source table (stage/section rows are not items).
ITEM_COUNTS = {SOSH19: 11, MALINOVKA: 6, DOU8: 12, MICHURINSK: 7}

RESPONSIBLE = {
    SOSH19: {
        "1": ["Н.Г. Рогожникова"],
        "4": ["Н.Г. Рогожникова", "А.В. Матюшина", "Н.О. Митрофанова", "О.С. Стяжкина"],
        "10": ["Н.Г. Рогожникова", "А.В. Матюшина", "Н.О. Митрофанова"],  # page-broken row
    },
    MALINOVKA: {
        "1": ["Кайгородова Л.В.", "Сафронова Е.А."],
        "5": ["Сафронова Е.А.", "Гололобова М.А."],
        "6": ["Сафронова Е.А."],
    },
    DOU8: {
        "1": ["Заведующий МБДОУ", "воспитатель"],
        "7": ["Куратор"],
        "12": ["Заведующий МБДОУ", "Куратор"],
    },
    MICHURINSK: {"1": []},  # the college's table has no «Ответственный» column
}

DEADLINE_TEXT = {
    SOSH19: {"1": "До 01.12.2020", "6": "До 10.09. ежегодно", "10": "Сентябрь-май ежегодно"},
    MALINOVKA: {"1": "Май, 2022\nАвгуст, 2022\nСентябрь, 2022", "6": "Апрель - май, 2023"},
    DOU8: {"2": "Ноябрь 2023-январь 2024", "12": "Апрель-май 2024"},
    MICHURINSK: {"4": "В течение первого-второго месяца", "7": "В течение всех этапов"},
}


def _check(parsed, seed):
    assert len(parsed.items) == ITEM_COUNTS[seed]
    by_number = {item.number: item for item in parsed.items}
    for number, people in RESPONSIBLE[seed].items():
        assert by_number[number].responsible == people, number
    for number, text in DEADLINE_TEXT[seed].items():
        assert by_number[number].deadline_text == text, number
    assert all(item.deadline.readable for item in parsed.items)
    assert not [p for item in parsed.items for p in item.problems if p.level == "error"]


@pytest.mark.parametrize("seed", ROADMAP_SEEDS)
def test_each_seed_roadmap_reads_from_pasted_text(seed):
    _check(parse_text(seed_text(seed)), seed)


@pytest.mark.parametrize("seed", ROADMAP_SEEDS)
def test_each_seed_roadmap_reads_from_a_docx(seed):
    parsed = parse_file(docx_from_rows(seed_table_rows(seed)), "roadmap.docx")
    assert parsed.source_format == "docx"
    _check(parsed, seed)


def test_page_broken_rows_are_joined_back():
    items = {i.number: i for i in parse_text(seed_text(SOSH19)).items}
    assert items["3"].title == (
        "Утверждение плана мероприятий (дорожной карты) внедрения ЦМН и положения о программе "
        "наставничества на педагогическом совете МБОУ СОШ № 19"
    )
    college = {i.number: i for i in parse_text(seed_text(MICHURINSK)).items}
    assert "назначить куратора" in college["1"].content
    assert "Письма-обращения к" in college["3"].recommended_acts
    assert "работодателям" in college["3"].recommended_acts


def test_kindergarten_sections_become_stages_and_short_rows_keep_their_responsible():
    parsed = parse_text(seed_text(DOU8))
    assert parsed.stages[0] == "Организационно-методическое сопровождение деятельности"
    assert len(parsed.stages) == 5
    items = {i.number: i for i in parsed.items}
    assert items["7"].stage == "Аналитическое сопровождение деятельности, мониторинг"
    assert items["7"].expected_result.startswith("Проанализированы анкеты")
    assert [p.field for p in items["3"].problems] == ["deadline"]  # inherited: a warning
    assert [p.field for p in items["8"].problems] == ["title"]  # no title cell: a warning


def test_embedded_lists_become_lines():
    items = {i.number: i for i in parse_text(seed_text(SOSH19)).items}
    assert items["1"].title == "Приказ директора о внедрении ЦМН в МБОУ СОШ № 19, включающий:"
    assert items["1"].content.splitlines()[0] == "сроки внедрения ЦМН;"
    assert items["4"].title == "Разработка программы наставничества (далее – ПН), включающей:"


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Сроки", "deadline"), ("Срок реализации", "deadline"), ("Длительность этапа", "deadline"),
        ("Ответственный", "responsible"), ("Ответственный исполнитель", "responsible"),
        ("Ожидаемый результат", "result"), ("Результат. Вид документа", "result"),
        ("Ожидаемый результат (вид документа)", "result"), ("№ п/п", "number"),
        ("Мероприятие", "title"), ("Наименование мероприятия", "title"),
        ("Наименование этапа", "stage"), ("Содержание деятельности и план мероприятий", "content"),
        ("Показатели эффективности", "indicators"), ("Рекомендуемые ЛНА для этапа", "acts"),
    ],
)  # fmt: skip
def test_columns_are_recognised_by_meaning(header, role):
    assert column_role(header) == role


def test_columns_in_another_order_and_unreadable_cells_are_flagged():
    text = (
        "Ответственный исполнитель\tСрок реализации\tНаименование мероприятия\tРезультат. Вид документа\n"
        "Петрова А.А.\tдо 15 сентября\tСбор согласий\tСогласия\n"
        "Иванов И.И., куратор\tкогда освободимся\tВстреча с родителями\tПротокол\n"
    )
    parsed = parse_text(text)
    first, second = parsed.items
    assert (first.title, first.deadline.kind, first.responsible) == (
        "Сбор согласий",
        "annual_date",
        ["Петрова А.А."],
    )
    assert second.responsible == ["Иванов И.И.", "куратор"]
    assert second.deadline_text == "когда освободимся"
    assert [(p.field, p.level) for p in second.problems] == [("deadline", "error")]
    assert "не распознан" in second.problems[0].message


def test_people_are_split_from_what_roadmaps_write():
    assert split_people("Н.Г.Рогожникова А.В.Матюшина") == ["Н.Г. Рогожникова", "А.В. Матюшина"]
    assert split_people("<p>Сафронова Е. А.</p> <p>Гололобова М. А.</p>") == [
        "Сафронова Е.А.",
        "Гололобова М.А.",
    ]
    assert split_people("Заместитель директора по УВР, педагог-психолог") == [
        "Заместитель директора по УВР",
        "педагог-психолог",
    ]


def _docx_without_table() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("Просто текст")
    document.save(buffer)
    return buffer.getvalue()


def _zip_that_is_not_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "roadmap.docx", "«roadmap.docx» пустой"),
        (b"x" * (10 * 1024 * 1024 + 1), "roadmap.docx", "можно загрузить не больше 10 МБ"),
        (
            b"\xd0\xcf\x11\xe0 old word",
            "roadmap.doc",
            "Office 97–2003: откройте его и сохраните как DOCX",
        ),
        (b"not a zip at all", "roadmap.docx", "не документ Word"),
        (_zip_that_is_not_docx(), "roadmap.docx", "не документ Word"),
        (_docx_without_table(), "roadmap.docx", "нет таблицы"),
        (b"%PDF-1.7", "roadmap.pdf", "загрузите дорожную карту в формате DOCX"),
        ("Просто строка без таблицы".encode(), "roadmap.txt", "нет таблицы"),
        ("Кошка\tСобака\nМурка\tШарик\n".encode(), "roadmap.txt", "строка заголовков"),
    ],
)
def test_malformed_files_get_a_clear_message(content, name, message):
    with pytest.raises(RoadmapFileError, match=message):
        parse_file(content, name)


@pytest.mark.parametrize("source", ["tsv", "docx"])
@pytest.mark.parametrize("seed", ROADMAP_SEEDS)
def test_import_roadmap_command_reads_every_seed_in_both_forms(tmp_path, capsys, seed, source):
    path = tmp_path / f"roadmap.{'txt' if source == 'tsv' else 'docx'}"
    if source == "tsv":
        path.write_text(seed_text(seed), encoding="utf-8")
    else:
        path.write_bytes(docx_from_rows(seed_table_rows(seed)))
    call_command("import_roadmap", str(path), "--dry-run", "--json", "--academic-year", "2025")
    items = {i["number"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert len(items) == ITEM_COUNTS[seed]
    for number, people in RESPONSIBLE[seed].items():
        assert items[number]["responsible"] == people
    for number, text in DEADLINE_TEXT[seed].items():
        assert items[number]["deadline_text"] == text
    assert all(i["deadline"]["readable"] for i in items.values())
    for number, (kind, recurring, dates) in EXPECTED_2025[seed].items():
        deadline = items[number]["deadline"]
        assert (deadline["kind"], deadline["recurring"]) == (kind, recurring)
        assert deadline["occurrences"] == [
            {"start": start and start.isoformat(), "due": due and due.isoformat()}
            for start, due in dates
        ]


def test_import_roadmap_command_dry_run_prints_json_without_a_database(tmp_path, capsys):
    path = tmp_path / "dou8.docx"
    path.write_bytes(docx_from_rows(seed_table_rows(DOU8)))
    call_command("import_roadmap", str(path), "--dry-run", "--json", "--academic-year", "2025")
    data = json.loads(capsys.readouterr().out)
    assert len(data["items"]) == 12
    first = data["items"][0]
    assert first["title"] == (
        "Подготовка нормативной базы реализации целевой модели наставничества в ДОУ"
    )
    assert first["deadline_text"] == "Сентябрь 2023"
    assert first["deadline"]["kind"] == "month"
    assert first["deadline"]["occurrences"] == [{"start": "2023-09-01", "due": "2023-09-30"}]
    assert first["responsible"] == ["Заведующий МБДОУ", "воспитатель"]
    assert first["expected_result"].startswith("Разработка и утверждение Положения")


def test_import_roadmap_command_reads_tsv_text_too(tmp_path, capsys):
    path = tmp_path / "sosh19.txt"
    path.write_text(seed_text(SOSH19), encoding="utf-8")
    call_command("import_roadmap", str(path), "--dry-run", "--json")
    items = json.loads(capsys.readouterr().out)["items"]
    assert [i["number"] for i in items] == [str(n) for n in range(1, 12)]
    assert items[7]["deadline"]["kind"] == "annual_date"


def test_import_roadmap_command_reports_a_bad_file_in_russian(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"garbage")
    with pytest.raises(CommandError, match="не документ Word"):
        call_command("import_roadmap", str(path), "--dry-run", "--json")


def test_a_roadmap_over_300_items_is_refused_naming_both_counts():
    text = "№\tМероприятие\tСроки\n" + "".join(
        f"{n}\tСобрание {n}\tсентябрь\n" for n in range(1, 321)
    )
    with pytest.raises(
        RoadmapFileError,
        match="В дорожной карте 320 пунктов, а за один раз можно загрузить не больше 300 пунктов",
    ):
        parse_text(text)
    rows = "№\tМероприятие\tСроки\n" + "\t\t\n1\tx\ty\n" * 900
    with pytest.raises(RoadmapFileError, match="В таблице 1\u00a0801 строка"):
        parse_text(rows)


def test_a_docx_whose_text_unpacks_to_megabytes_is_refused_before_it_is_parsed():
    import tracemalloc

    from tests.core.bombs import docx_bomb

    bomb = docx_bomb(30)  # 30 MB of XML in a file of tens of kilobytes
    assert len(bomb) < 200 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(
            RoadmapFileError,
            match="Текст документа «дорожная карта» в распакованном виде больше 10 МБ",
        ):
            parse_file(bomb, "roadmap.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024  # python-docx would have built ~300 MB of tree
