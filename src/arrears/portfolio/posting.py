"""Posting payments and waivers: the finance core splits each loan's receipts; the result is stored as allocations.

For each loan given, the whole account is replayed (`arrears.finance.account.replay`) from its schedule, all
its payments and its posted penalty waivers (`WaiverPosting`, Clause: WVR-1, WVR-2), with the policy in force
on the business date (the loan's own penalty markup where the contract sets one), and the loan's allocation
rows (`PaymentAllocation`, `WaiverAllocation`) are replaced by the replay's. Replaying the whole account
rather than the new payment alone keeps the allocations right when the feed corrects an earlier payment.
Posting also records the day each instalment was settled in full (`Instalment.settled_on`), so the daily run
reads only what is still open. Where the policy rolls due dates on non-working days to the next working day,
the replay counts from the rolled dates, as the daily run does.

`loan_account` is the one replay of a single loan for the pages, the letters and the arrangements: the same
receipts, terms and rolled due dates as posting, from the loan's prefetched schedule, payments and waivers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from arrears.finance import from_fen, to_fen
from arrears.finance.account import WAIVER, AccountPosition, Receipt, ScheduledInstalment, replay
from arrears.portfolio import post_store
from arrears.portfolio.models import (
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    PaymentAllocation,
    WaiverAllocation,
    WaiverPosting,
)
from arrears.rules.queries import calendar, policy_on

CHUNK = 2_000

log = logging.getLogger(__name__)


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


# A rolled due date is needed only up to this far past the replay's date: later ones settle nothing late.
ROLL_REACH = timedelta(days=31)


def effective_due_date(due: date, *, rolls: bool, through: date) -> date:
    """The due date the accounts count from: on a non-working day, the next working day where the policy
    rolls due dates (`schedule.roll_non_working_due_date`); dates beyond `through` are left as they are."""
    if not rolls or due > through + ROLL_REACH:
        return due
    return calendar().next_working_day(due)


def scheduled_instalments(rows: Iterable[tuple[int, date, int, int]], policy, *, through: date) -> list:
    """A loan's schedule as the finance core replays it, from (n, due date, principal fen, interest fen) rows:
    amounts in yuan, due dates rolled where the policy says so (posting, the loan page and the run agree)."""
    rolls = bool(policy.schedule.roll_non_working_due_date)
    return [
        ScheduledInstalment(n, effective_due_date(due, rolls=rolls, through=through), from_fen(p), from_fen(i))
        for n, due, p, i in rows
    ]


def with_accounts(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    """`loans` with what `loan_account` reads prefetched: the schedule, the payments in order, posted waivers."""
    return loans.prefetch_related(
        "instalments", Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "external_id")), "waivers"
    )


def active_in_order(loans: Iterable[Loan]) -> list[Loan]:
    """Of loans already loaded (with what `loan_account` reads), the active ones by start date and number: the
    order of the queries that load them for a borrower's debt (`arrangements.queries`, `legal.escalation`)."""
    return sorted((x for x in loans if x.status == LoanStatus.ACTIVE), key=lambda x: (x.start_date, x.external_id))


def loan_account(loan: Loan, as_of: date, policy) -> AccountPosition:
    """Where `loan` stands on `as_of` by the finance core with `policy`: its schedule (due dates rolled where the
    policy says so), and its payments and posted waivers up to `as_of`. Uses the loan's `instalments`,
    `payments` and `waivers`; prefetch them when replaying more than one loan. The answer is kept on the loan
    instance for the same date and policy (a page that asks again about the loans it loaded replays each once)."""
    memo = loan.__dict__.setdefault("_accounts", {})
    kept = memo.get((as_of, id(policy)))
    if kept is not None and kept[0] is policy:
        return kept[1]
    position = _replayed(loan, as_of, policy)
    memo[(as_of, id(policy))] = (policy, position)
    return position


def _replayed(loan: Loan, as_of: date, policy) -> AccountPosition:
    receipts = [
        Receipt(p.external_id, p.paid_on, from_fen(p.amount_fen)) for p in loan.payments.all() if p.paid_on <= as_of
    ]
    receipts.extend(
        Receipt(w.key, w.posted_on, from_fen(w.amount_fen), kind=WAIVER)
        for w in loan.waivers.all()
        if w.posted_on <= as_of
    )
    return replay(
        scheduled_instalments(
            ((i.n, i.due_date, i.principal_fen, i.interest_fen) for i in loan.instalments.all()), policy, through=as_of
        ),
        receipts,
        as_of=as_of,
        **account_terms(loan, policy),
    )


def allocate_payments(
    loan_ids: Sequence[int],
    *,
    business_date: date,
    chunk: int | None = None,
    first_load: bool = False,
    pending: str | None = None,
) -> int:
    """(Re)write the allocation rows (of payments and of waivers) of these loans and their instalments' settled
    dates; returns the number of allocation rows written. Call inside the caller's transaction (the feed
    import's, or the waiver approval's). The posting kernel (`post_kernel.allocate`) does the arithmetic;
    reads, deletes, inserts and the settled dates are set-based (`post_store`). `chunk`: loans per round
    (machinery, not policy; bounds the memory). `first_load`: the import loaded the book's first rows
    (`bulk.loosened`), so posting may loosen the allocations' and instalments' tables too. `pending`: the TEMP
    table of the instalments that load held back (`feed.load.LoadResult.pending`), which posting writes into
    their table with their settled dates, before any loan left to the replay is replayed."""
    written, left = post_store.post(
        sorted(set(loan_ids)),
        business_date,
        policy_on(business_date),
        chunk or post_store.CHUNK,
        loosen=first_load,
        pending=pending,
    )
    return written + (replay_payments(left, business_date=business_date) if left else 0)


def replay_payments(loan_ids: Sequence[int], *, business_date: date) -> int:
    """`allocate_payments` by the finance core's replay, loan by loan: the reference the kernel is tested
    against, and the way for a loan whose rates the kernel cannot hold exactly."""
    policy = policy_on(business_date)
    written = 0
    ids = sorted(set(loan_ids))
    for start in range(0, len(ids), CHUNK):
        written += _allocate_chunk(ids[start : start + CHUNK], business_date, policy)
    return written


def _allocate_chunk(ids: list[int], business_date: date, policy) -> int:
    loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=ids).only("pk", "annual_rate", "penalty_markup")}
    schedules: dict[int, list[tuple]] = defaultdict(list)
    settled_before: dict[int, date | None] = {}
    for row in Instalment.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "pk", "n", "due_date", "principal_fen", "interest_fen", "settled_on"
    ):
        schedules[row[0]].append(row[1:6])
        settled_before[row[1]] = row[6]
    payments: dict[int, list[tuple]] = defaultdict(list)
    for row in Payment.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "pk", "external_id", "paid_on", "amount_fen"
    ):
        payments[row[0]].append(row[1:])
    waivers: dict[int, list[tuple]] = defaultdict(list)
    for row in WaiverPosting.objects.filter(loan_id__in=ids).values_list(
        "loan_id", "pk", "key", "posted_on", "amount_fen"
    ):
        waivers[row[0]].append(row[1:])
    PaymentAllocation.objects.filter(payment__loan_id__in=ids).delete()
    WaiverAllocation.objects.filter(posting__loan_id__in=ids).delete()
    rows, waived = [], []
    settled_now: dict[int, date | None] = dict.fromkeys(settled_before)
    for loan_id, loan in loans.items():
        if not payments[loan_id] and not waivers[loan_id]:
            continue
        instalment_pk = {n: pk for pk, n, *_ in schedules[loan_id]}
        payment_pk = {key: pk for pk, key, *_ in payments[loan_id]}
        waiver_pk = {key: pk for pk, key, *_ in waivers[loan_id]}
        # Every stored receipt is replayed, also one dated after a replayed older feed's business date.
        as_of = max(business_date, *(day for _pk, _key, day, _amount in payments[loan_id] + waivers[loan_id]))
        receipts = [Receipt(key, paid_on, from_fen(amount)) for _pk, key, paid_on, amount in payments[loan_id]]
        receipts += [Receipt(key, on, from_fen(amount), kind=WAIVER) for _pk, key, on, amount in waivers[loan_id]]
        position = replay(
            scheduled_instalments((row[1:] for row in schedules[loan_id]), policy, through=as_of),
            receipts,
            as_of=as_of,
            **account_terms(loan, policy),
        )
        for state in position.instalments:
            settled_now[instalment_pk[state.n]] = state.settled_on
        for posted in position.payments:
            if posted.kind == WAIVER:
                waived.extend(_waiver_rows(waiver_pk[posted.key], posted, instalment_pk, loan_id))
                continue
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
    WaiverAllocation.objects.bulk_create(waived, batch_size=5_000)
    changed = [Instalment(pk=pk, settled_on=day) for pk, day in settled_now.items() if settled_before[pk] != day]
    Instalment.objects.bulk_update(changed, ["settled_on"], batch_size=2_000)
    return len(rows) + len(waived)


def _waiver_rows(posting_id: int, posted, instalment_pk: dict[int, int], loan_id: int) -> list[WaiverAllocation]:
    """A posted waiver's allocation rows (penalty and compound interest only, Clause: WVR-2). What it could not
    settle has no row — a waiver is no money to hold or refund; approval refuses a waiver above what is owed,
    so this happens only when the feed later corrected the payments before it — and is logged."""
    if posted.unapplied:
        log.warning(
            "waiver %s on loan %s: %s of %s finds no penalty or compound interest owed on %s; only %s is waived",
            posted.key,
            loan_id,
            posted.unapplied,
            posted.amount,
            posted.paid_on,
            posted.amount - posted.unapplied,
        )
    return [
        WaiverAllocation(
            posting_id=posting_id,
            instalment_id=instalment_pk[part.n],
            component=part.component,
            amount_fen=to_fen(part.amount),
        )
        for part in posted.allocations
    ]
