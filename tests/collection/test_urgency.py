"""The queue's stored urgency: equal to the computed one after the nightly run and after the actions that change
its inputs (a call's promise, the tasks it settles, its follow-up); never used when it is of another date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from desk import AS_OF, WORKING_HOURS, night, open_desk

from arrears.collection.calls import CallEntry, do_record_call
from arrears.collection.models import CollectionCase, UrgencyAsOf
from arrears.collection.queries import queue, urgency_case, urgency_current
from arrears.collection.urgency import refresh_urgency
from arrears.rules.queries import policy_on

pytestmark = pytest.mark.django_db


def _desk():
    desk = open_desk(
        [("P5", 5, "12000", "low"), ("F20", 20, "12000", "low"), ("R40", 40, "30000", "low")],
        {"junior_collector": 1},
    )
    return desk, desk["users"]["junior_collector"][0]


def _urgencies(on: date) -> dict[str, tuple[int, int]]:
    """Per open case (by borrower): (stored urgency, the urgency computed on `on`)."""
    cases = CollectionCase.objects.filter(status="open").annotate(computed=urgency_case(on))
    return {c.borrower.external_id: (c.urgency, c.computed) for c in cases.select_related("borrower")}


def _promise_call(due: date) -> CallEntry:
    """A complete record of a call that reached the borrower, who promised 500.00 by `due`."""
    return CallEntry(
        outcome="promised",
        duration_seconds=120,
        greeted=True,
        purpose_stated=True,
        identity_verified=True,
        facts_stated=True,
        consequences_stated=True,
        ability_asked=True,
        suggestion="full",
        attitude="cooperative",
        obstacle="cash_flow",
        promise_amount=Decimal("500.00"),
        promise_due_on=due,
        next_action="call",
        next_follow_up_on=AS_OF + timedelta(days=6),
    )


def _record(case, junior, due: date) -> None:
    do_record_call(
        case, _promise_call(due), actor=junior, today=AS_OF, dpd=case.dpd, calls=policy_on(AS_OF).calls,
        called_at=WORKING_HOURS,
    )  # fmt: skip


def test_the_nightly_run_stores_each_open_case_urgency():
    """Clause: CLS-2 — after the run of 03-20 every new case's first call is due that day: urgency 1 (a follow-up
    due), equal to the computed one, and the run records that the stored urgency is of 03-20."""
    _desk()
    assert _urgencies(AS_OF) == {ext: (1, 1) for ext in ("P5", "F20", "R40")}
    assert UrgencyAsOf.objects.get().business_date == AS_OF
    assert urgency_current(AS_OF)
    assert not urgency_current(AS_OF + timedelta(days=1))


def test_a_call_moves_its_case_and_only_its_case():
    """Clause: CALL-3 — a call to F20 reaching the borrower, who promises to pay today: its call task is done, a
    promise is due today, urgency 0; a call to R40 with a promise for 03-25: nothing due today, urgency 3. P5 is
    untouched. Stored equals computed for every case, and the queue lists F20, P5, R40."""
    desk, junior = _desk()
    _record(desk["cases"]["F20"], junior, AS_OF)
    _record(desk["cases"]["R40"], junior, AS_OF + timedelta(days=5))
    assert _urgencies(AS_OF) == {"F20": (0, 0), "P5": (1, 1), "R40": (3, 3)}
    assert [c.borrower.external_id for c in queue(junior, AS_OF)] == ["F20", "P5", "R40"]


def test_the_next_night_stores_the_urgency_of_its_date():
    """Clause: CALL-3 — F20 promised to pay on 03-20 and did not: the run of 03-21 breaks the promise and opens
    its broken-promise call (urgency 2 at least); every open case's stored urgency is then the one computed on
    03-21, and of that date."""
    desk, junior = _desk()
    _record(desk["cases"]["F20"], junior, AS_OF)
    night(AS_OF + timedelta(days=1))
    after = _urgencies(AS_OF + timedelta(days=1))
    assert [stored for stored, _ in after.values()] == [computed for _, computed in after.values()]
    assert after["F20"][0] < 3
    assert urgency_current(AS_OF + timedelta(days=1))


def test_a_stale_urgency_is_never_used():
    """Between a feed's import and its run (or before the first run since the column exists) the stored urgency
    is of another date: the queue computes the order then. Here P5 is stored as urgent (0) and F20 as not (3),
    but the stored urgency is of the day before: the queue puts R40 (DPD 40) before F20 and P5, all three with
    a call due."""
    desk, junior = _desk()
    CollectionCase.objects.filter(pk=desk["cases"]["P5"].pk).update(urgency=0)
    CollectionCase.objects.filter(pk=desk["cases"]["F20"].pk).update(urgency=3)
    UrgencyAsOf.objects.update(business_date=AS_OF - timedelta(days=1))
    assert not urgency_current(AS_OF)
    assert [c.borrower.external_id for c in queue(junior, AS_OF)] == ["R40", "F20", "P5"]
    assert [c.priority for c in queue(junior, AS_OF)] == [1, 1, 1]


def test_the_queue_sorts_by_the_stored_urgency_when_it_is_of_today():
    """A stored urgency of today is what the queue sorts by (so the actions and the run must keep it): P5 stored
    as urgent (0) comes first; refreshing stores the computed value again and P5 goes back behind R40 and F20."""
    desk, junior = _desk()
    CollectionCase.objects.filter(pk=desk["cases"]["P5"].pk).update(urgency=0)
    assert [c.borrower.external_id for c in queue(junior, AS_OF)] == ["P5", "R40", "F20"]
    assert refresh_urgency(AS_OF) == 1  # only the case whose stored urgency differed is written
    assert [c.borrower.external_id for c in queue(junior, AS_OF)] == ["R40", "F20", "P5"]
