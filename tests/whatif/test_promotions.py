"""Promoting an experiment's challenger to the policy (issue 23): proposed by one supervisor, approved by another
(maker–checker), stored as a policy version that reads on its own; every step audited, every refusal leaves
nothing changed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.rules.actions import do_add_policy_version
from arrears.rules.models import PolicyVersion
from arrears.rules.queries import policy_book
from arrears.whatif.errors import ExperimentError
from arrears.whatif.experiments import do_start_experiment, do_stop_experiment
from arrears.whatif.models import Promotion
from arrears.whatif.promotions import do_decide_promotion, do_propose_promotion
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY, FROM = date(2026, 12, 1), date(2027, 1, 4)


@pytest.fixture
def experiment():
    boss = make_user("supervisor", username="maker")
    return do_start_experiment(
        "五天前提醒", "[reminders]\nadvance_days = 5\n", "0.5", 100, actor=boss, today=date(2026, 9, 1), seed="s"
    )


def actions(code: str) -> list[str]:
    return list(AuditEvent.objects.filter(action=code).values_list("actor__username", flat=True))


def state() -> tuple:
    return (
        list(Promotion.objects.values_list("status", "decided_by", "policy_version")),
        PolicyVersion.objects.count(),
        AuditEvent.objects.count(),
    )


def test_proposed_by_one_supervisor_approved_by_another(experiment):
    """Clause: AUTH-3 — the maker proposes the challenger from 2027-01-04: the version is the policy in force then
    with the strategy over it, as TOML; the checker approves and the version governs from that date; both steps are
    in the ledger under their own names."""
    maker, checker = experiment.started_by, make_user("supervisor", username="checker")
    proposal = do_propose_promotion(experiment, FROM, "回收率更高", actor=maker, today=TODAY)
    assert proposal.text == (
        "effective_from = 2027-01-04\n"
        f'name = "五天前提醒 (experiment {experiment.pk})"\n\n'
        "[reminders]\nadvance_days = 5\n"
    )
    assert policy_book().on(FROM).reminders.advance_days == 3
    decided = do_decide_promotion(proposal, True, "", actor=checker, today=TODAY)
    assert decided.status == "approved"
    assert decided.policy_version.effective_from == FROM
    assert decided.policy_version.added_by == checker
    assert policy_book().on(FROM).reminders.advance_days == 5
    assert policy_book().on(date(2027, 1, 3)).reminders.advance_days == 3
    assert actions("reports.propose_promotion") == ["maker"]
    assert actions("reports.decide_promotion") == ["checker"]
    event = AuditEvent.objects.get(action="reports.decide_promotion")
    assert event.changes["reminders.advance_days"] == [None, "5"]
    assert event.changes["policy_version"] == [None, decided.policy_version.pk]


def test_the_version_reads_on_its_own_with_the_policy_in_force_then(experiment):
    """Clause: PEN-1 — a version in force on the date (penalty markup 0.40) is carried into the promoted one, which
    states everything that differs from the SPEC like any other version."""
    admin = make_user("administrator")
    do_add_policy_version(
        "effective_from = 2026-10-01\n[penalty]\nmarkup = 0.40\n", actor=admin, reason="2026 年第四季度"
    )
    proposal = do_propose_promotion(experiment, FROM, "回收率更高", actor=experiment.started_by, today=TODAY)
    assert "[penalty]\nmarkup = 0.40\n" in proposal.text
    assert "[reminders]\nadvance_days = 5\n" in proposal.text
    do_decide_promotion(proposal, True, "", actor=make_user("supervisor"), today=TODAY)
    promoted = policy_book().on(FROM)
    assert (promoted.penalty.markup, promoted.reminders.advance_days) == (policy_book().on(TODAY).penalty.markup, 5)


def test_the_maker_cannot_decide_their_own_proposal(experiment):
    """Clause: AUTH-3 — the proposer approving is refused, nothing changed; the database refuses it too."""
    maker = experiment.started_by
    proposal = do_propose_promotion(experiment, FROM, "回收率更高", actor=maker, today=TODAY)
    before = state()
    with pytest.raises(ExperimentError, match="maker–checker"):
        do_decide_promotion(proposal, True, "", actor=maker, today=TODAY)
    assert state() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Promotion.objects.filter(pk=proposal.pk).update(status="rejected", decided_by=maker)


def test_only_supervisors_propose_and_decide(experiment):
    """Clause: AUTH-1 — a collector and an analyst are denied, naming the permission; nothing changed."""
    proposal = do_propose_promotion(experiment, FROM, "回收率更高", actor=experiment.started_by, today=TODAY)
    before = state()
    for role in ("junior_collector", "analyst"):
        with pytest.raises(ActionDenied, match=r"reports\.experiment"):
            do_decide_promotion(proposal, True, "", actor=make_user(role), today=TODAY)
        with pytest.raises(ActionDenied):
            do_propose_promotion(experiment, date(2027, 2, 1), "x", actor=make_user(role), today=TODAY)
    assert state() == before


@pytest.mark.parametrize(
    ("effective", "reason", "message"),
    [
        (TODAY, "回收率更高", "from 2026-12-02 on"),
        (date(2026, 11, 1), "回收率更高", "from 2026-12-02 on"),
        (FROM, "  ", "Say why"),
        (FROM, "a\x00b", "Say why"),
    ],
)
def test_bad_proposals_are_refused_with_nothing_stored(experiment, effective, reason, message):
    """Clause: AUTH-4 — a date already run, no reason: refused saying what to do, nothing stored."""
    before = state()
    with pytest.raises(ExperimentError, match=message):
        do_propose_promotion(experiment, effective, reason, actor=experiment.started_by, today=TODAY)
    assert state() == before


def test_one_proposal_at_a_time_and_a_decision_once(experiment):
    """Clause: AUTH-3 — a second proposal while one waits is refused; a rejection needs a note and stores no
    version; a decided proposal is not decided again; afterwards a new one may be proposed."""
    maker, checker = experiment.started_by, make_user("supervisor")
    proposal = do_propose_promotion(experiment, FROM, "回收率更高", actor=maker, today=TODAY)
    with pytest.raises(ExperimentError, match="proposed already"):
        do_propose_promotion(experiment, date(2027, 2, 1), "再试", actor=maker, today=TODAY)
    with pytest.raises(ExperimentError, match="rejected"):
        do_decide_promotion(proposal, False, " ", actor=checker, today=TODAY)
    rejected = do_decide_promotion(proposal, False, "样本太少", actor=checker, today=TODAY)
    assert (rejected.status, rejected.policy_version, rejected.note) == ("rejected", None, "样本太少")
    assert PolicyVersion.objects.count() == 0
    before = state()
    with pytest.raises(ExperimentError, match="decided already"):
        do_decide_promotion(proposal, True, "", actor=checker, today=TODAY)
    assert state() == before
    assert do_propose_promotion(experiment, date(2027, 2, 1), "再试", actor=maker, today=TODAY).status == "proposed"


def test_a_proposal_whose_date_has_come_is_not_approved(experiment):
    """Clause: AUTH-3 — approved on or after its date, a version would change a night already run: refused."""
    proposal = do_propose_promotion(experiment, FROM, "回收率更高", actor=experiment.started_by, today=TODAY)
    before = state()
    with pytest.raises(ExperimentError, match="from 2027-01-05 on"):
        do_decide_promotion(proposal, True, "", actor=make_user("supervisor"), today=FROM)
    assert state() == before


def test_the_command_shows_the_outcomes_and_promotes_through_two_supervisors(capsys):
    """Clause: AUTH-3, KPI-1 — `experiment show --json` carries the outcomes per arm (the worked book's 30-day cure
    rates and their difference); `promote` by one supervisor, `approve` by the same refused (exit 1, nothing
    stored), by another stores the version; `reject` with nothing pending says so."""
    from outcomes_book import build_outcomes_book

    from arrears.cli import main

    experiment = build_outcomes_book()
    make_user("supervisor", username="wang-sup")
    make_user("supervisor", username="qian-sup")
    assert main(["experiment", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    cured = shown["outcomes"]["measures"][0]
    assert shown["outcomes"]["through"] == "2026-05-15"
    assert shown["outcomes"]["cases"] == {"champion": 3, "challenger": 2}
    assert cured["key"] == "cured_30"
    assert (cured["champion"], cured["challenger"]) == (
        {"n": 3, "value": "0.3333", "successes": 1},
        {"n": 2, "value": "1.0000", "successes": 2},
    )
    assert cured["difference"]["estimate"] == "0.6667"
    assert main(["experiment", "show"]) == 0
    assert "cured_30: champion 0.3333 (n=3), challenger 1.0000 (n=2), difference 0.6667 [" in capsys.readouterr().out
    promote = ["experiment", "promote", "--effective-from", "2099-01-05", "--reason", "治愈率更高"]
    assert main([*promote, "--user", "wang-sup"]) == 0
    out = capsys.readouterr().out
    assert "another supervisor decides it" in out
    assert "advance_days = 5" in out
    before = state()
    assert main(["experiment", "approve", "--user", "wang-sup"]) == 1
    assert "maker–checker" in capsys.readouterr().err
    assert state() == before
    assert main(["experiment", "approve", "--user", "qian-sup", "--note", "同意"]) == 0
    assert "approved: policy version" in capsys.readouterr().out
    assert PolicyVersion.objects.get().effective_from == date(2099, 1, 5)
    assert Promotion.objects.get(experiment=experiment).decided_by.username == "qian-sup"
    assert main(["experiment", "reject", "--user", "qian-sup", "--note", "x"]) == 1
    assert "no proposal waiting" in capsys.readouterr().err


def test_a_strategy_of_the_call_script_alone_is_not_promoted():
    """Clause: LANG-2 — the call script is legal review's to make everyone's, not a policy value: a strategy that
    names only a script version cannot become a policy version; with a policy change beside it, only that change
    is promoted."""
    from arrears.notices.models import Template
    from arrears.notices.template_actions import do_review_template

    script = Template.objects.get(purpose="call_script", language="zh-hans", version=1)
    do_review_template(script, approve=True, actor=make_user("legal_officer"))
    boss, checker = make_user("supervisor"), make_user("supervisor")
    alone = do_start_experiment("话术", "[script]\nversion = 1\n", "0.5", 10, actor=boss, today=TODAY)
    before = state()
    with pytest.raises(ExperimentError, match="changes no policy value"):
        do_propose_promotion(alone, FROM, "更好", actor=boss, today=TODAY)
    assert state() == before
    do_stop_experiment(alone, actor=boss, today=TODAY, reason="换一个")
    both = do_start_experiment(
        "话术与提醒", "[script]\nversion = 1\n[reminders]\nadvance_days = 4\n", "0.5", 10, actor=boss, today=TODAY
    )
    proposal = do_propose_promotion(both, FROM, "更好", actor=boss, today=TODAY)
    assert "script" not in proposal.text
    assert "[reminders]\nadvance_days = 4\n" in proposal.text
    do_decide_promotion(proposal, True, "", actor=checker, today=TODAY)
    assert policy_book().on(FROM).reminders.advance_days == 4
