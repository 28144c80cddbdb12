"""A month's KPI-1 and KPI-2 figures as plain data: what `arrears kpi --json` prints and the API returns.

Amounts are yuan strings to the fen ("15167.54"), rates strings with 4 decimals ("0.5310") or null when there is
nothing to divide by; `target` is the policy's (null where the policy sets none)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from arrears.accounts.models import Agency, Team, User
from arrears.agencies.commissions import Month
from arrears.finance.money import format_money, from_fen
from arrears.reports.costs import month_cost
from arrears.reports.kpi import Filters, Recovery, rate, recovery
from arrears.rules.queries import policy_book

__all__ = ["dimension_names", "month_summary", "rate_text", "yuan"]


def yuan(fen: int) -> str:
    """An amount in fen as yuan to the fen: 1516754 → "15167.54"."""
    return format_money(from_fen(fen))


def rate_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def dimension_names(by: str, keys: list[Any]) -> dict[Any, str]:
    """The names of the teams, collectors or agencies `keys` (ids); products and classes name themselves."""
    ids = [key for key in keys if key is not None]
    if by == "team":
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "agency":
        return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by == "collector":
        return {user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=ids)}
    return {key: str(key) for key in ids}


def _rows(figures: Recovery) -> list[dict[str, Any]]:
    names = dimension_names(figures.by, [row.key for row in figures.rows])
    rows = []
    for row in figures.rows:
        shown: dict[str, Any] = {figures.by: row.key}
        if figures.by in ("team", "collector", "agency"):
            shown["name"] = names.get(row.key)
        shown.update(
            {
                "loans": row.loans,
                "opening_overdue": yuan(row.opening_overdue_fen),
                "recovered": yuan(row.recovered_fen),
                "recovery_rate": rate_text(row.recovery_rate),
            }
        )
        if figures.by == "class":
            shown["target"] = rate_text(row.target)
            shown["met"] = row.met
        rows.append(shown)
    return rows


def month_summary(month: Month, by: str = "class", where: Filters | None = None) -> dict[str, Any]:
    """Clause: KPI-1, KPI-2 — the month's recovery split by `by`, and its cost and cost rate (the whole
    department's: costs are not split by team or collector)."""
    figures = recovery(month, by, where)
    costs = month_cost(month)
    recovered = figures.recovered_fen if where is None else recovery(month, "class").recovered_fen
    return {
        "month": str(month),
        "closed": figures.closed,
        "through": figures.through.isoformat(),
        "by": by,
        "rows": _rows(figures),
        "opening_overdue": yuan(figures.opening_overdue_fen),
        "recovered": yuan(figures.recovered_fen),
        "recovery_rate": rate_text(rate(figures.recovered_fen, figures.opening_overdue_fen)),
        "cost": yuan(costs.total_fen),
        "cost_rate": rate_text(rate(costs.total_fen, recovered)),
        "cost_target": rate_text(policy_book().on(month.last).kpi.cost_rate_max),
        "costs": {source: yuan(fen) for source, fen in costs.by_source.items()},
        "notices_sent": costs.notices,
    }
