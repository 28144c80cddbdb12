"""The supervisor's escalation decision (legal.escalation_actions.do_decide_escalation): each decision is
audited with its clause and the facts, closes the case's review task, and opens what follows; the policy and
the case's state refuse what they must, with nothing changed.

The book: the nightly run of 2026-03-20 opens the cases, calls are recorded that day, and the run of
2026-03-21 (the business date here) opens the legal reviews:

| case | DPD | overdue | calls | task on 03-21 |
| LIT | 90 | 60,000.00 | refused | legal review → litigation |
| AGY | 90 | 1,000.00 | 3 failed | legal review → an agency |
| SEV | 100 | 1,000.00 | reached on 03-20 | severe review (no LGL-1 grounds) |
| MOD | 46 | 1,000.00 | — | — |
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from late_desk import AS_OF, call, late_desk, night_of

from arrears.collection.models import Task
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.legal.errors import LegalError
from arrears.legal.escalation_actions import do_decide_escalation
from arrears.legal.escalation_queue import queue
from arrears.legal.models import EscalationDecision, Litigation, WriteOff

pytestmark = pytest.mark.django_db

TODAY = AS_OF + timedelta(days=1)


@pytest.fixture
def desk():
    desk = late_desk(
        flat=[("LIT", 89, "60000.00"), ("AGY", 89, "1000.00"), ("SEV", 99, "1000.00"), ("MOD", 45, "1000.00")]
    )
    cases = desk.cases
    call(cases["LIT"], AS_OF, "refused")
    for outcome in ("no_answer", "busy", "wrong_party"):
        call(cases["AGY"], AS_OF, outcome)
    call(cases["SEV"], AS_OF, "promised")
    night_of(TODAY)
    for case in cases.values():
        case.refresh_from_db()
    return desk


def reviews(case) -> list[tuple[str, str]]:
    return sorted(
        Task.objects.filter(case=case, kind__in=("legal_review", "severe_review")).values_list("kind", "status")
    )


def state() -> dict:
    """Everything a refused decision must leave as it was."""
    return {
        "decisions": list(EscalationDecision.objects.values_list("pk", flat=True)),
        "litigations": Litigation.objects.count(),
        "write_offs": WriteOff.objects.count(),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status")),
        "events": AuditEvent.objects.count(),
    }


def decide(desk, ext, decision, actor=None, **kwargs):
    return do_decide_escalation(desk.cases[ext], decision=decision, actor=actor or desk.boss, today=TODAY, **kwargs)


def test_litigation_is_decided_audited_with_its_clause_and_facts_and_closes_the_task(desk):
    """Clause: LGL-1, LGL-2, AUTH-3, AUTH-4 — LIT (DPD 90, a refusal, 60,000.00 overdue): the policy proposes
    litigation; the supervisor decides it. The decision keeps the facts as decided, the legal review is done,
    the lawsuit opens at stage "decided" on the business date, and the audit event names the clause, the
    permission, the facts and what was closed and opened. The case leaves the queue."""
    case = desk.cases["LIT"]
    # The queue: oldest first (SEV's severe review is from 03-20), then the larger overdue amount.
    assert [c.pk for c in queue(desk.boss, TODAY)] == [desk.cases[ext].pk for ext in ("SEV", "LIT", "AGY")]
    assert reviews(case) == [("legal_review", "open")]
    decided = decide(desk, "LIT", "litigation")
    facts = {
        "dpd": 90,
        "failed_attempts": 1,
        "refused": True,
        "days_since_reached": 1,
        "overdue": "60000.00",
        "eligible": True,
        "route": "litigation",
        "clauses": ["LGL-1", "LGL-2"],
    }
    assert decided.facts == {**facts, "overdue_fen": 6_000_000, "as_of": "2026-03-21"}
    assert (decided.decision, decided.eligible, decided.route, decided.business_date) == (
        "litigation",
        True,
        "litigation",
        TODAY,
    )
    assert reviews(case) == [("legal_review", "done")]
    assert decided.task == Task.objects.get(case=case, kind="legal_review")
    suit = Litigation.objects.get(case=case)
    assert (suit.decision, suit.stage, suit.opened_on, suit.borrower_id) == (
        decided,
        "decided",
        TODAY,
        case.borrower_id,
    )
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.actor_id, event.subject_type, event.subject_id) == (
        "legal.decide_litigation",
        desk.boss.pk,
        "legal.escalationdecision",
        str(decided.pk),
    )
    assert event.basis == {"permission": "legal.decide_escalation", "clause": "LGL-2", "approval": None}
    assert event.changes["facts"] == [None, decided.facts]
    assert event.changes["clauses"] == [None, ["LGL-1", "LGL-2"]]
    assert event.changes["tasks_closed"] == [None, [decided.task_id]]
    assert event.changes["litigation"] == [None, suit.pk]
    assert case.pk not in [c.pk for c in queue(desk.boss, TODAY)]


def test_placement_with_an_agency_is_recorded_and_waits(desk):
    """Clause: LGL-2, AUTH-3 — AGY (1,000.00 overdue): an agency, as the policy proposes; recorded with its
    event, the review done, no lawsuit; a second decision on it is refused (nothing waits now)."""
    decided = decide(desk, "AGY", "agency")
    assert (decided.decision, decided.route, decided.reason) == ("agency", "agency", "")
    assert reviews(desk.cases["AGY"]) == [("legal_review", "done")]
    assert not Litigation.objects.exists()
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.basis["clause"]) == ("legal.decide_agency", "LGL-2")
    before = state()
    with pytest.raises(LegalError, match=r"already decided \(placement with an agency, by boss-1 on 2026-03-21\)"):
        decide(desk, "AGY", "continue", reason="再观察", revisit_on=TODAY + timedelta(days=7))
    assert state() == before


def test_keep_collecting_needs_a_reason_and_a_later_revisit_date_and_the_case_returns_then(desk):
    """Clause: LGL-1, AUTH-3 — AGY kept in collection: without a revisit date, with one on the business date, or
    without a reason: refused, nothing changed; with a reason and 2026-03-28: recorded, the review done, the case
    out of the queue until 03-28 and back in it from that day ("the revisit date has come"); then decided again."""
    before = state()
    for kwargs in (
        {"reason": "借款人称月底有回款"},
        {"reason": "借款人称月底有回款", "revisit_on": TODAY},
        {"revisit_on": TODAY + timedelta(days=7)},
    ):
        with pytest.raises(LegalError):
            decide(desk, "AGY", "continue", **kwargs)
    assert state() == before
    revisit = TODAY + timedelta(days=7)
    decided = decide(desk, "AGY", "continue", reason="借款人称月底有回款", revisit_on=revisit)
    assert (decided.revisit_on, decided.reason) == (revisit, "借款人称月底有回款")
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.basis["clause"], event.reason) == (
        "legal.decide_continue",
        "LGL-1",
        "借款人称月底有回款",
    )
    assert event.changes["revisit_on"] == [None, "2026-03-28"]
    case = desk.cases["AGY"]
    assert reviews(case) == [("legal_review", "done")]
    assert case.pk not in [c.pk for c in queue(desk.boss, revisit - timedelta(days=1))]
    back = {c.pk: (c.waiting_for, c.waiting_since) for c in queue(desk.boss, revisit)}
    assert back[case.pk] == ("revisit", revisit)
    again = do_decide_escalation(case, decision="agency", actor=desk.checker, today=revisit)
    assert (again.decision, again.task_id) == ("agency", None)


def test_a_write_off_proposal_splits_the_overdue_amount(desk):
    """Clause: CLS-2, AUTH-3 — SEV (DPD 100, reached yesterday: no LGL-1 grounds, a severe case): a write-off is
    proposed with a reason; the proposal holds the overdue amount as the finance core splits it (principal
    1,000.00, nothing else) and adds up; the severe review is done; the event names CLS-2."""
    decided = decide(desk, "SEV", "write_off", reason="借款人已无还款能力")
    proposal = WriteOff.objects.get(decision=decided)
    assert (
        proposal.status,
        proposal.as_of,
        proposal.principal_fen,
        proposal.interest_fen,
        proposal.penalty_fen,
        proposal.compound_fen,
        proposal.total_fen,
        proposal.proposed_by,
    ) == ("proposed", TODAY, 100_000, 0, 0, 0, 100_000, desk.boss)
    assert reviews(desk.cases["SEV"]) == [("severe_review", "done")]
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.basis["clause"]) == ("legal.propose_write_off", "CLS-2")
    assert event.changes["write_off_fen"] == [None, [100_000, 0, 0, 0]]


def test_the_policy_refuses_litigation_without_grounds_or_under_the_threshold(desk):
    """Clause: LGL-1, LGL-2 — SEV has no LGL-1 grounds: litigation refused, saying what is missing; AGY owes
    1,000.00, not over 50,000.00: litigation refused, an agency suggested; MOD (DPD 46) is not for the late
    stage at all: neither an agency nor a decision to keep collecting. Nothing changes."""
    before = state()
    with pytest.raises(LegalError, match="Litigation may start only on the grounds of LGL-1") as missing:
        decide(desk, "SEV", "litigation", reason="金额大")
    assert "this case has DPD 100, 0 failed attempts, no refusal, and 1 days since anyone was reached" in str(
        missing.value
    )
    with pytest.raises(LegalError, match=r"over 50,000.00 yuan \(LGL-2\); this case owes 1,000.00 yuan"):
        decide(desk, "AGY", "litigation", reason="金额大")
    with pytest.raises(LegalError, match="Only a severe case or one with the grounds of LGL-1 goes to an agency"):
        decide(desk, "MOD", "agency", reason="测试")
    with pytest.raises(LegalError, match=r"not for the late stage: DPD 46 \(legal action from DPD 90"):
        decide(desk, "MOD", "continue", reason="测试", revisit_on=TODAY + timedelta(days=7))
    assert state() == before


def test_a_reason_is_needed_where_the_decision_departs_from_the_route(desk):
    """Clause: LGL-2, AUTH-3 — LIT's route is litigation: an agency without a reason is refused; with one it is
    recorded. A write-off always needs a reason."""
    before = state()
    with pytest.raises(LegalError, match="route the policy proposes"):
        decide(desk, "LIT", "agency")
    with pytest.raises(LegalError, match="route the policy proposes"):
        decide(desk, "SEV", "write_off")
    assert state() == before
    assert decide(desk, "LIT", "agency", reason="诉讼成本过高").reason == "诉讼成本过高"


def test_no_decision_while_in_litigation_or_while_a_write_off_awaits_approval(desk):
    """Clause: AUTH-3 — after litigation is decided, and while a write-off awaits its approval, the case takes no
    other decision."""
    decide(desk, "LIT", "litigation")
    decide(desk, "SEV", "write_off", reason="借款人已无还款能力")
    before = state()
    with pytest.raises(LegalError, match="is in litigation"):
        decide(desk, "LIT", "agency", reason="改为委外", actor=desk.checker)
    with pytest.raises(LegalError, match="awaits approval"):
        decide(desk, "SEV", "agency", reason="改为委外", actor=desk.checker)
    assert state() == before


@pytest.mark.parametrize("role", ["junior", "senior", "legal", "compliance", "analyst"])
def test_only_supervisors_decide_and_a_refusal_changes_nothing(desk, role):
    """Clause: AUTH-3 — a junior or senior collector (even one owning the case), a legal officer, a compliance
    officer, an analyst: refused for want of legal.decide_escalation; no decision, lawsuit, write-off, task
    change or audit event."""
    actor = getattr(desk, role)
    desk.cases["LIT"].__class__.objects.filter(pk=desk.cases["LIT"].pk).update(owner=actor)
    before = state()
    for decision, kwargs in (
        ("litigation", {}),
        ("agency", {"reason": "委外"}),
        ("continue", {"reason": "再观察", "revisit_on": TODAY + timedelta(days=7)}),
        ("write_off", {"reason": "核销"}),
    ):
        with pytest.raises(ActionDenied, match=r"legal\.decide_escalation"):
            decide(desk, "LIT", decision, actor=actor, **kwargs)
    assert state() == before


def test_an_unknown_decision_or_a_revisit_date_on_another_decision_is_refused(desk):
    """Clause: AUTH-3 — "sue" is no decision; a revisit date belongs to keeping collecting only; a reason over
    1,000 characters is refused. Nothing changes."""
    before = state()
    with pytest.raises(LegalError, match="Choose a decision"):
        decide(desk, "AGY", "sue")
    with pytest.raises(LegalError, match="revisit date belongs only"):
        decide(desk, "AGY", "agency", revisit_on=TODAY + timedelta(days=3))
    with pytest.raises(LegalError, match="at most 1000"):
        decide(desk, "AGY", "agency", reason="理" * 1001)
    assert state() == before
