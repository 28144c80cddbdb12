"""A month's collection cost as the page, the API and `arrears costs show` give it (Clause: KPI-2): by source
(`costs.month_cost`: what arrears knows and what administrators entered), the live entries per team and kind with
who entered them, and the entries corrections replaced. Figures only: no borrower."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arrears.agencies.commissions import Month
from arrears.reports.costs import SOURCES, Costs, month_cost, source_label
from arrears.reports.models import CostEntry, CostKind
from arrears.reports.summary import yuan

__all__ = ["MonthCosts", "entry_json", "month_costs", "yuan"]

ENTERED = tuple(CostKind.values)


@dataclass(frozen=True)
class MonthCosts:
    month: Month
    costs: Costs
    entries: list[CostEntry]  # live, by team (the department first) and kind
    replaced: list[CostEntry]  # corrected, newest first, each with `replaced_by`

    @property
    def sources(self) -> list[dict[str, Any]]:
        """One row a source, in `costs.SOURCES` order: its code, words, fen and, for notices, how many were sent."""
        return [
            {
                "source": source,
                "label": source_label(source),
                "fen": self.costs.by_source[source],
                "count": self.costs.notices.get(source),
                "entered": source in ENTERED,
            }
            for source in SOURCES
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "total": yuan(self.costs.total_fen),
            "total_fen": self.costs.total_fen,
            "by_source": {source: yuan(fen) for source, fen in self.costs.by_source.items()},
            "by_source_fen": dict(self.costs.by_source),
            "notices_sent": dict(self.costs.notices),
            "entries": [entry_json(entry) for entry in self.entries],
        }


def entry_json(entry: CostEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "month": f"{entry.month:%Y-%m}",
        "team": entry.team.name if entry.team_id else None,
        "kind": entry.kind,
        "amount": yuan(entry.amount_fen),
        "amount_fen": entry.amount_fen,
        "note": entry.note,
        "entered_by": entry.entered_by.username,
        "entered_at": entry.entered_at,
        "replaces": getattr(entry, "replaces", None),
    }


def month_costs(month: Month) -> MonthCosts:
    """The month's cost by source and its entries, in a fixed number of queries."""
    rows = list(
        CostEntry.objects.filter(month=month.first)
        .select_related("team", "entered_by", "replaced_by__entered_by")
        .order_by("-entered_at", "-pk")
    )
    replaces = {row.replaced_by_id: row.pk for row in rows if row.replaced_by_id}
    live = [row for row in rows if row.replaced_by_id is None]
    for row in live:
        row.replaces = replaces.get(row.pk)
    order = {kind: n for n, kind in enumerate(CostKind.values)}
    live.sort(key=lambda e: (e.team_id is not None, e.team.name if e.team_id else "", order[e.kind]))
    replaced = [row for row in rows if row.replaced_by_id is not None]
    return MonthCosts(month, month_cost(month), live, replaced)
