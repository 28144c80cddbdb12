"""What an agency's user may open and do: the placed cases, only while placed, contact only while eligible
(Clause: AGY-1, AGY-2, LGL-2, PRV-1).

* Who: a user whose role grants `portfolio.view_agency_cases` and not `portfolio.view` (`placed_only`) — the agency
  user. `portfolio.view` would open the whole book; they never hold it.
* What they see (`placed_cases`): exactly the cases placed with their own agency that are in force on the
  business day — not recalled (`ended_at` empty) and within the period (`placed_on` ≤ day ≤ `last_day`). Every
  page, API endpoint and document of cases asks `collection.queries.visible_cases`, which answers with this for
  them: a recall closes the case to the agency on its next request, the end of the period on the next business
  day (whether or not anyone recorded the end yet). Nothing else of the book: no borrower or loan page, no
  search, no outbox; personal data masked as everywhere, and no unmasking (PIPL's entrusted processing: the
  minimum, only while the placement lasts).
* What they may do on them: record calls and send letters through the bank's own actions (the same script,
  language check and contact rules — counted per borrower over the bank's and the agency's contacts alike).
  While the agency is not eligible under AGY-1 on the business day (a licence expired, the confidentiality
  agreement missing), its placements are frozen: still shown, but `ensure_may_contact` refuses every new
  contact with the reason, until the documents are renewed or the case recalled.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.models import Placement
from arrears.agencies.queries import eligibility_of, problem_words
from arrears.collection.errors import CollectionError
from arrears.collection.models import CollectionCase

__all__ = ["PlacementFrozen", "ensure_may_contact", "frozen_reason", "in_force", "placed_cases", "placed_only"]


class PlacementFrozen(CollectionError):
    """AGY-1: the agency is not eligible today; its placements take no new contact (nothing was written)."""


def placed_only(user: Any) -> bool:
    """True for an agency's user: sees cases only through their agency's placements (Clause: AGY-2, PRV-1)."""
    return has_perm(user, Perm.VIEW_AGENCY_CASES) and not has_perm(user, Perm.VIEW_PORTFOLIO)


def in_force(on: date) -> Q:
    """The placements in force on the business day `on` (a filter on `Placement`): not ended, within the period."""
    return Q(ended_at__isnull=True, placed_on__lte=on, last_day__gte=on)


def placed_cases(user: Any, on: date) -> QuerySet[CollectionCase]:
    """Clause: LGL-2, PRV-1 — the cases an agency's user may open on `on`: those with a placement in force with
    their own agency; none for anyone else (deny by default: no agency, or not an agency's user)."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not placed_only(user):
        return CollectionCase.objects.none()
    placed = Placement.objects.filter(in_force(on), agency_id=agency_id).values("case_id")
    return CollectionCase.objects.filter(pk__in=placed)


def frozen_reason(user: Any, on: date) -> str:
    """Clause: AGY-1 — why the user's agency's placements are frozen on `on` (no new contact), in the active
    language; "" when they are not (eligible), or the user is not an agency's user."""
    if getattr(user, "agency_id", None) is None or not placed_only(user):
        return ""
    status = eligibility_of(user.agency, on)
    if status.eligible:
        return ""
    return _(
        "Your agency's placements are frozen: %(problems)s (AGY-1). No call or letter until the bank has the "
        "agency's documents renewed, or recalls the case."
    ) % {"problems": "; ".join(problem_words(status))}


def ensure_may_contact(actor: Any, case: CollectionCase, on: date) -> None:
    """Clause: AGY-1, LGL-2 — before an agency's user contacts the borrower of `case` on `on` (a call, a
    letter): the case must be placed with their agency now (`CollectionError` otherwise) and the agency
    eligible (`PlacementFrozen` otherwise). Bank staff pass untouched."""
    if not placed_only(actor):
        return
    if not placed_cases(actor, on).filter(pk=case.pk).exists():
        raise CollectionError(_("This case is not placed with your agency now; nothing was recorded."))
    reason = frozen_reason(actor, on)
    if reason:
        raise PlacementFrozen(reason)
