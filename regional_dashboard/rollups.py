"""Computing an organisation's rollup in its own schema, and keeping rollups fresh.

Runs in Celery tasks only (tasks/rollups.py), never on a page request. A change in a tenant
schema marks the organisation dirty on commit (a Redis set); a beat task every
ROLLUP_FLUSH_SECONDS takes the whole set and refreshes each organisation once, however many
changes it had (the debounce). A nightly full refresh repairs whatever a mark missed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from typing import Any

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.db import recomputable_transaction
from organizations.checks import tenant_only_labels
from organizations.models import Organization
from regional_dashboard.models import OrganizationRollup, RollupCount, RollupStep

# Tenant apps whose writes do not change any figure (reminder deliveries, their inbox).
QUIET_APPS = frozenset({"notifications"})


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _roadmap_figures(year: int, today: dt.date) -> dict[str, Any]:
    """Items of the year's roadmap by the target model's stage they are mapped to: codes of the
    region's catalogue, never the school's own wording (which stays in its schema)."""
    from tenants.roadmap.models import ItemStatus, RoadmapItem
    from tenants.roadmap.selectors import overdue_q
    from tenants.roadmap.stages import ORDER, Stage

    rows = (
        RoadmapItem.objects.filter(roadmap__academic_year=year, is_stage=False)
        .exclude(status=ItemStatus.CANCELLED)
        .annotate(overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))
        .values("stage", "status", "overdue")
    )
    stages: dict[str, dict[str, Any]] = {}
    figures: dict[str, Any] = {"items_total": 0, "items_done": 0, "items_overdue": 0}
    for row in rows:
        if row["status"] == ItemStatus.DONE:
            state = "done"
        elif row["overdue"]:  # the roadmap's own definition
            state = "overdue"
        else:
            state = "on_time"
        figures["items_total"] += 1
        figures["items_done"] += state == "done"
        figures["items_overdue"] += state == "overdue"
        code = row["stage"] if row["stage"] in ORDER else Stage.OTHER.value
        stage = stages.setdefault(code, {"code": code, "position": ORDER[code], "total": 0,
                                         "done": 0, "on_time": 0, "overdue": 0})  # fmt: skip
        stage["total"] += 1
        stage[state] += 1
    figures["stages"] = sorted(stages.values(), key=lambda stage: stage["position"])
    return figures


def _bank_figures(year: int, today: dt.date) -> dict[str, Any]:
    from tenants.participants.models import BankRole, Category, Participant
    from tenants.participants.selectors import consent_not_ok, with_consent_state

    in_banks = Participant.objects.filter(academic_year=year).in_banks()
    mentors: Counter[str] = Counter()
    mentees: Counter[str] = Counter()
    for row in in_banks.values("bank_role", "category").annotate(n=Count("pk")).order_by():
        label = _label(Category, row["category"])
        if row["bank_role"] in (BankRole.MENTOR, BankRole.BOTH):
            mentors[label] += row["n"]
        if row["bank_role"] in (BankRole.MENTEE, BankRole.BOTH):
            mentees[label] += row["n"]
    missing = with_consent_state(in_banks, today).filter(consent_not_ok()).count()
    return {
        "mentors": sum(mentors.values()),
        "mentees": sum(mentees.values()),
        "consents_missing": missing,
        "breakdown": {"mentors_by_category": dict(mentors), "mentees_by_category": dict(mentees)},
    }


def _pair_figures(year: int) -> dict[str, Any]:
    from tenants.mentoring.catalogue import OTHER_FORMS, form_label
    from tenants.mentoring.models import Kind, Meeting, Pair, PairStatus, Program
    from tenants.participants.models import LEARNER_CATEGORIES, STAFF_CATEGORIES, Participant

    pairs = Pair.objects.filter(academic_year=year)
    by_form: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    groups = 0
    rows = pairs.values("form__code", "form__is_standard", "kind", "status").annotate(
        n=Count("pk", distinct=True),
        groups=Count("pk", distinct=True, filter=Q(kind=Kind.GROUP)),
    )
    for row in rows.order_by():
        # The target model's forms by their catalogue names; a school's own forms (their
        # names are its free text) are counted together.
        by_form[form_label(row["form__code"]) if row["form__is_standard"] else OTHER_FORMS] += row[
            "n"
        ]
        by_kind[_label(Kind, row["kind"])] += row["n"]
        by_status[_label(PairStatus, row["status"])] += row["n"]
        groups += row["groups"]
    # Coverage counts people in pairs that exist on paper or in practice.
    counted = [PairStatus.APPROVED, PairStatus.ACTIVE, PairStatus.COMPLETED]
    involved = (
        Participant.objects.filter(
            Q(mentoring_pairs__academic_year=year, mentoring_pairs__status__in=counted)
            | Q(mentee_pairs__academic_year=year, mentee_pairs__status__in=counted)
        )
        .values("category")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    by_category = {row["category"]: row["n"] for row in involved}
    return {
        "pairs_total": sum(by_status.values()),
        "pairs_active": pairs.filter(status=PairStatus.ACTIVE).count(),
        "groups": groups,
        "meetings_held": Meeting.objects.filter(program__pair__academic_year=year).count(),
        "programs_completed": Program.objects.filter(
            pair__academic_year=year, completed_on__isnull=False
        ).count(),
        "pupils_involved": sum(by_category.get(c, 0) for c in LEARNER_CATEGORIES),
        "teachers_involved": sum(by_category.get(c, 0) for c in STAFF_CATEGORIES),
        "breakdown": {
            "pairs_by_form": dict(by_form),
            "pairs_by_kind": dict(by_kind),
            "pairs_by_status": dict(by_status),
        },
    }


def rollup_compute(*, organization: Organization, now: dt.datetime) -> dict[str, Any]:
    """The figures of the organisation's current academic year (in its schema: the caller's)."""
    today = organization.local_today(now)
    year = organization.academic_year_of(today)
    roadmap = _roadmap_figures(year, today)
    bank = _bank_figures(year, today)
    pairs = _pair_figures(year)
    breakdown = {**bank.pop("breakdown"), **pairs.pop("breakdown")}
    return {
        "academic_year": year,
        "day": today,
        **roadmap,
        **bank,
        **pairs,
        "pupils_count": organization.pupils_count,
        "teachers_count": organization.teachers_count,
        "breakdown": breakdown,
    }


def rollup_refresh(
    *, organization: Organization, now: dt.datetime | None = None
) -> OrganizationRollup:
    """Compute in the organisation's schema, write today's row (one upsert) and keep the
    year's newest row marked, with its steps as rows."""
    now = now or timezone.now()
    fields = [f.name for f in OrganizationRollup._meta.concrete_fields
              if f.name not in ("id", "organization", "academic_year", "day", "is_latest")]  # fmt: skip
    with recomputable_transaction():  # a lost row is recomputed by the next refresh
        # One refresh of an organisation at a time (the flush and the nightly run may meet),
        # and each computes after the lock: the last to write has read the newest data.
        list(
            Organization.objects.select_for_update(no_key=True)
            .filter(pk=organization.pk)
            .values("pk")
        )
        figures = rollup_compute(organization=organization, now=now)
        row = OrganizationRollup(organization_id=organization.pk, computed_at=now, **figures)
        OrganizationRollup.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["organization", "academic_year", "day"],
            update_fields=fields,
        )  # fmt: skip
        _latest_keep(organization.pk, row.academic_year)
    return row


def _latest_keep(organization_id: int, year: int) -> None:
    """Mark the newest row of the year as the latest (and no other), and make its steps and
    breakdown counts rows."""
    rows = OrganizationRollup.objects.filter(organization_id=organization_id, academic_year=year)
    newest = rows.order_by("-day").only("pk", "stages", "breakdown", "is_latest").first()
    if newest is None:
        return
    rows.filter(is_latest=True).exclude(pk=newest.pk).update(is_latest=False)
    if not newest.is_latest:
        rows.filter(pk=newest.pk).update(is_latest=True)
    of_year = {"organization_id": organization_id, "academic_year": year}
    RollupStep.objects.filter(**of_year).delete()
    RollupStep.objects.bulk_create(RollupStep(**of_year, **step) for step in newest.stages)
    RollupCount.objects.filter(**of_year).delete()
    RollupCount.objects.bulk_create(
        RollupCount(**of_year, breakdown=name, label=label, count=count)
        for name, counts in newest.breakdown.items()
        for label, count in counts.items()
    )


# Marking organisations dirty ------------------------------------------------------------


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _dirty_key() -> str:
    # Per database: tests and a running `make run` may share one Redis.
    return f"cmn:{settings.DATABASES['default']['NAME']}:rollups:dirty"


def mark_dirty(schema_name: str) -> None:
    _redis().sadd(_dirty_key(), schema_name)


def take_dirty() -> list[str]:
    """Every organisation marked since the last call, each once (atomically)."""
    with _redis().pipeline(transaction=True) as pipe:
        pipe.smembers(_dirty_key())
        pipe.delete(_dirty_key())
        members, _ = pipe.execute()
    return sorted(m.decode() for m in members)


def _on_commit_mark(schema_name: str) -> None:
    """Once per transaction and schema, however many rows it writes."""
    marker = f"rollup:{schema_name}"
    pending: list[Any] = list(connection.run_on_commit)
    if any(getattr(entry[1], "rollup_marker", None) == marker for entry in pending):
        return
    callback = functools.partial(mark_dirty, schema_name)
    callback.rollup_marker = marker  # type: ignore[attr-defined]
    transaction.on_commit(callback)


def _tenant_change(sender: Any, **_: Any) -> None:
    label = sender._meta.app_label
    if label in QUIET_APPS or label not in tenant_only_labels():
        return
    schema = connection.schema_name  # type: ignore[attr-defined]
    if schema and schema not in (get_public_schema_name(), settings.TENANT_BASE_SCHEMA):
        _on_commit_mark(schema)


def _provisioned(sender: Any, organization: Organization, **_: Any) -> None:
    transaction.on_commit(functools.partial(mark_dirty, organization.schema_name))


def connect_signals() -> None:
    from organizations.signals import organization_provisioned

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_tenant_change, dispatch_uid=f"rollups-{id(signal)}")
    organization_provisioned.connect(_provisioned, dispatch_uid="rollups-provisioned")


class TenantWriteMiddleware:
    """A successful POST/PUT/PATCH/DELETE on an organisation's host marks it dirty.

    Signals miss bulk writes (imports, QuerySet.update); a request that changed something is
    the surest sign. The response is sent after the view's transaction has committed.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            tenant = getattr(request, "tenant", None)
            schema = getattr(tenant, "schema_name", "")
            if schema and schema != get_public_schema_name():
                mark_dirty(schema)
        return response
