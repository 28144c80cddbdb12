"""Placements made directly (the place and recall actions are another module's work): an eligible agency, a
case placed with it for a period, a recall — the rows the agency's desk reads (`agencies.access`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arrears.accounts.models import Agency
from arrears.agencies.models import Placement
from arrears.legal.models import EscalationDecision

__all__ = ["eligible_agency", "make_eligible", "place", "recall"]

VALID_THROUGH = date(2030, 12, 31)


def make_eligible(agency: Agency, *, expires: date = VALID_THROUGH) -> Agency:
    """Give `agency` the AGY-1 documents: both licences valid through `expires`, the agreement signed."""
    agency.business_licence_no = agency.business_licence_no or "91110000MA01TEST0X"
    agency.business_licence_expires = expires
    agency.collection_licence_no = agency.collection_licence_no or "CS-2026-0001"
    agency.collection_licence_expires = expires
    agency.confidentiality_signed_on = date(2026, 1, 5)
    agency.save()
    return agency


def eligible_agency(name: str, code: str, *, expires: date = VALID_THROUGH) -> Agency:
    return make_eligible(Agency.objects.create(name=name, code=code), expires=expires)


def place(
    case,
    agency: Agency,
    *,
    by,
    placed_on: date,
    days: int = 30,
    percent: str = "12.50",
    ended_on: date | None = None,
    end_reason: str = "supervisor",
) -> Placement:
    """`case` placed with `agency` from `placed_on` for `days` days (the last day inclusive) at `percent` % commission,
    under an agency decision by `by` that day; ended on `ended_on` (for `end_reason`) when given."""
    at = datetime.combine(placed_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    decision = EscalationDecision.objects.create(
        case=case,
        borrower=case.borrower,
        decision="agency",
        eligible=False,
        route="agency",
        facts={},
        reason="委外催收",
        business_date=placed_on,
        decided_by=by,
        decided_at=at,
    )
    ended = {}
    if ended_on is not None:
        ended_at = datetime.combine(ended_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
        ended = {"ended_on": ended_on, "ended_at": ended_at, "ended_by": by, "end_reason": end_reason}
    return Placement.objects.create(
        case=case,
        borrower=case.borrower,
        agency=agency,
        decision=decision,
        placed_on=placed_on,
        days=days,
        last_day=placed_on + timedelta(days=days - 1),
        commission_percent=Decimal(percent),
        overdue_fen=case.overdue_fen,
        mandate="仅限催收；禁止暴力、骚扰及其他不当手段。",
        mandate_template="agency_mandate",
        placed_by=by,
        placed_at=at,
        **ended,
    )


def recall(placement: Placement, *, by, on: date) -> None:
    """A supervisor's recall, as the recall action records it (ended now, on `on`)."""
    Placement.objects.filter(pk=placement.pk).update(
        ended_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3),
        ended_on=on,
        ended_by=by,
        end_reason="supervisor",
    )
