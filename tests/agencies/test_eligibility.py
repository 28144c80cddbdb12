"""Agency eligibility (Clause: AGY-1): both licences on file and unexpired, a signed confidentiality agreement; a
licence is valid through its expiry date; a warning before expiry (`agency.expiry_warning_days`)."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.agencies.eligibility import eligibility

ALL = ("business_licence", "collection_licence", "confidentiality_agreement")
ON = date(2026, 12, 6)


def check(**changes):
    documents = {
        "business_licence_no": "91310000MA1FL0001X",
        "business_licence_expires": date(2029, 6, 30),
        "collection_licence_no": "沪催字(2025)017号",
        "collection_licence_expires": date(2027, 12, 31),
        "confidentiality_signed_on": date(2025, 1, 10),
    }
    return eligibility(**{**documents, **changes}, on=ON, required_documents=ALL, warning_days=30)


def test_every_document_valid_is_eligible_with_the_earlier_expiry():
    """Clause: AGY-1."""
    status = check()
    assert (status.eligible, status.problems, status.expires_on, status.expiring_soon) == (
        True,
        (),
        date(2027, 12, 31),
        False,
    )


def test_a_licence_expiring_today_is_still_valid_and_yesterday_is_not():
    """Clause: AGY-1 — valid through its expiry date: eligible on it (and warned), not the day after."""
    today = check(collection_licence_expires=ON)
    assert (today.eligible, today.expiring_soon, today.expires_on) == (True, True, ON)
    yesterday = check(business_licence_expires=date(2026, 12, 5))
    assert (yesterday.eligible, yesterday.problems) == (False, ("business_licence_expired",))


def test_the_warning_starts_exactly_warning_days_before_expiry():
    """Clause: AGY-1 — 30 days: expiring 2027-01-05 is warned on 2026-12-06, 2027-01-06 is not yet."""
    assert check(collection_licence_expires=date(2027, 1, 5)).expiring_soon is True
    assert check(collection_licence_expires=date(2027, 1, 6)).expiring_soon is False


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"business_licence_no": " "}, ("business_licence_missing",)),
        ({"collection_licence_expires": None}, ("collection_licence_missing",)),
        ({"confidentiality_signed_on": None}, ("confidentiality_missing",)),
        ({"confidentiality_signed_on": date(2026, 12, 7)}, ("confidentiality_missing",)),  # not signed yet
        (
            {"business_licence_expires": date(2026, 1, 1), "collection_licence_no": ""},
            ("business_licence_expired", "collection_licence_missing"),
        ),
    ],
)
def test_a_missing_or_expired_document_makes_it_ineligible_saying_which(changes, problems):
    """Clause: AGY-1."""
    status = check(**changes)
    assert (status.eligible, status.problems, status.expiring_soon) == (False, problems, False)
