"""Whether an agency may receive cases on a day (Clause: AGY-1): pure, no database.

AGY-1: an agency is eligible only with valid legal qualifications — a business licence and a collection licence,
neither expired — and a signed confidentiality agreement. Which documents are required is the policy's
`agency.required_documents` (all three by default; the policy refuses fewer). A licence is valid through its
expiry date: it expires at the end of that day, so on the day after it the agency is no longer eligible. A
document without a date (no expiry recorded, no signing date) is not on file. An eligible agency whose earlier
licence expires within `agency.expiry_warning_days` is flagged, so that supervisors renew or plan the recall in
time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Eligibility", "Problem", "eligibility"]


class Problem:
    """Why an agency is not eligible (codes; the pages and the API word them)."""

    BUSINESS_LICENCE_MISSING = "business_licence_missing"
    BUSINESS_LICENCE_EXPIRED = "business_licence_expired"
    COLLECTION_LICENCE_MISSING = "collection_licence_missing"
    COLLECTION_LICENCE_EXPIRED = "collection_licence_expired"
    CONFIDENTIALITY_MISSING = "confidentiality_missing"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    problems: tuple[str, ...]
    expires_on: date | None  # the earlier licence expiry among the required licences
    expiring_soon: bool  # eligible, but a required licence expires within the warning period


def eligibility(
    *,
    business_licence_no: str,
    business_licence_expires: date | None,
    collection_licence_no: str,
    collection_licence_expires: date | None,
    confidentiality_signed_on: date | None,
    on: date,
    required_documents: Iterable[str],
    warning_days: int,
) -> Eligibility:
    """Clause: AGY-1 — the agency's eligibility on `on` from its documents."""
    required = set(required_documents)
    problems: list[str] = []
    expiries: list[date] = []
    licences = (
        ("business_licence", business_licence_no, business_licence_expires),
        ("collection_licence", collection_licence_no, collection_licence_expires),
    )
    for name, number, expires in licences:
        if name not in required:
            continue
        if not number.strip() or expires is None:
            problems.append(f"{name}_missing")
        elif expires < on:
            problems.append(f"{name}_expired")
        else:
            expiries.append(expires)
    if "confidentiality_agreement" in required and (
        confidentiality_signed_on is None or confidentiality_signed_on > on
    ):
        problems.append(Problem.CONFIDENTIALITY_MISSING)
    expires_on = min(expiries) if expiries else None
    eligible = not problems
    soon = eligible and expires_on is not None and expires_on <= on + timedelta(days=warning_days)
    return Eligibility(eligible, tuple(problems), expires_on, soon)
