"""The facts the supervisors decide on are the nightly run's: on the same data, a case is eligible (LGL-1) exactly
when the run opens a legal review for it, with the same route (LGL-2) and, as its reason, the first of the
grounds that holds.

The book: cases opened by the run of 2026-03-20, calls recorded that day, the next night's run on 2026-03-21.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from late_desk import AS_OF, call, late_desk, night_of, reopened

from arrears.collection.models import Task
from arrears.legal.escalation import facts_for

pytestmark = pytest.mark.django_db

NEXT = AS_OF + timedelta(days=1)
REASONS = {"failed_attempts": "failed attempts", "refused": "refused", "lost_contact": "lost contact"}


def test_eligible_and_route_equal_the_nightly_runs_legal_review():
    """Clause: LGL-1, LGL-2, CLS-2 — on 2026-03-21, borrower by borrower (DPD as of that day):

    | case | DPD | overdue | calls in the case | legal review (route, reason) | severe review |
    | E89 | 89 | 1,000.00 | 3 failed | — | — |
    | E90 | 90 | 1,000.00 | 3 failed | agency, failed attempts | — |
    | F2 | 90 | 1,000.00 | 2 failed | — | — |
    | R90 | 90 | 1,000.00 | refused | agency, refused | — |
    | LC | 90 | 1,000.00 | none; opened 31 days ago | agency, lost contact | — |
    | IN | 91 | 1,000.00 | 2 failed + 1 inbound | — | yes |
    | A50 | 95 | 50,000.00 | 3 failed | agency, failed attempts | — |
    | L50 | 95 | 50,000.01 | refused | litigation, refused | — |
    | P95 | 95 | over 200,000 (a 600,000.00 loan) | refused | litigation, refused | — |
    | S100 | 100 | 1,000.00 | reached yesterday | — | yes |

    and the facts read on that day say the same."""
    desk = late_desk(
        flat=[
            ("E89", 88, "1000.00"),
            ("E90", 89, "1000.00"),
            ("F2", 89, "1000.00"),
            ("R90", 89, "1000.00"),
            ("LC", 89, "1000.00"),
            ("IN", 90, "1000.00"),
            ("A50", 94, "50000.00"),
            ("L50", 94, "50000.01"),
            ("S100", 99, "1000.00"),
        ],
        penalised=[("P95", 94, "600000")],
    )
    cases = desk.cases
    for ext in ("E89", "E90", "A50"):
        call(cases[ext], AS_OF, "no_answer")
        call(cases[ext], AS_OF, "busy")
        call(cases[ext], AS_OF, "wrong_party")
    call(cases["F2"], AS_OF, "no_answer")
    call(cases["F2"], AS_OF, "number_invalid")
    for ext in ("R90", "L50", "P95"):
        call(cases[ext], AS_OF, "refused")
    reopened(cases["LC"], NEXT - timedelta(days=31))
    call(cases["IN"], AS_OF, "no_answer")
    call(cases["IN"], AS_OF, "busy")
    call(cases["IN"], AS_OF, "no_answer", inbound=True)
    call(cases["S100"], AS_OF, "promised")

    night_of(NEXT)

    reviews = {
        t.borrower.external_id: (t.route, t.reason)
        for t in Task.objects.filter(kind="legal_review", created_on=NEXT).select_related("borrower")
    }
    severe = set(
        Task.objects.filter(kind="severe_review", created_on__lte=NEXT).values_list("borrower__external_id", flat=True)
    )
    assert reviews == {
        "E90": ("agency", "failed attempts"),
        "R90": ("agency", "refused"),
        "LC": ("agency", "lost contact"),
        "A50": ("agency", "failed attempts"),
        "L50": ("litigation", "refused"),
        "P95": ("litigation", "refused"),
    }
    assert severe >= {"IN", "S100"}
    for case in cases.values():
        case.refresh_from_db()
    read = facts_for(cases.values(), NEXT)  # every case at once, as the queue reads them
    facts = {ext: read[case.pk] for ext, case in cases.items()}
    from_facts = {ext: (f.route, REASONS[f.grounds[0]]) for ext, f in facts.items() if f.eligible}
    assert from_facts == reviews
    assert {ext for ext, f in facts.items() if f.severe and not f.eligible} == {"IN", "S100"}
    assert {ext: f.dpd for ext, f in facts.items()} == {
        "E89": 89,
        "E90": 90,
        "F2": 90,
        "R90": 90,
        "LC": 90,
        "IN": 91,
        "A50": 95,
        "L50": 95,
        "S100": 100,
        "P95": 95,
    }
    # The overdue totals equal the nightly run's own figures of each case (shown at the top of the case page).
    assert {ext: f.overdue_fen for ext, f in facts.items()} == {ext: c.overdue_fen for ext, c in cases.items()}
