"""Preparing the monthly review pack (REV-1) on the hand-computed book (kpi_book.py, docs/kpi.md) with November's
events (month_review_book.py): the figures to the fen, the cases the rules propose, preparing again, the month
after compared with November, the command line, and the refusals."""

from __future__ import annotations

import json
from datetime import date

import pytest
from kpi_book import build_book, nightly_run
from month_review_book import case_of, november_book

from arrears.agencies.commissions import Month
from arrears.arrangements.models import Plan
from arrears.cli import main
from arrears.compliance.actions import ActionDenied, system_actor
from arrears.compliance.models import AuditEvent
from arrears.daily.actions import do_run_daily
from arrears.legal.models import StageEvent
from arrears.reports.actions_review import CaseChoice, ReviewError, do_edit_review, do_prepare_review
from arrears.reports.models_review import ReviewCase, ReviewPack
from factories import make_user

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)
DEC_1 = date(2026, 12, 1)


def cases(pack) -> set[tuple]:
    return {
        (row.kind, row.rule, row.case_id, row.reference, row.occurred_on, row.amount_fen)
        for row in ReviewCase.objects.filter(pack=pack)
    }


def test_the_november_pack_holds_the_month_to_the_fen_and_the_rules_cases():
    """Clause: REV-1, KPI-1, KPI-2 — prepared by the nightly run's identity on 12-01: recovery by class as docs/kpi.md
    works it out (mild 15,167.54 opening, 8,053.32 recovered, 0.5310 against a target of 0.8000; severe 69,748.33,
    20,000.00, 0.2867), the roll rates, buckets and average DPD; October has no figures (before the first night).
    The rules propose B's cure under its plan and the plan's completion, D's broken plan, the complaint about C and
    the judgment of 11-18; the scorecards in brief count the complaint against the collector responsible."""
    book = november_book()
    loans, events = book["loans"], book
    pack = do_prepare_review(NOVEMBER, actor=system_actor(), today=DEC_1)
    this = pack.figures["this"]
    assert this["recovery"]["mild"] == {
        "loans": 2,
        "opening_overdue_fen": 1_516_754,
        "recovered_fen": 805_332,
        "rate": "0.5310",
        "target": "0.8000",
    }
    assert this["recovery"]["severe"] == {
        "loans": 2,
        "opening_overdue_fen": 6_974_833,
        "recovered_fen": 2_000_000,
        "rate": "0.2867",
        "target": "0.5000",
    }
    assert this["total"] == {"loans": 4, "opening_overdue_fen": 8_491_587, "recovered_fen": 2_805_332, "rate": "0.3304"}
    assert (this["cost_fen"], this["cost_target"]) == (0, "0.0500")
    assert this["rolls"]["main"] == {"M0>M1": "0.5000", "M1>M2": "0.5000", "M2>M3": None, "M3>M3+": None}
    assert this["rolls"]["cure_rate"] == "0.2500"
    assert this["buckets"] == {
        "M1": {"loans": 2, "overdue_fen": 1_516_754},
        "M2": {"loans": 0, "overdue_fen": 0},
        "M3": {"loans": 0, "overdue_fen": 0},
        "M3+": {"loans": 2, "overdue_fen": 6_974_833},
    }
    assert this["average_dpd"] == {"mild": "13.5", "moderate": None, "severe": "102.0"}
    # The senior collector found responsible for the complaint about C: a card without a score (no month's work).
    assert this["scorecards"]["collectors"] == {
        "cards": 1,
        "scored": 0,
        "average_score": None,
        "lowest_score": None,
        "complaints": 1,
        "violations": 0,
    }
    assert pack.figures["last"] is None
    assert pack.figures["history"][-1]["rates"] == {"mild": "0.5310", "moderate": None, "severe": "0.2867"}
    assert [row["rates"] for row in pack.figures["history"][:-1]] == [None] * 5
    b, c, d = case_of(loans["B"]).pk, case_of(loans["C"]).pk, case_of(loans["D"]).pk
    complaint, lawsuit = events["complaint"], events["lawsuit"]
    assert cases(pack) == {
        ("success", "cured_after_plan", b, f"#{b}", date(2026, 11, 30), 505_332),
        ("success", "plan_completed", b, f"P{events['completed'].pk}", date(2026, 11, 5), 505_332),
        ("failure", "plan_broken", d, f"P{events['broken'].pk}", date(2026, 11, 20), 818_218),
        ("failure", "complaint", c, complaint.reference, date(2026, 11, 12), None),
        ("success", "judgment", lawsuit.case_id, f"L{lawsuit.pk}", date(2026, 11, 18), 6_500_000),
    }
    event = AuditEvent.objects.get(action="reports.prepare_review")
    assert (event.subject_id, event.basis["permission"], event.basis["clause"]) == (
        "2026-11",
        "reports.prepare_review",
        "REV-1",
    )
    assert event.changes["cases_added"] == [None, 5]


def test_preparing_again_refreshes_the_pack_and_keeps_the_supervisors_choices():
    """Clause: REV-1 — the complaint chosen with a note stays chosen; an enforcement result recorded late for
    November is added; D's broken plan, corrected to December's, is no longer proposed and goes (not chosen);
    the figures are prepared anew and the day recorded."""
    book = november_book()
    boss = book["boss"]
    pack = do_prepare_review(NOVEMBER, actor=system_actor(), today=DEC_1)
    complaint_case = ReviewCase.objects.get(pack=pack, rule="complaint")
    do_edit_review(
        pack, commentary="投诉需关注", cases={complaint_case.pk: CaseChoice(True, "语气问题，已整改")}, actor=boss
    )
    StageEvent.objects.create(
        litigation=book["lawsuit"],
        stage="enforced",
        on=date(2026, 11, 28),
        details={"recovered_fen": 1_200_000},
        recorded_by=boss,
        recorded_at=book["lawsuit"].decision.decided_at,
    )
    Plan.objects.filter(pk=book["broken"].pk).update(ended_on=date(2026, 12, 2))
    again = do_prepare_review(NOVEMBER, actor=boss, today=date(2026, 12, 3))
    assert again.pk == pack.pk
    assert (again.prepared_on, again.prepared_by, again.commentary) == (date(2026, 12, 3), boss, "投诉需关注")
    rules = sorted(ReviewCase.objects.filter(pack=pack).values_list("rule", flat=True))
    assert rules == ["complaint", "cured_after_plan", "enforcement", "judgment", "plan_completed"]
    complaint_case.refresh_from_db()
    assert (complaint_case.chosen, complaint_case.note) == (True, "语气问题，已整改")
    event = AuditEvent.objects.filter(action="reports.prepare_review").latest("pk")
    assert (event.changes["cases_added"], event.changes["cases_removed"], event.changes["refreshed"]) == (
        [None, 1],
        [None, 1],
        [None, True],
    )


def test_december_is_compared_with_november():
    """Clause: REV-1 — December's pack shows November's figures as last month's, as November's pack shows them."""
    november_book()
    november = do_prepare_review(NOVEMBER, actor=system_actor(), today=DEC_1).figures["this"]
    do_run_daily(date(2026, 12, 31), actor=nightly_run())
    december = do_prepare_review(Month(2026, 12), actor=system_actor(), today=date(2027, 1, 4)).figures
    assert december["last"] == november
    assert december["this"]["recovery"]["severe"]["loans"] == 2  # C and D are still severe at December's opening
    assert [row["month"] for row in december["history"]] == [
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    assert december["history"][-2]["rates"]["mild"] == "0.5310"


def test_a_month_not_closed_yet_is_refused_with_what_to_do():
    """Clause: REV-1 — November under way (the first night only): refused, nothing written."""
    build_book()
    events = AuditEvent.objects.count()
    with pytest.raises(ReviewError, match="not closed yet: the nightly run of its last day \\(2026-11-30\\)"):
        do_prepare_review(NOVEMBER, actor=system_actor(), today=date(2026, 11, 20))
    assert (ReviewPack.objects.count(), AuditEvent.objects.count()) == (0, events)


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "analyst", "compliance_officer"])
def test_only_supervisors_and_the_nightly_run_prepare_a_pack(role):
    """Clause: REV-1, AUTH-4 — anyone else is refused (before anything is read) and nothing changes."""
    events = AuditEvent.objects.count()
    with pytest.raises(ActionDenied):
        do_prepare_review(NOVEMBER, actor=make_user(role), today=DEC_1)
    assert (ReviewPack.objects.count(), ReviewCase.objects.count(), AuditEvent.objects.count()) == (0, 0, events)


def test_arrears_review_prepare_and_show(capsys):
    """Clause: REV-1 — `arrears review prepare --month 2026-11` then `arrears review show --month 2026-11 --json`:
    every indicator this month against last month, amounts in yuan to the fen, rates with 4 decimals."""
    november_book()
    assert main(["review", "prepare", "--month", "2026-11"]) == 0
    assert "review of 2026-11: prepared; 5 typical cases proposed" in capsys.readouterr().out
    assert main(["review", "show", "--month", "2026-11", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    indicators = {row["key"]: row for row in shown["indicators"]}
    assert indicators["recovery.mild"] == {
        "key": "recovery.mild",
        "unit": "rate",
        "this": "0.5310",
        "last": None,
        "change": None,
        "target": "0.8000",
        "met": False,
    }
    assert (indicators["opening_overdue"]["this"], indicators["recovered"]["this"]) == ("84915.87", "28053.32")
    assert (shown["status"], shown["pdf_sha256"], len(shown["cases"])) == ("prepared", None, 5)
    assert main(["review", "show", "--month", "2026-10"]) == 1
    assert "no review pack for 2026-10" in capsys.readouterr().err
    assert main(["review", "prepare", "--month", "2026-13"]) != 0
