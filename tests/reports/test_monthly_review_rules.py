"""The monthly review's rules proposing typical cases (pure: literal rows in, literal proposals out) and the
comparison of this month's indicators with last month's."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.reports.review_compare import bucket_rows, indicator_rows
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

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)


def test_loans_cured_under_a_plan_in_force_are_proposed_once_per_case():
    """Clause: REV-1 — loan 1 (case 10) ended current under a plan in force since October: a success with its
    opening overdue; loans 2 and 3 (case 20, both cured, one plan) add up to one proposal; loan 4 cured without a
    plan, loan 5 still overdue under a plan, loan 6 cured under a plan broken in October, loan 7 under a plan in
    force only from December, loan 8 under a withdrawn plan: none of these."""
    plan = PlanTerm(1, "active", date(2026, 10, 5))
    loans = [
        OpeningLoan(1, 10, 505_332, "current", (plan,)),
        OpeningLoan(2, 20, 100_000, "closed", (PlanTerm(2, "completed", date(2026, 9, 1), date(2026, 11, 20)),)),
        OpeningLoan(3, 20, 50_000, "current", (PlanTerm(2, "completed", date(2026, 9, 1), date(2026, 11, 20)),)),
        OpeningLoan(4, 30, 70_000, "current"),
        OpeningLoan(5, 40, 80_000, "delinquent", (plan,)),
        OpeningLoan(6, 50, 90_000, "current", (PlanTerm(3, "broken", date(2026, 8, 1), date(2026, 10, 31)),)),
        OpeningLoan(7, 60, 60_000, "current", (PlanTerm(4, "active", date(2026, 12, 1)),)),
        OpeningLoan(8, 70, 40_000, "current", (PlanTerm(5, "withdrawn", None),)),
        OpeningLoan(9, None, 10_000, "current", (plan,)),  # no case at the opening: nothing to show
    ]
    assert cured_after_plan(FIRST, LAST, loans) == [
        Proposal("success", "cured_after_plan", 10, "case", "10", "#10", LAST, 505_332),
        Proposal("success", "cured_after_plan", 20, "case", "20", "#20", LAST, 150_000),
    ]


def test_plans_completed_and_broken_in_the_month():
    """Clause: REV-1 — a plan completed on 11-05 is a success, one broken on 11-20 a failure, each with the amount
    it covered; one broken on 10-31 or still active is not of November."""
    plans = [
        PlanEnd(7, 10, "completed", date(2026, 11, 5), 505_332),
        PlanEnd(8, 20, "broken", date(2026, 11, 20), 818_218),
        PlanEnd(9, 30, "broken", date(2026, 10, 31), 100_000),
        PlanEnd(10, 40, "active", None, 100_000),
    ]
    assert plans_ended(FIRST, LAST, plans) == [
        Proposal("success", "plan_completed", 10, "plan", "7", "P7", date(2026, 11, 5), 505_332),
        Proposal("failure", "plan_broken", 20, "plan", "8", "P8", date(2026, 11, 20), 818_218),
    ]


def test_complaints_found_substantiated_in_the_month_are_failures():
    """Clause: REV-1 — substantiated on 11-12 (Beijing day): a failure without a figure; not substantiated, not
    decided, or found on 12-01: nothing."""
    findings = [
        Finding(1, "CMP-20261103-000001", 30, date(2026, 11, 12), True),
        Finding(2, "CMP-20261104-000002", 40, date(2026, 11, 13), False),
        Finding(3, "CMP-20261105-000003", 50, None, None),
        Finding(4, "CMP-20261120-000004", None, date(2026, 12, 1), True),
    ]
    assert complaints_substantiated(FIRST, LAST, findings) == [
        Proposal("failure", "complaint", 30, "complaint", "1", "CMP-20261103-000001", date(2026, 11, 12)),
    ]


def test_litigation_outcomes_of_the_month():
    """Clause: REV-1 — a judgment awarding 65,000.00 (success), one awarding nothing (failure), enforcement that
    recovered 12,000.00 (success) and one that recovered nothing (failure), mediation agreed (success) or failed
    (failure) or continued (nothing), closed as paid (success), terminated (failure) or withdrawn (nothing); a
    hearing says nothing; a judgment of October is not November's."""
    stages = [
        CourtStage(1, 11, "judgment", date(2026, 11, 18), 6_500_000),
        CourtStage(2, 12, "judgment", date(2026, 11, 19), 0),
        CourtStage(3, 13, "enforced", date(2026, 11, 20), 1_200_000),
        CourtStage(4, 14, "enforced", date(2026, 11, 21), 0),
        CourtStage(5, 15, "mediation", date(2026, 11, 2), None, "agreed"),
        CourtStage(6, 16, "mediation", date(2026, 11, 3), None, "failed"),
        CourtStage(7, 17, "mediation", date(2026, 11, 4), None, "continued"),
        CourtStage(8, 18, "closed", date(2026, 11, 25), 300_000, "paid"),
        CourtStage(9, 19, "closed", date(2026, 11, 26), None, "terminated"),
        CourtStage(10, 20, "closed", date(2026, 11, 27), None, "withdrawn"),
        CourtStage(11, 21, "hearing", date(2026, 11, 10)),
        CourtStage(12, 22, "judgment", date(2026, 10, 30), 100),
    ]
    found = [
        (p.kind, p.rule, p.case_id, p.subject_id, p.amount_fen, p.detail)
        for p in litigation_outcomes(FIRST, LAST, stages)
    ]
    assert found == [
        ("success", "judgment", 11, "1@2026-11-18", 6_500_000, ""),
        ("failure", "judgment", 12, "2@2026-11-19", 0, ""),
        ("success", "enforcement", 13, "3@2026-11-20", 1_200_000, ""),
        ("failure", "enforcement", 14, "4@2026-11-21", 0, ""),
        ("success", "mediation", 15, "5@2026-11-02", None, "agreed"),
        ("failure", "mediation", 16, "6@2026-11-03", None, "failed"),
        ("success", "lawsuit_closed", 18, "8@2026-11-25", 300_000, "paid"),
        ("failure", "lawsuit_closed", 19, "9@2026-11-26", None, "terminated"),
    ]


def test_typical_keeps_the_largest_figures_of_each_rule():
    """Clause: REV-1 — two per rule: the largest amounts (none counts as 0), a tie to the earlier date."""

    def broken(case: int, fen: int | None, day: int) -> Proposal:
        return Proposal("failure", "plan_broken", case, "plan", str(case), f"P{case}", date(2026, 11, day), fen)

    complaint = Proposal("failure", "complaint", 9, "complaint", "9", "CMP-9", date(2026, 11, 3))
    kept = typical([broken(1, 100, 5), broken(2, 300, 6), complaint, broken(3, 300, 2), broken(4, None, 1)], 2)
    assert [(p.rule, p.case_id) for p in kept] == [("plan_broken", 3), ("plan_broken", 2), ("complaint", 9)]
    with pytest.raises(ValueError, match="above 0"):
        typical([], 0)


FIGURES = {
    "month": "2026-12",
    "previous": "2026-11",
    "classes": ["mild", "moderate", "severe"],
    "buckets": ["M1", "M2", "M3", "M3+"],
    "this": {
        "recovery": {
            "mild": {
                "loans": 1,
                "opening_overdue_fen": 300_000,
                "recovered_fen": 270_000,
                "rate": "0.9000",
                "target": "0.8000",
            },
            "moderate": {"loans": 0, "opening_overdue_fen": 0, "recovered_fen": 0, "rate": None, "target": None},
            "severe": {
                "loans": 2,
                "opening_overdue_fen": 1_000_000,
                "recovered_fen": 200_000,
                "rate": "0.2000",
                "target": "0.5000",
            },
        },
        "total": {"loans": 3, "opening_overdue_fen": 1_300_000, "recovered_fen": 470_000, "rate": "0.3615"},
        "cost_fen": 9_400,
        "cost_rate": "0.0200",
        "cost_target": "0.0500",
        "rolls": {"main": {"M0>M1": "0.1000", "M1>M2": "0.2500"}, "cure_rate": "0.3000"},
        "promises_kept": "0.7500",
        "contact_rate": None,
        "average_dpd": {"mild": "20.0", "moderate": None, "severe": "110.5"},
        "buckets": {"M1": {"loans": 1, "overdue_fen": 300_000}, "M3+": {"loans": 2, "overdue_fen": 1_000_000}},
        "quality": {"average_score": "91.25", "lowest_score": "80.00", "calls": 12, "violations": 1, "dissatisfied": 0},
        "scorecards": {
            "collectors": {"average_score": "71.50", "lowest_score": "55.00", "complaints": 2},
            "agencies": {"average_score": None, "lowest_score": None, "complaints": 0},
        },
    },
    "last": {
        "recovery": {
            "mild": {"rate": "0.5310", "target": "0.8000"},
            "severe": {"rate": "0.2867", "target": "0.5000"},
        },
        "total": {"opening_overdue_fen": 8_491_587, "recovered_fen": 2_805_332, "rate": "0.3304"},
        "cost_fen": 0,
        "cost_rate": "0.0000",
        "rolls": {"main": {"M0>M1": "0.5000", "M1>M2": "0.5000"}, "cure_rate": "0.2500"},
        "promises_kept": None,
        "contact_rate": None,
        "average_dpd": {"mild": "13.5", "severe": "102.0"},
        "buckets": {"M1": {"loans": 2, "overdue_fen": 1_516_754}, "M3+": {"loans": 2, "overdue_fen": 6_974_833}},
        "quality": {"average_score": None, "calls": 0, "violations": 0},
        "scorecards": {"collectors": {"average_score": "68.75", "lowest_score": "68.75", "complaints": 0}},
    },
}


def test_this_month_against_last_month_with_arrows_and_targets():
    """Clause: REV-1, KPI-1, KPI-2 — mild recovery 53.10% → 90.00%, up 36.90 points, the right way, target 80.00%
    met; severe 28.67% → 20.00% down, missed; the cost rate 0.00% → 2.00% up (the wrong way) yet below its target
    (met); amounts to the fen; roll rates down is good; a figure missing in either month has no change."""
    rows = {row.key: row for row in indicator_rows(FIGURES)}
    mild = rows["recovery.mild"]
    assert (mild.this_text, mild.last_text, mild.change_text, mild.arrow, mild.good, mild.target_text, mild.met) == (
        "90.00%",
        "53.10%",
        "+36.90 pp",
        "▲",
        True,
        "80.00%",
        True,
    )
    severe = rows["recovery.severe"]
    assert (severe.change_text, severe.arrow, severe.good, severe.met, severe.met_text) == (
        "−8.67 pp",
        "▼",
        False,
        False,
        "missed",
    )
    assert (rows["recovery.moderate"].this_text, rows["recovery.moderate"].met) == ("—", None)
    cost = rows["cost_rate"]
    assert (cost.change_text, cost.good, cost.met, cost.met_text) == ("+2.00 pp", False, True, "met")
    opening = rows["opening_overdue"]
    assert (opening.this_text, opening.last_text, opening.change_text, opening.good) == (
        "13,000.00",
        "84,915.87",
        "−71,915.87",
        True,
    )
    assert (rows["cost"].this_text, rows["cost"].change_text) == ("94.00", "+94.00")
    assert (rows["roll.M1>M2"].change_text, rows["roll.M1>M2"].good) == ("−25.00 pp", True)
    assert (rows["roll.M2>M3"].this_text, rows["roll.M2>M3"].change_text) == ("—", "—")
    assert (rows["promises_kept"].this_text, rows["promises_kept"].change_text) == ("75.00%", "—")
    assert (rows["average_dpd.severe"].change_text, rows["average_dpd.severe"].good) == ("+8.5", False)
    assert (rows["quality.violations"].change_text, rows["quality.violations"].good) == ("+1", False)
    assert rows["quality.calls"].good is None  # more calls inspected is neither better nor worse
    mean = rows["scorecards.collectors.average_score"]
    assert (mean.this_text, mean.last_text, mean.change_text, mean.good) == ("71.50", "68.75", "+2.75", True)
    complaints = rows["scorecards.collectors.complaints"]
    assert (complaints.change_text, complaints.good) == ("+2", False)
    assert rows["scorecards.agencies.average_score"].this_text == "—"
    buckets = {
        loans.label: (loans.this_text, loans.last_text, amount.change_text) for loans, amount in bucket_rows(FIGURES)
    }
    assert buckets == {
        "M1": ("1", "2", "−12,167.54"),
        "M2": ("—", "—", "—"),
        "M3": ("—", "—", "—"),
        "M3+": ("2", "2", "−59,748.33"),
    }


def test_a_month_without_figures_is_shown_as_dashes():
    """Clause: REV-1 — the first month measured has no month before: every 'last month' is a dash, no change."""
    rows = indicator_rows({**FIGURES, "last": None})
    assert {row.last_text for row in rows} == {"—"}
    assert {row.change_text for row in rows} == {"—"}
