"""The KPIs in the REST API (`reports.view`: supervisors, compliance officers, analysts; figures only, no
personal data), as `docs/kpi.md` defines them and `arrears kpi` prints them.

* `GET /kpi?month=YYYY-MM&by=class|team|collector|agency|product[&team=&collector=&agency=&product=]` — recovery
  rate by amount (KPI-1) split by `by`, the month's cost and cost rate (KPI-2).
* `GET /kpi/rolls?month=YYYY-MM[&product=]` — the roll-rate matrix and the cure rate of a closed month.
* `GET /kpi/indicators?month=YYYY-MM&by=team|collector|agency` — promises kept and the right-party contact rate,
  and the opening's average DPD by class.

A month without figures (before arrears' first nightly run; roll rates of a month under way) answers 409 with
what to do; a month written otherwise than YYYY-MM answers 422."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.api.errors import REFUSALS
from arrears.compliance.actions import require
from arrears.reports.indicators import average_dpd, contact_rate, promises_kept, rolls
from arrears.reports.kpi import Filters, KpiUnavailable, rate
from arrears.reports.rolls import FROM, TO
from arrears.reports.summary import dimension_names, month_summary, rate_text

router = Router(tags=["reports"])
MAX_ID = 2**53

Dimension = Literal["class", "team", "collector", "agency", "product"]
People = Literal["team", "collector", "agency"]


class FiltersIn(Schema):
    team: int | None = Field(None, ge=1, le=MAX_ID, description="one team's loans only (its id)")
    collector: int | None = Field(None, ge=1, le=MAX_ID, description="one collector's loans only (their id)")
    agency: int | None = Field(None, ge=1, le=MAX_ID, description="one agency's loans only (its id)")
    product: str | None = Field(None, max_length=50, description="one product's loans only")

    def filters(self) -> Filters | None:
        chosen = Filters(self.team, self.collector, self.agency, self.product)
        return None if chosen == Filters() else chosen


class KpiOut(Schema):
    month: str
    closed: bool = Field(description="false: the month is under way, figures through `through`")
    through: str
    by: str
    rows: list[dict[str, Any]] = Field(
        description="per key: loans, opening_overdue, recovered (yuan to the fen), recovery_rate (4 decimals); "
        "by class also target and met"
    )
    opening_overdue: str
    recovered: str
    recovery_rate: str | None
    cost: str
    cost_rate: str | None
    cost_target: str
    costs: dict[str, str] = Field(description="the month's cost by source, yuan")
    notices_sent: dict[str, int]


class RollsOut(Schema):
    month: str
    starts: list[str] = Field(description="rows: the bucket at the opening (M0 = current)")
    ends: list[str] = Field(description="columns: where the loans stood at the month's end")
    loans: list[list[int]]
    rates: list[list[str | None]] = Field(description="share of each row's loans, 4 decimals")
    amount_rates: list[list[str | None]] = Field(description="share of each row's opening overdue amount")
    cure_rate: str | None


class IndicatorOut(Schema):
    key: int | None = Field(description="the team's, collector's or agency's id (null: none)")
    name: str | None
    promises_kept: int
    promises_decided: int
    promises_kept_rate: str | None
    calls_reached: int
    calls_outbound: int
    contact_rate: str | None


class IndicatorsOut(Schema):
    month: str
    by: str
    rows: list[IndicatorOut]
    average_dpd: dict[str, str] = Field(description="the opening's mean DPD by class, 1 decimal")


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except BadMonth as exc:
        raise HttpError(422, str(exc)) from None


def _figures(call, *args):
    try:
        return call(*args)
    except KpiUnavailable as exc:
        raise HttpError(409, str(exc)) from None


@router.get("/kpi", response={200: KpiOut, **REFUSALS})
def kpi(request: HttpRequest, month: str, by: Dimension = "class", where: Query[FiltersIn] = None):
    """Clause: KPI-1, KPI-2 — the month's recovery rate by amount and cost rate."""
    require(request.user, Perm.VIEW_REPORTS)
    return _figures(month_summary, _month(month), by, where.filters() if where else None)


@router.get("/kpi/rolls", response={200: RollsOut, **REFUSALS})
def kpi_rolls(request: HttpRequest, month: str, product: str | None = Query(None, max_length=50)):
    """Clause: KPI-1 — the roll rates between buckets and the cure rate of a closed month."""
    require(request.user, Perm.VIEW_REPORTS)
    chosen = _month(month)
    matrix = _figures(rolls, chosen, Filters(product=product) if product else None)
    return {
        "month": str(chosen),
        "starts": list(FROM),
        "ends": list(TO),
        "loans": [[matrix.loans[start][end] for end in TO] for start in FROM],
        "rates": [[rate_text(matrix.rate(start, end)) for end in TO] for start in FROM],
        "amount_rates": [[rate_text(matrix.amount_rate(start, end)) for end in TO] for start in FROM],
        "cure_rate": rate_text(matrix.cure_rate),
    }


@router.get("/kpi/indicators", response={200: IndicatorsOut, **REFUSALS})
def kpi_indicators(request: HttpRequest, month: str, by: People = "collector"):
    """Clause: CALL-3, KPI-1 — promises kept and the right-party contact rate per team, collector or agency."""
    require(request.user, Perm.VIEW_REPORTS)
    chosen = _month(month)
    dpd = _figures(average_dpd, chosen)
    kept, contacts = promises_kept(chosen, by), contact_rate(chosen, by)
    keys = sorted(set(kept) | set(contacts), key=lambda key: (key is None, key or 0))
    names = dimension_names(by, keys)
    rows = []
    for key in keys:
        k, decided = kept.get(key, (0, 0))
        reached, outbound = contacts.get(key, (0, 0))
        rows.append(
            {
                "key": key,
                "name": names.get(key),
                "promises_kept": k,
                "promises_decided": decided,
                "promises_kept_rate": rate_text(rate(k, decided)),
                "calls_reached": reached,
                "calls_outbound": outbound,
                "contact_rate": rate_text(rate(reached, outbound)),
            }
        )
    return {"month": str(chosen), "by": by, "rows": rows, "average_dpd": {k: str(v) for k, v in dpd.items()}}
