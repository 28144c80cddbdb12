"""What several endpoints of the API share: ids in paths, paging, the masked borrower, a loan's position and its
holds, money out as yuan strings (Issue 16, item 4).

* An id in a path is a positive 64-bit integer (`Id`): text that is not one (`abc`, `²`, 10**30) is refused
  with 422 by the schema, before any query, so it can never overflow a database column.
* A borrower's personal data is shown as every page shows it (`compliance.masking.masked`): masked, whatever the
  caller's role. The API has no unmasking: that stays on the web page, with its reason and its audit event.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Path, Schema

from arrears.compliance.masking import masked
from arrears.finance import format_money, from_fen
from arrears.finance.account import AccountPosition
from arrears.portfolio.models import Borrower, Hold

MAX_ID = 2**63 - 1
MAX_LIMIT = 500

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a positive whole number")]


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"at most this many items (1–{MAX_LIMIT})")
    offset: int = Field(0, ge=0, le=10**9, description="skip this many items first")


def yuan(fen: int) -> str:
    return format_money(from_fen(fen))


class BorrowerOut(Schema):
    id: int
    customer: str = Field(description="the bank's customer number")
    name: str = Field(description="masked, e.g. 王*")


def borrower_out(borrower: Borrower) -> dict:
    return {"id": borrower.pk, "customer": borrower.external_id, "name": masked("name", borrower.name)}


class PositionOut(Schema):
    """Where a loan stands on `as_of` by the finance core's replay (`finance.account.AccountPosition`)."""

    as_of: date
    dpd: int
    overdue_principal: str
    overdue_interest: str
    penalty_interest: str
    compound_interest: str
    overdue_total: str = Field(description="principal + interest + penalty + compound overdue, yuan")
    outstanding_principal: str
    waived: str = Field(description="penalty and compound interest settled by waivers")


def position_out(position: AccountPosition) -> dict:
    money = (
        "overdue_principal",
        "overdue_interest",
        "penalty_interest",
        "compound_interest",
        "overdue_total",
        "outstanding_principal",
        "waived",
    )
    return {
        "as_of": position.as_of,
        "dpd": position.dpd,
        **{name: format_money(getattr(position, name)) for name in money},
    }


class HoldOut(Schema):
    id: int
    kind: str = Field(description="dispute | complaint | legal | deceased | fraud_claim | bankruptcy")
    loan: str | None = Field(description="the contract number it applies to, or null: the whole borrower")
    starts_on: date
    ends_on: date | None
    released_on: date | None
    in_force: bool = Field(description="in force on the business date")
    reason: str


def hold_out(hold: Hold, on: date) -> dict:
    return {
        "id": hold.pk,
        "kind": hold.kind,
        "loan": hold.loan.external_id if hold.loan_id else None,
        "starts_on": hold.starts_on,
        "ends_on": hold.ends_on,
        "released_on": hold.released_on,
        "in_force": hold.in_force_on(on),
        "reason": hold.reason,
    }
