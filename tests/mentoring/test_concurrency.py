"""Two people at once, on real connections (threads, committed data): two acceptances of the
same mentor with room for one make one pair; two signatures of one приказ record it once; the
same status change twice is made once. The loser gets a Russian refusal, never a 500."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from organizations.models import Organization
from regional_dashboard.models import DirtyMark
from tenants.mentoring import services
from tenants.mentoring.models import Form, Kind, Order, Pair, PairEvent, PairStatus
from tenants.participants.models import BankRole, Category, Participant
from tests.mentoring.conftest import TODAY, YEAR, person, pupil

START, END = dt.date(2025, 10, 1), dt.date(2026, 5, 31)


@pytest.fixture
def alpha(django_db_setup, django_db_blocker) -> Iterator[Organization]:  # type: ignore[no-untyped-def]
    """No test transaction: the threads' connections must see what the test wrote. What the
    test made is deleted afterwards."""
    with django_db_blocker.unblock():
        organization = Organization.objects.get(slug="alpha")
        with tenant_context(organization):
            before = set(Participant.objects.values_list("pk", flat=True))
        yield organization
        with tenant_context(organization):
            made = Participant.objects.exclude(pk__in=before)
            pairs = Pair.objects.filter(mentor__in=made)
            orders = list(pairs.exclude(order=None).values_list("order", flat=True))
            PairEvent.objects.filter(pair__in=pairs).delete()
            pairs.delete()
            Order.objects.filter(pk__in=orders).delete()
            made.delete()
        DirtyMark.objects.filter(schema_name=organization.schema_name).delete()


def _at_once(organization: Organization, *calls: Callable[[], Any]) -> list[Any]:
    """Each call in its own thread and connection, released together; what each returned or
    raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(n: int, call: Callable[[], Any]) -> None:
        try:
            with tenant_context(organization):
                barrier.wait()
                results[n] = call()
        except Exception as error:
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def slow_checks(monkeypatch):  # type: ignore[no-untyped-def]
    """The check takes a moment (as with a big school): without a lock both pass it."""
    check = services.check_pair

    def slowly(**kwargs: Any) -> list[str]:
        problems = check(**kwargs)
        threading.Event().wait(0.3)
        return problems

    monkeypatch.setattr(services, "check_pair", slowly)


def test_two_acceptances_for_a_mentor_with_room_for_one_make_one_pair(alpha, slow_checks):
    with tenant_context(alpha):
        mentor = person(capacity=1)
        first, second = pupil(), pupil()
        form = Form.objects.get(code="teacher_pupil")

    def accept(mentee: Participant) -> Callable[[], Pair]:
        return lambda: services.pair_accept_suggestion(
            mentee=mentee, mentor=mentor, form=form, kind=Kind.TRADITIONAL, starts_on=START,
            ends_on=END, academic_year=YEAR, user=None, today=TODAY,
        )  # fmt: skip

    results = _at_once(alpha, accept(first), accept(second))
    made = [r for r in results if isinstance(r, Pair)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(made), len(refused)) == (1, 1), results
    assert "не больше 1 наставляемых, а в пересекающихся парах уже 1" in " ".join(
        refused[0].messages
    )
    with tenant_context(alpha):
        assert Pair.objects.filter(mentor=mentor).count() == 1


def test_two_pairs_for_one_mentee_on_the_same_dates_make_one(alpha, slow_checks):
    with tenant_context(alpha):
        mentors = [person(capacity=2), person(capacity=2)]
        mentee = person(category=Category.YOUNG_SPECIALIST, bank_role=BankRole.MENTEE, capacity=0)
        form = Form.objects.get(code="head_teacher")  # one pair per mentee (no groups)

    def create(mentor: Participant) -> Callable[[], Pair]:
        return lambda: services.pair_create(
            mentor=mentor, mentees=[mentee], form=form, kind=Kind.TRADITIONAL, starts_on=START,
            ends_on=END, academic_year=YEAR, user=None, today=TODAY,
        )  # fmt: skip

    results = _at_once(alpha, create(mentors[0]), create(mentors[1]))
    assert sorted(type(r).__name__ for r in results) == ["Pair", "ValidationError"], results
    with tenant_context(alpha):
        assert Pair.objects.filter(mentees=mentee).count() == 1


def _proposed_order(alpha: Organization) -> Order:
    with tenant_context(alpha):
        form = Form.objects.get(code="teacher_pupil")
        pair = services.pair_create(
            mentor=person(), mentees=[pupil()], form=form, kind=Kind.TRADITIONAL, starts_on=START,
            ends_on=END, academic_year=YEAR, user=None, today=TODAY,
        )  # fmt: skip
        return services.order_draft(pairs=[pair], user=None, curator_name="Белова О. С.",
                                    director_name="Кравцова И. Н.")  # fmt: skip


def test_two_signatures_of_one_order_at_once_record_it_once(alpha):
    order = _proposed_order(alpha)

    def sign() -> list[str]:
        return services.order_sign(order=order, number="45-о", signed_on=dt.date(2025, 9, 30),
                                   user=None, today=TODAY)  # fmt: skip

    results = _at_once(alpha, sign, sign)
    assert all(r == [] for r in results), results  # no error, no warning
    with tenant_context(alpha):
        pair = Pair.objects.get(order=order)
        assert pair.status == PairStatus.APPROVED
        assert pair.events.filter(kind="approved").count() == 1
        assert pair.events.filter(kind="status").count() == 1


def test_a_different_number_after_signing_is_refused_in_russian(alpha):
    order = _proposed_order(alpha)
    with tenant_context(alpha):
        services.order_sign(
            order=order, number="45-о", signed_on=dt.date(2025, 9, 30), user=None, today=TODAY
        )
        with pytest.raises(ValidationError) as refused:
            services.order_sign(
                order=order, number="46-о", signed_on=dt.date(2025, 9, 30), user=None, today=TODAY
            )
    assert refused.value.messages == ["Номер приказа уже внесён: № 45-о от 30.09.2025."]


def test_the_same_status_change_twice_at_once_is_made_once(alpha):
    order = _proposed_order(alpha)
    with tenant_context(alpha):
        services.order_sign(
            order=order, number="47-о", signed_on=dt.date(2025, 9, 30), user=None, today=TODAY
        )
        pair = Pair.objects.get(order=order)

    def start() -> Pair:
        return services.pair_transition(pair=pair, to=PairStatus.ACTIVE, user=None, today=TODAY)

    results = _at_once(alpha, start, start)
    assert all(isinstance(r, Pair) for r in results), results
    with tenant_context(alpha):
        assert Pair.objects.get(pk=pair.pk).status == PairStatus.ACTIVE
        assert pair.events.filter(kind="status").count() == 2  # approved, then started: once
