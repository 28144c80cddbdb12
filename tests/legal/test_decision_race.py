"""Supervisors deciding the same case, or approving the same write-off, at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation
from late_desk import AS_OF, call, late_desk, night_of

from arrears.collection.models import CollectionCase, Task
from arrears.compliance.models import AuditEvent
from arrears.legal.errors import LegalError
from arrears.legal.escalation_actions import do_decide_escalation
from arrears.legal.models import EscalationDecision, WriteOff
from arrears.legal.write_off_actions import do_decide_write_off
from factories import make_user

TODAY = AS_OF + timedelta(days=1)
THREADS = 12


def at_once(users, act) -> tuple[list, list, list]:
    """Each user acts in a thread of its own (its own connection), all released together: (won, lost, errors)."""
    start = threading.Barrier(len(users))
    won, lost, errors = [], [], []

    def run(user) -> None:
        try:
            start.wait()
            with translation.override("en"):
                act(user)
            won.append(user.pk)
        except LegalError as exc:
            lost.append(str(exc))
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost, errors


def test_supervisors_deciding_one_case_at_once_end_with_one_decision(ledger_transactional_db):
    """Clause: AUTH-3 — on PostgreSQL, twelve supervisors decide AGY (DPD 90, three failed attempts) at the same
    moment: exactly one decision and one event; the others are told it was already decided; the review task is
    done once. Then twelve checkers approving one write-off at once: exactly one approval."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL deployment (SQLite has one writer at a time)")
    desk = late_desk(flat=[("AGY", 89, "1000.00"), ("SEV", 99, "1000.00")])
    for outcome in ("no_answer", "busy", "wrong_party"):
        call(desk.cases["AGY"], AS_OF, outcome)
    night_of(TODAY)
    bosses = [make_user("supervisor", username=f"race-{i}") for i in range(THREADS)]
    case = desk.cases["AGY"]

    won, lost, errors = at_once(
        bosses,
        lambda boss: do_decide_escalation(
            CollectionCase.objects.get(pk=case.pk), decision="agency", actor=boss, today=TODAY
        ),
    )
    assert errors == []
    assert (len(won), len(lost)) == (1, THREADS - 1)
    assert all("already decided" in message for message in lost)
    assert EscalationDecision.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="legal.decide_agency").count() == 1
    assert list(Task.objects.filter(case=case, kind="legal_review").values_list("status", flat=True)) == ["done"]

    do_decide_escalation(desk.cases["SEV"], decision="write_off", reason="无力偿还", actor=desk.boss, today=TODAY)
    proposal = WriteOff.objects.get()
    won, lost, errors = at_once(
        bosses,
        lambda boss: do_decide_write_off(WriteOff.objects.get(pk=proposal.pk), approve=True, actor=boss, today=TODAY),
    )
    assert errors == []
    assert (len(won), len(lost)) == (1, THREADS - 1)
    assert all("already decided" in message for message in lost)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by_id, proposal.decided_on) == ("approved", won[0], TODAY)
    assert AuditEvent.objects.filter(action="legal.approve_write_off").count() == 1
