"""Demo-bank fixtures: feeds generated once per session (the generator is deterministic, so sharing is safe)."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.portfolio.demo import generate_feed

BUSINESS_DATE = date(2026, 11, 27)


@pytest.fixture(scope="session")
def business_date() -> date:
    return BUSINESS_DATE


@pytest.fixture(scope="session")
def bank():
    """20,000 loans (one chunk): large enough for the mix to be measured within tolerance."""
    return generate_feed(20_000, seed=11, business_date=BUSINESS_DATE)


@pytest.fixture(scope="session")
def chunked_bank():
    """3,000 loans in chunks of 700, so identifiers and borrowers cross chunk boundaries."""
    return generate_feed(3_000, seed=5, business_date=BUSINESS_DATE, chunk_loans=700)
