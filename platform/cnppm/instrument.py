"""The self-diagnosis instrument as the head of the ЦНППМ edits it: plain text, one area per
heading line «[код] Название», its indicators as lines «- …»; the scale as lines
«значение — название — описание». Parsed back with every problem named by its line."""

from __future__ import annotations

import re
from typing import Any

_HEADING = re.compile(r"^\[([a-z0-9_-]{1,40})\]\s*(.+)$")
_SCALE = re.compile(r"^(\d{1,2})\s*[—–-]\s*([^—–]+?)(?:\s*[—–]\s*(.+))?$")
MAX_AREAS = 30
MAX_INDICATORS = 20


def areas_text(areas: list[dict[str, Any]]) -> str:
    blocks = []
    for area in areas:
        lines = [f"[{area['code']}] {area['title']}"]
        lines += [f"- {indicator['text']}" for indicator in area["indicators"]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def scale_text(scale: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{level['value']} — {level['label']}"
        + (f" — {level['description']}" if level.get("description") else "")
        for level in scale
    )


def parse_areas(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    areas: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            code, title = heading.group(1), heading.group(2).strip()[:200]
            if any(a["code"] == code for a in areas):
                problems.append(f"Строка {number}: код «{code}» уже есть.")
            areas.append({"code": code, "title": title, "indicators": []})
        elif line.startswith(("-", "—", "•")):
            if not areas:
                problems.append(
                    f"Строка {number}: показатель до первого направления «[код] Название»."
                )
                continue
            area = areas[-1]
            indicator = line.lstrip("-—• ").strip()[:500]
            if indicator:
                area["indicators"].append(
                    {"code": f"{area['code']}.{len(area['indicators']) + 1}", "text": indicator}
                )
        else:
            problems.append(
                f"Строка {number}: «{line[:60]}» — ни направление «[код] Название», ни показатель «- текст»."
            )
    if len(areas) > MAX_AREAS:
        problems.append(f"Направлений больше {MAX_AREAS}.")
    for area in areas:
        if not area["indicators"]:
            problems.append(f"Направление «{area['title']}»: нет ни одного показателя.")
        elif len(area["indicators"]) > MAX_INDICATORS:
            problems.append(f"Направление «{area['title']}»: показателей больше {MAX_INDICATORS}.")
    if not areas:
        problems.append("Нужно хотя бы одно направление.")
    return areas, problems


def parse_scale(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    scale: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        match = _SCALE.match(line)
        if match is None:
            problems.append(f"Шкала, строка {number}: напишите «значение — название — описание».")
            continue
        scale.append({
            "value": int(match.group(1)), "label": match.group(2).strip()[:100],
            "description": (match.group(3) or "").strip()[:300],
        })  # fmt: skip
    values = [level["value"] for level in scale]
    if len(values) != len(set(values)):
        problems.append("Шкала: значения уровней повторяются.")
    if not problems and len(scale) < 2:
        problems.append("Шкала: нужно не меньше двух уровней.")
    return sorted(scale, key=lambda level: level["value"]), problems
