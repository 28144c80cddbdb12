"""`GET /api/v1/agencies/{code}/commissions?month=YYYY-MM`: an agency's commission statement for a month, the
statement page's rows as JSON (Clause: LGL-2, KPI-2, PRV-1). Who sees what is `commissions.reach_for`: supervisors
every agency with the borrowers masked, readers of reports figures only (`borrower` null, `contracts` empty), an
agency's own users their agency only (any other code: 404). A month not written YYYY-MM: 422."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from arrears.agencies.commissions import BadMonth, Month, reach_for, statement
from arrears.api.errors import REFUSALS
from arrears.finance import format_money, from_fen
from arrears.portfolio.queries import business_date

__all__ = ["router"]

router = Router(tags=["agencies"])


class CommissionRowOut(Schema):
    placement: int
    placement_ref: str = Field(description="PLC-<day placed>-<id>, as the mandate and the statements name it")
    case: int
    borrower: str | None = Field(description="the masked name; null where the caller may not see borrowers")
    contracts: list[str] = Field(description="the borrower's contract numbers; empty where not shown")
    first_day: date
    last_day: date
    days: int
    recovered: str = Field(description="yuan, to the fen: applied to what the borrower owed (no overpayment)")
    recovered_fen: int
    commission_percent: str = Field(description="the placement's rate, e.g. 12.50 for 12.50%")
    commission: str = Field(description="yuan: recovered × rate ÷ 100, half-up to the fen")
    commission_fen: int


class CommissionStatementOut(Schema):
    agency: str
    month: str
    as_of: date = Field(description="the business date the figures are read on")
    provisional: bool = Field(description="the month is not over on as_of: more may be recovered")
    items: list[CommissionRowOut]
    count: int
    total_recovered: str
    total_recovered_fen: int
    total_commission: str
    total_commission_fen: int


def _yuan(fen: int) -> str:
    return format_money(from_fen(fen))


@router.get("/agencies/{code}/commissions", response={200: CommissionStatementOut, **REFUSALS})
def commission_statement(request: HttpRequest, code: str, month: str):
    """One agency's commission statement for `month` (YYYY-MM), one item per placement that covered a day of it
    (Clause: LGL-2, KPI-2)."""
    agency, reach = reach_for(request.user, code)
    try:
        chosen = Month.parse(month)
    except BadMonth as exc:
        raise HttpError(422, str(exc)) from None
    found = statement(agency, chosen, reach, business_date() or timezone.localdate())
    items = [
        {
            "placement": row.placement_id,
            "placement_ref": row.ref,
            "case": row.case_id,
            "borrower": row.borrower if row.shows_person else None,
            "contracts": list(row.contracts),
            "first_day": row.first_day,
            "last_day": row.last_day,
            "days": row.days,
            "recovered": _yuan(row.recovered_fen),
            "recovered_fen": row.recovered_fen,
            "commission_percent": str(row.percent),
            "commission": _yuan(row.commission_fen),
            "commission_fen": row.commission_fen,
        }
        for row in found.rows
    ]
    return {
        "agency": agency.code,
        "month": str(chosen),
        "as_of": found.as_of,
        "provisional": found.provisional,
        "items": items,
        "count": len(items),
        "total_recovered": _yuan(found.recovered_fen),
        "total_recovered_fen": found.recovered_fen,
        "total_commission": _yuan(found.commission_fen),
        "total_commission_fen": found.commission_fen,
    }
