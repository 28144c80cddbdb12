"""The rules that propose a month's typical cases for the monthly review (Clause: REV-1) — pure: plain rows in,
proposals out, no Django.

A rule looks at what the apps recorded in the month and proposes a success or a failure:

- **cured after a plan** (success): a loan of the month's opening (overdue at the end of the day before the month
  began) that ended the month current again or paid off, while an instalment plan covering it was in force
  (approved, signed, in force from a day up to the month's end, and neither broken nor withdrawn before the month
  began); one proposal per case, the figure the cured loans' opening overdue amount;
- **plan completed** (success) and **plan broken** (failure): a plan that ended so in the month, the figure the
  amount it covered;
- **complaint substantiated** (failure): an investigation whose findings, recorded in the month (Beijing day),
  found the complaint substantiated; no figure;
- **litigation outcomes**, a court stage dated in the month: a judgment (success when it awards an amount, else a
  failure; the figure the amount awarded), an enforcement result (success when something was recovered, else a
  failure), a mediation (agreement reached: success; no agreement: failure; to be continued: nothing), a lawsuit
  closed (paid, settled or enforced: success; enforcement ended without result or claim dismissed: failure;
  withdrawn or other: nothing; the figure what enforcement recovered).

`typical(proposals, per_rule)` keeps, for each rule, the `per_rule` largest figures (a tie: the earlier date,
then the smaller case number) — the policy's `kpi.review_cases_per_rule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "CourtStage",
    "Finding",
    "OpeningLoan",
    "PlanEnd",
    "PlanTerm",
    "Proposal",
    "complaints_substantiated",
    "cured_after_plan",
    "litigation_outcomes",
    "plans_ended",
    "typical",
]

SUCCESS, FAILURE = "success", "failure"
CURED = ("current", "closed")  # a loan's state at the month's end that counts as cured
IN_FORCE = ("active", "completed", "broken")  # plans that were in force at some time
CLOSED_SUCCESS = ("paid", "settled", "enforced")
CLOSED_FAILURE = ("terminated", "dismissed")


@dataclass(frozen=True)
class Proposal:
    kind: str  # success | failure
    rule: str  # a `models_review.CaseRule` value
    case_id: int | None
    subject_type: str
    subject_id: str
    reference: str
    occurred_on: date
    amount_fen: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class PlanTerm:
    """A plan covering a loan: its id, status, the day it came into force and the day it ended (if it did)."""

    plan_id: int
    status: str
    effective_on: date | None
    ended_on: date | None = None


@dataclass(frozen=True)
class OpeningLoan:
    """A loan of the month's opening, where it stood at the month's end, and the plans that covered it."""

    loan_id: int
    case_id: int | None
    opening_overdue_fen: int
    end_state: str  # delinquent | current | closed | written_off
    plans: tuple[PlanTerm, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PlanEnd:
    plan_id: int
    case_id: int
    status: str
    ended_on: date | None
    amount_fen: int


@dataclass(frozen=True)
class Finding:
    complaint_id: int
    reference: str  # CMP-<day>-<id>
    case_id: int | None
    found_on: date | None  # the Beijing day the findings were recorded
    substantiated: bool | None


@dataclass(frozen=True)
class CourtStage:
    litigation_id: int
    case_id: int
    stage: str  # a `legal.models.Stage` value
    on: date
    amount_fen: int | None = None  # judgment: awarded; enforcement result: recovered; closed: recovered in all
    result: str = ""  # mediation: agreed | failed | continued; closed: the reason


def _in(month_first: date, month_last: date, day: date | None) -> bool:
    return day is not None and month_first <= day <= month_last


def _in_force(plan: PlanTerm, first: date, last: date) -> bool:
    if plan.status not in IN_FORCE or plan.effective_on is None or plan.effective_on > last:
        return False
    return plan.ended_on is None or plan.ended_on >= first


def cured_after_plan(first: date, last: date, loans: Iterable[OpeningLoan]) -> list[Proposal]:
    """Clause: REV-1 — the cases whose opening loans ended the month cured under a plan in force (module
    docstring); one per case, dated the month's last day, the figure the cured loans' opening overdue amount."""
    cured: dict[int, int] = {}
    for loan in loans:
        if loan.case_id is None or loan.end_state not in CURED:
            continue
        if any(_in_force(plan, first, last) for plan in loan.plans):
            cured[loan.case_id] = cured.get(loan.case_id, 0) + loan.opening_overdue_fen
    return [
        Proposal(SUCCESS, "cured_after_plan", case_id, "case", str(case_id), f"#{case_id}", last, amount)
        for case_id, amount in sorted(cured.items())
    ]


def plans_ended(first: date, last: date, plans: Iterable[PlanEnd]) -> list[Proposal]:
    """Clause: REV-1 — plans completed (success) or broken (failure) in the month."""
    found = []
    for plan in plans:
        if not _in(first, last, plan.ended_on):
            continue
        if plan.status == "completed":
            kind, rule = SUCCESS, "plan_completed"
        elif plan.status == "broken":
            kind, rule = FAILURE, "plan_broken"
        else:
            continue
        found.append(
            Proposal(
                kind, rule, plan.case_id, "plan", str(plan.plan_id), f"P{plan.plan_id}", plan.ended_on, plan.amount_fen
            )
        )
    return found


def complaints_substantiated(first: date, last: date, findings: Iterable[Finding]) -> list[Proposal]:
    """Clause: REV-1 — complaints whose findings, recorded in the month, found them substantiated (failures)."""
    return [
        Proposal(FAILURE, "complaint", f.case_id, "complaint", str(f.complaint_id), f.reference, f.found_on)
        for f in findings
        if f.substantiated is True and _in(first, last, f.found_on)
    ]


def _outcome(stage: CourtStage) -> tuple[str, str] | None:
    """(kind, rule) of a court stage, or None when the stage says nothing either way."""
    if stage.stage == "judgment":
        return (SUCCESS if stage.amount_fen else FAILURE), "judgment"
    if stage.stage == "enforced":
        return (SUCCESS if stage.amount_fen else FAILURE), "enforcement"
    if stage.stage == "mediation":
        return {"agreed": (SUCCESS, "mediation"), "failed": (FAILURE, "mediation")}.get(stage.result)
    if stage.stage == "closed":
        if stage.result in CLOSED_SUCCESS:
            return SUCCESS, "lawsuit_closed"
        if stage.result in CLOSED_FAILURE:
            return FAILURE, "lawsuit_closed"
    return None


def litigation_outcomes(first: date, last: date, stages: Iterable[CourtStage]) -> list[Proposal]:
    """Clause: REV-1 — the litigation outcomes dated in the month (module docstring). A stage recorded twice (two
    enforcement results) is proposed once per event: `subject_id` is the litigation and the date."""
    found = []
    for stage in stages:
        if not _in(first, last, stage.on):
            continue
        outcome = _outcome(stage)
        if outcome is None:
            continue
        kind, rule = outcome
        found.append(
            Proposal(
                kind,
                rule,
                stage.case_id,
                "litigation",
                f"{stage.litigation_id}@{stage.on.isoformat()}",
                f"L{stage.litigation_id}",
                stage.on,
                stage.amount_fen if stage.stage != "mediation" else None,
                stage.result,
            )
        )
    return found


def typical(proposals: Iterable[Proposal], per_rule: int) -> list[Proposal]:
    """Clause: REV-1 — for each rule, the `per_rule` proposals with the largest figures (none counts as 0), a tie
    to the earlier date, then the smaller case number; rules in the order first met, each sorted so."""
    if isinstance(per_rule, bool) or not isinstance(per_rule, int) or per_rule < 1:
        raise ValueError(f"per_rule: a whole number of cases above 0, got {per_rule!r}")
    by_rule: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        by_rule.setdefault(proposal.rule, []).append(proposal)
    kept = []
    for found in by_rule.values():
        found.sort(key=lambda p: (-(p.amount_fen or 0), p.occurred_on, p.case_id or 0, p.subject_id))
        kept += found[:per_rule]
    return kept
