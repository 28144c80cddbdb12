"""The month's collection cost through the API (Clause: KPI-2; see arrears.api.site for the conventions).

* `GET /costs?month=YYYY-MM` — the month's cost by source (SMS, email, letters, agency commissions, legal
  costs, and the staff, telephony and other costs entered) with the total, the notices sent per channel, and the
  live entries with who entered them; the month defaults to the business date's. For readers of reports
  (`reports.view`) and those who enter costs (`reports.enter_costs`).
* `POST /costs` — `{"month", "team", "kind", "amount", "note"}` enters one cost (`reports.enter_costs`): `team` a
  team's name, or null for the whole department; `amount` yuan as a string. A month, team and kind that has a
  figure gets it replaced (the earlier one is kept). 201 with the entry and the month's costs; 200 when the same
  figure was live already (nothing changed); 422 for a value that is wrong (the message says what to write), 409
  when someone entered the same cost at the same moment.

Files of costs are imported on the page or with `arrears costs import`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.api.errors import REFUSALS, WRITE_REFUSALS
from arrears.collection.queries import today as business_today
from arrears.compliance.actions import require
from arrears.reports.actions import CostError, do_enter_cost
from arrears.reports.cost_input import MAX_NOTE, month_of, yuan_to_fen
from arrears.reports.queries_costs import entry_json, month_costs

__all__ = ["router"]

router = Router(tags=["reports"])

Yuan = Annotated[str, Field(max_length=32, description='yuan as a string, e.g. "80000.00"', examples=["80000.00"])]


class CostEntryOut(Schema):
    id: int
    month: str
    team: str | None = Field(description="the team's name; null: the whole department")
    kind: str = Field(description="staff | telephony | other")
    amount: str
    amount_fen: int
    note: str
    entered_by: str
    entered_at: datetime
    replaces: int | None = Field(description="the entry this one corrected, if any")


class MonthCostsOut(Schema):
    month: str
    total: str
    total_fen: int
    by_source: dict[str, str] = Field(
        description="yuan per source: sms, email, letters, commissions, legal, staff, telephony, other"
    )
    by_source_fen: dict[str, int]
    notices_sent: dict[str, int] = Field(description="notices sent in the month per channel: sms, email, letters")
    entries: list[CostEntryOut] = Field(description="the live entries, the department first, then by team and kind")


class CostIn(Schema):
    month: str = Field(max_length=7, description="YYYY-MM, not after the business date's month")
    team: str | None = Field(None, max_length=100, description="a team's name; null or empty: the whole department")
    kind: Literal["staff", "telephony", "other"]
    amount: Yuan
    note: str = Field("", max_length=MAX_NOTE)


class CostEnteredOut(Schema):
    entry: CostEntryOut
    changed: bool = Field(description="false when the same figure was entered already (nothing stored)")
    replaced: CostEntryOut | None = Field(description="the figure this entry replaced")
    costs: MonthCostsOut


@router.get("/costs", response={200: MonthCostsOut, **REFUSALS})
def get_costs(request: HttpRequest, month: str | None = None):
    """The month's collection cost by source and its entered figures (Clause: KPI-2)."""
    if not has_perm(request.user, Perm.ENTER_COSTS):
        require(request.user, Perm.VIEW_REPORTS)
    try:
        chosen = Month.parse(month) if month else Month.of(business_today())
    except BadMonth as exc:
        raise HttpError(422, str(exc)) from None
    return month_costs(chosen).as_json()


@router.post("/costs", response={200: CostEnteredOut, 201: CostEnteredOut, **WRITE_REFUSALS})
def post_cost(request: HttpRequest, payload: CostIn):
    """Enter one collection cost, or replace the month's figure for that team and kind (Clause: KPI-2)."""
    require(request.user, Perm.ENTER_COSTS)
    today = business_today()
    try:
        month = month_of(payload.month, Month.of(today))
        team = None
        if (payload.team or "").strip():
            team = Team.objects.filter(name=payload.team.strip()).first()
            if team is None:
                raise CostError(
                    _("No team is named “%(name)s”: give a team's name as the user administration lists it, or null "
                      "for the whole department.") % {"name": payload.team.strip()}
                )  # fmt: skip
        done = do_enter_cost(
            month=month,
            team=team,
            kind=payload.kind,
            amount_fen=yuan_to_fen(payload.amount),
            note=payload.note,
            actor=request.user,
            today=today,
        )
    except CostError as exc:
        raise HttpError(exc.status, str(exc)) from None
    entry = done.entry
    if done.replaced is not None:
        entry.replaces = done.replaced.pk
    body = {
        "entry": entry_json(entry),
        "changed": done.changed,
        "replaced": None if done.replaced is None else entry_json(done.replaced),
        "costs": month_costs(month).as_json(),
    }
    return Status(201 if done.changed else 200, body)
