"""The month's other indicators (`docs/kpi.md`): roll rates and the cure rate, promises kept, the right-party
contact rate and the average DPD — for the whole book or one team, collector, agency or product.

- **Roll rates, cure rate** (closed months only: they need the month's end) from the opening and the outcomes,
  with the current loans of the opening (`OpeningBook`) rolling into the next month's opening.
- **Promises kept** = promises due in the month that were kept ÷ those kept or broken (an open promise is not
  decided yet), each counted for the collector who took it on the call (and their team and agency).
- **Right-party contact rate** = the month's outbound calls that reached the borrower ÷ all outbound calls
  (a contact person reached, no answer, busy, wrong party, a number not in service do not count as reaching them).
- **Average DPD** = the mean DPD of the opening's overdue loans, one decimal half-up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from arrears.agencies.commissions import Month
from arrears.collection.models import Call, CallParty, Promise, PromiseStatus
from arrears.engine.schema import REACHED_OUTCOMES
from arrears.reports.kpi import DIMENSIONS, Filters, KpiUnavailable, frozen, month_state
from arrears.reports.models import EndState, MonthOutcome, OpeningBook, OpeningPosition
from arrears.reports.rolls import RollMatrix, Transition, roll_matrix

__all__ = ["PEOPLE", "average_dpd", "contact_rate", "promises_kept", "rolls"]

# How a call or a promise is attributed to a team, collector or agency: through the collector who made it.
PEOPLE = {"team": "collector__team_id", "collector": "collector_id", "agency": "collector__agency_id"}


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def opening_rows(month: Month, where: Filters | None) -> QuerySet[OpeningPosition]:
    return OpeningPosition.objects.filter(month=month.first, **(where or Filters()).chosen())


def rolls(month: Month, where: Filters | None = None) -> RollMatrix:
    """Clause: KPI-1 — the month's roll-rate matrix (`rolls.roll_matrix`). A month still under way raises
    KpiUnavailable. The current loans (row M0) are counted for the whole book or a product only: a current loan
    has no collector, team or agency."""
    closed, _through = month_state(month)
    if not closed:
        raise KpiUnavailable(
            _("%(month)s is still under way: roll rates compare where the loans stood at its opening and at its end.")
            % {"month": month}
        )
    opening = opening_rows(month, where)
    narrow, params = (where or Filters()).sql()
    sql = f"""
        SELECT o.bucket, CASE WHEN x.end_state = %s THEN x.end_bucket ELSE x.end_state END, COUNT(*), SUM(o.overdue_fen)
        FROM {_t(OpeningPosition)} o JOIN {_t(MonthOutcome)} x ON x.month = o.month AND x.loan_id = o.loan_id
        WHERE o.month = %s{narrow}
        GROUP BY 1, 2
    """  # noqa: S608 (names from the models, values as parameters)

    where = where or Filters()

    def grouped() -> dict[tuple[str, str], list[int]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [EndState.DELINQUENT, month.first, *params])
            steps = {(start, end): [int(n), int(fen)] for start, end, n, fen in cursor.fetchall()}
        if where.team is None and where.collector is None and where.agency is None:
            books = OpeningBook.objects.filter(month=month.first)
            if where.product is not None:
                books = books.filter(product=where.product)
            current = (books.aggregate(n=Sum("active_loans"))["n"] or 0) - opening.count()
            # NOT EXISTS, not NOT IN: PostgreSQL cannot turn NOT IN into an anti-join, and once the opening
            # outgrew work_mem it scanned the whole opening for each of next month's loans (bench/kpi_month.py:
            # a million-loan opening never finished).
            earlier = opening.filter(loan_id=OuterRef("loan_id"))
            rolled = opening_rows(month.next(), Filters(product=where.product)).filter(~Exists(earlier))
            into = dict(rolled.values_list("bucket").annotate(n=Count("pk")).values_list("bucket", "n"))
            for bucket, n in into.items():
                steps[("M0", bucket)] = [n, 0]
            steps[("M0", "current")] = [max(current - sum(into.values()), 0), 0]
        return steps

    steps = frozen(month, f"rolls:{where}", grouped)
    return roll_matrix(Transition(s, e, n, fen) for (s, e), (n, fen) in steps.items())


def promises_kept(month: Month, by: str | None = None, where: Filters | None = None) -> dict[Any, tuple[int, int]]:
    """Clause: CALL-3 — {key: (kept, decided)} of the promises due in `month` (module docstring)."""
    rows = Promise.objects.filter(
        due_on__range=(month.first, month.last), status__in=(PromiseStatus.KEPT, PromiseStatus.BROKEN)
    )
    people = {name: f"call__{path}" for name, path in PEOPLE.items()}
    return _split_with(rows, by, where, Q(status=PromiseStatus.KEPT), people)


def contact_rate(month: Month, by: str | None = None, where: Filters | None = None) -> dict[Any, tuple[int, int]]:
    """Clause: CALL-3 — {key: (reached the borrower, outbound calls)} of the calls made in `month`."""
    rows = Call.objects.filter(called_on__range=(month.first, month.last), inbound=False)
    return _split_with(rows, by, where, Q(party=CallParty.BORROWER, outcome__in=REACHED_OUTCOMES), PEOPLE)


def _split_with(
    rows: QuerySet, by: str | None, where: Filters | None, numerator: Q, people: dict[str, str]
) -> dict[Any, tuple[int, int]]:
    if by is not None and by not in people:
        raise KpiUnavailable(_("Calls and promises are split by one of: %(choices)s.") % {"choices": ", ".join(people)})
    where = where or Filters()
    for name, value in (("team", where.team), ("collector", where.collector), ("agency", where.agency)):
        if value is not None:
            rows = rows.filter(**{people[name]: value})
    if by is None:
        totals = rows.aggregate(hits=Count("pk", filter=numerator), n=Count("pk"))
        return {None: (totals["hits"], totals["n"])}
    found = rows.values(people[by]).annotate(hits=Count("pk", filter=numerator), n=Count("pk")).order_by()
    return {row[people[by]]: (row["hits"], row["n"]) for row in found}


def average_dpd(month: Month, by: str = "class", where: Filters | None = None) -> dict[Any, Decimal]:
    """The mean DPD of the month's opening overdue loans split by `by` (a column of the opening), 1 decimal."""
    month_state(month)
    column = DIMENSIONS[by]
    found = opening_rows(month, where).values(column).annotate(days=Sum("dpd"), n=Count("pk")).order_by()
    return {row[column]: (Decimal(row["days"]) / row["n"]).quantize(Decimal("0.1"), ROUND_HALF_UP) for row in found}
