"""Organisation-supplied DOCX templates, rendered safely: documented fields only, in a sandbox.

A template an organisation uploads is code (Jinja inside Word XML), and anyone who downloads a
document renders it. Three walls stand between it and the server:

1. every template source docxtpl renders (body, headers, footers, footnotes, document
   properties) passes through `TemplateEnvironment.from_string`, which walks its syntax tree
   and refuses anything but the documented fields of that document, a loop over a documented
   list, a few harmless filters and the two date helpers, naming what it refused in Russian;
2. the environment is Jinja's immutable sandbox with no globals (no `cycler`, `lipsum`,
   `range`…), no attribute of any object (a field is a key of a plain dict) and no callable
   but the date helpers;
3. the context holds plain data built from the document's field list (`plain_context`):
   strings, numbers, dates, flags, lists of such records; never a model or a queryset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

MONTHS_GENITIVE = [
    "", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
]  # fmt: skip


def date_long(day: dt.date | None) -> str:
    """«1 сентября 2025 г.», as documents write dates."""
    if not isinstance(day, dt.date):
        return "«___» ________ 20__ г."
    return f"{day.day} {MONTHS_GENITIVE[day.month]} {day.year} г."


def date_short(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if isinstance(day, dt.date) else "__.__.____"


HELPERS: dict[str, Callable[[Any], str]] = {"date_long": date_long, "date_short": date_short}
HELPER_DESCRIPTIONS = {
    "date_long": "дата прописью: {{ date_long(поле) }} → «1 сентября 2025 г.»",
    "date_short": "дата цифрами: {{ date_short(поле) }} → «01.09.2025»",
}

# Filters that only reshape text; nothing that reaches attributes (attr, map, sort by
# attribute), formats objects (format, pprint, tojson) or builds markup (safe, xmlattr).
FILTERS = frozenset({
    "upper", "lower", "capitalize", "title", "trim", "default", "d", "length", "count",
    "join", "replace", "truncate", "string", "first", "last", "wordcount",
})  # fmt: skip
TESTS = frozenset({"defined", "undefined", "none", "number", "string", "even", "odd",
                   "eq", "ne", "lt", "le", "gt", "ge", "in"})  # fmt: skip
LOOP_FIELDS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
# A syntax error, in the coordinator's terms (not Jinja's «unexpected '}'» on an XML line).
BROKEN_FIELD = (
    "В шаблоне ошибка в записи полей: проверьте, что каждое поле записано как {{ имя }}, "
    "а каждый блок {% … %} закрыт."
)


# Field lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One documented placeholder of a document: what it holds and what it means."""

    label: str
    kind: str = "text"  # text | number | date | flag | list
    items: Mapping[str, Field] = field(default_factory=dict)  # for a list: each record's fields

    @property
    def first_item(self) -> str:
        return next(iter(self.items), "")

    def sample(self) -> Any:
        """A value of the right type, to try a template with before accepting it."""
        if self.kind == "list":
            return [{name: item.sample() for name, item in self.items.items()} for _ in range(2)]
        return {
            "text": "Образец текста",
            "number": 1,
            "date": dt.date(2025, 9, 1),
            "flag": True,
        }[self.kind]


Fields = Mapping[str, Field]


def text(label: str) -> Field:
    return Field(label)


def date(label: str) -> Field:
    return Field(label, "date")


def number(label: str) -> Field:
    return Field(label, "number")


def flag(label: str) -> Field:
    return Field(label, "flag")


def records(label: str, **items: Field) -> Field:
    return Field(label, "list", items)


PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "number": (int, float),
    "date": (dt.date,),
    "flag": (bool,),
}


def plain_context(fields: Fields, context: Mapping[str, Any]) -> dict[str, Any]:
    """The documented fields of `context`, checked to be plain data (None allowed: rendered
    empty). A value of another type is a programming error, not a user's: TypeError."""

    def plain(name: str, spec: Field, value: Any) -> Any:
        if value is None:
            return [] if spec.kind == "list" else None  # a loop over nothing, not an error
        if spec.kind == "list":
            if not isinstance(value, list | tuple):
                raise TypeError(f"{name}: a list of records expected, got {type(value).__name__}")
            return [
                {key: plain(f"{name}.{key}", item, record.get(key)) for key, item in spec.items.items()}
                for record in value
            ]  # fmt: skip
        expected = PLAIN_TYPES[spec.kind]
        if not isinstance(value, expected) or (spec.kind == "number" and isinstance(value, bool)):
            raise TypeError(f"{name}: {spec.kind} expected, got {type(value).__name__}")
        return value

    unknown = set(context) - set(fields)
    if unknown:
        raise TypeError(f"undocumented fields in a document's context: {sorted(unknown)}")
    return {name: plain(name, spec, context.get(name)) for name, spec in fields.items()}


def sample_context(fields: Fields) -> dict[str, Any]:
    return {name: spec.sample() for name, spec in fields.items()}


# Checking a template's syntax tree -----------------------------------------------------------


class TemplateRefused(Exception):
    """A template uses something outside its document's fields; the message is in Russian."""


def expression_text(node: nodes.Node) -> str:
    """`cycler.__init__.__globals__` for a chain of names, attributes and constant keys."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{expression_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else "…"
        return f"{expression_text(node.node)}[{key!r}]"
    if isinstance(node, nodes.Call):
        return f"{expression_text(node.node)}(…)"
    if isinstance(node, nodes.Filter):
        return f"{expression_text(node.node) if node.node else '…'}|{node.name}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "…"


# Statement and expression nodes a template may contain; anything else is refused by name.
STATEMENT_NAMES: dict[type[nodes.Node], str] = {
    nodes.Macro: "макросы ({% macro %})", nodes.CallBlock: "блоки {% call %}",
    nodes.FilterBlock: "блоки {% filter %}", nodes.With: "блоки {% with %}",
    nodes.Assign: "присваивания ({% set %})", nodes.AssignBlock: "присваивания ({% set %})",
    nodes.Include: "вставку других шаблонов ({% include %})",
    nodes.Import: "импорт ({% import %})", nodes.FromImport: "импорт ({% from … import %})",
    nodes.Extends: "наследование шаблонов ({% extends %})", nodes.Block: "блоки {% block %}",
    nodes.ExprStmt: "выражения {% do %}", nodes.ScopedEvalContextModifier: "блоки {% autoescape %}",
    nodes.EvalContextModifier: "блоки {% autoescape %}",
}  # fmt: skip
PLAIN_OPERATORS = (nodes.And, nodes.Or, nodes.Not, nodes.CondExpr, nodes.Concat, nodes.Compare,
                   nodes.Operand)  # fmt: skip


@dataclass
class Scope:
    names: dict[str, Field | str]  # a field, or "loop" for the loop variable
    in_loop: bool = False


class TreeCheck:
    """Walks one parsed template source against a document's fields."""

    def __init__(self, fields: Fields) -> None:
        self.fields = fields

    def refuse(self, what: str) -> TemplateRefused:
        known = ", ".join(sorted(self.fields))
        return TemplateRefused(f"{what} Допустимые поля этого документа: {known}.")

    def check(self, template: nodes.Template) -> None:
        self.statements(template.body, Scope(dict(self.fields)))

    def statements(self, body: list[nodes.Node], scope: Scope) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: Scope) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.value(child, scope)
        elif isinstance(node, nodes.If):
            self.value(node.test, scope)
            self.statements(node.body, scope)
            for elif_ in node.elif_:
                self.statement(elif_, scope)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.For):
            self.loop(node, scope)
        elif isinstance(node, nodes.Scope | nodes.OverlayScope):
            self.statements(node.body, scope)
        else:
            name = STATEMENT_NAMES.get(type(node), f"конструкцию «{type(node).__name__}»")
            raise self.refuse(f"В шаблоне нельзя использовать {name}.")

    def loop(self, node: nodes.For, scope: Scope) -> None:
        if scope.in_loop:
            raise self.refuse("В шаблоне нельзя вкладывать один цикл {% for %} в другой.")
        if node.recursive:
            raise self.refuse("В шаблоне нельзя использовать рекурсивные циклы.")
        if not isinstance(node.target, nodes.Name):
            raise self.refuse(
                "В цикле {% for %} должна быть одна переменная: {% for row in rows %}."
            )
        iterated = self.resolve(node.iter, scope)
        if not isinstance(iterated, Field) or iterated.kind != "list":
            raise self.refuse(
                f"Цикл {{% for %}} возможен только по списку, а «{expression_text(node.iter)}» — не список."
            )
        if node.test is not None:
            self.value(node.test, scope)
        inner = Scope(
            {**scope.names, node.target.name: Field(iterated.label, "record", iterated.items),
             "loop": "loop"},
            in_loop=True,
        )  # fmt: skip
        self.statements(node.body, inner)
        self.statements(node.else_, scope)

    def resolve(self, node: nodes.Node, scope: Scope) -> Field | str:
        """What a name or a chain of attributes/keys stands for, or a refusal naming it."""
        if isinstance(node, nodes.Name):
            if node.name in HELPERS:
                raise self.refuse(
                    f"«{node.name}» — это функция: пишите {{{{ {node.name}(поле) }}}}."
                )
            found = scope.names.get(node.name)
            if found is None:
                raise self.refuse(f"В шаблоне есть неизвестное поле «{node.name}».")
            return found
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            base = self.resolve(node.node, scope)
            if base == "loop":
                if key in LOOP_FIELDS:
                    return Field("номер строки", "number")
            elif isinstance(base, Field) and base.kind == "record" and key in base.items:
                return base.items[str(key)]
            raise self.refuse(f"В шаблоне недопустимое обращение «{expression_text(node)}».")
        raise self.refuse(f"В шаблоне недопустимое выражение «{expression_text(node)}».")

    def value(self, node: nodes.Node, scope: Scope) -> None:
        """Any expression that is printed or tested."""
        if isinstance(node, nodes.Const | nodes.TemplateData):
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            found = self.resolve(node, scope)
            if isinstance(found, Field) and found.kind == "record":
                raise self.refuse(
                    f"«{expression_text(node)}» — это строка таблицы: выведите её поле, "
                    f"например {{{{ {expression_text(node)}.{next(iter(found.items), 'поле')} }}}}."
                )
            return
        if isinstance(node, nodes.Call):
            if not isinstance(node.node, nodes.Name) or node.node.name not in HELPERS:
                raise self.refuse(f"В шаблоне недопустимый вызов «{expression_text(node)}».")
            if node.kwargs or node.dyn_args or node.dyn_kwargs or len(node.args) != 1:
                raise self.refuse(
                    f"{node.node.name} принимает одно поле: {{{{ {node.node.name}(поле) }}}}."
                )
            self.value(node.args[0], scope)
            return
        if isinstance(node, nodes.Filter | nodes.Test):
            allowed = FILTERS if isinstance(node, nodes.Filter) else TESTS
            if node.name not in allowed:
                kind = "фильтр" if isinstance(node, nodes.Filter) else "проверку"
                raise self.refuse(f"В шаблоне нельзя использовать {kind} «{node.name}».")
            if node.dyn_args or node.dyn_kwargs:
                raise self.refuse(f"В шаблоне недопустимый вызов «{node.name}».")
            if node.node is not None:
                self.value(node.node, scope)
            for argument in [*node.args, *(keyword.value for keyword in node.kwargs)]:
                self.value(argument, scope)
            return
        if isinstance(node, PLAIN_OPERATORS):
            for child in node.iter_child_nodes():
                self.value(child, scope)
            return
        if isinstance(node, nodes.List | nodes.Tuple):
            for item in node.items:
                self.value(item, scope)
            return
        raise self.refuse(f"В шаблоне недопустимое выражение «{expression_text(node)}».")


# The environment ------------------------------------------------------------------------------


# Text filters could grow a string exponentially when chained (each `replace("a", "aaaaaaaaaa")`
# makes it ten times longer; `replace("", field)` inserts the field between every letter): no
# filter may produce more than this, whatever the data. A document's fields are far shorter.
MAX_FILTER_OUTPUT = 100_000


class OutputTooLarge(TemplateRefused):
    pass


def _refuse_large(length: int) -> None:
    if length > MAX_FILTER_OUTPUT:
        raise OutputTooLarge(
            f"Выражение шаблона даёт слишком длинный текст (больше {MAX_FILTER_OUTPUT:,} знаков).".replace(
                ",", " "
            )
        )


def _bounded_replace(value: Any, old: Any, new: Any, count: Any = None) -> str:
    text, old, new = str(value), str(old), str(new)
    occurrences = (len(text) + 1) if old == "" else text.count(old) if old else 0
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    _refuse_large(len(text) + occurrences * (len(new) - len(old)))
    return text.replace(old, new, -1 if count is None else int(count))


def _bounded(filter_: Callable[..., Any]) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        result = filter_(*args, **kwargs)
        _refuse_large(len(str(result)))
        return result

    for attribute in ("jinja_pass_arg",):  # join takes the eval context: keep the marker
        if hasattr(filter_, attribute):
            setattr(bounded, attribute, getattr(filter_, attribute))
    return bounded


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox one document is rendered in: each source is checked before it compiles."""

    def __init__(self, fields: Fields) -> None:
        super().__init__(autoescape=True, finalize=lambda value: "" if value is None else value)
        self.document_fields = fields
        self.globals.clear()  # no range, lipsum, cycler, joiner, namespace, dict
        self.globals.update(HELPERS)
        self.filters = {name: f for name, f in self.filters.items() if name in FILTERS}
        self.filters["replace"] = _bounded_replace
        self.filters["join"] = _bounded(self.filters["join"])
        self.tests = {name: t for name, t in self.tests.items() if name in TESTS}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        try:
            tree = self.parse(source)
        except TemplateSyntaxError as error:
            # Jinja's words («unexpected '}'») and line numbers of the document's XML say nothing
            # to the coordinator who typed the field in Word.
            raise TemplateRefused(BROKEN_FIELD) from error
        TreeCheck(self.document_fields).check(tree)
        return super().from_string(tree, globals, template_class)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Fields are keys of plain dicts (Jinja falls back to obj[attr]); no object attribute
        # is reachable but a loop's counters.
        return isinstance(obj, LoopContext) and attr in LOOP_FIELDS

    def is_safe_callable(self, obj: Any) -> bool:
        return any(obj is helper for helper in HELPERS.values())
