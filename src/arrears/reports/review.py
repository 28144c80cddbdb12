"""What the monthly review pack holds (Clause: REV-1): the month's figures against the month before, and the
typical cases the rules propose (`review_rules`), read from what the apps recorded.

`month_figures(month)` is the pack's `figures` (JSON, kept as prepared): for the month (`this`) and the month before
(`last`) — each null when it has no figures (before arrears' first nightly run, or the months reconstructed) —
the dashboard's figures (`series.month_figures`), and

- `recovery` by class: loans, opening overdue and recovered (fen), the rate and the policy's target (KPI-1), and
  the total; the month's `cost_fen`, `cost_rate` and `cost_target` (KPI-2);
- `rolls`: the main roll rates (M0→M1, M1→M2, M2→M3, M3→M3+), the `cure_rate` and the whole matrix (a closed
  month only);
- `promises` kept of decided, `contacts` reaching the borrower of outbound calls, with their rates; `average_dpd` by
  class; `buckets`: loans and opening overdue amount per bucket at the opening;
- `quality`: the month's quality scores in brief (QA-2): collectors scored, their mean and lowest score, calls
  inspected, violations confirmed, dissatisfied calls; `scorecards`: the collectors' and the agencies' scorecards
  in brief (`reports.scorecards`): cards, cards scored, mean and lowest score, substantiated complaints, violations;

and `history`: recovery by class and the cost rate for the months up to this one (`HISTORY` of them), for the
charts. Amounts are integer fen, rates strings with 4 decimals, DPD 1 decimal, scores 2 decimals.

`proposals(month)` gathers the rules' rows with a handful of queries and returns the typical cases.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from arrears.agencies.commissions import Month
from arrears.arrangements.models import Plan, PlanStatus
from arrears.collection.models import CollectionCase
from arrears.complaints.clocks import BEIJING
from arrears.complaints.models import Investigation
from arrears.legal.models import Stage, StageEvent
from arrears.quality.scores import monthly_scores
from arrears.reports.indicators import average_dpd
from arrears.reports.kpi import CLASSES, recovery, targets
from arrears.reports.models import MonthOutcome, OpeningPosition
from arrears.reports.review_rules import (
    CourtStage,
    Finding,
    OpeningLoan,
    PlanEnd,
    PlanTerm,
    Proposal,
    complaints_substantiated,
    cured_after_plan,
    litigation_outcomes,
    plans_ended,
    typical,
)
from arrears.reports.rolls import FROM, TO, RollMatrix
from arrears.reports.scorecards import scorecards
from arrears.reports.series import BUCKETS, months_figures
from arrears.reports.series import month_figures as series_figures
from arrears.reports.summary import rate_text
from arrears.rules.queries import policy_book

__all__ = ["BUCKETS", "HISTORY", "MAIN_ROLLS", "month_figures", "proposals"]

HISTORY = 6  # months of recovery and cost rate in the pack's charts
MAIN_ROLLS = (("M0", "M1"), ("M1", "M2"), ("M2", "M3"), ("M3", "M3+"))


def _mean(values: list[Decimal]) -> str | None:
    if not values:
        return None
    return str((sum(values) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _quality(month: Month) -> dict[str, Any]:
    collectors = monthly_scores(month)["collectors"]
    scored = [s.score for s in collectors if s.score is not None]
    return {
        "collectors": len(scored),
        "average_score": _mean(scored),
        "lowest_score": str(min(scored)) if scored else None,
        "calls": sum(s.calls for s in collectors),
        "violations": sum(s.violations for s in collectors),
        "dissatisfied": sum(s.dissatisfied for s in collectors),
    }


def _cards(cards: list[Any]) -> dict[str, Any]:
    scored = [card.score for card in cards if card.score is not None]
    return {
        "cards": len(cards),
        "scored": len(scored),
        "average_score": _mean(scored),
        "lowest_score": str(min(scored)) if scored else None,
        "complaints": sum(card.complaints for card in cards),
        "violations": sum(card.violations for card in cards),
    }


def _scorecards(month: Month) -> dict[str, Any]:
    """The month's scorecards in brief (QA-2), for the collectors and for the agencies."""
    found = scorecards(month)
    return {"collectors": _cards(found["collectors"]), "agencies": _cards(found["agencies"])}


def _rolls(matrix: RollMatrix | None) -> dict[str, Any] | None:
    if matrix is None:  # a month under way has no roll rates
        return None
    return {
        "main": {f"{a}>{b}": rate_text(matrix.rate(a, b)) for a, b in MAIN_ROLLS},
        "cure_rate": rate_text(matrix.cure_rate),
        "loans": [[matrix.loans[start][end] for end in TO] for start in FROM],
        "rates": [[rate_text(matrix.rate(start, end)) for end in TO] for start in FROM],
    }


def side(month: Month) -> dict[str, Any] | None:
    """One month's figures (module docstring) from the dashboard's (`series.month_figures`), or None when the
    month has none."""
    found = series_figures(month)
    if not found.measured:
        return None
    goals = targets(month)
    loans = {row.key: row.loans for row in recovery(month, "class").rows}
    dpd = average_dpd(month)
    return {
        "month": str(month),
        "closed": found.closed,
        "recovery": {
            code: {
                "loans": loans[code],
                "opening_overdue_fen": found.opening_fen[code],
                "recovered_fen": found.recovered_fen[code],
                "rate": rate_text(found.recovery_rate[code]),
                "target": rate_text(goals[code]),
            }
            for code in CLASSES
        },
        "total": {
            "loans": sum(loans.values()),
            "opening_overdue_fen": found.opening_fen["total"],
            "recovered_fen": found.recovered_fen["total"],
            "rate": rate_text(found.recovery_rate["total"]),
        },
        "cost_fen": found.cost_fen,
        "cost_rate": rate_text(found.cost_rate),
        "cost_target": rate_text(policy_book().on(month.last).kpi.cost_rate_max),
        "rolls": _rolls(found.matrix),
        "promises": list(found.promises),
        "promises_kept": rate_text(found.promises_kept_rate),
        "contacts": list(found.contacts),
        "contact_rate": rate_text(found.contact_rate),
        "average_dpd": {key: str(dpd[key]) if key in dpd else None for key in CLASSES},
        "buckets": {b: {"loans": found.bucket_loans[b], "overdue_fen": found.bucket_fen[b]} for b in BUCKETS},
        "quality": _quality(month),
        "scorecards": _scorecards(month),
    }


def _history(month: Month) -> list[dict[str, Any]]:
    shown = []
    for found in months_figures(month, HISTORY):
        if not found.measured:
            shown.append({"month": str(found.month), "rates": None})
            continue
        shown.append(
            {
                "month": str(found.month),
                "rates": {code: rate_text(found.recovery_rate[code]) for code in CLASSES},
                "targets": {code: rate_text(goal) for code, goal in targets(found.month).items()},
                "cost_rate": rate_text(found.cost_rate),
                "cost_target": rate_text(policy_book().on(found.month.last).kpi.cost_rate_max),
            }
        )
    return shown


def month_figures(month: Month) -> dict[str, Any]:
    """Clause: REV-1, KPI-1, KPI-2 — the pack's figures: this month, the month before, and the charts' history."""
    return {
        "month": str(month),
        "previous": str(month.previous()),
        "this": side(month),
        "last": side(month.previous()),
        "history": _history(month),
        "classes": list(CLASSES),
        "buckets": list(BUCKETS),
        "roll_starts": list(FROM),
        "roll_ends": list(TO),
    }


# -- the typical cases -------------------------------------------------------------------------------------------


def _instants(month: Month) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, Beijing time."""
    start = datetime.combine(month.first, time.min, tzinfo=BEIJING)
    return start, datetime.combine(month.last + timedelta(days=1), time.min, tzinfo=BEIJING)


def _opening_loans(month: Month) -> list[OpeningLoan]:
    ends = dict(
        MonthOutcome.objects.filter(month=month.first, end_state__in=("current", "closed")).values_list(
            "loan_id", "end_state"
        )
    )
    if not ends:
        return []
    opening = OpeningPosition.objects.filter(month=month.first, loan_id__in=list(ends)).values_list(
        "loan_id", "case_id", "overdue_fen"
    )
    terms: dict[int, list[PlanTerm]] = {}
    for loan_id, plan_id, status, effective_on, ended_on in Plan.loans.through.objects.filter(
        loan_id__in=list(ends), plan__effective_on__isnull=False
    ).values_list("loan_id", "plan_id", "plan__status", "plan__effective_on", "plan__ended_on"):
        terms.setdefault(loan_id, []).append(PlanTerm(plan_id, status, effective_on, ended_on))
    return [
        OpeningLoan(loan_id, case_id, fen, ends[loan_id], tuple(terms.get(loan_id, ())))
        for loan_id, case_id, fen in opening
    ]


def _plan_ends(month: Month) -> list[PlanEnd]:
    return [
        PlanEnd(*row)
        for row in Plan.objects.filter(
            status__in=(PlanStatus.COMPLETED, PlanStatus.BROKEN), ended_on__range=(month.first, month.last)
        ).values_list("pk", "case_id", "status", "ended_on", "amount_fen")
    ]


def _case_of(borrower_id: int | None, on: date) -> int | None:
    if borrower_id is None:
        return None
    return (
        CollectionCase.objects.filter(borrower_id=borrower_id, opened_on__lte=on)
        .order_by("-opened_on", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def _findings(month: Month) -> list[Finding]:
    start, end = _instants(month)
    found = []
    for investigation in Investigation.objects.filter(
        substantiated=True, found_at__gte=start, found_at__lt=end
    ).select_related("complaint"):
        complaint = investigation.complaint
        day = investigation.found_at.astimezone(BEIJING).date()
        found.append(Finding(complaint.pk, complaint.reference, _case_of(complaint.borrower_id, day), day, True))
    return found


def _court_stages(month: Month) -> list[CourtStage]:
    stages = []
    for event in StageEvent.objects.filter(
        on__range=(month.first, month.last),
        stage__in=(Stage.JUDGMENT, Stage.ENFORCEMENT_RESULT, Stage.MEDIATION, Stage.CLOSED),
    ).select_related("litigation"):
        details = event.details or {}
        litigation = event.litigation
        if event.stage == Stage.JUDGMENT:
            amount, result = details.get("judgment_fen"), ""
        elif event.stage == Stage.ENFORCEMENT_RESULT:
            amount, result = details.get("recovered_fen"), ""
        elif event.stage == Stage.CLOSED:
            amount, result = litigation.recovered_fen or None, str(details.get("reason", ""))
        else:
            amount, result = None, str(details.get("result", ""))
        stages.append(CourtStage(litigation.pk, litigation.case_id, event.stage, event.on, amount, result))
    return stages


def proposals(month: Month) -> list[Proposal]:
    """Clause: REV-1 — the month's typical cases: each rule's proposals, the policy's `kpi.review_cases_per_rule`
    largest of each (`review_rules.typical`)."""
    first, last = month.first, month.last
    found = [
        *cured_after_plan(first, last, _opening_loans(month)),
        *plans_ended(first, last, _plan_ends(month)),
        *complaints_substantiated(first, last, _findings(month)),
        *litigation_outcomes(first, last, _court_stages(month)),
    ]
    return typical(found, policy_book().on(last).kpi.review_cases_per_rule)
