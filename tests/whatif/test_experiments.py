"""Champion/challenger experiments (issue 23): started and stopped by a supervisor, audited, and applied by the
nightly run to the challenger's borrowers only."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from whatif_history import FIRST

from arrears.collection.models import CaseStatus, CollectionCase
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run
from arrears.daily.read import read_inputs
from arrears.engine.params import Terms
from arrears.engine.runner import decide
from arrears.notices.models import Notice
from arrears.policy.versions import build_policy
from arrears.rules.queries import calendar
from arrears.whatif.arms import CHALLENGER, arm_of
from arrears.whatif.experiments import ExperimentError, do_start_experiment, do_stop_experiment
from arrears.whatif.models import Experiment, ExperimentStatus
from book import build_book, nightly_run
from factories import make_user

pytestmark = pytest.mark.django_db

FIVE_DAYS = "[reminders]\nadvance_days = 5\n"


def start(actor, text=FIVE_DAYS, share="0.5", **extra):
    return do_start_experiment("五天前提醒", text, share, 50, actor=actor, today=FIRST, seed="exp-test", **extra)


def leads(days) -> dict[int, set[int]]:
    """The written reminders the nights of `days` queued: borrower -> how many days ahead of the due date."""
    found: dict[int, set[int]] = {}
    rows = Notice.objects.filter(kind="reminder", queued_on__in=days).values_list(
        "borrower_id", "due_date", "queued_on"
    )
    for borrower, due, queued in rows:
        found.setdefault(borrower, set()).add((due - queued).days)
    return found


def test_the_challengers_borrowers_get_the_strategy_and_the_others_the_policy_in_force():
    """Clause: REM-1 — half the borrowers (by the seed) get written reminders 5 days ahead, the others 3: over four
    nights each borrower's written reminders come as many days ahead as their arm says; on the first night the
    challenger's are exactly those the engine gives under a policy of 5 days; the run's summary counts them."""
    build_book(200, 5, FIRST)
    boss = make_user("supervisor")
    experiment = start(boss)
    nights = [FIRST + timedelta(days=i) for i in range(4)]
    for night in nights:
        do_run_daily(night, actor=nightly_run())
    queued = leads(nights)
    challenger = {b for b in queued if arm_of("exp-test", b, Decimal("0.5")) == CHALLENGER}
    assert challenger
    assert set(queued) - challenger
    for borrower, ahead in queued.items():
        assert ahead == ({5} if borrower in challenger else {3}), borrower
    terms = Terms.of(build_policy({"reminders": {"advance_days": 5}}), FIRST)
    alone = decide(read_inputs(terms), terms, calendar()).reminders
    expected = {
        borrower
        for borrower, kind, channel in alone.select("borrower_id", "kind", "channel").iter_rows()
        if kind == "written" and channel is not None and arm_of("exp-test", borrower, Decimal("0.5")) == CHALLENGER
    }
    assert expected == set(leads([FIRST])) & challenger
    summary = Run.objects.get(business_date=FIRST).summary["experiment"]
    assert summary["id"] == experiment.pk
    assert summary["challenger_borrowers"] >= len(challenger)


def test_a_case_opened_before_the_start_stays_with_the_champion():
    """Clause: REM-1 — every borrower in the challenger's share (share 0.9999), but the night before the start
    opened cases: over four nights their borrowers' reminders stay 3 days ahead, the others' 5; after a stop everyone
    is back at 3 days."""
    build_book(200, 5, FIRST - timedelta(days=1))
    do_run_daily(FIRST - timedelta(days=1), actor=nightly_run())
    old = set(CollectionCase.objects.filter(status=CaseStatus.OPEN).values_list("borrower_id", flat=True))
    boss = make_user("supervisor")
    experiment = start(boss, share="0.9999")
    nights = [FIRST + timedelta(days=i) for i in range(4)]
    for night in nights:
        do_run_daily(night, actor=nightly_run())
    queued = leads(nights)
    assert set(queued) & old
    assert set(queued) - old
    for borrower, ahead in queued.items():
        in_share = arm_of("exp-test", borrower, Decimal("0.9999")) == CHALLENGER
        assert ahead == ({5} if in_share and borrower not in old else {3}), borrower
    after = FIRST + timedelta(days=4)
    do_stop_experiment(experiment, actor=boss, today=after, reason="enough seen")
    do_run_daily(after, actor=nightly_run())
    assert all(ahead == {3} for ahead in leads([after]).values())
    assert "experiment" not in Run.objects.get(business_date=after).summary


def test_start_and_stop_are_audited_and_one_runs_at_a_time():
    """Clause: AUTH-4 — started: one event with the seed, share and strategy; a second while it runs: refused,
    nothing stored; stopped with a reason: one event; stopping again: refused."""
    boss = make_user("supervisor")
    experiment = start(boss)
    event = AuditEvent.objects.get(action="reports.start_experiment")
    assert event.changes["seed"] == [None, "exp-test"]
    assert event.changes["strategy"] == [None, {"reminders.advance_days": "5"}]
    with pytest.raises(ExperimentError, match="running already"):
        start(boss)
    assert Experiment.objects.count() == 1
    stopped = do_stop_experiment(experiment, actor=boss, today=FIRST + timedelta(days=9), reason="enough seen")
    assert (stopped.status, stopped.stopped_on) == (ExperimentStatus.STOPPED, FIRST + timedelta(days=9))
    assert AuditEvent.objects.filter(action="reports.stop_experiment").count() == 1
    with pytest.raises(ExperimentError, match="stopped already"):
        do_stop_experiment(stopped, actor=boss, today=FIRST + timedelta(days=10), reason="again")


@pytest.mark.parametrize(
    ("text", "share", "said"),
    [
        ("[penalty]\nmarkup = 0.40\n", "0.5", "only how and when borrowers are contacted"),
        ("[reminders]\nadvance_days = 99\n", "0.5", "reminders.advance_days = 99: outside the allowed range"),
        ("[reminders]\nphone_days_before = 5\n", "0.5", "must not exceed advance_days"),
        ("[reminders]\nadvance = 5\n", "0.5", "unknown parameter"),
        ("", "0.5", "no change"),
        (FIVE_DAYS, "1", "between 0 and 1"),
        (FIVE_DAYS, "0.12345", "at most 4 decimals"),
        (FIVE_DAYS, "abc", "between 0 and 1"),
    ],
)
def test_a_strategy_outside_the_policys_limits_or_a_share_that_is_none_is_refused(text, share, said):
    """Clause: REM-1, AUTH-4 — a penalty change (not a way of contacting), a value beyond the regulatory range, a
    phone reminder before the written one, an unknown key, nothing at all, a share of 1, too many decimals, words:
    refused with what is wrong; nothing stored, nothing audited."""
    boss = make_user("supervisor")
    events = AuditEvent.objects.count()
    with pytest.raises(ExperimentError) as refused:
        start(boss, text=text, share=share)
    assert said in str(refused.value)
    assert Experiment.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "analyst", "compliance_officer"])
def test_only_a_supervisor_starts_an_experiment(role):
    """Clause: AUTH-1, AUTH-3 — anyone else: refused, naming the permission; nothing stored."""
    with pytest.raises(ActionDenied, match=r"reports\.experiment"):
        start(make_user(role))
    assert Experiment.objects.count() == 0


def test_the_command_starts_shows_and_stops_an_experiment(tmp_path, capsys):
    """Clause: AUTH-3, AUTH-4 — as a supervisor: started with the seed given, shown as JSON, stopped with a reason;
    as an analyst: refused naming the permission; a strategy outside the contact sections: exit 1 saying so."""
    from arrears.cli import main

    make_user("supervisor", username="zhao-sup")
    make_user("analyst", username="li-analyst")
    strategy = tmp_path / "strategy.toml"
    strategy.write_text(FIVE_DAYS, encoding="utf-8")
    base = ["experiment", "start", "--name", "five days", "--strategy", str(strategy), "--share", "0.2"]
    assert main([*base, "--min-sample", "100", "--user", "li-analyst"]) == 1
    assert "reports.experiment" in capsys.readouterr().err
    strategy.write_text("[tiers]\njunior_max_dpd = 20\n", encoding="utf-8")
    assert main([*base, "--min-sample", "100", "--user", "zhao-sup"]) == 1
    assert "only how and when borrowers are contacted" in capsys.readouterr().err
    strategy.write_text(FIVE_DAYS, encoding="utf-8")
    assert main([*base, "--min-sample", "100", "--user", "zhao-sup", "--seed", "exp-cli"]) == 0
    assert "seed exp-cli, challenger share 0.2" in capsys.readouterr().out
    assert main(["experiment", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["status"], shown["seed"], shown["share"], shown["min_sample"]) == ("running", "exp-cli", "0.2", 100)
    assert main(["experiment", "stop", "--user", "zhao-sup", "--reason", "enough seen"]) == 0
    assert Experiment.objects.get().status == ExperimentStatus.STOPPED
    assert main(["experiment", "stop", "--user", "zhao-sup", "--reason", "again"]) == 1
    assert "no experiment is running" in capsys.readouterr().err
