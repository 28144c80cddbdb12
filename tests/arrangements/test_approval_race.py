"""Maker–checker under load: many supervisors approving one proposal at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from desk import AS_OF, open_desk
from django.db import connection
from django.utils import translation

from arrears.arrangements.actions import do_decide_plan, do_propose_plan
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import Plan
from arrears.compliance.models import AuditEvent
from factories import make_user

MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}


def test_fifty_supervisors_approving_at_once_end_with_exactly_one_approval(ledger_transactional_db):
    """Clause: AUTH-2 — on PostgreSQL, 50 threads with their own connections approve the same proposal at the
    same moment: exactly one succeeds, 49 are told it was already decided, one approval event is written."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL deployment (SQLite has one writer at a time)")
    opened = open_desk([("P20", 20, "12000", "low")], {"senior_collector": 1})
    senior = opened["users"]["senior_collector"][0]
    plan = do_propose_plan(opened["cases"]["P20"], **MEANS, instalments=4, actor=senior, today=AS_OF)
    bosses = [make_user("supervisor", username=f"boss-{i}") for i in range(50)]
    start = threading.Barrier(50)
    won, lost, errors = [], [], []

    def approve(boss) -> None:
        try:
            start.wait()
            with translation.override("en"):
                do_decide_plan(Plan.objects.get(pk=plan.pk), approve=True, reason="核实", actor=boss, today=AS_OF)
            won.append(boss.pk)
        except ArrangementError as exc:
            lost.append(str(exc))
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(boss,)) for boss in bosses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1
    assert len(lost) == 49
    assert all("already decided" in message for message in lost)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id) == ("approved", won[0])
    assert AuditEvent.objects.filter(action="arrangements.approve_plan").count() == 1
