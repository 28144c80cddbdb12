"""The scorecards in the REST API (Clause: QA-2; `reports.view`: supervisors, compliance officers, analysts):
`GET /kpi/scorecards?month=YYYY-MM` — the month's cards of the collectors and the agencies, as on the page and as
`arrears scorecards --json` prints them (`reports.scorecards.as_data`). Staff and agencies, no borrower.

A month written otherwise than YYYY-MM answers 422; a month without opening figures (before arrears' first
nightly run) 409 with what to do, as the other KPI endpoints (`reports.api`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.api.errors import REFUSALS, ErrorOut
from arrears.compliance.actions import require
from arrears.reports.kpi import KpiUnavailable
from arrears.reports.scorecards import as_data
from arrears.reports.scorecards import scorecards as month_scorecards

router = Router(tags=["reports"])


class CardOut(Schema):
    id: int = Field(description="the collector's (user's) or the agency's id")
    name: str
    loans: int = Field(description="loans at the month's opening with them")
    opening_overdue: str = Field(description="their opening overdue amount, yuan to the fen")
    recovered: str = Field(description="what was recovered of it in the month, yuan to the fen")
    recovery_rate: str | None = Field(description="4 decimals; null without loans at the opening")
    promises_kept: int
    promises_decided: int = Field(description="promises due in the month, kept or broken")
    calls_reached: int = Field(description="outbound calls that reached the borrower")
    calls_outbound: int
    quality_score: str | None = Field(description="the month's quality score, 2 decimals; null: none counted")
    calls_inspected: int
    complaints: int = Field(description="substantiated complaints received in the month")
    violations: int = Field(description="violations in the register dated in the month (complaints' own aside)")
    parts: dict[str, str | None] = Field(description="each part's figure 0..1, 4 decimals; null: left out")
    weights: dict[str, str | None] = Field(description="the weight each part had after scaling; null: left out")
    score: str | None = Field(description="0..100, 2 decimals; null: no score")
    no_score: str | None = Field(
        description="why no score: no_work (nothing of the month's work) or recovery_alone (recovery would weigh as "
        "much as the other parts together)"
    )


class ScorecardsOut(Schema):
    month: str
    closed: bool = Field(description="false: the month is under way, figures through `through`")
    through: str
    weights: dict[str, str] = Field(description="the policy's weights in force on the month's last day")
    complaints_to_zero: int
    violations_to_zero: int
    collectors: list[CardOut]
    agencies: list[CardOut]


@router.get("/kpi/scorecards", response={200: ScorecardsOut, **REFUSALS, 409: ErrorOut})
def scorecards(request: HttpRequest, month: str):
    """Clause: QA-2 — the month's scorecards of the collectors and the agencies."""
    require(request.user, Perm.VIEW_REPORTS)
    try:
        chosen = Month.parse(month)
    except BadMonth as exc:
        raise HttpError(422, str(exc)) from None
    try:
        return as_data(month_scorecards(chosen))
    except KpiUnavailable as exc:
        raise HttpError(409, str(exc)) from None
