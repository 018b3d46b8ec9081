"""Organisation-supplied DOCX templates cannot run code: refused at upload with a Russian
message naming what they used, and harmless if planted past the upload."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from docx import Document

from tenants.documents.models import DocumentTemplate
from tenants.documents.rendering import BUILTIN, render_document, validate_template
from tenants.documents.sandbox import TemplateEnvironment, TreeCheck, plain_context
from tests.conftest import host_client
from tests.docx_text import docx_text

MAX = 5 * 1024 * 1024

# What an attacker's review uploaded, and its relatives: each must be refused.
PAYLOADS = {
    "cycler": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "__class__": "{{ organization_full_name.__class__.__mro__[1].__subclasses__() }}",
    "const": "{{ ''.__class__.__mro__ }}",
    "self": "{{ self._TemplateReference__context }}",
    "lipsum": "{{ lipsum.__globals__['os'].environ }}",
    "helper globals": "{{ date_long.__globals__ }}",
    "queryset loop": "{% for p in participants %}{{ p.birth_date }}{% endfor %}",
    "attribute of a field": "{% for row in rows %}{{ row.mentor.birth_date }}{% endfor %}",
    "method of a field": "{{ title.format(1) }}",
    "config": "{{ config.SECRET_KEY }}",
    "set": "{% set x = cycler %}{{ x }}",
    "include": "{% include 'base.html' %}",
    "macro": "{% macro m() %}{% endmacro %}",
    "bomb": "{{ 'x' * 100000000 }}",
    "nested loops": "{% for a in rows %}{% for b in rows %}{{ b.n }}{% endfor %}{% endfor %}",
    "attr filter": "{{ rows|map(attribute='__class__')|list }}",
    "format filter": "{{ '%s'|format(rows) }}",
    "range": "{% for i in range(10) %}{{ i }}{% endfor %}",
}


def docx(*paragraphs: str, title: str = "", header: str = "") -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if title:
        document.core_properties.title = title
    if header:
        document.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_template_reaching_outside_its_fields_is_refused(payload):
    problem = validate_template(
        "order_pairs", docx("Приказ № {{ number }}", payload), max_bytes=MAX
    )
    assert problem, payload
    assert "Допустимые поля этого документа" in problem or "не читается" in problem


def test_the_refusal_names_what_the_template_used():
    problem = validate_template("order_pairs", docx(PAYLOADS["cycler"]), max_bytes=MAX)
    assert "недопустимый вызов «cycler.__init__.__globals__.os.popen(…).read(…)»" in problem
    problem = validate_template("order_pairs", docx(PAYLOADS["lipsum"]), max_bytes=MAX)
    assert "неизвестное поле «lipsum»" in problem
    problem = validate_template(
        "order_pairs", docx(PAYLOADS["attribute of a field"]), max_bytes=MAX
    )
    assert "недопустимое обращение «row.mentor.birth_date»" in problem
    problem = validate_template("order_pairs", docx("{{ numbr }}"), max_bytes=MAX)
    assert "неизвестное поле «numbr»" in problem and "number" in problem


@pytest.mark.parametrize("where", ["title", "header"])
def test_payloads_in_document_properties_and_headers_are_refused_too(where):
    content = docx("Приказ № {{ number }}", **{where: PAYLOADS["cycler"]})
    assert "cycler" in validate_template("order_pairs", content, max_bytes=MAX)


def test_a_customised_template_within_its_fields_is_accepted():
    content = docx(
        "{{ organization_full_name|upper }}, приказ № {{ number|default('б/н') }} от "
        "{{ date_long(signed_on) }}",
        "{% for row in rows %}{{ loop.index }}. {{ row.mentor }} — {{ row.mentees }}"
        "{% if not loop.last %}; {% endif %}{% endfor %}",
        "{% if curator_accusative %}Куратор: {{ curator_accusative }}{% endif %}",
        title="Приказ {{ number }}",
    )
    assert validate_template("order_pairs", content, max_bytes=MAX) == ""


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_every_built_in_template_passes_its_own_checks(code):
    assert validate_template(code, BUILTIN[code].build(), max_bytes=MAX) == ""


def test_broken_and_oversized_files_are_refused_in_russian():
    assert validate_template("order_pairs", b"", max_bytes=MAX) == "Файл пустой."
    assert "не документ DOCX" in validate_template("order_pairs", b"<html>", max_bytes=MAX)
    assert "повреждён" in validate_template("order_pairs", b"PK\x03\x04junk", max_bytes=MAX)
    assert "больше" in validate_template("order_pairs", docx("x"), max_bytes=100)


def test_a_template_whose_text_unpacks_to_megabytes_is_refused():
    from tests.core.bombs import docx_bomb

    message = validate_template("order_pairs", docx_bomb(12), max_bytes=MAX)
    assert message.startswith("Текст шаблона в распакованном виде больше 10 МБ")


def test_a_broken_field_is_explained_in_russian_not_in_jinjas_words():
    message = validate_template("order_pairs", docx("Приказ № {{ order_number }"), max_bytes=MAX)
    assert message.startswith("В шаблоне ошибка в записи полей: проверьте")
    assert "unexpected" not in message and "expected" not in message


def test_the_sandbox_alone_stops_the_payloads():
    """The second wall, without the syntax check: no globals, no attributes, no calls."""

    class Unchecked(TemplateEnvironment):
        def from_string(self, source, globals=None, template_class=None):
            return super(TemplateEnvironment, self).from_string(source, globals, template_class)

    environment = Unchecked(BUILTIN["order_pairs"].fields)
    for name in ("cycler", "lipsum", "self", "helper globals", "method of a field", "config"):
        try:
            out = environment.from_string(PAYLOADS[name]).render(title="Приказ")
        except Exception as error:  # SecurityError or UndefinedError: refused either way
            out = f"refused: {type(error).__name__}"
        assert "uid=" not in out and settings.SECRET_KEY[:12] not in out, name
        assert "<function" not in out and "os" != out, name


def test_a_template_planted_in_the_database_renders_nothing_harmful(world):
    """Put past the upload check (a restored backup, an old version): the check at rendering
    refuses it and the built-in template is used."""
    from tenants.participants.documents import blank_consent_docx
    from tenants.participants.models import BankRole, Category, ConsentKind
    from tenants.participants.services import ParticipantData, participant_create

    payload = docx(
        "Согласие {{ signer_name }}",
        PAYLOADS["cycler"],
        "{{ lipsum.__globals__['os'].environ }}",
        "{{ self._TemplateReference__context }}",
    )
    with tenant_context(world.alpha):
        DocumentTemplate.objects.create(
            code="consent_personal_data", file=ContentFile(payload, name="evil.docx")
        )
        child = participant_create(
            academic_year=2025,
            data=ParticipantData(last_name="Канарейкина", first_name="Ольга",
                                 category=Category.PUPIL, bank_role=BankRole.MENTEE,
                                 birth_date=dt.date(2014, 3, 3)),
            user=None, today=dt.date(2025, 10, 1),
        )  # fmt: skip
        content = blank_consent_docx(participant=child, organization=world.alpha,
                                     kind=ConsentKind.PERSONAL_DATA, today=dt.date(2025, 10, 1))  # fmt: skip
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "uid=" not in text and settings.SECRET_KEY[:12] not in text
    assert "СОГЛАСИЕ" in text and "Канарейкиной Ольги" in text  # the built-in form, filled


def test_the_upload_page_refuses_the_payload_and_keeps_the_old_template(world):
    client = host_client("alpha.localhost", world.alice)
    response = client.post(
        "/documents/consent_personal_data/upload/",
        {"file": SimpleUploadedFile("evil.docx", docx(PAYLOADS["cycler"]))},
        follow=True,
    )
    assert "недопустимый вызов «cycler.__init__.__globals__.os.popen(…).read(…)»" in (
        response.content.decode()
    )
    with tenant_context(world.alpha):
        assert not DocumentTemplate.objects.filter(code="consent_personal_data").exists()


def test_documents_get_plain_data_only():
    fields = BUILTIN["order_pairs"].fields
    with pytest.raises(TypeError):
        plain_context(fields, {"title": object()})
    with pytest.raises(TypeError):
        plain_context(fields, {"rows": [{"mentor": object()}]})
    with pytest.raises(TypeError):
        plain_context(fields, {"secret": "x"})
    assert plain_context(fields, {"title": "Приказ"})["title"] == "Приказ"


def test_the_tree_check_lists_the_documents_fields_in_its_message():
    environment = TemplateEnvironment(BUILTIN["order_pairs"].fields)
    with pytest.raises(Exception) as refusal:
        TreeCheck(environment.document_fields).check(environment.parse("{{ x }}"))
    assert "organization_full_name" in str(refusal.value)


def test_render_document_fills_the_fields(world):
    with tenant_context(world.alpha):
        content = render_document("order_pairs", {
            "organization_full_name": "Школа <Альфа> & Ко", "number": "17",
            "signed_on": dt.date(2025, 9, 1), "title": "Об утверждении пар",
            "rows": [{"n": 1, "mentor": "Иванова", "mentees": "Петров", "form": "учитель – ученик",
                      "kind": "традиционное", "period": "01.09.2025 – 31.05.2026"}],
        })  # fmt: skip
    document = Document(io.BytesIO(content))
    text = docx_text(content)
    assert "Школа <Альфа> & Ко" in text and "1 сентября 2025 г." in text and "№ 17" in text
    cells = [c.text for row in document.tables[1].rows for c in row.cells]
    assert "Иванова" in cells and "Петров" in cells


def test_a_template_that_blows_a_field_up_is_refused_at_upload_and_at_rendering(world):
    """Chained replace grows a string exponentially; a replace of "" inserts the field between
    every letter, which explodes only on real, longer data: both stop at the cap."""
    chain = "{{ title" + '|replace("а", "аааааааааа")' * 9 + " }}"  # the sample «Образец текста»
    assert "слишком длинный текст" in validate_template(
        "order_pairs", docx("Приказ ", chain), max_bytes=MAX
    )
    sleeper = "{{ title" + '|replace("", title)' * 3 + " }}"
    assert validate_template("order_pairs", docx(sleeper), max_bytes=MAX) == ""  # sample is short
    with tenant_context(world.alpha):
        DocumentTemplate.objects.create(
            code="order_pairs", file=ContentFile(docx("СВОЙ БЛАНК", sleeper), name="own.docx")
        )
        content = render_document("order_pairs", {"title": "Об утверждении " * 7})
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "СВОЙ БЛАНК" not in text and "ПРИКАЗ" in text  # the built-in form instead


def test_a_fields_value_is_never_run_as_template_code(world):
    """docxtpl rendered the footnotes once per section, the second time from the first's output."""
    document = Document()
    document.add_paragraph("{{ title }}")
    document.add_section()
    document.add_paragraph("второй раздел")
    buffer = io.BytesIO()
    document.save(buffer)
    with tenant_context(world.alpha):
        DocumentTemplate.objects.create(
            code="order_pairs", file=ContentFile(buffer.getvalue(), name="own.docx")
        )
        content = render_document(
            "order_pairs", {"title": "{{ organization_full_name|upper }}",
                            "organization_full_name": "Школа"},
        )  # fmt: skip
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "{{ organization_full_name|upper }}" in text and "ШКОЛА" not in text
