"""The portfolio's endpoints (Issue 16, item 4): borrowers and loans as their pages show them, and placing and
lifting holds (Clause: PRV-1, TEAM-3, AUTH-4).

* What a caller sees is `collection.queries.visible_borrowers` / `visible_loans`, the pages' rule: a borrower or
  loan outside it is 404, like one that does not exist; lists leave it out.
* Personal data is masked exactly as the pages show it (`portfolio.queries.shown_fields`, `compliance.masking`):
  ID number last 4, phones first 3 and last 4, the name's surname, address/employer/email hidden — for every
  role. Unmasking stays on the web page, where the reason is asked and the reveal audited.
* A loan's position and schedule are the finance core's replay on the business date (`loan_position`,
  `schedule_rows`), as the loan page shows them.
* Holds go through `portfolio.actions.do_place_hold` / `do_extend_hold` / `do_lift_hold`
  (`portfolio.manage_holds`, a reason, audited), as on the borrower and case pages; the permission is checked
  before the lookup, so a refused caller learns nothing. A refusal of the action is 422; lifting or extending a
  hold already lifted is 409.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS, WRITE_REFUSALS
from arrears.api.schemas import BorrowerOut, HoldOut, Id, Page, PositionOut, hold_out, position_out, yuan
from arrears.collection.queries import open_case_id, visible_borrowers, visible_cases, visible_loans
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.finance import format_money
from arrears.portfolio import queries
from arrears.portfolio.actions import PortfolioError, do_extend_hold, do_lift_hold, do_place_hold
from arrears.portfolio.models import Borrower, Hold, HoldKind, Loan
from arrears.portfolio.views_holds import business_day

__all__ = ["router"]

router = Router(tags=["portfolio"])

PERSONAL = ("name", "id_number", "mobile", "phone_alt", "email", "address", "employer")


# -- schemas ----------------------------------------------------------------------------------------------


class PersonalOut(Schema):
    """A borrower's personal data as the page shows it: masked (PRV-1)."""

    name: str
    id_number: str = Field(description="masked: the last 4, e.g. **************123X")
    mobile: str = Field(description="masked: first 3 and last 4, e.g. 170****0001")
    phone_alt: str
    email: str = Field(description='hidden: "●●●" when there is one')
    address: str
    employer: str


class BorrowerRow(Schema):
    id: int
    customer: str
    personal: PersonalOut
    risk_level: str
    loan_count: int
    max_dpd: int = Field(description="the highest DPD of the active loans, by the nightly run")
    overdue_total: str = Field(description="the active loans' overdue total, yuan")
    case_id: int | None = Field(description="the open case, when the caller may open it")


class BorrowerList(Schema):
    items: list[BorrowerRow]
    count: int


class BorrowerFilter(Page):
    q: str = Field("", max_length=40, description="customer or contract number prefix")


class ContactOut(Schema):
    id: int
    name: str = Field(description="masked")
    relation: str
    phone: str = Field(description="masked")


class LoanRow(Schema):
    id: int
    contract: str
    product: str
    status: str


class BorrowerDetail(BorrowerRow):
    language: str
    consent_sms: bool
    consent_email: bool
    consent_phone: bool
    contacts: list[ContactOut]
    loans: list[LoanRow]
    holds: list[HoldOut]


class ScheduleOut(Schema):
    n: int
    due_on: date
    principal: str
    interest: str
    status: str = Field(description="paid | part_paid | overdue | due_today | not_due")
    late: bool = Field(description="due before the as-of date with something still owed")
    still_due: str


class LoanDetail(LoanRow):
    borrower: BorrowerOut
    case_id: int | None
    principal: str
    annual_rate: str
    term_months: int
    method: str
    start_date: date
    position: PositionOut
    schedule: list[ScheduleOut]
    holds: list[HoldOut]


class HoldIn(Schema):
    kind: str = Field(max_length=20, description=" | ".join(HoldKind.values))
    loan: str | None = Field(None, max_length=32, description="a contract number of the borrower's; null: all")
    starts_on: date | None = Field(None, description="default: the business date")
    ends_on: date | None = Field(None, description="null: until lifted")
    reason: str = Field(max_length=1000, description="why: at least 4 characters, recorded with the action")


class LiftIn(Schema):
    reason: str = Field(max_length=1000, description="why: at least 4 characters, recorded with the action")


class ExtendIn(Schema):
    until: date = Field(description="the new last day: later than the current end, not before the business date")
    reason: str = Field(max_length=1000, description="why: at least 4 characters, recorded with the action")


# -- borrowers --------------------------------------------------------------------------------------------


def _personal(borrower: Borrower) -> dict:
    shown = queries.shown_fields(borrower)
    return {name: shown[name].value if name in shown else "" for name in PERSONAL}


def _row(borrower: Borrower) -> dict:
    return {
        "id": borrower.pk,
        "customer": borrower.external_id,
        "personal": _personal(borrower),
        "risk_level": borrower.risk_level,
        "loan_count": borrower.loan_count,
        "max_dpd": borrower.max_dpd,
        "overdue_total": yuan(borrower.overdue_total_fen),
        "case_id": borrower.case_id,
    }


@router.get("/borrowers", response={200: BorrowerList, **REFUSALS})
def list_borrowers(request: HttpRequest, page: Query[BorrowerFilter]):
    """The borrowers the caller may see, by customer number, with the list page's figures and personal data
    masked (Clause: PRV-1, TEAM-3); `q` narrows by customer or contract number prefix. Needs `portfolio.view`."""
    require(request.user, Perm.VIEW_PORTFOLIO)
    found = queries.borrowers(page.q, within=visible_borrowers(request.user), cases=visible_cases(request.user))
    count = found.count()
    return {"items": [_row(b) for b in found[page.offset : page.offset + page.limit]], "count": count}


@router.get("/borrowers/{borrower_id}", response={200: BorrowerDetail, **REFUSALS})
def get_borrower(request: HttpRequest, borrower_id: Id):
    """One borrower as their page shows them: personal data masked, contacts masked, loans, holds (Clause:
    PRV-1, TEAM-3). Needs `portfolio.view`; a borrower outside the caller's reach is 404."""
    require(request.user, Perm.VIEW_PORTFOLIO)
    within = queries.listed(visible_borrowers(request.user), visible_cases(request.user)).filter(pk=borrower_id)
    customer = within.values_list("external_id", flat=True).first()
    if customer is None:
        raise HttpError(404, _("No such borrower"))
    borrower = queries.borrower_detail(customer, within=within)
    on = business_day()
    return {
        **_row(borrower),
        "language": borrower.language,
        "consent_sms": borrower.consent_sms,
        "consent_email": borrower.consent_email,
        "consent_phone": borrower.consent_phone,
        "contacts": [
            {"id": c.pk, "name": masked("name", c.name), "relation": c.relation, "phone": masked("phone", c.phone)}
            for c in borrower.contacts.all()
        ],
        "loans": [_loan_row(loan) for loan in borrower.loans.all()],
        "holds": [hold_out(hold, on) for hold in borrower.holds.all()],
    }


# -- loans ------------------------------------------------------------------------------------------------


def _loan_row(loan: Loan) -> dict:
    return {"id": loan.pk, "contract": loan.external_id, "product": loan.product, "status": loan.status}


@router.get("/loans/{loan_id}", response={200: LoanDetail, **REFUSALS})
def get_loan(request: HttpRequest, loan_id: Id):
    """One loan as its page shows it: the terms, the position and each instalment's status on the business
    date by the finance core's replay, and its holds (Clause: TEAM-3). Needs `portfolio.view`; a loan outside
    the caller's reach is 404."""
    require(request.user, Perm.VIEW_PORTFOLIO)
    within = visible_loans(request.user).filter(pk=loan_id)
    contract = within.values_list("external_id", flat=True).first()
    if contract is None:
        raise HttpError(404, _("No such loan"))
    loan = queries.loan_detail(contract, within=within)
    as_of = business_day()
    position = queries.loan_position(loan, as_of)
    borrower = loan.borrower
    return {
        **_loan_row(loan),
        "borrower": {"id": borrower.pk, "customer": borrower.external_id, "name": masked("name", borrower.name)},
        "case_id": open_case_id(request.user, loan.borrower_id),
        "principal": yuan(loan.principal_fen),
        "annual_rate": format(loan.annual_rate, "f"),
        "term_months": loan.term_months,
        "method": loan.method,
        "start_date": loan.start_date,
        "position": position_out(position),
        "schedule": [
            {
                "n": row.instalment.n,
                "due_on": row.instalment.due_date,
                "principal": yuan(row.instalment.principal_fen),
                "interest": yuan(row.instalment.interest_fen),
                "status": row.status,
                "late": row.late,
                "still_due": format_money(row.still_due),
            }
            for row in queries.schedule_rows(loan, position)
        ],
        "holds": [hold_out(hold, as_of) for hold in loan.holds.all()],
    }


# -- holds ------------------------------------------------------------------------------------------------


@router.post("/borrowers/{borrower_id}/holds", response={201: HoldOut, **WRITE_REFUSALS}, tags=["holds"])
def place_hold(request: HttpRequest, borrower_id: Id, payload: HoldIn):
    """Place a hold on the borrower, or on one of their loans (`loan`): no reminder or collection contact while
    it is in force (Clause: REM-1, AUTH-4). Needs `portfolio.manage_holds`; 422 with the reason for an unknown
    kind, a period that ends before it starts, a loan not the borrower's, or a reason under 4 characters."""
    require(request.user, Perm.MANAGE_HOLDS)  # before the lookup: a refused caller learns nothing
    borrower = visible_borrowers(request.user).filter(pk=borrower_id).first()
    if borrower is None:
        raise HttpError(404, _("No such borrower"))
    loan = None
    if payload.loan:
        loan = Loan.objects.filter(borrower=borrower, external_id=payload.loan).first()
        if loan is None:
            raise PortfolioError(
                _("Loan %(loan)s is not one of borrower %(borrower)s's loans.")
                % {"loan": payload.loan, "borrower": borrower.external_id}
            )
    hold = do_place_hold(
        borrower,
        payload.kind,
        starts_on=payload.starts_on or business_day(),
        ends_on=payload.ends_on,
        loan=loan,
        actor=request.user,
        reason=payload.reason,
    )
    return Status(201, hold_out(hold, business_day()))


@router.post("/holds/{hold_id}/lift", response={200: HoldOut, **WRITE_REFUSALS}, tags=["holds"])
def lift_hold(request: HttpRequest, hold_id: Id, payload: LiftIn):
    """Lift a hold on the business date, saying why (Clause: AUTH-4). Needs `portfolio.manage_holds`; 409 when
    it was already lifted; 422 without a reason."""
    require(request.user, Perm.MANAGE_HOLDS)
    hold = Hold.objects.select_related("loan").filter(pk=hold_id, borrower__in=visible_borrowers(request.user)).first()
    if hold is None:
        raise HttpError(404, _("No such hold"))
    if hold.released_on is not None:
        raise HttpError(409, _("this hold was already released"))
    try:
        hold = do_lift_hold(hold, on=business_day(), actor=request.user, reason=payload.reason)
    except PortfolioError as exc:
        if Hold.objects.filter(pk=hold.pk, released_on__isnull=False).exists():
            raise HttpError(409, str(exc)) from exc
        raise
    return hold_out(hold, business_day())


@router.post("/holds/{hold_id}/extend", response={200: HoldOut, **WRITE_REFUSALS}, tags=["holds"])
def extend_hold(request: HttpRequest, hold_id: Id, payload: ExtendIn):
    """Move a hold's end later, saying why (Clause: AUTH-4); the event records the old and the new end. Needs
    `portfolio.manage_holds`; 409 when it was already lifted; 422 for an end in the past, one not later than the
    current end, a hold without an end, or a reason under 4 characters."""
    require(request.user, Perm.MANAGE_HOLDS)
    hold = Hold.objects.select_related("loan").filter(pk=hold_id, borrower__in=visible_borrowers(request.user)).first()
    if hold is None:
        raise HttpError(404, _("No such hold"))
    if hold.released_on is not None:
        raise HttpError(409, _("this hold was already released"))
    hold = do_extend_hold(hold, until=payload.until, on=business_day(), actor=request.user, reason=payload.reason)
    return hold_out(hold, business_day())
