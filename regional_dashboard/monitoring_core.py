"""The region's common core of the monitoring questionnaires, as the regional operator sets it:
per instrument, the questions every school asks unchanged (their codes are what the region
compares), as plain text — one question per line, «код: текст | уровень; уровень; …» for a
question that is already in the core (its code keeps its comparability), «текст | уровни» for
a new one. Scales are described levels, never marks (the schools' rule)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from organizations.models import Region
from regional_dashboard.models import MonitoringCore

_CODED = re.compile(r"^(?P<code>[a-z_]+\.[a-z0-9_]+)\s*:\s*(?P<rest>.+)$")


def builtin_core() -> dict[str, list[dict[str, Any]]]:
    from tenants.monitoring.catalogue import BUILTIN

    return {i["code"]: [item for item in i["items"] if item["core"]] for i in BUILTIN}


def core_current(
    region_id: int | None = None, *, municipality_id: int | None = None
) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """(version, items by instrument) of the region's core — of the region given, or of the
    municipality's region (one query: a school's sweep asks) —; version 0 is the built-in one."""
    cores = MonitoringCore.objects.order_by("-version")
    if region_id is not None:
        found = cores.filter(region_id=region_id).first()
    elif municipality_id is not None:
        found = cores.filter(region__municipalities__id=municipality_id).first()
    else:
        found = None
    if found is None:
        return 0, builtin_core()
    return found.version, found.items


def core_text(items: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{item['code']}: {item['text']} | {'; '.join(item['scale'])}" for item in items
    )


def parse_core(code: str, text: str, known: dict[str, dict[str, Any]], version: int) -> tuple[list[dict[str, Any]], list[str]]:  # fmt: skip
    """The core's questions of one instrument; a new question gets a code of its own
    («<instrument>.r<version>_<n>»), never reused."""
    from tenants.monitoring.services import parse_items

    items: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    fresh = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        coded = _CODED.match(line)
        item_code = coded.group("code") if coded else ""
        body = coded.group("rest") if coded else line
        if body.startswith("?"):
            problems.append(
                f"Строка {number}: открытые вопросы в общее ядро не входят (их ответы остаются в школах)."
            )
            continue
        parsed, found = parse_items(body, prefix=code)
        problems += [p.replace("Строка 1", f"Строка {number}") for p in found]
        if not parsed:
            continue
        item = parsed[0]
        if item_code:
            if item_code not in known:
                problems.append(
                    f"Строка {number}: кода «{item_code}» в ядре нет — уберите его, чтобы добавить новый вопрос."
                )
                continue
            if item_code in seen:
                problems.append(f"Строка {number}: код «{item_code}» уже есть выше.")
                continue
            item["code"], item["group"] = item_code, known[item_code].get("group", "")
        else:
            fresh += 1
            item["code"] = f"{code}.r{version}_{fresh}"
        item["core"] = True
        seen.add(item["code"])
        items.append(item)
    if not items and not problems:
        problems.append("В ядре должен остаться хотя бы один вопрос со шкалой.")
    return items, problems


@transaction.atomic
def core_publish(
    *, region: Region, code: str, text: str, note: str, user: User | None
) -> MonitoringCore:
    """A new version of the region's core with `code`'s questions from the text; schools take
    it into their instruments the next time they open one (answers given keep theirs)."""
    from tenants.monitoring.catalogue import BY_CODE

    if code not in BY_CODE:
        raise ValidationError({"code": "Нет такой анкеты."})
    MonitoringCore.objects.select_for_update().filter(
        region=region
    ).first()  # one publisher at a time
    version, current = core_current(region.pk)
    known = {item["code"]: item for items in current.values() for item in items}
    known.update({item["code"]: item for item in builtin_core()[code]})
    items, problems = parse_core(code, text, known, version + 1)
    if problems:
        raise ValidationError({"text": problems})
    if items == current.get(code):
        raise ValidationError({"text": "Изменений нет."})
    return MonitoringCore.objects.create(
        region=region, version=version + 1, items={**current, code: items},
        note=note.replace("\x00", "").strip()[:500], created_by=user,
    )  # fmt: skip
