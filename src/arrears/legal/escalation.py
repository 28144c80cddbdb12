"""The facts of a case as the late stage's policy names them (Clause: LGL-1, LGL-2, CLS-2).

How this works
--------------
For a collection case on a business date:

* `dpd` and `overdue` come from the finance core's replay of the borrower's active loans on that date (the
  case page's loan breakdown: `portfolio.posting.loan_account`, the same replay the arrangements use): the
  highest DPD of the loans in arrears, and the sum over them of overdue principal, interest, penalty and
  compound interest, each rounded to the fen as the replay posts it.
* `failed_attempts`, `refused` and `days_since_reached` read the calls with the borrower (not with a contact
  person) up to that date exactly as the nightly run's legal review (`engine.work._legal_reviews`) reads them:
  a failed attempt is a call by the bank (not the borrower's inbound call, CLS-2) with a failed outcome made on
  or after the day the case (re)opened; a refusal is a call with the outcome "refused" in this case; the
  contact is lost since the later of the last day the borrower was reached and the day the case opened.
* `eligible` (LGL-1): DPD at least `legal.min_dpd` and (at least `legal.min_failed_attempts` failed attempts,
  or a refusal, or contact lost for more than `legal.lost_contact_days`). `route` (LGL-2): litigation when the
  overdue amount is over `legal.litigation_min_amount`, else an agency; none when not eligible.
* `severe` (CLS-2): DPD above `classes.moderate_max_dpd`; a severe case goes to legal action or a third party
  even before LGL-1's grounds are met (the nightly run's `severe_review`).

`facts_for(cases, on)` reads any number of cases in a fixed number of queries (the queue and its export);
`facts_of(case, on)` one case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import Call, CallParty, CollectionCase
from arrears.engine.schema import FAILED_OUTCOMES, REACHED_OUTCOMES
from arrears.finance import format_money, from_fen, to_fen
from arrears.legal.models import Route
from arrears.portfolio.models import Loan, LoanStatus
from arrears.portfolio.posting import active_in_order, loan_account, with_accounts
from arrears.rules.queries import policy_on

__all__ = ["GROUNDS", "Facts", "facts_for", "facts_of", "grounds_words", "route_words"]

# LGL-1's grounds, in the order the nightly run names the first that holds (`engine.work`: its task's reason).
GROUNDS = ("failed_attempts", "refused", "lost_contact")
# The grounds and LGL-2's routes in words.
GROUND_WORDS = {
    "failed_attempts": _("repeated collection attempts failed"),
    "refused": _("the borrower refused to pay"),
    "lost_contact": _("contact lost"),
}
ROUTE_WORDS = {"litigation": _("litigation"), "agency": _("an agency")}


@dataclass(frozen=True)
class Facts:
    """What the policy names about a case on `as_of` (Clause: LGL-1, LGL-2). Amounts in fen."""

    case_id: int
    as_of: date
    dpd: int
    failed_attempts: int
    refused: bool
    last_reached: date | None
    days_since_reached: int
    principal_fen: int
    interest_fen: int
    penalty_fen: int
    compound_fen: int
    grounds: tuple[str, ...]  # those of GROUNDS that hold, DPD aside
    eligible: bool
    severe: bool
    route: str | None
    threshold_fen: int  # legal.litigation_min_amount in fen
    min_dpd: int
    min_failed_attempts: int
    lost_contact_days: int
    severe_above: int  # classes.moderate_max_dpd
    contracts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def overdue_fen(self) -> int:
        return self.principal_fen + self.interest_fen + self.penalty_fen + self.compound_fen

    @property
    def overdue(self) -> str:
        """Yuan as a string to the fen, e.g. "50000.01"."""
        return format_money(from_fen(self.overdue_fen))

    @property
    def qualifies(self) -> bool:
        """The case is for the late stage: LGL-1's grounds are met, or it is severe (CLS-2)."""
        return self.eligible or self.severe

    @property
    def clauses(self) -> list[str]:
        """The clauses these facts answer: LGL-1 always (eligibility); LGL-2 with a route; CLS-2 for a severe
        case without LGL-1's grounds (it still goes to a third party or a decision)."""
        if self.eligible:
            return ["LGL-1", "LGL-2"]
        return ["LGL-1", "CLS-2"] if self.severe else ["LGL-1"]

    def as_json(self) -> dict:
        """The API's answer (`GET /api/v1/cases/{id}/escalation`)."""
        return {
            "dpd": self.dpd,
            "failed_attempts": self.failed_attempts,
            "refused": self.refused,
            "days_since_reached": self.days_since_reached,
            "overdue": self.overdue,
            "eligible": self.eligible,
            "route": self.route,
            "clauses": self.clauses,
        }

    def as_recorded(self) -> dict:
        """As a decision stores them (`EscalationDecision.facts`): the API's answer, the fen and the date."""
        return {**self.as_json(), "overdue_fen": self.overdue_fen, "as_of": self.as_of.isoformat()}


@dataclass
class _Calls:
    failed: int = 0
    refused: bool = False
    last_reached: date | None = None


def _tally(calls: Iterable[tuple[date, str, bool]], opened_on: date) -> _Calls:
    """The nightly run's tally of one borrower's calls (`engine.work._legal_reviews`), for a case opened on
    `opened_on`: failed attempts and refusals in the case, the last day anyone reached the borrower."""
    found = _Calls()
    for called_on, outcome, inbound in calls:
        in_case = called_on >= opened_on
        # CLS-2: the borrower calling the bank (inbound) is not a collection attempt, failed or not.
        if in_case and outcome in FAILED_OUTCOMES and not inbound:
            found.failed += 1
        if in_case and outcome == "refused":
            found.refused = True
        if outcome in REACHED_OUTCOMES and (found.last_reached is None or called_on > found.last_reached):
            found.last_reached = called_on
    return found


def facts_for(cases: Iterable[CollectionCase], on: date, loans: Iterable[Loan] | None = None) -> dict[int, Facts]:
    """Each case's facts on `on`, by case id (Clause: LGL-1, LGL-2). Five queries whatever the number of cases:
    the calls, and the active loans with their schedules, payments and posted waivers (one, when `loans` gives
    the cases' borrowers' loans already loaded with them)."""
    cases = list(cases)
    if not cases:
        return {}
    policy = policy_on(on)
    legal = policy.legal
    borrowers = {case.borrower_id for case in cases}
    calls: dict[int, list[tuple[date, str, bool]]] = defaultdict(list)
    rows = Call.objects.filter(borrower_id__in=borrowers, party=CallParty.BORROWER, called_on__lte=on).values_list(
        "borrower_id", "called_on", "outcome", "inbound"
    )
    for borrower_id, called_on, outcome, inbound in rows:
        calls[borrower_id].append((called_on, outcome, inbound))
    positions: dict[int, list] = defaultdict(list)
    if loans is None:
        loans = with_accounts(Loan.objects.filter(borrower_id__in=borrowers, status=LoanStatus.ACTIVE)).order_by(
            "start_date", "external_id"
        )
    else:
        loans = [loan for loan in active_in_order(loans) if loan.borrower_id in borrowers]
    for loan in loans:
        position = loan_account(loan, on, policy)
        if position.dpd > 0:
            positions[loan.borrower_id].append((loan.external_id, position))
    threshold = to_fen(legal.litigation_min_amount)
    found = {}
    for case in cases:
        tally = _tally(calls[case.borrower_id], case.opened_on)
        since = max(tally.last_reached, case.opened_on) if tally.last_reached else case.opened_on
        days = (on - since).days
        held = positions[case.borrower_id]
        dpd = max((p.dpd for _c, p in held), default=0)
        amounts = [
            sum(to_fen(getattr(p, name)) for _c, p in held)
            for name in ("overdue_principal", "overdue_interest", "penalty_interest", "compound_interest")
        ]
        grounds = tuple(
            name
            for name, holds in zip(
                GROUNDS,
                (tally.failed >= legal.min_failed_attempts, tally.refused, days > legal.lost_contact_days),
                strict=True,
            )
            if holds
        )
        eligible = dpd >= legal.min_dpd and bool(grounds)
        route = None
        if eligible:
            route = Route.LITIGATION.value if sum(amounts) > threshold else Route.AGENCY.value
        found[case.pk] = Facts(
            case_id=case.pk,
            as_of=on,
            dpd=dpd,
            failed_attempts=tally.failed,
            refused=tally.refused,
            last_reached=tally.last_reached,
            days_since_reached=days,
            principal_fen=amounts[0],
            interest_fen=amounts[1],
            penalty_fen=amounts[2],
            compound_fen=amounts[3],
            grounds=grounds,
            eligible=eligible,
            severe=dpd > policy.classes.moderate_max_dpd,
            route=route,
            threshold_fen=threshold,
            min_dpd=legal.min_dpd,
            min_failed_attempts=legal.min_failed_attempts,
            lost_contact_days=legal.lost_contact_days,
            severe_above=policy.classes.moderate_max_dpd,
            contracts=tuple(c for c, _p in held),
        )
    return found


def route_words(route: str | None) -> str:
    """The route the policy proposes (LGL-2) in words; none when the case is not eligible."""
    return str(ROUTE_WORDS[route]) if route in ROUTE_WORDS else str(_("none (not eligible)"))


def grounds_words(facts: Facts) -> str:
    """LGL-1's grounds that hold, in words, or a dash."""
    comma = "、" if (get_language() or "").startswith("zh") else ", "
    return comma.join(str(GROUND_WORDS[g]) for g in facts.grounds) or "—"


def facts_of(case: CollectionCase, on: date, loans: Iterable[Loan] | None = None) -> Facts:
    """One case's facts on `on` (Clause: LGL-1, LGL-2); `loans` as `facts_for`."""
    return facts_for([case], on, loans)[case.pk]
