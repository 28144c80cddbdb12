"""The book of the litigation file's tests: a 60,000.00 loan 309 days overdue on the filing date with more than
50,000 owed, its collection case with a recorded history (calls, a broken promise, a formal notice printed for
post), and litigation decided on it (rows written directly: the decision's own action is not what these tests are
about)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from arrears.collection.letters import do_send_letter
from arrears.collection.models import Call, CollectionCase, Promise
from arrears.legal.models import EscalationDecision, Litigation
from arrears.notices.printing import do_make_print_batch
from arrears.portfolio.posting import allocate_payments
from factories import make_borrower, make_loan, make_payment, make_user

BEIJING = ZoneInfo("Asia/Shanghai")
LETTER_DAY = date(2026, 8, 20)
DECIDED_ON = date(2026, 10, 12)
FILING_DATE = date(2026, 10, 20)
CONTRACT = "GR2025-1015-007"
PERSON = {
    "external_id": "C-ZHAO",
    "name": "赵建国",
    "id_number": "320102198507154417",
    "address": "江苏省南京市玄武区中山路18号3单元502室",
    "email": "zhao.jianguo@example.com",
}


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def debtor_case() -> CollectionCase:
    """60,000.00 at 4.35% a year over 12 months, equal instalments (等额本息), from 2025-10-15 (5,118.59 a month,
    due 2025-11-15 … 2026-10-15): instalment 1 paid on its due date, 1,000.00 paid on 2026-01-05, nothing since;
    so on 2026-10-20 instalment 2 (due 2025-12-15) is 309 days past due and every instalment has fallen due.
    A severe case with two calls (one refused), a broken promise and a formal notice printed for post."""
    borrower = make_borrower(**PERSON)
    loan = make_loan(
        borrower, external_id=CONTRACT, principal="60000", rate="0.0435", months=12, start=date(2025, 10, 15)
    )
    make_payment(loan, date(2025, 11, 15), "5118.59", external_id="PAY-1")
    make_payment(loan, date(2026, 1, 5), "1000.00", external_id="PAY-2")
    allocate_payments([loan.pk], business_date=FILING_DATE)
    case = CollectionCase.objects.create(
        borrower=borrower,
        status="open",
        delinquency_class="severe",
        pool="supervisor",
        opened_on=date(2025, 12, 16),
        updated_on=DECIDED_ON,
    )
    collector = make_user("senior_collector", first_name="李敏")
    for day, outcome, note in (
        (date(2026, 7, 20), "no_answer", ""),
        (date(2026, 9, 1), "refused", "借款人明确表示不还款"),
    ):
        Call.objects.create(
            borrower=borrower,
            case=case,
            collector=collector,
            called_at=at(day, 10, 30),
            called_on=day,
            number=borrower.mobile,
            outcome=outcome,
            duration_seconds=95 if note else 0,
            attitude="refusal" if note else "",
            note=note,
        )
    Promise.objects.create(
        borrower=borrower,
        case=case,
        amount_fen=500_000,
        made_on=date(2026, 8, 10),
        due_on=date(2026, 8, 20),
        status="broken",
        decided_on=date(2026, 8, 21),
    )
    supervisor = make_user("supervisor")
    do_send_letter(case, channel="post", actor=collector, today=LETTER_DAY, at=at(LETTER_DAY))
    do_make_print_batch(LETTER_DAY, actor=supervisor, at=at(LETTER_DAY, 16))
    return case


def decide_litigation(case: CollectionCase, *, on: date = DECIDED_ON, supervisor=None) -> Litigation:
    """A supervisor's decision to sue (AUTH-3, LGL-1, LGL-2) and the lawsuit it opens, as rows."""
    supervisor = supervisor or make_user("supervisor")
    decision = EscalationDecision.objects.create(
        case=case,
        borrower=case.borrower,
        decision="litigation",
        eligible=True,
        route="litigation",
        facts={"dpd": (on - date(2025, 12, 15)).days, "route": "litigation"},
        reason="拒绝还款，逾期金额超过五万元",
        business_date=on,
        decided_by=supervisor,
        decided_at=timezone.now(),
    )
    return Litigation.objects.create(case=case, borrower=case.borrower, decision=decision, opened_on=on)
