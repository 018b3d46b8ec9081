"""Computing an organisation's rollup in its own schema, and keeping rollups fresh.

Runs in Celery tasks only (tasks/rollups.py), never on a page request. A change in a tenant
schema marks the organisation dirty in the same transaction (a DirtyMark row in the public
schema, so a Redis outage loses nothing); a beat task every ROLLUP_FLUSH_SECONDS sends one
refresh per marked organisation, however many changes it had (the debounce), and the refresh
deletes the marks it consumed when it commits (a failed one leaves them for the next round).
A nightly full refresh repairs whatever a mark missed.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.db import recomputable_transaction
from organizations.checks import tenant_only_labels
from organizations.models import Organization
from regional_dashboard.models import DirtyMark, OrganizationRollup, RollupCount, RollupStep

# Tenant apps whose writes do not change any figure (reminder deliveries, their inbox).
QUIET_APPS = frozenset({"notifications"})
# A refresh consumes at most this many marks (the rest, e.g. after an outage's backlog of
# writes, go to the next one).
MARKS_PER_REFRESH = 10_000

log = logging.getLogger(__name__)


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
    from tenants.monitoring.selectors import rollup_figures

    monitoring = rollup_figures(year, today)
    breakdown = {**bank.pop("breakdown"), **pairs.pop("breakdown"), **monitoring.pop("breakdown")}
    return {
        **monitoring,
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
        consumed = _consume_marks(organization.schema_name)
        figures = rollup_compute(organization=organization, now=now)
        row = OrganizationRollup(organization_id=organization.pk, computed_at=now, **figures)
        OrganizationRollup.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["organization", "academic_year", "day"],
            update_fields=fields,
        )  # fmt: skip
        _latest_keep(organization.pk, row.academic_year)
        DirtyMark.objects.filter(pk__in=consumed).delete()
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


def mark_dirty(schema_name: str) -> None:
    """A mark in the current transaction (or, outside one, at once): committed with the
    change it reports or rolled back with it. Once committed, the organisation's reminder run is
    due too (its agenda: the change may bring a reminder due today) — after the commit, so that
    writes of one school do not queue behind one agenda row."""
    from tenants.notifications.agenda import agenda_changed

    DirtyMark.objects.create(schema_name=schema_name)

    def reminders_due() -> None:
        try:
            agenda_changed(schema_name=schema_name)
        except DatabaseError:  # the change is committed; the next midnight or morning run plans it
            log.warning("reminder agenda of %s not marked", schema_name, exc_info=True)

    transaction.on_commit(reminders_due)


def dirty_schemas() -> list[str]:
    """The organisations with a mark not yet consumed by a refresh."""
    return sorted(DirtyMark.objects.values_list("schema_name", flat=True).distinct())


def queue_dirty(send: Callable[[str], object], *, now: dt.datetime | None = None) -> list[str]:
    """The flush: `send` a refresh for each organisation with a mark not yet sent (or sent
    longer than ROLLUP_REQUEUE_SECONDS ago and still there: that refresh was lost, e.g. with
    the broker), and note the time on the marks it covered. A failed `send` (Redis down) stops
    the round and leaves the rest as they were; the marks themselves are only ever deleted by
    the refresh that consumed them (rollup_refresh)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.ROLLUP_REQUEUE_SECONDS)
    due = DirtyMark.objects.filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
    sent = []
    for schema, newest in (
        due.values_list("schema_name").annotate(newest=Max("pk")).order_by("schema_name")
    ):
        send(schema)
        due.filter(schema_name=schema, pk__lte=newest).update(queued_at=now)
        sent.append(schema)
    return sent


def _consume_marks(schema_name: str) -> list[int]:
    """The marks committed so far: what the refresh about to run will see. Deleted (by id, so
    a mark committed meanwhile stays for the next round) in the refresh's transaction."""
    return list(
        DirtyMark.objects.filter(schema_name=schema_name)
        .order_by("pk")
        .values_list("pk", flat=True)[:MARKS_PER_REFRESH]
    )


def _mark_in_transaction(schema_name: str) -> None:
    """Once per transaction and schema, however many rows it writes; a savepoint rolled back
    takes its mark (and the note of it) with it."""
    if not connection.in_atomic_block:
        mark_dirty(schema_name)
        return
    marker = f"rollup:{schema_name}"
    pending: list[Any] = list(connection.run_on_commit)
    if any(getattr(entry[1], "rollup_marker", None) == marker for entry in pending):
        return
    mark_dirty(schema_name)
    noted = functools.partial(_marked, schema_name)
    noted.rollup_marker = marker  # type: ignore[attr-defined]
    transaction.on_commit(noted)


def _marked(schema_name: str) -> None:
    """The transaction's note that its schema is marked (nothing to do once committed)."""


def _tenant_change(sender: Any, **_: Any) -> None:
    label = sender._meta.app_label
    if label in QUIET_APPS or label not in tenant_only_labels():
        return
    schema = connection.schema_name  # type: ignore[attr-defined]
    if schema and schema not in (get_public_schema_name(), settings.TENANT_BASE_SCHEMA):
        _mark_in_transaction(schema)


def _provisioned(sender: Any, organization: Organization, **_: Any) -> None:
    _mark_in_transaction(organization.schema_name)


def connect_signals() -> None:
    from organizations.signals import organization_provisioned

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_tenant_change, dispatch_uid=f"rollups-{id(signal)}")
    organization_provisioned.connect(_provisioned, dispatch_uid="rollups-provisioned")


class TenantWriteMiddleware:
    """A successful POST/PUT/PATCH/DELETE of a signed-in person on an organisation's host
    marks it dirty.

    Signals miss bulk writes (imports, QuerySet.update); a request that changed something is
    the surest sign. The response is sent after the view's transaction has committed.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        # Anonymous requests write through services whose saves the signals see (a
        # questionnaire by its link); a refused one is sent to the login page with a 302.
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and response.status_code < 400
            and signed_in
        ):
            tenant = getattr(request, "tenant", None)
            schema = getattr(tenant, "schema_name", "")
            if schema and schema != get_public_schema_name():
                try:
                    mark_dirty(schema)
                except DatabaseError:  # the change itself committed; the nightly run repairs
                    log.warning("rollup mark for %s not written", schema, exc_info=True)
        return response
