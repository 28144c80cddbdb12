"""Reads for arrangements: what a plan would cover and cost (PLAN-1..3), the facts a waiver is judged on
(WVR-1, WVR-2), and the approval queue (AUTH-2).

How this works
--------------
* `case_debt` replays each of the borrower's active loans with the finance core on the business date
  (payments and posted waivers included) and keeps the overdue ones: the plan covers their overdue principal
  and interest, plus the accrued penalty and compound interest where `plan.include_penalty` says so.
* `quote` turns the borrower's income, expenses and debts into the affordable monthly payment and one option
  per instalment count (`arrears.finance.plan`), each with its due dates (`arrears.finance.schedule.due_dates`
  from the business date, rolled to working days where the policy rolls due dates). PLAN-2 is judged on what
  the borrower must pay each month: the plan's instalment plus the covered loans' own instalments falling due
  in that plan month (`own_instalments`: the same sums the nightly run adds to each plan instalment, PLAN-4).
  An option that does not fit says so in figures ("month 2: plan 2,000.00 + own instalments 1,023.72 =
  3,023.72 > 3,000.00 allowed"); when none fits, the quote says why: "income 5,000.00 allows 1,500.00 a month;
  20,000.00 needs 14 months; the policy allows at most 6".
* `waiver_facts` reads the three WVR-1 facts from what is recorded — the loan's DPD today (the replay), whether
  the borrower had a delinquency that ended before this one, on any of their loans (`earlier_delinquency`:
  the nightly run's records and the history the feed carries from before go-live), and a call the borrower
  made to the bank during this delinquency — and the WVR-2 cap: the policy's share of the
  penalty and compound interest accrued on the loan, less what was already waived, rounded down to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.arrangements.models import DOCUMENTS, LIVE_PLAN_STATUSES, Plan, PlanStatus, Waiver, WaiverStatus
from arrears.collection.models import Call, CallParty, CollectionCase
from arrears.finance import format_money, from_fen
from arrears.finance.account import AccountPosition
from arrears.finance.money import ZERO, calc_context, money
from arrears.finance.plan import PlanMonth, PlanOption, max_monthly_payment, plan_options
from arrears.finance.schedule import due_dates
from arrears.finance.waiver import WaiverLimit, waiver_limit
from arrears.portfolio.models import DelinquencyRecord, Loan, LoanStatus
from arrears.portfolio.posting import active_in_order, loan_account, with_accounts
from arrears.rules.queries import calendar, policy_on

__all__ = [
    "CaseDebt",
    "EarlierDelinquency",
    "LoanDebt",
    "Quote",
    "QuotedOption",
    "WaiverFacts",
    "case_debt",
    "earlier_delinquency",
    "pending_plans",
    "pending_waivers",
    "quote",
    "waiver_facts",
]

PENALTY_COMPONENTS = ("penalty_interest", "compound_interest")


@dataclass(frozen=True)
class LoanDebt:
    loan: Loan
    position: AccountPosition

    @property
    def overdue(self) -> Decimal:
        return self.position.overdue_principal + self.position.overdue_interest

    @property
    def penalty(self) -> Decimal:
        return self.position.penalty_interest + self.position.compound_interest


@dataclass(frozen=True)
class CaseDebt:
    """The overdue loans of a case's borrower on `as_of`, and what a plan covers."""

    as_of: date
    loans: tuple[LoanDebt, ...]
    includes_penalty: bool

    @property
    def amount(self) -> Decimal:
        total = sum((d.overdue for d in self.loans), ZERO)
        if self.includes_penalty:
            total += sum((d.penalty for d in self.loans), ZERO)
        return total

    @property
    def contracts(self) -> str:
        return "、".join(d.loan.external_id for d in self.loans)


def _loanswith_accounts(borrower_id: int) -> QuerySet[Loan]:
    return with_accounts(Loan.objects.filter(borrower_id=borrower_id, status=LoanStatus.ACTIVE)).order_by(
        "start_date", "external_id"
    )


def case_debt(case: CollectionCase, as_of: date, policy=None, loans: Iterable[Loan] | None = None) -> CaseDebt:
    """What the case's borrower owes on `as_of` on their overdue loans (Clause: PLAN-1). `loans`: the borrower's
    loans already loaded with their schedules, payments and posted waivers (`posting.with_accounts`), if any."""
    policy = policy or policy_on(as_of)
    debts = []
    for loan in _loanswith_accounts(case.borrower_id) if loans is None else active_in_order(loans):
        position = loan_account(loan, as_of, policy)
        if position.dpd > 0:
            debts.append(LoanDebt(loan, position))
    return CaseDebt(as_of, tuple(debts), bool(policy.plan.include_penalty))


@dataclass(frozen=True)
class QuotedOption:
    option: PlanOption
    due_dates: tuple[date, ...]

    @property
    def schedule(self) -> list[tuple[int, date, Decimal]]:
        return [
            (n, day, amount)
            for n, (day, amount) in enumerate(zip(self.due_dates, self.option.payments, strict=False), 1)
        ]

    @property
    def months(self) -> list[tuple[PlanMonth, date]]:
        """Each plan month's figures (PLAN-2) with the plan instalment's due date."""
        return list(zip(self.option.months, self.due_dates, strict=False))

    @property
    def most_in_a_month(self) -> Decimal | None:
        """The largest monthly total of this option: plan instalment plus own instalments (PLAN-2)."""
        return max((m.total for m in self.option.months), default=None)

    @property
    def reason(self) -> str:
        """Why this option does not fit, in figures and in the user's language (empty when it does)."""
        option = self.option
        if option.feasible:
            return ""
        month = option.first_unaffordable
        if month is None:
            return _("The amount is too small to split into %(n)s fixed instalments.") % {"n": option.instalments}
        return month_text(month)


def month_text(month: PlanMonth) -> str:
    """Clause: PLAN-2 — one plan month that costs more than the borrower can afford, in figures."""
    figures = {
        "month": month.month,
        "plan": format_money(month.plan, grouping=True),
        "own": format_money(month.own, grouping=True),
        "total": format_money(month.total, grouping=True),
        "cap": format_money(month.allowed, grouping=True),
    }
    if month.own:
        return _("month %(month)s: plan %(plan)s + own instalments %(own)s = %(total)s > %(cap)s allowed") % figures
    return _("month %(month)s: plan %(plan)s > %(cap)s allowed") % figures


@dataclass(frozen=True)
class Quote:
    """The plan options for a case on `as_of` (Clause: PLAN-1, PLAN-2, PLAN-3)."""

    as_of: date
    debt: CaseDebt
    income: Decimal
    expenses: Decimal
    debts: Decimal
    max_payment: Decimal
    options: tuple[QuotedOption, ...]
    min_instalments: int
    max_instalments: int
    income_share: Decimal
    own_instalments: tuple[Decimal, ...] = ()  # per plan month: the covered loans' own instalments falling due

    @property
    def amount(self) -> Decimal:
        return self.debt.amount

    @property
    def own_by_month(self) -> list[tuple[int, Decimal]]:
        return list(enumerate(self.own_instalments, 1))

    @property
    def feasible(self) -> tuple[QuotedOption, ...]:
        return tuple(o for o in self.options if o.option.feasible)

    def option(self, instalments: int) -> QuotedOption | None:
        return next((o for o in self.options if o.option.instalments == instalments), None)

    @property
    def reason(self) -> str:
        """Why no option fits, in figures (empty when one does)."""
        if self.feasible:
            return ""
        if self.amount <= 0:
            return _("Nothing is overdue on %(day)s; there is nothing for a plan to cover.") % {
                "day": self.as_of.isoformat()
            }
        if self.max_payment <= 0:
            return _(
                "Income %(income)s less expenses %(expenses)s and debts %(debts)s leaves nothing a month for a plan."
            ) % {
                "income": format_money(self.income, grouping=True),
                "expenses": format_money(self.expenses, grouping=True),
                "debts": format_money(self.debts, grouping=True),
            }
        with calc_context():
            months = int((self.amount / self.max_payment).to_integral_value(rounding="ROUND_CEILING"))
        longest = self.options[-1].option if self.options else None
        if months <= self.max_instalments and longest is not None and longest.first_unaffordable is not None:
            # The plan alone would fit: the loans' own instalments falling due meanwhile do not leave room (PLAN-2).
            return _("Even over %(n)s instalments the borrower cannot pay every month: %(month)s.") % {
                "n": longest.instalments,
                "month": month_text(longest.first_unaffordable),
            }
        return _(
            "Income %(income)s allows %(cap)s a month; %(amount)s needs %(months)s months; the policy allows at "
            "most %(max)s."
        ) % {
            "income": format_money(self.income, grouping=True),
            "cap": format_money(self.max_payment, grouping=True),
            "amount": format_money(self.amount, grouping=True),
            "months": months,
            "max": self.max_instalments,
        }


def plan_due_dates(start: date, instalments: int, policy) -> tuple[date, ...]:
    """The plan's monthly due dates after `start`, from the finance core (rolled where the policy rolls)."""
    rolls = bool(policy.schedule.roll_non_working_due_date)
    return due_dates(start, instalments, calendar().is_working_day if rolls else None)


def own_instalments(debt: CaseDebt, start: date, due_on: tuple[date, ...]) -> tuple[Decimal, ...]:
    """Per plan month, the covered loans' own scheduled instalments (principal + interest) falling due in it:
    from the plan's `start` through its first due date, then after each due date through the next (Clause:
    PLAN-2). The nightly run adds exactly these to what must be paid by each plan instalment (PLAN-4)."""
    dues = [(i.due_date, i.principal_fen + i.interest_fen) for d in debt.loans for i in d.loan.instalments.all()]
    sums = []
    after = None
    for day in due_on:
        fen = sum(amount for due, amount in dues if (due >= start if after is None else due > after) and due <= day)
        sums.append(from_fen(fen))
        after = day
    return tuple(sums)


def quote(
    case: CollectionCase, *, income: Any, expenses: Any, debts: Any, as_of: date, debt: CaseDebt | None = None
) -> Quote:
    """The options of a plan for this case on `as_of` (Clause: PLAN-1, PLAN-2, PLAN-3): each judged month by
    month on its instalment plus the covered loans' own instalments falling due that month. Raises
    `FinanceError` for a negative or malformed figure."""
    policy = policy_on(as_of)
    debt = debt or case_debt(case, as_of, policy)
    plan = policy.plan
    own = own_instalments(debt, as_of, plan_due_dates(as_of, plan.max_instalments, policy))
    if debt.amount > 0:
        found = plan_options(
            income=income,
            expenses=expenses,
            debts=debts,
            amount=debt.amount,
            income_share=plan.income_share,
            min_instalments=plan.min_instalments,
            max_instalments=plan.max_instalments,
            own_instalments=own,
        )
        cap, options = found.max_monthly_payment, found.options
    else:
        cap = max_monthly_payment(income=income, expenses=expenses, debts=debts, income_share=plan.income_share)
        options = ()
    quoted = tuple(QuotedOption(o, plan_due_dates(as_of, o.instalments, policy)) for o in options)
    return Quote(
        as_of=as_of,
        debt=debt,
        income=money(income, name="income"),
        expenses=money(expenses, name="expenses"),
        debts=money(debts, name="debts"),
        max_payment=cap,
        options=quoted,
        min_instalments=plan.min_instalments,
        max_instalments=plan.max_instalments,
        income_share=plan.income_share,
        own_instalments=own,
    )


# -- waivers ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaiverFacts:
    """What WVR-1 and WVR-2 are judged on for one loan on `as_of`, all from recorded data."""

    as_of: date
    loan: Loan
    dpd: int
    first_delinquency: bool
    initiating_call: Call | None
    penalty_owed: Decimal
    penalty_accrued: Decimal
    already_waived: Decimal
    limit: WaiverLimit
    max_dpd: int
    earlier: EarlierDelinquency | None = None

    @property
    def first_delinquency_text(self) -> str:
        """The WVR-1 fact in words: the borrower's first delinquency, or which earlier one there was."""
        if self.earlier is None:
            return _("first delinquency of the borrower: none before on any of their loans")
        return _("not the borrower's first delinquency: %(earlier)s") % {"earlier": self.earlier.describe()}

    @property
    def max_waiver(self) -> Decimal:
        """The cap less what was waived before (never below zero)."""
        return max(self.limit.max_waiver - self.already_waived, ZERO)

    @property
    def eligible(self) -> bool:
        return self.limit.eligible and self.max_waiver > 0

    @property
    def reasons(self) -> list[str]:
        """Every condition that fails, with its clause, in the user's language (the pure finance core words
        them in English)."""
        reasons = [self._translated(reason) for reason in self.limit.reasons]
        if self.limit.eligible and self.max_waiver <= 0:
            reasons.append(
                _("WVR-2: %(waived)s was already waived, the most the policy allows on %(accrued)s accrued")
                % {
                    "waived": format_money(self.already_waived, grouping=True),
                    "accrued": format_money(self.penalty_accrued, grouping=True),
                }
            )
        return reasons

    def _translated(self, reason: str) -> str:
        if reason.startswith("WVR-1: DPD "):
            return _("WVR-1: DPD %(dpd)s exceeds %(max)s") % {"dpd": self.dpd, "max": self.max_dpd}
        if reason == "WVR-1: not the borrower's first delinquency" and self.earlier is not None:
            return _("WVR-1: not the borrower's first delinquency: %(earlier)s") % {"earlier": self.earlier.describe()}
        return str(FINANCE_REASONS.get(reason, reason))


# The finance core's reasons (`arrears.finance.waiver.waiver_limit`), for the translation catalogue.
FINANCE_REASONS = {
    "WVR-1: not the borrower's first delinquency": gettext_lazy("WVR-1: not the borrower's first delinquency"),
    "WVR-1: the borrower did not contact the bank on their own initiative": gettext_lazy(
        "WVR-1: the borrower did not contact the bank on their own initiative"
    ),
}


@dataclass(frozen=True)
class EarlierDelinquency:
    """A delinquency of the borrower that ended before the one judged (Clause: WVR-1): on which loan, from which
    recorded day and DPD, and when it ended — current again (`cured_on`) or the loan closed or written off."""

    loan: str  # contract number
    began_on: date
    dpd: int
    cured_on: date | None
    loan_status: str
    source: str  # "run" or "feed"

    def describe(self) -> str:
        """In the user's language, with the loan, the dates and the DPD."""
        figures = {"loan": self.loan, "day": self.began_on.isoformat(), "dpd": self.dpd}
        if self.cured_on is not None:
            return _("loan %(loan)s was delinquent on %(day)s (DPD %(dpd)s) and current again from %(cured)s") % {
                **figures,
                "cured": self.cured_on.isoformat(),
            }
        return _("loan %(loan)s was delinquent on %(day)s (DPD %(dpd)s) and has since been %(status)s") % {
            **figures,
            "status": LoanStatus(self.loan_status).label,
        }


def earlier_delinquency(borrower_id: int, episode_start: date) -> EarlierDelinquency | None:
    """The borrower's latest delinquency, on any of their loans, that ended by `episode_start` — the day the
    delinquency judged began — or None when this is their first (Clause: WVR-1).

    Read from every delinquency record of the borrower's loans, the nightly run's and the history the feed
    carries from before go-live alike. A loan's delinquency ended when a later record shows it current again;
    one on a loan since closed or written off (its last feed change by `episode_start`) ended too. A
    delinquency still running on `episode_start` (on this loan or another) is part of the present one, not an
    earlier one."""
    rows = (
        DelinquencyRecord.objects.filter(loan__borrower_id=borrower_id, business_date__lte=episode_start)
        .order_by("loan_id", "business_date", "source")
        .values_list(
            "loan_id",
            "loan__external_id",
            "loan__status",
            "loan__feed_date",
            "business_date",
            "dpd",
            "delinquency_class",
            "source",
        )
    )
    ended: list[EarlierDelinquency] = []
    by_loan: dict[int, list[tuple]] = {}
    for row in rows:
        by_loan.setdefault(row[0], []).append(row)
    for records in by_loan.values():
        _loan_id, contract, status, feed_date = records[0][:4]
        began = None
        for *_ignored, day, dpd, klass, source in records:
            if klass != "current":
                began = began or (day, dpd, source)
            elif began is not None:
                ended.append(EarlierDelinquency(contract, began[0], began[1], day, status, began[2]))
                began = None
        if began is not None and status != LoanStatus.ACTIVE and feed_date <= episode_start:
            ended.append(EarlierDelinquency(contract, began[0], began[1], None, status, began[2]))
    if not ended:
        return None
    return max(ended, key=lambda e: (e.cured_on or e.began_on, e.began_on, e.loan))


def borrower_call(borrower_id: int, since: date, through: date) -> Call | None:
    """The latest call the borrower made to the bank in (since, through] (Clause: WVR-1)."""
    return (
        Call.objects.filter(
            borrower_id=borrower_id, inbound=True, party=CallParty.BORROWER, called_on__gt=since, called_on__lte=through
        )
        .order_by("-called_at", "-pk")
        .first()
    )


def _penalty_settled(position: AccountPosition) -> Decimal:
    return sum((a.amount for p in position.payments for a in p.allocations if a.component in PENALTY_COMPONENTS), ZERO)


def waiver_facts(
    loan: Loan, as_of: date, policy=None, position: AccountPosition | None = None, seen: dict | None = None
) -> WaiverFacts:
    """The WVR-1 facts and the WVR-2 cap of `loan` (prefetched schedule, payments, waivers) on `as_of`;
    `position`: the loan's replay on `as_of` where the caller has it already; `seen`: a dict kept across the
    loans of one borrower, so that loans whose delinquency began the same day look up the borrower's earlier
    delinquency and call once."""
    policy = policy or policy_on(as_of)
    position = position or loan_account(loan, as_of, policy)
    owed = position.penalty_interest + position.compound_interest
    accrued = owed + _penalty_settled(position)  # what payments and waivers settled of it was accrued too
    waived = position.waived
    dpd = position.dpd
    episode_start = date.fromordinal(as_of.toordinal() - dpd) if dpd else as_of
    seen = {} if seen is None else seen
    key = (loan.borrower_id, episode_start, bool(dpd))
    if key not in seen:
        seen[key] = (
            earlier_delinquency(loan.borrower_id, episode_start),
            borrower_call(loan.borrower_id, episode_start, as_of) if dpd else None,
        )
    earlier, call = seen[key]
    first = earlier is None
    rules = policy.waiver
    limit = waiver_limit(
        penalty=accrued,
        dpd=dpd,
        first_delinquency=first or not rules.first_delinquency_only,
        self_initiated=call is not None or not rules.self_initiated_only,
        max_share=rules.max_share,
        max_dpd=rules.max_dpd,
    )
    if not dpd:
        limit = WaiverLimit(False, Decimal("0.00"), [_("the loan is not overdue on %(day)s") % {"day": as_of}])
    return WaiverFacts(as_of, loan, dpd, first, call, owed, accrued, waived, limit, rules.max_dpd, earlier)


def loan_with_account(loan_id: int) -> Loan:
    """One loan with what `loan_account` replays (schedule, payments, posted waivers) prefetched."""
    return with_accounts(Loan.objects.filter(pk=loan_id)).get()


# -- the approval queue ---------------------------------------------------------------------------------------


def pending_plans() -> QuerySet[Plan]:
    """Plans awaiting a supervisor's decision, oldest first (Clause: AUTH-2)."""
    return (
        Plan.objects.filter(status=PlanStatus.PROPOSED)
        .defer(*DOCUMENTS)
        .select_related("case", "borrower", "proposed_by")
        .prefetch_related("instalments")
        .order_by("proposed_at", "pk")
    )


def pending_waivers() -> QuerySet[Waiver]:
    """Waivers awaiting a supervisor's decision, oldest first (Clause: AUTH-2, WVR-1)."""
    return (
        Waiver.objects.filter(status=WaiverStatus.PROPOSED)
        .select_related("case", "borrower", "loan", "proposed_by", "initiating_call")
        .order_by("proposed_at", "pk")
    )


def live_plan(case: CollectionCase) -> Plan | None:
    """The case's plan awaiting a decision, a signature, or in force (at most one: a database constraint)."""
    return (
        Plan.objects.filter(case=case, status__in=LIVE_PLAN_STATUSES)
        .defer(*DOCUMENTS)
        .prefetch_related("instalments")
        .first()
    )
