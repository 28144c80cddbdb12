"""The policy what-if (`arrears.whatif`): past nights replayed under a candidate policy beside the policy in
force, from the stored history, nothing written."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from django.apps import apps
from whatif_history import FIRST, run_history

from arrears.collection.models import CaseStatus, CollectionCase
from arrears.daily.models import Run
from arrears.notices.models import Notice
from arrears.policy.versions import parse_policy_toml
from arrears.portfolio.models import Instalment
from arrears.rules.queries import calendar, policy_book
from arrears.whatif.actions import do_whatif
from arrears.whatif.history import read_history
from arrears.whatif.replay import replay
from book import nightly_run

pytestmark = pytest.mark.django_db

IN_FORCE = parse_policy_toml('effective_from = 2026-01-01\nname = "as in force"\n', "in-force.toml")
FIVE_DAYS = parse_policy_toml(
    'effective_from = 2027-06-01\nname = "reminders 5 days ahead"\n[reminders]\nadvance_days = 5\n', "five.toml"
)


def test_a_what_if_under_the_policy_in_force_gives_what_the_nightly_runs_recorded():
    """Clause: CLS-1, CLS-2, REM-1, CALL-3, CALL-4, TEAM-1, TEAM-2, TEAM-3 — seven nights of a book with payments,
    calls, promises and a hold between them: each night's replay (both sides) equals the figures its nightly run
    recorded, and the cases per pool on the last night are the cases open now."""
    nights = run_history()
    recorded = {run.business_date: run.summary for run in Run.objects.all()}
    result = do_whatif(IN_FORCE, nights[0], nights[-1], actor=nightly_run())

    assert [day["date"] for day in result.days] == [d.isoformat() for d in nights]
    for day, row in zip(nights, result.days, strict=True):
        summary = {k: v for k, v in recorded[day].items() if k != "cases_without_collector"}
        for side in ("baseline", "candidate"):
            assert {k: row[side][k] for k in summary} == summary, (day, side)
    # The history gives the comparison something to compare.
    assert sum(row["baseline"]["case_decisions"].get("open", 0) for row in result.days) > 5
    assert sum(row["baseline"]["reminders"]["written"] for row in result.days) > 5
    assert (
        sum(
            row["baseline"]["promises"].get("kept", 0) + row["baseline"]["promises"].get("broken", 0)
            for row in result.days
        )
        > 0
    )
    assert sum(row["baseline"]["calls_due"] for row in result.days) > 0
    open_now = {
        pool: CollectionCase.objects.filter(status=CaseStatus.OPEN, pool=pool).count()
        for pool in ("junior", "senior", "supervisor")
    }
    assert result.days[-1]["baseline"]["cases_by_pool"] == open_now
    assert result.total["baseline"] == result.total["candidate"]


def test_nights_an_experiment_ran_are_replayed_as_the_nightly_run_decided_them():
    """Clause: REM-1 — an experiment from the third night (written reminders 5 days ahead for the borrowers without
    a case open from before; those with one stay with the champion): the what-if under the policy in force still
    gives each night's recorded figures on both sides, the challenger's reminders included — some went out 5 days
    ahead and some 3, so the experiment changed what was recorded and both arms were decided."""
    nights = run_history(experiment_from=FIRST + timedelta(days=2))
    recorded = {run.business_date: run.summary for run in Run.objects.all()}
    assert recorded[nights[3]]["experiment"]["challenger_borrowers"] > 0
    ahead = Notice.objects.filter(kind="reminder", queued_on__gte=nights[2]).values_list("due_date", "queued_on")
    assert {(due - queued).days for due, queued in ahead} >= {3, 5}
    result = do_whatif(IN_FORCE, nights[0], nights[-1], actor=nightly_run())
    for day, row in zip(nights, result.days, strict=True):
        summary = {k: v for k, v in recorded[day].items() if k not in ("cases_without_collector", "experiment")}
        for side in ("baseline", "candidate"):
            assert {k: row[side][k] for k in summary} == summary, (day, side)


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_a_what_if_writes_nothing():
    """Clause: AUTH-4 — a what-if reads: every table holds the rows it held before, the ledger included."""
    nights = run_history(borrowers=20)
    before = table_counts()
    do_whatif(FIVE_DAYS, nights[0], nights[-1], actor=nightly_run())
    assert table_counts() == before


def _written(decisions) -> set[tuple[int, str]]:
    frame = decisions.reminders.filter(pl.col("kind") == "written")
    return {(loan, due.isoformat()) for loan, due in frame.select("loan_id", "due_date").iter_rows()}


def _phone(decisions) -> set[tuple[int, str]]:
    frame = decisions.reminders.filter(pl.col("kind") == "phone")
    return {(loan, due.isoformat()) for loan, due in frame.select("loan_id", "due_date").iter_rows()}


def test_reminders_five_days_ahead_move_exactly_the_written_reminders():
    """Clause: REM-1 — `reminders.advance_days` 3 → 5: on each night the candidate writes about the instalments due
    5 days later: those the policy in force reminds two nights later, and those paid off in between (reminded
    under the candidate only); the phone reminders (1 day before) are the same, and so are the cases and the
    calls; the totals say so too."""
    nights = run_history()
    book = policy_book()
    history = read_history(nights[0], nights[-1], nights[-1] + timedelta(days=5))
    sides = {"baseline": lambda d: book.version_on(d).policy, "candidate": lambda d: FIVE_DAYS.policy}
    replayed = {night.day: night for night in replay(history, sides, calendar())}
    moved = paid_between = 0
    for day in nights:
        night = replayed[day]
        baseline, candidate = night.decisions["baseline"].in_order(), night.decisions["candidate"].in_order()
        assert _phone(candidate) == _phone(baseline)
        assert candidate.cases.equals(baseline.cases)
        assert candidate.tasks.equals(baseline.tasks)
        assert all(due == (day + timedelta(days=5)).isoformat() for _, due in _written(candidate))
        later = day + timedelta(days=2)
        if later in replayed:
            written, in_force_later = _written(candidate), _written(replayed[later].decisions["baseline"])
            assert in_force_later <= written, day
            # What the earlier reminder adds: instalments paid off in the two days between.
            for loan, due in written - in_force_later:
                settled = Instalment.objects.get(loan_id=loan, due_date=due).settled_on
                assert settled is not None, (day, loan, due)
                assert day < settled <= later, (day, loan, due)
                paid_between += 1
            moved += len(written)
    assert moved > 3
    assert paid_between > 0  # the history has such a borrower: reminded under the candidate only
    result = do_whatif(FIVE_DAYS, nights[0], nights[-1], actor=nightly_run())
    total = result.total
    assert total["candidate"]["reminders"]["phone"] == total["baseline"]["reminders"]["phone"]
    assert total["candidate"]["calls_due"] == total["baseline"]["calls_due"]
    assert total["candidate"]["cases_by_pool"] == total["baseline"]["cases_by_pool"]
    assert result.overrides == {"reminders.advance_days": "5"}
    assert result.candidate == "reminders 5 days ahead"


def test_cases_start_as_the_night_before_the_period_left_them():
    """Clause: CLS-1 — a what-if from the fourth night: the cases it starts from are those the third night left
    (their events before the period), so its nights still equal the recorded ones."""
    nights = run_history(borrowers=30)
    recorded = {run.business_date: run.summary for run in Run.objects.all()}
    result = do_whatif(IN_FORCE, nights[3], nights[-1], actor=nightly_run())
    for row in result.days:
        day = FIRST.fromisoformat(row["date"])
        summary = {k: v for k, v in recorded[day].items() if k != "cases_without_collector"}
        assert {k: row["baseline"][k] for k in summary} == summary, day
