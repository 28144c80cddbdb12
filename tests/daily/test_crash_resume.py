"""A run killed anywhere and run again ends in the state of a clean run: no reminder or task twice, the same
ledger counts, the audit chain intact.

The kill is simulated inside the test's transaction: a `Killed` (a BaseException, as a signal would stop the
process: no handler runs) is raised at the k-th step of the apply phase or of the run's last transaction. The
chunk being written is rolled back; the chunks before it stay, as committed chunks would. A savepoint restores
the book between the clean run and each crashed one.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import transaction

from arrears.collection.models import Call, CaseEvent, CollectionCase, Letter, Promise, Task
from arrears.compliance.ledger import verify_chain
from arrears.compliance.models import AuditEvent, ChangeRecord
from arrears.daily import actions as run_actions
from arrears.daily import apply as run_apply
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run
from arrears.notices.models import Notice
from arrears.portfolio.models import DelinquencyRecord, LoanPosition
from book import build_book, nightly_run

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 20)
LAST = AS_OF + timedelta(days=2)
STEPS = ["_positions", "_cases", "_reminders", "_tasks", "_promises", "_plans", "_plan_reminders"]


class Killed(BaseException):
    pass


class Crasher:
    """Counts the apply steps and the audit appends; raises Killed at step `at`."""

    def __init__(self, monkeypatch, at: int) -> None:
        self.at, self.count = at, 0
        for name in STEPS:
            monkeypatch.setattr(run_apply._Chunk, name, self._wrap(getattr(run_apply._Chunk, name)))
        monkeypatch.setattr(run_apply, "record_sealed", self._wrap(run_apply.record_sealed))
        monkeypatch.setattr(run_actions, "append_events_bulk", self._wrap(run_actions.append_events_bulk))

    def _wrap(self, function):
        def step(*args, **kwargs):
            self.count += 1
            if self.count == self.at:
                raise Killed(f"killed at step {self.at}")
            result = function(*args, **kwargs)
            self.count += 1  # a second point: after the step's writes, before the next
            if self.count == self.at:
                raise Killed(f"killed after step {self.at}")
            return result

        return step

    def disarm(self) -> None:
        self.at = -1


def snapshot() -> dict[str, list]:
    def rows(qs, *fields):
        return sorted(qs.values_list(*fields), key=repr)

    return {
        "positions": rows(
            LoanPosition.objects,
            "loan__external_id",
            "as_of",
            "dpd",
            "delinquency_class",
            "bucket",
            "overdue_principal_fen",
            "overdue_interest_fen",
            "penalty_fen",
            "compound_fen",
        ),
        "records": rows(DelinquencyRecord.objects, "loan__external_id", "business_date", "dpd", "delinquency_class"),
        "cases": rows(
            CollectionCase.objects,
            "borrower__external_id",
            "status",
            "delinquency_class",
            "pool",
            "opened_on",
            "closed_on",
            "times_opened",
            "updated_on",
        ),
        "case_events": rows(
            CaseEvent.objects,
            "case__borrower__external_id",
            "business_date",
            "kind",
            "from_class",
            "to_class",
            "from_pool",
            "to_pool",
            "dpd",
            "clause",
        ),
        "tasks": rows(
            Task.objects,
            "key",
            "kind",
            "borrower__external_id",
            "case__borrower__external_id",
            "available_from",
            "due_on",
            "status",
            "route",
            "reason",
            "clause",
            "created_on",
        ),
        "notices": rows(Notice.objects, "loan__external_id", "kind", "channel", "due_date", "amount_fen", "queued_on"),
        "promises": rows(Promise.objects, "pk", "status", "paid_fen", "decided_on"),
        "runs": rows(Run.objects, "business_date", "status", "cursor", "changes", "summary", "policy_name"),
        "audit": sorted(
            (
                (action, subject_type, basis, _without_digest(changes), actor)
                for action, subject_type, basis, changes, actor in AuditEvent.objects.exclude(
                    action__startswith="auth"
                ).values_list("action", "subject_type", "basis", "changes", "actor_username")
            ),
            key=repr,
        ),
        # The sealed changes, as in a clean run, numbered 1, 2, 3 … per date (their ids, the order among them and
        # the digests may differ: they follow the ids of the rows changed, and PostgreSQL's sequences do not roll
        # back with the savepoint).
        "changes": rows(ChangeRecord.objects, "batch", "action", "subject_type", "clause", "changes", "reason"),
        "numbers": rows(ChangeRecord.objects, "batch", "seq"),
    }


def _without_digest(changes: dict) -> dict:
    sealed = changes.get("sealed")
    if sealed is None:
        return changes
    return {**changes, "sealed": [sealed[0], {k: v for k, v in sealed[1].items() if k != "digest"}]}


def _work_for(loans) -> None:
    """Calls, promises and letters on some borrowers, so every kind of decision is exercised."""
    rng = random.Random(5)  # noqa: S311 - test data
    collector = nightly_run()
    borrowers = sorted({loan.borrower_id for loan in loans})
    for borrower_id in borrowers[::3]:
        day = AS_OF - timedelta(days=rng.randrange(1, 40))
        Call.objects.create(
            borrower_id=borrower_id,
            collector=collector,
            called_at=f"{day}T02:00:00Z",
            called_on=day,
            outcome=rng.choice(["no_answer", "refused", "promised", "busy"]),
        )
        Promise.objects.create(
            borrower_id=borrower_id,
            amount_fen=rng.randrange(1, 500_000),
            made_on=day,
            due_on=day + timedelta(days=rng.randrange(0, 30)),
        )
        Letter.objects.create(
            borrower_id=borrower_id, channel="post", sent_on=AS_OF - timedelta(days=rng.randrange(0, 9))
        )


def _run_to_the_end() -> None:
    do_run_daily(AS_OF, actor=nightly_run(), chunk_borrowers=3)
    do_run_daily(LAST, actor=nightly_run(), chunk_borrowers=3)


def test_killed_anywhere_and_resumed_equals_a_clean_run(monkeypatch):
    """Over many seeds: kill at a random step (once or twice), run again until done; compare with a clean run."""
    loans = build_book(40, seed=21, as_of=AS_OF)
    _work_for(loans)
    book = transaction.savepoint()
    _run_to_the_end()
    clean = snapshot()
    assert all(clean[name] for name in ("cases", "notices", "tasks", "promises"))
    total_steps = 0
    with monkeypatch.context() as patch:
        counter = Crasher(patch, at=-1)
        transaction.savepoint_rollback(book)
        book = transaction.savepoint()
        _run_to_the_end()
        total_steps = counter.count
    assert total_steps > 60
    for seed in range(12):
        transaction.savepoint_rollback(book)
        book = transaction.savepoint()
        rng = random.Random(seed)  # noqa: S311 - test data
        kills = sorted(rng.sample(range(1, total_steps), rng.choice([1, 2])))
        with monkeypatch.context() as patch:
            crasher = Crasher(patch, at=kills[0])
            for attempt in range(len(kills) + 1):
                try:
                    _run_to_the_end()
                    break
                except Killed:
                    if attempt + 1 < len(kills):
                        crasher.count, crasher.at = 0, kills[attempt + 1] - kills[attempt]
                    else:
                        crasher.disarm()
            else:  # pragma: no cover - the loop always ends with a clean pass
                pytest.fail("the run never finished")
        resumed = snapshot()
        for name, expected in clean.items():
            assert resumed[name] == expected, f"seed {seed}, kills {kills}: {name} differs"
        assert verify_chain().ok
    assert Run.objects.filter(attempts__gt=1).exists()
