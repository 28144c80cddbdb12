"""November 2026 of three collectors, an agency's agent and a collector with a violation only, for the scorecard
tests (QA-2). The month's facts (opening, outcomes, closing) are written as the nightly run keeps them
(reports.facts, tested on the hand-computed book); calls and promises directly (the desk's actions are tested
where they are written); inspections, reviews, complaints and violations through their actions.

| who | opening overdue → recovered | outbound calls (reached) | promises due (kept) | quality | substantiated complaints | violations |
|---|---|---|---|---|---|---|
| li | 10,000.00 → 10,000.00 (1.0000) | 4 (3) | 2 (1) | 100 and 60 → 80.00 | 2 | 1 (the threat confirmed in review) |
| wang | 5,000.00 → 3,000.00 (0.6000) | 2 (1), and an inbound call | 1 (1) | — | 1 (received 01:30 on 1 November in Beijing; another at 23:30 on 31 October is October's) | 0 |
| agent (agency 示例催收) | 8,000.00 → 2,000.00 (0.2500) | 2 (1) | — | 60 → 60.00 | 0 | 1 (the threat, naming the agency too); one of October not counted |
| zhao | — | — | — | — | 0 | 1 (privacy, 15 November) |
| the agency | the agent's loan | the agent's calls | — | 60.00 | 1 (against the agency) | 2 (the agent's, once; privacy against the agency) |

A loan of the opening with no collector and no agency is on no card; an unsubstantiated complaint counts for no one.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

_quality = str(Path(__file__).parent.parent / "quality")
if _quality not in sys.path:
    sys.path.insert(0, _quality)

from review_book import CLEAN, FLAGGED, make_case, sample_share  # noqa: E402

from arrears.accounts.models import Agency  # noqa: E402
from arrears.agencies.commissions import Month  # noqa: E402
from arrears.collection.models import Call, Promise  # noqa: E402
from arrears.complaints.actions import do_file_complaint  # noqa: E402
from arrears.complaints.investigation import do_record_findings, do_record_violation, do_take_complaint  # noqa: E402
from arrears.quality.reviews import Verdict, do_record_transcript, do_review  # noqa: E402
from arrears.reports.models import EndState, MonthClose, MonthOutcome, OpeningPosition  # noqa: E402
from factories import make_borrower, make_loan, make_user  # noqa: E402

NOVEMBER = Month(2026, 11)
DAY = date(2026, 11, 10)


def close(month: Month, opening: int, next_opening: int) -> None:
    """The closing the nightly run of `month`'s last day writes."""
    MonthClose.objects.create(
        month=month.first,
        closed_on=month.last,
        closed_at=datetime(month.last.year, month.last.month, month.last.day, 18, 0, tzinfo=UTC),
        opening_loans=opening,
        next_opening_loans=next_opening,
    )


def opening_loan(overdue_fen: int, paid_fen: int, *, collector=None, agency=None) -> OpeningPosition:
    """A loan of November's opening (mild, M1, DPD 20, the amount all principal) and what it paid in November."""
    loan = make_loan(make_borrower(), principal="20000")
    row = OpeningPosition.objects.create(
        month=NOVEMBER.first,
        loan=loan,
        borrower_id=loan.borrower_id,
        product=loan.product,
        delinquency_class="mild",
        bucket="M1",
        dpd=20,
        overdue_principal_fen=overdue_fen,
        overdue_interest_fen=0,
        penalty_fen=0,
        compound_fen=0,
        overdue_fen=overdue_fen,
        collector=collector,
        agency_id=agency.pk if agency else None,
    )
    MonthOutcome.objects.create(
        month=NOVEMBER.first, loan=loan, paid_fen=paid_fen, end_state=EndState.DELINQUENT, end_bucket="M1", end_dpd=50
    )
    return row


def call(case, collector, outcome: str, *, on: date = DAY, inbound: bool = False) -> Call:
    return Call.objects.create(
        borrower_id=case.borrower_id,
        case=case,
        collector=collector,
        called_at=datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC),
        called_on=on,
        inbound=inbound,
        outcome=outcome,
    )


def promise(made_on: Call, status: str, due: date = date(2026, 11, 20)) -> Promise:
    return Promise.objects.create(
        borrower_id=made_on.borrower_id,
        amount_fen=50_000,
        made_on=made_on.called_on,
        due_on=due,
        status=status,
        call=made_on,
    )


def inspect(on_call: Call, text: str, who, *, confirm: bool = False) -> None:
    inspection = do_record_transcript(on_call, text, source="platform", actor=who.platform, today=DAY)
    if confirm:
        do_review(
            inspection.review, [Verdict(0, True, "确认威胁")], actor=who.reviewer, today=DAY, rectification_due=DAY
        )


def complaint(who, received_at: datetime, *, user=None, agency=None, substantiated: bool = True) -> None:
    mobile = f"139{received_at:%m%d%H%M}"
    make_loan(make_borrower(mobile=mobile))
    filed = do_file_complaint(
        channel="phone", received_at=received_at, text="催收员态度恶劣", mobile=mobile, actor=who.officer
    )
    do_take_complaint(filed, actor=who.officer)
    do_record_findings(
        filed,
        substantiated=substantiated,
        findings="录音核查属实" if substantiated else "录音核查未见违规",
        responsible_user=user,
        responsible_agency=agency,
        actor=who.officer,
    )


def build_november() -> SimpleNamespace:
    """The month of the module docstring, closed; returns the people and the agency."""
    sample_share("0")  # no clean call drawn for review: a clean call's score counts at once
    firm = Agency.objects.create(code="AGY-SC01", name="示例催收服务有限公司")
    who = SimpleNamespace(
        li=make_user("junior_collector", username="li"),
        wang=make_user("senior_collector", username="wang"),
        agent=make_user("agency_user", username="agent", agency=firm),
        zhao=make_user("senior_collector", username="zhao"),
        firm=firm,
        officer=make_user("compliance_officer"),
        platform=make_user("telephony"),
        reviewer=make_user("qa_reviewer"),
    )
    close(NOVEMBER.previous(), 0, 4)
    opening_loan(1_000_000, 1_000_000, collector=who.li)
    opening_loan(500_000, 300_000, collector=who.wang)
    opening_loan(800_000, 200_000, collector=who.agent, agency=firm)
    opening_loan(100_000, 0)
    close(NOVEMBER, 4, 4)

    case = make_case()
    kept, broken = call(case, who.li, "promised"), call(case, who.li, "promised")
    promise(kept, "kept")
    promise(broken, "broken")
    inspect(call(case, who.li, "refused"), CLEAN, who)
    inspect(call(case, who.li, "no_answer"), FLAGGED, who, confirm=True)
    promise(call(case, who.wang, "promised"), "kept")
    call(case, who.wang, "no_answer")
    call(case, who.wang, "promised", inbound=True)
    inspect(call(case, who.agent, "refused"), FLAGGED, who, confirm=True)
    call(case, who.agent, "busy")

    complaint(who, datetime(2026, 11, 3, 2, 0, tzinfo=UTC), user=who.li)
    complaint(who, datetime(2026, 11, 4, 2, 0, tzinfo=UTC), user=who.li)
    complaint(who, datetime(2026, 10, 31, 17, 30, tzinfo=UTC), user=who.wang)  # 01:30 on 1 November in Beijing
    complaint(who, datetime(2026, 10, 31, 15, 30, tzinfo=UTC), user=who.wang)  # 23:30 on 31 October in Beijing
    complaint(who, datetime(2026, 11, 6, 2, 0, tzinfo=UTC), agency=firm)
    complaint(who, datetime(2026, 11, 7, 2, 0, tzinfo=UTC), substantiated=False)

    do_record_violation(
        occurred_on=date(2026, 11, 15), description="泄露借款人住址", responsible_user=who.zhao, actor=who.officer
    )
    do_record_violation(
        occurred_on=date(2026, 11, 5), description="委外机构泄露借款人单位", responsible_agency=firm, actor=who.officer
    )
    do_record_violation(
        occurred_on=date(2026, 10, 20), description="十月的违规", responsible_user=who.agent, actor=who.officer
    )
    return who
