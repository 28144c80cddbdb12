"""Agencies' commissions on what is recovered during a placement, per calendar month (Clause: LGL-2, KPI-2).

How this works
--------------
* **Covered days.** A placement covers the days from `placed_on` through `last_day`, or through `ended_on` when it
  was recalled or ended before (that day included). A day counts for one placement of a borrower only: when a
  case is recalled and placed again on the same day (or a closed case's placement ends the day a new case of the
  same borrower is placed), the day stays with the placement placed first, so no payment earns two commissions.
* **Recovered.** What the finance core applied of the borrower's payments (on any of their loans) dated on a
  covered day: the payments' `PaymentAllocation` rows other than `unapplied`. An overpayment beyond everything owed
  is not a recovery — the bank owes it back — so it earns no commission. The feed import posts every payment with
  its allocations in one transaction; a later feed correcting a payment re-allocates it, and a statement read
  afterwards shows the corrected figures (a statement is computed when read, never stored).
* **Commission.** Per placement per calendar month: recovered × the placement's percentage ÷ 100 (the agency's
  percentage on the day placed, kept by the placement), rounded half-up to the fen once, on the row
  (`finance.to_fen`); Decimal throughout. A statement's totals are the sums of its rows.
* **Statement.** `statement(agency, month, reach)`: one row per placement of the agency that covered a day of the
  month. What a row shows of the borrower follows the reader's `Reach` (PRV-1): supervisors the masked name and
  the contracts; the agency's own users the same only for placements in force on the business date (access to a
  case ends with its placement, AGY-*); reports (analysts) figures only.
* **Collection costs (KPI-2).** `commission_costs(since, until)` is the commission earned on the days from `since`
  through `until`: each placement's piece of each calendar month in that range rounded on its own, so the costs of
  a whole calendar month are exactly the sum of that month's statements. `commission_costs_per_agency` and
  `commission_costs_per_case` split the same figure (named like `legal.queries_litigation.legal_costs_per_case`,
  the legal costs that are the other collection costs).
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.models import Placement, reference_of
from arrears.compliance.actions import require
from arrears.compliance.masking import mask_name
from arrears.finance import calc_context, from_fen, to_fen
from arrears.portfolio.models import Component, Loan, PaymentAllocation
from arrears.portfolio.queries import business_date

__all__ = [
    "BadMonth",
    "Month",
    "Piece",
    "Reach",
    "Statement",
    "StatementRow",
    "Terms",
    "commission_costs",
    "commission_costs_per_agency",
    "commission_costs_per_case",
    "commission_fen",
    "covered_spans",
    "pieces",
    "placement_ref",
    "reach_for",
    "statement",
]

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class BadMonth(ValueError):
    """A month that is not written YYYY-MM or does not exist; the message says how to write it."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-03` → Month(2026, 3); anything else (2026-13, 2026-3, 99999-01, other digits) → BadMonth."""
        found = MONTH.fullmatch(text or "")
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
            raise BadMonth(_("Write the month as YYYY-MM with a month from 01 to 12, e.g. 2026-03."))
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    def next(self) -> Month:
        return Month(self.year + (self.number == 12), self.number % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.number == 1), (self.number - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"


# -- the arithmetic (pure) ---------------------------------------------------------------------------------------


def commission_fen(recovered_fen: int, percent: Decimal) -> int:
    """Clause: LGL-2 — the commission on `recovered_fen` at `percent` (12.50 for 12.50%), to the fen, half-up:
    12.50% of 3,456.78 yuan is 432.0975, so 432.10 yuan (43210 fen)."""
    if isinstance(recovered_fen, bool) or not isinstance(recovered_fen, int):
        raise TypeError(f"recovered_fen: expected int fen, got {type(recovered_fen).__name__}")
    if not isinstance(percent, Decimal):
        raise TypeError(f"percent: expected a Decimal, got {type(percent).__name__} (never a float)")
    if recovered_fen < 0 or not Decimal(0) <= percent <= Decimal(100):
        raise ValueError(f"commission of {recovered_fen} fen at {percent}%: both must be >= 0, the percent <= 100")
    with calc_context():
        return to_fen(from_fen(recovered_fen) * percent / 100)


@dataclass(frozen=True)
class Terms:
    """What the arithmetic needs of a placement."""

    placement_id: int
    borrower_id: int
    placed_on: date
    last_day: date
    ended_on: date | None
    percent: Decimal


def covered_spans(terms: Iterable[Terms]) -> dict[int, tuple[date, date]]:
    """placement id → (first, last) day it covers: `placed_on` through `last_day`, or `ended_on` if earlier; a
    day already covered by an earlier placement of the same borrower stays with that one. A placement left
    covering no day is left out. `terms` in the order placed (earliest first)."""
    spans: dict[int, tuple[date, date]] = {}
    taken: dict[int, date] = {}  # borrower → the last day covered so far
    for term in terms:
        end = term.last_day if term.ended_on is None else min(term.last_day, term.ended_on)
        start = term.placed_on
        if term.borrower_id in taken:
            start = max(start, taken[term.borrower_id] + timedelta(days=1))
        if start > end:
            continue
        spans[term.placement_id] = (start, end)
        taken[term.borrower_id] = max(end, taken.get(term.borrower_id, end))
    return spans


@dataclass(frozen=True)
class Piece:
    """A placement's days within one calendar month (and within the range asked for), and what they earned."""

    placement_id: int
    month: Month
    first: date
    last: date
    recovered_fen: int
    percent: Decimal
    commission_fen: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _month_parts(first: date, last: date) -> list[tuple[Month, date, date]]:
    parts, month = [], Month.of(first)
    while month.first <= last:
        parts.append((month, max(first, month.first), min(last, month.last)))
        if month.year == 9999 and month.number == 12:
            break
        month = month.next()
    return parts


def pieces(
    terms: Iterable[Terms], recovered: Mapping[int, Mapping[date, int]], since: date, until: date
) -> list[Piece]:
    """Clause: LGL-2, KPI-2 — every placement's covered days from `since` through `until`, cut at the ends of
    calendar months, each with what was recovered on them (`recovered`: borrower → day → fen applied) and its
    commission rounded on its own. `terms` in the order placed."""
    terms = list(terms)
    spans = covered_spans(terms)
    out = []
    for term in terms:
        if term.placement_id not in spans:
            continue
        first, last = spans[term.placement_id]
        first, last = max(first, since), min(last, until)
        if first > last:
            continue
        paid = recovered.get(term.borrower_id, {})
        for month, start, end in _month_parts(first, last):
            fen = sum(amount for day, amount in paid.items() if start <= day <= end)
            commission = commission_fen(fen, term.percent)
            out.append(Piece(term.placement_id, month, start, end, fen, term.percent, commission))
    return out


# -- reading the book --------------------------------------------------------------------------------------------


def _in_window(since: date, until: date) -> QuerySet[Placement]:
    """The placements whose period meets [since, until] (a recalled one through its end day)."""
    return Placement.objects.filter(placed_on__lte=until, last_day__gte=since).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=since)
    )


def _pieces_for(placements: QuerySet[Placement], since: date, until: date) -> tuple[list[Piece], dict[int, dict]]:
    """The pieces of `placements` from `since` through `until` (the placements of the same borrowers in the window
    are read too, for the day a case was recalled and placed again), and those placements' rows by id."""
    borrowers = placements.values("borrower_id")
    rows = list(
        _in_window(since, until)
        .filter(borrower_id__in=borrowers)
        .order_by("placed_on", "placed_at", "pk")
        .values(
            "pk", "borrower_id", "case_id", "agency_id", "placed_on", "last_day", "ended_on", "ended_at",
            "commission_percent",
        )
    )  # fmt: skip
    terms = [
        Terms(r["pk"], r["borrower_id"], r["placed_on"], r["last_day"], r["ended_on"], r["commission_percent"])
        for r in rows
    ]
    wanted = set(placements.values_list("pk", flat=True))
    return (
        [p for p in pieces(terms, _recovered(borrowers, since, until), since, until) if p.placement_id in wanted],
        {r["pk"]: r for r in rows if r["pk"] in wanted},
    )


def _recovered(borrowers, since: date, until: date) -> dict[int, dict[date, int]]:
    """borrower → day → fen the finance core applied of their payments dated that day (overpayments left out)."""
    applied = (
        PaymentAllocation.objects.filter(
            payment__loan__borrower_id__in=borrowers, payment__paid_on__gte=since, payment__paid_on__lte=until
        )
        .exclude(component=Component.UNAPPLIED)
        .values_list("payment__loan__borrower_id", "payment__paid_on")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    found: dict[int, dict[date, int]] = defaultdict(dict)
    for borrower_id, day, total in applied:
        found[borrower_id][day] = int(total)
    return found


def commission_costs(since: date, until: date) -> int:
    """Clause: KPI-2 — the collection costs in agencies' commissions on the days from `since` through `until`
    (both included), in fen: each placement's piece of each calendar month rounded on its own, so a calendar
    month's costs equal the sum of that month's statements."""
    return sum(commission_costs_per_agency(since, until).values())


def commission_costs_per_agency(since: date, until: date) -> dict[int, int]:
    """Clause: KPI-2 — agency id → its commissions from `since` through `until` in fen (agencies without a
    covered day left out)."""
    found, rows = _pieces_for(_in_window(since, until), since, until)
    totals: dict[int, int] = defaultdict(int)
    for piece in found:
        totals[rows[piece.placement_id]["agency_id"]] += piece.commission_fen
    return dict(totals)


def commission_costs_per_case(since: date, until: date, cases: Iterable[int] | None = None) -> dict[int, int]:
    """Clause: KPI-2 — case id → the commissions on its placements from `since` through `until` in fen (cases
    without a covered day left out); `cases` narrows it to those case ids."""
    placements = _in_window(since, until)
    if cases is not None:
        placements = placements.filter(case_id__in=list(cases))
    found, rows = _pieces_for(placements, since, until)
    totals: dict[int, int] = defaultdict(int)
    for piece in found:
        totals[rows[piece.placement_id]["case_id"]] += piece.commission_fen
    return dict(totals)


# -- the statement -----------------------------------------------------------------------------------------------


class Reach(StrEnum):
    """What a reader sees of the borrowers on a statement (PRV-1)."""

    FULL = "full"  # supervisors: masked name and contracts on every row
    AGENCY = "agency"  # the agency's own users: the same, of the placements in force on the business date only
    FIGURES = "figures"  # reports (analysts, compliance): figures only, no personal data


def reach_for(user: Any, code: str) -> tuple[Agency, Reach]:
    """Clause: LGL-2, PRV-1 — the agency `code` and what `user` may see of its statements. An agency user: their
    own agency only (any other code, existing or not: Http404); a supervisor (`legal.decide_escalation`): every
    agency, in full; a reader of reports (`reports.view`): every agency, figures only; anyone else: ActionDenied
    (refused and logged) before the code is looked up."""
    own = getattr(user, "agency_id", None)
    if own is not None:
        require(user, Perm.VIEW_AGENCY_CASES)
        reach = Reach.AGENCY
    elif has_perm(user, Perm.DECIDE_ESCALATION):
        reach = Reach.FULL
    elif has_perm(user, Perm.VIEW_REPORTS):
        reach = Reach.FIGURES
    else:
        require(user, Perm.DECIDE_ESCALATION)  # raises: refused and logged
    agency = Agency.objects.filter(code=code).first()
    if agency is None or (own is not None and agency.pk != own):
        raise Http404("no such agency, or not the user's own")
    return agency, reach


placement_ref = reference_of  # PLC-<day placed>-<id> (agencies.models)


@dataclass(frozen=True)
class StatementRow:
    placement_id: int
    ref: str  # PLC-20260310-000001
    case_id: int
    borrower: str  # the masked name; "" where the reader may not see it
    contracts: tuple[str, ...]  # () where the reader may not see them
    first_day: date
    last_day: date
    days: int
    recovered_fen: int
    percent: Decimal
    commission_fen: int
    shows_person: bool


@dataclass(frozen=True)
class Statement:
    agency: Agency
    month: Month
    reach: Reach
    as_of: date  # the business date the figures are read on
    rows: tuple[StatementRow, ...]

    @property
    def recovered_fen(self) -> int:
        return sum(row.recovered_fen for row in self.rows)

    @property
    def commission_fen(self) -> int:
        return sum(row.commission_fen for row in self.rows)

    @property
    def provisional(self) -> bool:
        """The month is not over on the business date: more may be recovered."""
        return self.as_of < self.month.last

    @property
    def personal(self) -> bool:
        """Some row shows a borrower (masked name, contracts): opening its PDF or CSV is an audited read."""
        return any(row.shows_person for row in self.rows)


def statement(agency: Agency, month: Month, reach: Reach, on: date | None = None) -> Statement:
    """Clause: LGL-2 — the agency's commission statement for `month`, read on the business date `on` (default the
    newest feed's), showing of the borrowers what `reach` allows."""
    on = on or business_date() or timezone.localdate()
    placements = _in_window(month.first, month.last).filter(agency=agency)
    found, rows = _pieces_for(placements, month.first, month.last)
    shown = {
        piece.placement_id
        for piece in found
        if reach is Reach.FULL or (reach is Reach.AGENCY and _in_force(rows[piece.placement_id], on))
    }
    people = _people({rows[pk]["borrower_id"] for pk in shown})
    out = []
    for piece in sorted(found, key=lambda p: (p.first, p.placement_id)):
        row = rows[piece.placement_id]
        name, contracts = people.get(row["borrower_id"], ("", ())) if piece.placement_id in shown else ("", ())
        out.append(
            StatementRow(
                placement_id=piece.placement_id,
                ref=placement_ref(row["placed_on"], piece.placement_id),
                case_id=row["case_id"],
                borrower=name,
                contracts=contracts,
                first_day=piece.first,
                last_day=piece.last,
                days=piece.days,
                recovered_fen=piece.recovered_fen,
                percent=piece.percent,
                commission_fen=piece.commission_fen,
                shows_person=piece.placement_id in shown,
            )
        )
    return Statement(agency, month, reach, on, tuple(out))


def _in_force(row: Mapping[str, Any], on: date) -> bool:
    """As `Placement.in_force_on`: not ended, and `on` within its period."""
    return row["ended_at"] is None and row["placed_on"] <= on <= row["last_day"]


def _people(borrower_ids: set[int]) -> dict[int, tuple[str, tuple[str, ...]]]:
    """borrower → (masked name, their contract numbers in order)."""
    if not borrower_ids:
        return {}
    contracts: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for borrower_id, name, contract in (
        Loan.objects.filter(borrower_id__in=borrower_ids)
        .order_by("borrower_id", "external_id")
        .values_list("borrower_id", "borrower__name", "external_id")
    ):
        names[borrower_id] = mask_name(name)
        contracts[borrower_id].append(contract)
    return {pk: (names[pk], tuple(contracts[pk])) for pk in names}
