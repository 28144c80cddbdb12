"""Posting payments: the finance core splits each loan's payments; the result is stored as allocations.

For each loan given, the whole account is replayed (`arrears.finance.account.replay`) from its schedule and
all its payments, with the policy in force on the business date (the loan's own penalty markup where the
contract sets one), and the loan's allocation rows are replaced by the replay's. Replaying the whole account
rather than the new payment alone keeps the allocations right when the feed corrects an earlier payment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from arrears.finance import from_fen, to_fen
from arrears.finance.account import Receipt, ScheduledInstalment, replay
from arrears.portfolio.models import Instalment, Loan, Payment, PaymentAllocation
from arrears.rules.queries import policy_on

CHUNK = 2_000


def account_terms(loan: Loan, policy) -> dict:
    """The replay's terms for a loan: its contract rate, its own penalty markup or the policy's, and the
    policy's day basis, allocation order and compound-interest rule."""
    return {
        "annual_rate": loan.annual_rate,
        "markup": loan.penalty_markup if loan.penalty_markup is not None else policy.penalty.markup,
        "day_basis": policy.penalty.day_basis,
        "order": policy.allocation.order,
        "compound_on_interest": policy.penalty.compound_on_interest,
    }


def allocate_payments(loan_ids: Sequence[int], *, business_date: date) -> int:
    """(Re)write the allocation rows of these loans; returns the number of rows written. Call inside the
    caller's transaction (the feed import's)."""
    policy = policy_on(business_date)
    written = 0
    ids = sorted(set(loan_ids))
    for start in range(0, len(ids), CHUNK):
        written += _allocate_chunk(ids[start : start + CHUNK], business_date, policy)
    return written


def _allocate_chunk(ids: list[int], business_date: date, policy) -> int:
    loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=ids).only("pk", "annual_rate", "penalty_markup")}
    schedules: dict[int, list[tuple]] = defaultdict(list)
    for row in Instalment.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "pk", "n", "due_date", "principal_fen", "interest_fen"
    ):
        schedules[row[0]].append(row[1:])
    payments: dict[int, list[tuple]] = defaultdict(list)
    for row in Payment.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "pk", "external_id", "paid_on", "amount_fen"
    ):
        payments[row[0]].append(row[1:])
    PaymentAllocation.objects.filter(payment__loan_id__in=ids).delete()
    rows = []
    for loan_id, loan in loans.items():
        if not payments[loan_id]:
            continue
        instalment_pk = {n: pk for pk, n, *_ in schedules[loan_id]}
        payment_pk = {key: pk for pk, key, *_ in payments[loan_id]}
        position = replay(
            [ScheduledInstalment(n, due, from_fen(p), from_fen(i)) for _pk, n, due, p, i in schedules[loan_id]],
            [Receipt(key, paid_on, from_fen(amount)) for _pk, key, paid_on, amount in payments[loan_id]],
            # Every stored payment is replayed, also one dated after a replayed older feed's business date.
            as_of=max(business_date, max(paid_on for _pk, _key, paid_on, _amount in payments[loan_id])),
            **account_terms(loan, policy),
        )
        for posted in position.payments:
            rows.extend(
                PaymentAllocation(
                    payment_id=payment_pk[posted.key],
                    instalment_id=instalment_pk[part.n],
                    component=part.component,
                    amount_fen=to_fen(part.amount),
                )
                for part in posted.allocations
            )
            if posted.unapplied:
                rows.append(
                    PaymentAllocation(
                        payment_id=payment_pk[posted.key], component="unapplied", amount_fen=to_fen(posted.unapplied)
                    )
                )
    PaymentAllocation.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)
