"""Banks: the bank list page with 1,000 participants (the 5,000-row import: bench_imports)."""

from __future__ import annotations

import datetime as dt
import io
import random

import pandas as pd

from tests.benchmarks.harness import Figure, bench_organizations, p95, timed

LIST_ROWS = 1000


def _workbook(rows: int, seed: int) -> bytes:
    from tenants.participants.importing import COLUMNS

    rng = random.Random(seed)
    records = []
    for n in range(rows):
        pupil = n % 5 != 0
        records.append(
            {
                "Фамилия": f"Фамилия{n}",
                "Имя": rng.choice(["Анна", "Иван", "Мария", "Пётр"]),
                "Отчество": rng.choice(["Ивановна", "Петрович", "Сергеевна"]),
                "Дата рождения": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
                + str(rng.randint(2009, 2015) if pupil else rng.randint(1960, 1998)),
                "Категория": "обучающийся" if pupil else "педагог",
                "Класс / группа": f"{rng.randint(5, 11)} «А»" if pupil else "",
                "Должность": "" if pupil else "учитель",
                "Роль в базе": "наставляемый" if pupil else "наставник",
                "Основания": "неудовлетворительные результаты" if pupil else "",
                "Запросы": "математика; ОГЭ" if pupil else "",
                "Компетенции": "" if pupil else "ОГЭ; ИКТ",
                "Наставляемых не более": "" if pupil else "2",
                "Согласие на обработку ПДн: дата": "02.09.2025",
                "Согласие подписал законный представитель: ФИО": "Родитель Имя Отчество"
                if pupil
                else "",
                "Кем приходится": "мать" if pupil else "",
            }
        )
    buffer = io.BytesIO()
    pd.DataFrame(records, columns=COLUMNS, dtype=object).fillna("").to_excel(buffer, index=False)
    return buffer.getvalue()


def run(n_tenants: int) -> list[Figure]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from accounts.models import Membership, Role, User
    from organizations.models import Domain
    from tenants.participants.importing import import_apply, import_plan
    from tenants.participants.models import Participant
    from tenants.participants.services import consent_check

    today = dt.date(2025, 10, 1)
    third = bench_organizations(3, "banks")[2]

    # The bank list page with LIST_ROWS people, through the real middleware and template.
    with tenant_context(third):
        plan = import_plan(content=_workbook(LIST_ROWS, seed=3), filename="list.xlsx", academic_year=2025,
                           today=today)  # fmt: skip
        import_apply(plan=plan, academic_year=2025, user=None)
    user, _ = User.objects.get_or_create(username="bench.banks")
    Membership.objects.get_or_create(user=user, role=Role.COORDINATOR, organization=third)
    client = Client(HTTP_HOST=Domain.objects.get(tenant=third).domain)
    client.force_login(user)
    url = "/participants/?year=2025"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(30):
        times.append(timed(lambda: client.get(url)) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    page_queries = len(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(url + "&page=2")
    page2_queries = len(queries.captured_queries)

    # Naive: every row's consents fetched on their own (N+1), the whole bank on one page.
    with tenant_context(third):

        def naive_list() -> None:
            for participant in Participant.objects.all():
                consent_check(participant=participant, today=today)

        naive_list_ms = p95([timed(naive_list) * 1000 for _ in range(5)])
    page_p95 = p95(times)
    return [
        Figure("bank_list_p95_ms", page_p95, "ms", baseline=naive_list_ms, ratio=naive_list_ms / page_p95,
               target="< 100 ms"),
        Figure("bank_list_queries", page_queries, "queries", target="same on every page"),
        Figure("bank_list_queries_page2", page2_queries, "queries"),
    ]  # fmt: skip
