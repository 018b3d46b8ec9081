"""The regional report: XLSX (summary, organisations, stages, municipalities) and CSV, from
rollup rows; people counts suppressed exactly as on the pages."""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.tabular import csv_bytes, workbook_sheets
from regional_dashboard.dashboard import HIDDEN, Selection, Summary, by_municipality
from regional_dashboard.models import OrganizationRollup
from regional_dashboard.privacy import SUPPRESS_BELOW
from tenants.roadmap.stages import label as stage_label

# (key, column title); keys are the API's field names.
ORGANIZATION_COLUMNS = [
    ("municipality", "Муниципалитет"),
    ("organization", "Организация"),
    ("kind", "Тип организации"),
    ("items_total", "Мероприятий дорожной карты"),
    ("items_done", "Выполнено"),
    ("items_overdue", "Просрочено"),
    ("items_done_share", "Выполнено, %"),
    ("mentors", "Наставников в базе"),
    ("mentees", "Наставляемых в базе"),
    ("consents_missing", "Без действующего согласия"),
    ("pairs_total", "Пар и групп"),
    ("meetings_held", "Встреч проведено"),
    ("pupils_coverage", "Охват обучающихся, %"),
    ("teachers_coverage", "Охват педагогов, %"),
    ("waves_total", "Волн мониторинга"),
    ("waves_late", "Волн с опозданием"),
    ("survey_invited", "Анкет мониторинга"),
    ("survey_answered", "Анкет заполнено"),
    ("survey_rate", "Ответили, %"),
    ("satisfaction_n", "Ответов об удовлетворённости"),
    ("satisfaction_index", "Индекс удовлетворённости (0–100)"),
    ("growth_n", "Наставляемых с «входом» и «выходом»"),
    ("growth_shift", "Средний сдвиг характеристик, уровней"),
    ("outcome_n", "Наставляемых с результатами на входе и выходе"),
    ("day", "Показатели на"),
]  # working, group and completed pairs are labels of breakdowns: municipalities and region only


def organization_record(
    row: OrganizationRollup, figures: dict[str, int | None] | None, hidden: object = HIDDEN
) -> dict[str, Any]:
    """One organisation's figures (its row, its counts as published), shown exactly as the
    pages show them."""
    organization = row.organization
    shown = Summary.of_row(row, figures).shown(hidden)
    record = {
        "municipality": organization.municipality.name,
        "organization": organization.short_name,
        "kind": organization.kind_short_label,
        "day": row.day,
    }
    return {key: record[key] if key in record else shown[key] for key, _ in ORGANIZATION_COLUMNS}


def _organizations_frame(selection: Selection) -> pd.DataFrame:
    rows, published = list(selection.rows), selection.organization_figures
    records = [organization_record(row, published.get(row.organization_id)) for row in sorted(rows, key=lambda r: (r.organization.municipality.name, r.organization.short_name))]  # fmt: skip
    frame = pd.DataFrame(records, columns=[key for key, _ in ORGANIZATION_COLUMNS])
    return frame.rename(columns=dict(ORGANIZATION_COLUMNS))


def _stages_frame(rows: list[OrganizationRollup]) -> pd.DataFrame:
    records = [
        {"Муниципалитет": row.organization.municipality.name, "Организация": row.organization.short_name,
         "Этап": stage_label(stage["code"]), "Мероприятий": stage["total"], "Выполнено": stage["done"],
         "В срок": stage["on_time"], "Просрочено": stage["overdue"]}
        for row in rows for stage in row.stages
    ]  # fmt: skip
    return pd.DataFrame(records, columns=["Муниципалитет", "Организация", "Этап", "Мероприятий",
                                          "Выполнено", "В срок", "Просрочено"])  # fmt: skip


NOTE = (
    f"Обобщённые данные без персональных. «{HIDDEN}» — значение скрыто: меньше "
    f"{SUPPRESS_BELOW} человек (пар) или позволило бы вычислить другое скрытое значение."
)
SUMMARY_LINES = [
    ("organizations", "Организаций с рассчитанными показателями"),
    ("items_total", "Мероприятий дорожных карт"),
    ("items_done", "Выполнено"),
    ("items_done_share", "Выполнено, %"),
    ("items_overdue", "Просрочено"),
    ("mentors", "Наставников в базах"),
    ("mentees", "Наставляемых в базах"),
    ("consents_missing", "Без действующего согласия"),
    ("pairs_total", "Пар и групп"),
    ("pairs_active", "Работают"),
    ("groups", "Групп"),
    ("meetings_held", "Встреч проведено"),
    ("programs_completed", "Завершено пар и групп (программ)"),
    ("pupils_coverage", "Охват обучающихся, %"),
    ("teachers_coverage", "Охват педагогов, %"),
    ("waves_total", "Волн мониторинга открыто"),
    ("waves_late", "Волн мониторинга с опозданием"),
    ("survey_invited", "Анкет мониторинга"),
    ("survey_answered", "Анкет заполнено"),
    ("survey_rate", "Ответили, %"),
    ("satisfaction_index", "Индекс удовлетворённости (0–100)"),
    ("growth_n", "Наставляемых с «входом» и «выходом»"),
    ("growth_share", "Из них с ростом характеристик, %"),
    ("growth_shift", "Средний сдвиг характеристик, уровней"),
    ("outcome_n", "Наставляемых с результатами на входе и выходе"),
    ("outcomes_share", "Из них улучшили результаты, %"),
]


def _summary_frame(selection: Selection, heading: list[tuple[str, Any]]) -> pd.DataFrame:
    shown = Summary.of_selection(selection).shown()
    lines = [*heading, *((title, shown[key]) for key, title in SUMMARY_LINES)]
    lines.append(("", ""))
    lines.append(("Примечание", NOTE))
    return pd.DataFrame(lines, columns=["Показатель", "Значение"])


def _municipalities_frame(selection: Selection) -> pd.DataFrame:
    records = [
        {"Муниципалитет": m.name, "Организаций": s["organizations"], "Выполнено, %": s["items_done_share"],
         "Просрочено": s["items_overdue"], "Пар и групп": s["pairs_total"], "Наставляемых": s["mentees"],
         "Охват обучающихся, %": s["pupils_coverage"], "Охват педагогов, %": s["teachers_coverage"],
         "Анкет мониторинга": s["survey_invited"], "Ответили, %": s["survey_rate"],
         "Индекс удовлетворённости": s["satisfaction_index"], "С ростом характеристик, %": s["growth_share"],
         "Улучшили результаты, %": s["outcomes_share"], "Волн с опозданием": s["waves_late"]}
        for m, s in by_municipality(selection)
    ]  # fmt: skip
    return pd.DataFrame(records)


def report_xlsx(
    selection: Selection, heading: list[tuple[str, Any]], with_municipalities: bool
) -> bytes:
    sheets = {"Сводка": _summary_frame(selection, heading)}
    if with_municipalities:
        sheets["Муниципалитеты"] = _municipalities_frame(selection)
    listed = list(selection.rows)
    sheets["Организации"] = _organizations_frame(selection)
    sheets["Этапы дорожных карт"] = _stages_frame(listed)
    return workbook_sheets(sheets, hidden=HIDDEN, hidden_note=HIDDEN_NOTE)


HIDDEN_NOTE = (
    f"Значение скрыто: меньше {SUPPRESS_BELOW} человек (пар) или позволило бы вычислить другое "
    "скрытое значение. Ячейка пуста, чтобы столбец оставался числовым."
)
HIDDEN_FLAG = "Скрытые значения"


def report_csv(selection: Selection) -> bytes:
    """One row per organisation for Excel in a Russian locale: `;`, decimal commas, a BOM;
    a suppressed figure is an empty cell, and the row's «Скрытые значения» names its columns
    (numeric columns stay numeric)."""
    frame = _organizations_frame(selection)
    hidden = frame.isin([HIDDEN])
    flags = [", ".join(c for c in hidden.columns if row[c]) for _, row in hidden.iterrows()]
    frame = frame.mask(hidden, None)
    for column in frame.columns:
        numeric = pd.to_numeric(frame[column], errors="coerce")
        if frame[column].notna().any() and numeric.notna().sum() == frame[column].notna().sum():
            frame[column] = numeric
    frame[HIDDEN_FLAG] = flags
    return csv_bytes(frame, decimal_comma=True)
