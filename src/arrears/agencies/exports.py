"""An agency's monthly commission statement as CSV (Clause: LGL-2, KPI-2): one line per placement as the page
shows it, then the totals line; the project's CSV form (`home.export.csv_bytes`: UTF-8 with a byte-order mark, a
header in the request's language, cells a spreadsheet would run as a formula quoted). The borrower's masked name
and the contracts are columns only where the reader's reach shows borrowers (PRV-1)."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.agencies.commissions import Reach, Statement, StatementRow
from arrears.home.export import Column, csv_bytes, yuan

__all__ = ["statement_csv"]


def _percent(row) -> str:
    return "" if row.percent is None else f"{row.percent}%"


COLUMNS = [
    Column("placement", gettext_lazy("Placement no."), lambda r: r.ref or _("Total")),
    Column("case", gettext_lazy("Case"), lambda r: f"#{r.case_id}" if r.case_id else ""),
    Column("borrower", gettext_lazy("Borrower"), lambda r: r.borrower),
    Column("contracts", gettext_lazy("Contracts"), lambda r: "; ".join(r.contracts)),
    Column("first_day", gettext_lazy("Covered from"), lambda r: r.first_day),
    Column("last_day", gettext_lazy("Covered through"), lambda r: r.last_day),
    Column("days", gettext_lazy("Days covered"), lambda r: r.days),
    Column("recovered", gettext_lazy("Recovered (yuan)"), lambda r: yuan(r.recovered_fen)),
    Column("percent", gettext_lazy("Commission percentage"), _percent),
    Column("commission", gettext_lazy("Commission (yuan)"), lambda r: yuan(r.commission_fen)),
]
PERSONAL = {"borrower", "contracts"}


def columns_for(reach: Reach) -> list[Column]:
    """The statement's columns for a reader of `reach`: figures only for reports."""
    return [c for c in COLUMNS if reach is not Reach.FIGURES or c.key not in PERSONAL]


def statement_csv(found: Statement) -> bytes:
    """The rows, then a totals line (recovered and commission summed, the rest empty)."""
    total = SimpleNamespace(
        ref="",
        case_id=None,
        borrower="",
        contracts=(),
        first_day=None,
        last_day=None,
        days=None,
        recovered_fen=found.recovered_fen,
        percent=None,
        commission_fen=found.commission_fen,
    )
    lines: list[StatementRow | SimpleNamespace] = [*found.rows, total]
    return csv_bytes(columns_for(found.reach), lines)
