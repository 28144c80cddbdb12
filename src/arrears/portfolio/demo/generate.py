"""A deterministic synthetic bank as the seven core-banking feed tables, generated a chunk at a time.

How this works
--------------
`iter_feed(n_loans, seed=, business_date=)` yields one `DemoFeed` per chunk of `CHUNK_LOANS` loans: the
chunk's borrowers (about one per 1.3 loans; a borrower's loans never straddle chunks), their contact persons,
the loans, every instalment of their schedules, the payments that put each loan where it stands on the
business date, some loans' earlier cured delinquency and a few long-released holds (`history`). Each chunk draws from its own random stream, `numpy.random.default_rng([seed, chunk])`, and
the identifiers are running numbers (or keyed permutations of them, see `ids`), so the output depends on
(n_loans, seed, business_date) and the chunk size only, never on the machine or the clock.

Amounts are integer fen in `*_fen` columns (the writer turns them into the feed's yuan); rates are
Decimal(10, 4). `generate_feed` concatenates the chunks, for tests and small sizes; large feeds should be
streamed to disk with `arrears.portfolio.demo.write.write_feed`.

Pure: numpy and polars (and `arrears.finance` for the schedules); no Django.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime

import numpy as np
import polars as pl

from arrears.portfolio.demo.history import make_holds, with_history
from arrears.portfolio.demo.loans import ScheduleBook, fit_incomes, loans_per_borrower, make_loans, settle_loans
from arrears.portfolio.demo.people import PeopleKeys, make_borrowers, make_contacts

__all__ = ["CHUNK_LOANS", "FEED_TABLES", "MAX_LOANS", "DemoFeed", "generate_feed", "iter_feed"]

# Part of the definition of the data: another chunk size gives other (equally valid) borrowers and loans.
CHUNK_LOANS = 200_000
MAX_LOANS = 20_000_000
FEED_TABLES = ("borrowers", "contacts", "loans", "schedules", "payments", "delinquency_history", "holds")

_BORROWER_COLUMNS = (
    "borrower_id", "name", "id_number", "mobile", "phone_alt", "email", "address", "employer",
    "monthly_income_fen", "risk_level", "preferred_channel", "consent_sms", "consent_email", "consent_phone",
    "language",
)  # fmt: skip
_LOAN_COLUMNS = (
    "loan_id", "borrower_id", "product", "principal_fen", "annual_rate", "penalty_markup", "term_months",
    "method", "start_date", "status",
)  # fmt: skip


@dataclass(frozen=True)
class DemoFeed:
    """The feed tables of (a chunk of) the synthetic bank, plus `positions`: where each loan stands.

    `positions` is not part of the feed: it records what the generator meant (status, DPD on the business
    date, instalments paid), so a test or a summary can compare it with what arrears computes.
    """

    borrowers: pl.DataFrame
    contacts: pl.DataFrame
    loans: pl.DataFrame
    schedules: pl.DataFrame
    payments: pl.DataFrame
    delinquency_history: pl.DataFrame
    holds: pl.DataFrame
    positions: pl.DataFrame

    def table(self, name: str) -> pl.DataFrame:
        if name not in FEED_TABLES:
            raise KeyError(f"unknown feed table {name!r}; one of {', '.join(FEED_TABLES)}")
        return getattr(self, name)


def _check(n_loans: object, seed: object, business_date: object, chunk_loans: object) -> None:
    if isinstance(n_loans, bool) or not isinstance(n_loans, int) or not 1 <= n_loans <= MAX_LOANS:
        raise ValueError(f"n_loans must be a whole number from 1 to {MAX_LOANS:,}, got {n_loans!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number ≥ 0, got {seed!r}")
    if not isinstance(business_date, date) or isinstance(business_date, datetime):
        raise ValueError(f"business_date must be a date, got {business_date!r}")
    if isinstance(chunk_loans, bool) or not isinstance(chunk_loans, int) or chunk_loans < 1:
        raise ValueError(f"chunk_loans must be a whole number ≥ 1, got {chunk_loans!r}")


def iter_feed(n_loans: int, *, seed: int, business_date: date, chunk_loans: int = CHUNK_LOANS) -> Iterator[DemoFeed]:
    """The feed of `n_loans` loans as of `business_date`, one chunk of at most `chunk_loans` loans at a time."""
    _check(n_loans, seed, business_date, chunk_loans)
    keys = PeopleKeys.from_seed(seed)
    book = ScheduleBook()
    next_borrower = 0
    for chunk, first_loan in enumerate(range(0, n_loans, chunk_loans)):
        rng = np.random.default_rng([seed, chunk])
        counts = loans_per_borrower(rng, min(chunk_loans, n_loans - first_loan))
        borrowers = make_borrowers(rng, next_borrower, len(counts), keys)
        contacts = make_contacts(rng, borrowers, keys)
        loans = make_loans(rng, first_loan, borrowers, counts, business_date)
        settled = settle_loans(rng, loans, book, business_date)
        payments, history = with_history(
            rng, settled.loans, settled.schedules, settled.payments, settled.positions, business_date
        )
        next_borrower += len(counts)
        yield DemoFeed(
            borrowers=fit_incomes(borrowers, settled.schedules, settled.loans).select(_BORROWER_COLUMNS),
            contacts=contacts.select("borrower_id", "name", "relation", "phone"),
            loans=settled.loans.select(_LOAN_COLUMNS),
            schedules=settled.schedules,
            payments=payments,
            delinquency_history=history,
            holds=make_holds(rng, borrowers, business_date),
            positions=settled.positions,
        )


def generate_feed(n_loans: int, *, seed: int, business_date: date, chunk_loans: int = CHUNK_LOANS) -> DemoFeed:
    """The whole feed in memory (all chunks concatenated); for tests and small sizes."""
    chunks = list(iter_feed(n_loans, seed=seed, business_date=business_date, chunk_loans=chunk_loans))
    return DemoFeed(**{f.name: pl.concat([getattr(c, f.name) for c in chunks], rechunk=True) for f in fields(DemoFeed)})
