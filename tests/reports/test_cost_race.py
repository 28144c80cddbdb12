"""Administrators entering the same month, team and kind at the same moment (PostgreSQL): one figure stays live,
the others are told to look again, nothing counts twice."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from arrears.accounts.models import Team
from arrears.agencies.commissions import Month
from arrears.compliance.models import AuditEvent
from arrears.reports.actions import CostConflict, do_enter_cost
from arrears.reports.models import CostEntry
from factories import make_user

THREADS = 8
TODAY = date(2026, 4, 30)


def at_once(admins, team, round_: int) -> tuple[list, list, list]:
    """Each administrator enters team A's March staff cost (a figure of their own, new in each round: the live
    figure entered again would change nothing and count as a win) in a thread of its own, all released together:
    (won, lost, errors)."""
    start = threading.Barrier(len(admins))
    won, lost, errors = [], [], []

    def run(n: int, admin) -> None:
        try:
            start.wait()
            with translation.override("en"):
                do_enter_cost(
                    month=Month(2026, 3),
                    team=team,
                    kind="staff",
                    amount_fen=1000 * round_ + n,
                    actor=admin,
                    today=TODAY,
                )
            won.append(n)
        except CostConflict as exc:
            lost.append(str(exc))
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, admin)) for n, admin in enumerate(admins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost, errors


def test_one_figure_stays_live_when_administrators_enter_it_at_once(ledger_transactional_db):
    """Clause: KPI-2 — on PostgreSQL, eight administrators enter team A's first March staff figure at the same
    moment, then eight replace it at once: each entry that wins is one entry and one event, the others are told
    someone entered it meanwhile; one live figure at the end, each replaced one pointing to the one after it, none
    replaced twice. (A thread that reaches the database only after another's commit replaces that figure in turn,
    as a later entry does: how many win depends on the scheduler, never more live figures than one.)"""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL deployment (SQLite has one writer at a time)")
    team = Team.objects.create(name="催收一组")
    admins = [make_user("administrator", username=f"race-admin-{i}") for i in range(THREADS)]
    wins = 0
    for round_ in (1, 2):
        won, lost, errors = at_once(admins, team, round_)
        assert errors == []
        assert len(won) >= 1
        assert len(won) + len(lost) == THREADS
        assert all("entered this cost at the same moment" in message for message in lost)
        wins += len(won)
        assert CostEntry.objects.count() == wins
        assert AuditEvent.objects.filter(action="reports.enter_cost").count() == wins
        (live,) = CostEntry.objects.filter(replaced_by__isnull=True)
        assert live.amount_fen in {1000 * round_ + n for n in won}
        replaced = list(CostEntry.objects.exclude(pk=live.pk).values_list("replaced_by_id", flat=True))
        assert len(replaced) == len(set(replaced)) == wins - 1  # a chain: no figure replaced twice
        assert set(replaced) <= set(CostEntry.objects.values_list("pk", flat=True))
