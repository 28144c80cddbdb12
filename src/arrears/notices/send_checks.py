"""The send-time re-check of a notice (the dispatcher's step 2, and the print batch's): why a reminder, a plan
reminder or a letter must not go out now — paid, past its due date, the loan closed or the plan ended, a hold in
force, no consent, the letter withdrawn, no address — read for a whole batch in a few queries. The reasons are
codes kept on the notice and its attempt; the pages word them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils import timezone

from arrears.arrangements.models import Plan, PlanInstalment, PlanStatus
from arrears.collection.models import LetterStatus
from arrears.collection.queries import holds_of, in_force
from arrears.notices.models import Notice, NoticeChannel, NoticeKind
from arrears.notices.template_queries import template_for
from arrears.portfolio.models import Component, Instalment, LoanStatus, Payment
from arrears.rules.queries import policy_on

# Cancel reasons (kept as codes on the notice and its attempt; the pages word them).
PAID = "paid"
PAST_DUE = "past_due"
LOAN_CLOSED = "loan_closed"
HOLD = "hold"
NO_CONSENT = "no_consent"
NO_ADDRESS = "no_address"
QUIET_HOURS = "quiet_hours"
NO_TEMPLATE = "no_template"
LETTER_WITHDRAWN = "letter_withdrawn"
PLAN_ENDED = "plan_ended"
CHANNEL_ERROR = "channel_error"
LEASE_EXPIRED = "lease_expired"
FOUND_BY_RECONCILIATION = "found_by_reconciliation"


@dataclass
class BatchContext:
    """A batch's clock, policy and what its re-checks read, loaded once."""

    now: datetime
    today: date
    policy: Any
    holds: dict[int, list]
    remaining: dict[tuple[int, int], int]
    plan_remaining: dict[tuple[int, int], int] = field(default_factory=dict)
    plan_loans: dict[int, list[int]] = field(default_factory=dict)
    templates: dict[tuple[str, str], Any] = field(default_factory=dict)

    def template(self, purpose: str, language: str):
        if (purpose, language) not in self.templates:
            self.templates[purpose, language] = template_for(purpose, language)
        return self.templates[purpose, language]


def load_context(notices: list[Notice], now: datetime) -> BatchContext:
    """What the batch's re-checks read, in a few queries for the whole batch."""
    policy = policy_on(timezone.localtime(now).date())
    today = now.astimezone(ZoneInfo(policy.contact.timezone)).date()
    reminders = [n for n in notices if n.kind == NoticeKind.REMINDER]
    plan_remaining, plan_loans = _plan_instalments_remaining([n for n in notices if n.kind == NoticeKind.PLAN], today)
    return BatchContext(
        now=now,
        today=today,
        policy=policy,
        holds=holds_of({n.borrower_id for n in notices if n.borrower_id is not None}, today),
        remaining=_instalments_remaining(reminders),
        plan_remaining=plan_remaining,
        plan_loans=plan_loans,
    )


def reminder_stop(notice: Notice, today: date, context: BatchContext) -> tuple[str, str] | None:
    loan, borrower = notice.loan, notice.borrower
    if loan.status != LoanStatus.ACTIVE:
        return LOAN_CLOSED, f"loan {loan.external_id} is {loan.status}"
    if today > notice.due_date:
        return PAST_DUE, f"the due date {notice.due_date} has passed; a reminder before it is too late"
    remaining = context.remaining.get((loan.pk, notice.instalment_n), 0)
    if remaining <= 0:
        return PAID, f"instalment {notice.instalment_n} was paid"
    if holds := in_force(context.holds.get(borrower.pk, []), today, [loan.pk]):
        return HOLD, "a hold is in force (" + ", ".join(sorted({h.kind for h in holds})) + ")"
    if stop := no_consent(notice):
        return stop
    if remaining < notice.amount_fen:
        notice.amount_fen = remaining  # part paid since it was queued: the reminder states what is left
    return None


def plan_reminder_stop(notice: Notice, today: date, context: BatchContext) -> tuple[str, str] | None:
    """Why a plan instalment's reminder must not go out now (None: it may): the plan no longer in force, the
    due date passed, the instalment met (or everything due by then paid), a hold, no consent. A part paid
    since it was queued lowers the amount it states."""
    plan, borrower = notice.plan, notice.borrower
    if plan.status != PlanStatus.ACTIVE:
        return PLAN_ENDED, f"plan {plan.pk} is {plan.status}"
    if today > notice.due_date:
        return PAST_DUE, f"the due date {notice.due_date} has passed; a reminder before it is too late"
    remaining = context.plan_remaining.get((plan.pk, notice.instalment_n), 0)
    if remaining <= 0:
        return PAID, f"plan instalment {notice.instalment_n} is paid"
    if holds := in_force(context.holds.get(borrower.pk, []), today, context.plan_loans.get(plan.pk, [])):
        return HOLD, "a hold is in force (" + ", ".join(sorted({h.kind for h in holds})) + ")"
    if stop := no_consent(notice):
        return stop
    if remaining < notice.amount_fen:
        notice.amount_fen = remaining
    return None


def letter_stop(notice: Notice, today: date, holds: list | None = None) -> tuple[str, str] | None:
    """Why a letter must not go out now (None: it may). `holds`: the borrower's holds, if already read."""
    letter, borrower = notice.letter, notice.borrower
    if letter.status == LetterStatus.CANCELLED:
        return LETTER_WITHDRAWN, "the letter was withdrawn"
    if holds is None:
        holds = holds_of([borrower.pk], today).get(borrower.pk, [])
    if holds := in_force(holds, today, [letter.loan_id] if letter.loan_id else []):
        return HOLD, "a hold is in force (" + ", ".join(sorted({h.kind for h in holds})) + ")"
    overdue = Instalment.objects.filter(
        loan__borrower=borrower, loan__status=LoanStatus.ACTIVE, settled_on__isnull=True, due_date__lt=today
    )
    if letter.loan_id:
        overdue = overdue.filter(loan_id=letter.loan_id)
    if not overdue.exists():
        return PAID, "nothing is overdue any more"
    if notice.channel == NoticeChannel.EMAIL and not borrower.email.strip():
        return NO_ADDRESS, "the borrower has no registered email address"
    return None


def complaint_notice_stop(notice: Notice) -> tuple[str, str] | None:
    """Why a complaint's acknowledgement or outcome must not go out now (None: it may). Only the lack of an
    address stops it: no hold (the complaint's own hold least of all) and no collection consent applies, since
    it answers the complainant about the complaint and says nothing of a debt."""
    if not notice.recipient.strip():
        return NO_ADDRESS, "no mobile or email address to answer the complainant on"
    return None


def no_consent(notice: Notice) -> tuple[str, str] | None:
    borrower = notice.borrower
    if notice.channel == NoticeChannel.SMS and not (borrower.consent_sms and borrower.mobile):
        return NO_CONSENT, "the borrower does not consent to SMS (or has no mobile)"
    if notice.channel == NoticeChannel.EMAIL and not (borrower.consent_email and borrower.email):
        return NO_CONSENT, "the borrower does not consent to email (or has no email address)"
    return None


def _plan_instalments_remaining(
    notices: list[Notice], today: date
) -> tuple[dict[tuple[int, int], int], dict[int, list[int]]]:
    """(plan id, instalment) → what is still to be paid by the instalment's due date to keep the plan, in fen:
    its running total and the plan loans' own instalments falling due from the plan's start to that date, less
    the payments on those loans since the start (the nightly run's rule, `arrears.engine.plans`); 0 once met.
    Also each plan's loans. Four queries for the batch, whatever its size."""
    if not notices:
        return {}, {}
    plans = {n.plan_id: n.plan for n in notices}
    loans: dict[int, list[int]] = {pk: [] for pk in plans}
    for plan_id, loan_id in Plan.loans.through.objects.filter(plan_id__in=plans).values_list("plan_id", "loan_id"):
        loans[plan_id].append(loan_id)
    every_loan = {loan for ids in loans.values() for loan in ids}
    since = min(plan.starts_on for plan in plans.values())
    scheduled = list(
        Instalment.objects.filter(loan_id__in=every_loan, due_date__gte=since).values_list(
            "loan_id", "due_date", "principal_fen", "interest_fen"
        )
    )
    paid = list(
        Payment.objects.filter(loan_id__in=every_loan, paid_on__gte=since, paid_on__lte=today).values_list(
            "loan_id", "paid_on", "amount_fen"
        )
    )
    wanted = {(n.plan_id, n.instalment_n) for n in notices}
    out: dict[tuple[int, int], int] = {}
    for row in PlanInstalment.objects.filter(plan_id__in=plans, n__in={n for _p, n in wanted}):
        if (row.plan_id, row.n) not in wanted:
            continue
        plan, mine = plans[row.plan_id], set(loans[row.plan_id])
        if row.met_on is not None:
            out[row.plan_id, row.n] = 0
            continue
        regular = sum(p + i for loan, due, p, i in scheduled if loan in mine and plan.starts_on <= due <= row.due_on)
        received = sum(fen for loan, on, fen in paid if loan in mine and on >= plan.starts_on)
        out[row.plan_id, row.n] = row.cumulative_fen + regular - received
    return out, loans


def _instalments_remaining(reminders: list[Notice]) -> dict[tuple[int, int], int]:
    """(loan id, instalment) → scheduled principal and interest less what payments were applied to them, in
    fen, for each reminder's instalment (a reminder comes before the due date, so no penalty is due yet);
    a settled instalment counts 0. One query for the batch."""
    wanted = {(n.loan_id, n.instalment_n) for n in reminders}
    if not wanted:
        return {}
    rows = (
        Instalment.objects.filter(loan_id__in={w[0] for w in wanted}, n__in={w[1] for w in wanted})
        .annotate(
            paid=Sum(
                "allocations__amount_fen",
                filter=Q(allocations__component__in=(Component.PRINCIPAL, Component.INTEREST)),
            )
        )
        .values_list("loan_id", "n", "principal_fen", "interest_fen", "paid", "settled_on")
    )
    return {
        (loan, n): 0 if settled else principal + interest - (paid or 0)
        for loan, n, principal, interest, paid, settled in rows
        if (loan, n) in wanted
    }
