"""The loan page's schedule: each instalment paid, part paid, overdue, due today or not yet due on the business
date, with what is still due of it — computed by the finance core's replay, worded on the page (Issue 15)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from arrears.finance.account import (
    DUE_TODAY,
    NOT_DUE,
    OVERDUE,
    PAID,
    PART_PAID,
    Receipt,
    ScheduledInstalment,
    replay,
)
from arrears.portfolio.models import FeedLoad
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_payment, make_user

D = Decimal


def test_a_worked_example_of_the_four_statuses():
    """Four instalments of 1,000.00 principal and 50.00 interest due on the 15th of January to April; the
    penalty rate is 36% × 1.5 = 54% a year (÷ 360). Paid: 1,050.00 on 15 January (on time) and 500.00 on
    20 February. On 20 March:

    | # | due        | status     | still due | how                                                            |
    | 1 | 2026-01-15 | paid       |     0.00  | paid in full on its due date                                   |
    | 2 | 2026-02-15 | part paid  |   581.31  | 500.00 on 20 Feb: penalty 7.50, compound 0.38, interest 50.00, |
    |   |            | (late)     |           | principal 442.12; left 557.88 + penalty since of 23.43         |
    | 3 | 2026-03-15 | overdue    | 1,057.88  | 1,050.00 + 5 days' penalty 7.50 + compound 0.38                |
    | 4 | 2026-04-15 | not yet due| 1,050.00  |                                                                |
    """
    schedule = [ScheduledInstalment(n, date(2026, n, 15), D("1000.00"), D("50.00")) for n in (1, 2, 3, 4)]
    receipts = [Receipt("P1", date(2026, 1, 15), D("1050.00")), Receipt("P2", date(2026, 2, 20), D("500.00"))]
    position = replay(schedule, receipts, annual_rate="0.36", markup="0.5", as_of=date(2026, 3, 20))
    table = [
        (s.n, position.status_of(s), position.is_late(s), s.owed, s.received, s.principal, s.penalty_interest)
        for s in position.instalments
    ]
    assert table == [
        (1, PAID, False, D("0.00"), D("1050.00"), D("0.00"), D("0.00")),
        (2, PART_PAID, True, D("581.31"), D("500.00"), D("557.88"), D("23.43")),
        (3, OVERDUE, True, D("1057.88"), D("0.00"), D("1000.00"), D("7.50")),
        (4, NOT_DUE, False, D("1050.00"), D("0.00"), D("1000.00"), D("0.00")),
    ]
    assert position.dpd == 33  # from 15 February, the earliest instalment not fully paid (CLS-1)


def test_due_today_is_not_overdue_and_an_early_part_payment_is_part_paid_not_late():
    """On 15 February, instalment 2 falls due today: not late yet (CLS-1). 300.00 paid on 10 March, before
    instalment 3's due date, settles part of it (interest first): part paid, not late."""
    schedule = [ScheduledInstalment(n, date(2026, n, 15), D("1000.00"), D("50.00")) for n in (1, 2, 3)]
    receipts = [Receipt("P1", date(2026, 1, 15), D("1050.00"))]
    today = replay(schedule, receipts, annual_rate="0.36", markup="0.5", as_of=date(2026, 2, 15))
    assert [today.status_of(s) for s in today.instalments] == [PAID, DUE_TODAY, NOT_DUE]
    receipts += [Receipt("P2", date(2026, 2, 15), D("1050.00")), Receipt("P3", date(2026, 3, 10), D("300.00"))]
    early = replay(schedule, receipts, annual_rate="0.36", markup="0.5", as_of=date(2026, 3, 10))
    third = early.instalments[2]
    assert (early.status_of(third), early.is_late(third), third.owed) == (PART_PAID, False, D("750.00"))


def test_a_waiver_alone_is_not_a_payment():
    """A posted penalty waiver settles penalty only: an overdue instalment it touched is still overdue (nothing
    paid of it), not part paid."""
    schedule = [ScheduledInstalment(1, date(2026, 1, 15), D("1000.00"), D("50.00"))]
    receipts = [Receipt("W1", date(2026, 2, 14), D("10.00"), kind="waiver")]
    position = replay(schedule, receipts, annual_rate="0.36", markup="0.5", as_of=date(2026, 2, 14))
    (state,) = position.instalments
    assert state.received == D("0.00")
    assert position.status_of(state) == OVERDUE


@pytest.mark.django_db
def test_the_loan_page_words_each_instalment_status(client):
    """A 12-month loan from 10 January 2026 (due the 10th): the first instalment paid on time, 300.00 towards
    the second on 12 March; on 15 April the page shows paid, part paid (late), overdue, then not yet due, in
    the desk's words, and a late row is marked in words as well as by its class."""
    loan = make_loan(make_borrower(), start=date(2026, 1, 10), external_id="L-SCHED")
    first = loan.instalments.get(n=1)
    make_payment(loan, date(2026, 2, 10), str(D(first.principal_fen + first.interest_fen) / 100))
    make_payment(loan, date(2026, 3, 12), "300.00")
    allocate_payments([loan.pk], business_date=date(2026, 4, 15))
    at = datetime(2026, 4, 15, 6, tzinfo=UTC)
    FeedLoad.objects.create(
        business_date=date(2026, 4, 15), digest="0" * 64, started_at=at, finished_at=at, status="done",
        imported_by=make_user(None),
    )  # fmt: skip
    client.force_login(make_user("junior_collector"))
    response = client.get("/loans/L-SCHED/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    statuses = re.findall(r'<tr data-n="\d+" data-status="(\w+)"', html)
    assert statuses == [PAID, PART_PAID, OVERDUE] + [NOT_DUE] * 9
    words = [row.label for row in response.context["schedule"]]
    assert words[:4] == ["已还清", "部分还款", "逾期", "未到期"]
    assert re.search(r'data-n="2" data-status="part_paid" class="overdue">.*?部分还款 · 逾期', html, re.S)
    assert re.search(r'data-n="3" data-status="overdue" class="overdue">', html)
    rows = response.context["schedule"]
    assert rows[0].still_due == D("0.00")
    assert rows[3].still_due == D(rows[3].instalment.principal_fen + rows[3].instalment.interest_fen) / 100
