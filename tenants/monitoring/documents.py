"""The curator's итоговый аналитический отчёт по внедрению системы наставничества (001
§4.1.4) as a DOCX, through the sandboxed template pipeline (a school may upload its own form).

Every figure is assembled from what the system already holds — the roadmap, the banks, the
pairs and their forms, the meetings, the monitoring waves and their results, the outcomes, the
programs whose mentees grew most — so nothing is asked for twice; the curator types only the
conclusions and proposals (AnalyticReport)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse

from organizations.models import Organization
from tenants.documents.rendering import (
    add_centered,
    document_bytes,
    docx_response,
    loop_table,
    new_document,
    plain_table,
    register,
    render_document,
)
from tenants.documents.sandbox import records, text

REPORT_FIELDS = {
    "organization_full_name": text("полное наименование организации"),
    "year": text("учебный год"),
    "made_on": text("дата составления"),
    "roadmap": text("дорожная карта: выполнение"),
    "stages": records("этапы дорожной карты", title=text("этап"), done=text("выполнено"), overdue=text("просрочено")),
    "banks": text("базы наставников и наставляемых"),
    "pairs": text("пары и группы"),
    "forms": records("по формам наставничества", form=text("форма"), pairs=text("пар и групп")),
    "meetings": text("встречи и программы"),
    "coverage": text("охват"),
    "waves": records("волны мониторинга", title=text("волна"), invited=text("анкет"), answered=text("ответили"), share=text("доля ответивших")),
    "satisfaction": records("удовлетворённость", respondent=text("кто"), index=text("индекс"), n=text("ответов")),
    "growth": records("рост наставляемых по формам", form=text("форма"), measured=text("с «входом» и «выходом»"),
                      up=text("рост"), same=text("без изменений"), down=text("снижение")),
    "outcomes": records("образовательные результаты", title=text("показатель"), n=text("наставляемых"),
                        up=text("улучшили"), same=text("без изменений"), down=text("снизили")),
    "practices": records("лучшие практики", pair=text("пара"), form=text("форма"), result=text("итоги")),
    "conclusions": text("выводы куратора"),
    "proposals": text("предложения куратора"),
    "curator_short": text("куратор: инициалы и фамилия"),
}  # fmt: skip


@register(
    "analytic_report",
    "Итоговый аналитический отчёт куратора по внедрению наставничества",
    REPORT_FIELDS,
)
def _analytic_report() -> bytes:
    document = new_document()
    add_centered(document, "{{ organization_full_name }}")
    add_centered(document, "ИТОГОВЫЙ АНАЛИТИЧЕСКИЙ ОТЧЁТ")
    add_centered(
        document,
        "по внедрению системы (целевой модели) наставничества за {{ year }} учебный год",
        bold=False,
    )
    document.add_paragraph("Составлен {{ made_on }} по данным платформы наставничества.")
    document.add_heading("1. Выполнение дорожной карты", level=2)
    document.add_paragraph("{{ roadmap }}")
    loop_table(document, ["Этап целевой модели", "Выполнено", "Просрочено"],
               ["{{ s.title }}", "{{ s.done }}", "{{ s.overdue }}"], "for s in stages", widths=[11, 3, 3], font=9)  # fmt: skip
    document.add_heading("2. Базы наставников и наставляемых, пары и формы", level=2)
    document.add_paragraph("{{ banks }}")
    document.add_paragraph("{{ pairs }}")
    loop_table(document, ["Форма наставничества", "Пар и групп"], ["{{ f.form }}", "{{ f.pairs }}"],
               "for f in forms", widths=[13, 4], font=9)  # fmt: skip
    document.add_paragraph("{{ meetings }}")
    document.add_paragraph("{{ coverage }}")
    document.add_heading("3. Мониторинг: качество процесса и удовлетворённость", level=2)
    document.add_paragraph("Мониторинг проводится куратором и наставниками дважды — промежуточный и итоговый; отметки не выставляются.")  # fmt: skip
    loop_table(document, ["Волна", "Анкет", "Ответили", "Доля ответивших"],
               ["{{ w.title }}", "{{ w.invited }}", "{{ w.answered }}", "{{ w.share }}"], "for w in waves",
               widths=[8, 3, 3, 3], font=9)  # fmt: skip
    document.add_paragraph(
        "Индекс удовлетворённости (0 — «не удовлетворён», 100 — «полностью удовлетворён»):"
    )
    loop_table(document, ["Кто отвечал", "Индекс", "Ответов"], ["{{ s.respondent }}", "{{ s.index }}", "{{ s.n }}"],
               "for s in satisfaction", widths=[9, 4, 4], font=9)  # fmt: skip
    document.add_heading("4. Рост участников: «вход» и «выход»", level=2)
    loop_table(document, ["Форма", "С «входом» и «выходом»", "Рост", "Без изменений", "Снижение"],
               ["{{ g.form }}", "{{ g.measured }}", "{{ g.up }}", "{{ g.same }}", "{{ g.down }}"], "for g in growth",
               widths=[6, 3.5, 2.5, 2.5, 2.5], font=9)  # fmt: skip
    document.add_heading("5. Динамика образовательных результатов", level=2)
    loop_table(document, ["Показатель", "Наставляемых", "Улучшили", "Без изменений", "Снизили"],
               ["{{ o.title }}", "{{ o.n }}", "{{ o.up }}", "{{ o.same }}", "{{ o.down }}"], "for o in outcomes",
               widths=[7, 2.5, 2.5, 2.5, 2.5], font=9)  # fmt: skip
    document.add_heading("6. Лучшие практики наставничества", level=2)
    loop_table(document, ["Пара (группа)", "Форма", "Итоги программы"], ["{{ p.pair }}", "{{ p.form }}", "{{ p.result }}"],
               "for p in practices", widths=[4.5, 4, 8.5], font=9)  # fmt: skip
    document.add_heading("7. Выводы", level=2)
    document.add_paragraph("{{ conclusions }}")
    document.add_heading("8. Предложения", level=2)
    document.add_paragraph("{{ proposals }}")
    document.add_paragraph("")
    plain_table(document, [["Куратор", "______________", "{{ curator_short }}"]], [6.5, 4.5, 6])
    return document_bytes(document)


def _n(value: Any) -> str:
    return "—" if value is None else str(value)


def report_facts(organization: Organization, year: int, today: dt.date) -> dict[str, Any]:
    """What the report says, from the system (in the organisation's schema: the caller's)."""
    from regional_dashboard.rollups import _bank_figures, _pair_figures, _roadmap_figures
    from tenants.mentoring.models import PairStatus, Program
    from tenants.monitoring.selectors import (
        DIRECTIONS,
        mentee_growth,
        school_responses,
        school_results,
    )
    from tenants.roadmap.stages import label as stage_label

    roadmap = _roadmap_figures(year, today)
    banks = _bank_figures(year, today)
    pairs = _pair_figures(year)
    results = school_results(year, today)
    done_share = (
        round(roadmap["items_done"] / roadmap["items_total"] * 100) if roadmap["items_total"] else 0
    )
    by_form = pairs["breakdown"]["pairs_by_form"]
    growth = mentee_growth(list(school_responses(year).filter(answered_at__isnull=False).select_related("wave", "instrument")))  # fmt: skip
    practices = []
    completed = Program.objects.filter(pair__academic_year=year, completed_on__isnull=False,
                                       pair__status=PairStatus.COMPLETED).select_related("pair__form", "pair__mentor").prefetch_related("pair__mentees")  # fmt: skip
    ranked = []
    for program in completed:
        shifts = [growth[m.pk] for m in program.pair.mentees.all() if m.pk in growth]
        if shifts and sum(shifts) / len(shifts) > 0:
            ranked.append((sum(shifts) / len(shifts), program))
    for _shift, program in sorted(ranked, key=lambda item: -item[0])[:5]:
        report = program.final_report.split("\n\n")[0][:400]
        practices.append(
            {"pair": str(program.pair), "form": program.pair.form.title, "result": report}
        )
    return {
        "roadmap": (f"Мероприятий дорожной карты: {roadmap['items_total']}, выполнено {roadmap['items_done']} "
                    f"({done_share} %), просрочено {roadmap['items_overdue']}."),
        "stages": [{"title": stage_label(s["code"]), "done": f"{s['done']} из {s['total']}", "overdue": str(s["overdue"])}
                   for s in roadmap["stages"]],
        "banks": (f"В базе наставников — {banks['mentors']}, в базе наставляемых — {banks['mentees']}; "
                  f"без действующего согласия на обработку персональных данных — {banks['consents_missing']}."),
        "pairs": (f"Наставнических пар и групп: {pairs['pairs_total']} (работают {pairs['pairs_active']}, групп "
                  f"{pairs['groups']}); завершено программ: {pairs['programs_completed']}."),
        "forms": [{"form": form, "pairs": str(n)} for form, n in sorted(by_form.items(), key=lambda i: -i[1])],
        "meetings": f"Проведено встреч наставников и наставляемых: {pairs['meetings_held']}.",
        "coverage": (f"Вовлечено обучающихся: {pairs['pupils_involved']} из {organization.pupils_count or '—'}; "
                     f"педагогов: {pairs['teachers_involved']} из {organization.teachers_count or '—'}."),
        "waves": [{"title": w["title"], "invited": str(w["invited"]), "answered": str(w["answered"]),
                   "share": "—" if w["share"] is None else f"{w['share']} %"} for w in results.response_rates],
        "satisfaction": [{"respondent": s["respondent"], "index": _n(s["index"]), "n": str(s["n"])} for s in results.satisfaction],
        "growth": [{"form": g["form"], "measured": str(g["measured"]), "up": str(g["up"]), "same": str(g["same"]),
                    "down": str(g["down"])} for g in results.by_form],
        "outcomes": [{"title": o["title"], "n": str(o["n"]), "up": str(o["up"]), "same": str(o["same"]),
                      "down": str(o["down"])} for o in results.outcomes],
        "practices": practices,
        "directions": DIRECTIONS,
        "results": results,
    }  # fmt: skip


def analytic_report_bytes(organization: Organization, year: int, today: dt.date) -> bytes:
    from accounts.models import Role
    from tenants.mentoring.documents import initials_first
    from tenants.mentoring.services import role_holder_name
    from tenants.monitoring.models import AnalyticReport

    facts = report_facts(organization, year, today)
    stored = AnalyticReport.objects.filter(academic_year=year).first()
    curator = role_holder_name(Role.COORDINATOR, organization)
    context = {key: value for key, value in facts.items() if key in REPORT_FIELDS}
    context.update({
        "organization_full_name": organization.full_name,
        "year": f"{year}/{year + 1}",
        "made_on": f"{today:%d.%m.%Y}",
        "conclusions": (stored.conclusions if stored else "") or "—",
        "proposals": (stored.proposals if stored else "") or "—",
        "curator_short": initials_first(curator) if curator else "",
    })  # fmt: skip
    return render_document("analytic_report", context)


def analytic_report_docx(request: HttpRequest, year: int) -> HttpResponse:
    from accounts.permissions import acting_user
    from core.clients import client_ip
    from organizations.requests import request_organization
    from tenants.mentoring.models import Program
    from tenants.participants.models import AccessKind
    from tenants.participants.services import minor_export_record

    organization = request_organization(request)
    today = organization.local_today()
    content = analytic_report_bytes(organization, year, today)
    # Its best practices name pairs (their mentees among them): an export of minors' data.
    named = [m for p in Program.objects.filter(pair__academic_year=year, completed_on__isnull=False)
             .prefetch_related("pair__mentees") for m in p.pair.mentees.all()]  # fmt: skip
    minor_export_record(participants=named, kind=AccessKind.MONITORING, user=acting_user(request),
                        ip=client_ip(request), today=today, detail=f"аналитический отчёт {year}/{year + 1}")  # fmt: skip
    return docx_response(content, f"Аналитический отчёт {year}-{year + 1}.docx")
