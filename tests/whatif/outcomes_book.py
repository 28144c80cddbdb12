"""A small book for the champion/challenger outcomes (issue 23), its every case, payment, promise and complaint laid
down by hand: the experiment started on 2026-03-02 (seed exp-out, half the borrowers), stopped from 2026-04-10,
and the cases are followed to the night of 2026-05-15. Worked in tests/whatif/test_outcomes.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arrears.collection.models import CaseEvent, CollectionCase, Promise
from arrears.complaints.models import Complaint
from arrears.daily.models import Run
from arrears.portfolio.models import Instalment, PaymentAllocation
from arrears.whatif.arms import CHALLENGER, CHAMPION, arm_of
from arrears.whatif.models import Experiment
from factories import make_borrower, make_loan, make_payment, make_user

SEED, SHARE = "exp-out", Decimal("0.5")
START, STOP, THROUGH = date(2026, 3, 2), date(2026, 4, 10), date(2026, 5, 15)


def borrowers_by_arm(champions: int, challengers: int) -> dict[str, list]:
    """New borrowers until each arm has as many as asked (the arm follows from the id and the seed)."""
    found: dict[str, list] = {CHAMPION: [], CHALLENGER: []}
    while len(found[CHAMPION]) < champions or len(found[CHALLENGER]) < challengers:
        borrower = make_borrower()
        found[arm_of(SEED, borrower.pk, SHARE)].append(borrower)
    return {CHAMPION: found[CHAMPION][:champions], CHALLENGER: found[CHALLENGER][:challengers]}


def owing(borrower, yuan: int = 1000):
    """One loan whose only instalment, 1,000 yuan of principal, fell due on 2026-02-15."""
    loan = make_loan(borrower, months=1, start=date(2026, 1, 15))
    Instalment.objects.filter(loan=loan).update(due_date=date(2026, 2, 15), principal_fen=yuan * 100, interest_fen=0)
    return loan


def case(borrower, opened: date, closed: date | None = None, *, reopened: date | None = None) -> CollectionCase:
    row = CollectionCase.objects.create(
        borrower=borrower,
        status="closed" if closed and not reopened else "open",
        delinquency_class="mild",
        pool="junior",
        opened_on=reopened or opened,
        closed_on=closed if closed and not reopened else None,
        updated_on=THROUGH,
    )
    CaseEvent.objects.create(case=row, business_date=opened, kind="opened", dpd=1, clause="CLS-1")
    if closed:
        CaseEvent.objects.create(case=row, business_date=closed, kind="closed", dpd=0, clause="CLS-1")
    if reopened:
        CaseEvent.objects.create(case=row, business_date=reopened, kind="reopened", dpd=1, clause="CLS-1")
    return row


def promise(borrower, made_on: date, status: str) -> None:
    Promise.objects.create(
        borrower=borrower, amount_fen=10_000, made_on=made_on, due_on=made_on + timedelta(days=3), status=status
    )


def complaint(borrower, on: date, boss) -> None:
    received = datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    Complaint.objects.create(
        channel="phone",
        marker="催收投诉",
        received_at=received,
        text="催收人员语气粗暴",
        borrower=borrower,
        response_due=received + timedelta(hours=24),
        investigation_due=on + timedelta(days=14),
        filed_by=boss,
        filed_at=received,
    )


def experiment_row(boss, **fields) -> Experiment:
    """An experiment of reminders 5 days ahead, seed exp-out, half the borrowers, started on 2026-03-02."""
    values = {"name": "五天前提醒", "strategy_text": "[reminders]\nadvance_days = 5\n", "seed": SEED, "share": SHARE}
    return Experiment.objects.create(**values, started_on=START, started_by=boss, **fields)


def build_outcomes_book() -> Experiment:
    """The worked book above; the experiment it ran."""
    boss = make_user("supervisor")
    arms = borrowers_by_arm(3, 5)
    a1, a2, a3 = arms[CHAMPION]
    b1, b2, b3, b4, before = arms[CHALLENGER]
    loans = {b: owing(b) for b in (a1, a2, a3, b1, b2, b3, b4, before)}
    # Champion: cured in 17 days; cured in 46 days; opened 04-01 and still open (too young for 60 days).
    case(a1, date(2026, 3, 3), date(2026, 3, 20))
    case(a2, date(2026, 3, 5), date(2026, 4, 20))
    case(a3, date(2026, 4, 1))
    # Challenger: cured in 7 days and reopened later (counts once, the first opening); cured in 21 days;
    # opened after the stop (04-20) and on the night it stopped (04-10): in neither arm.
    case(b1, date(2026, 3, 3), date(2026, 3, 10), reopened=date(2026, 3, 25))
    case(b2, date(2026, 3, 4), date(2026, 3, 25))
    case(b3, date(2026, 4, 20), date(2026, 4, 25))
    case(b4, date(2026, 4, 10))
    case(before, date(2026, 2, 20))  # open from before the start: in neither arm
    # Recovery within 30 days of the opening, up to what was overdue then.
    make_payment(loans[a1], date(2026, 3, 10), "600")  # 600 of 1,000: 0.6
    paid_before = make_payment(loans[a2], date(2026, 2, 20), "200")  # settles 200 before the opening: 800 owed
    PaymentAllocation.objects.create(
        payment=paid_before, instalment=loans[a2].instalments.get(), component="principal", amount_fen=20_000
    )
    make_payment(loans[a2], date(2026, 3, 20), "400")  # 400 of 800: 0.5
    make_payment(loans[a3], date(2026, 5, 10), "1000")  # 39 days after the opening: 0
    make_payment(loans[b1], date(2026, 3, 5), "1500")  # more than owed: 1,000 of 1,000, 1.0
    make_payment(loans[b2], date(2026, 3, 30), "250")  # 250 of 1,000: 0.25
    # Promises decided after the opening count; before it, or still open, do not.
    promise(a1, date(2026, 3, 4), "kept")
    promise(a1, date(2026, 2, 25), "kept")
    promise(a2, date(2026, 3, 10), "broken")
    promise(a2, date(2026, 3, 12), "open")
    promise(b1, date(2026, 3, 4), "kept")
    # Complaints while the case was open: a3's counts; b1's came after its case closed.
    complaint(a3, date(2026, 4, 5), boss)
    complaint(b1, date(2026, 3, 15), boss)
    experiment = experiment_row(boss, min_sample=2, status="stopped", stopped_on=STOP, stopped_by=boss)
    Run.objects.create(business_date=THROUGH, status="done", started_at=datetime(2026, 5, 15, 18, tzinfo=UTC))
    return experiment
