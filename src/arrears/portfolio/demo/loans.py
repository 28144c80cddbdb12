"""Synthetic loans, their exact schedules and the payments that put each one where it stands on a date.

How this works
--------------
* Loan terms come from small grids: principals in whole steps of 1,000 元 (10,000 for SME and mortgage
  loans), rates from a per-product list, terms from a per-product set. So the distinct
  (principal, rate, term, method) combinations are few, and `ScheduleBook` computes each one's schedule once
  with `arrears.finance.build_schedule` (exact fen) and joins it to every loan that shares it. A schedule's
  amounts do not depend on the start date; the due dates do, and are laid per loan by polars from the start
  date and the month offset of each instalment (`dt.offset_by`, which clamps to the month's end as
  `arrears.finance.schedule.due_dates` does).
* The delinquency mix: a loan with an instalment due before the business date is delinquent with a
  probability that rises with the borrower's risk level (about 15% of active loans overall). A delinquent
  loan leaves its last k instalments due before the business date unpaid (k = 1 mostly, so DPD 1–30;
  k = 2, 3 give 31–60 and 61–90; a few have k ≥ 4, DPD 90+); three in ten made a partial payment on the
  oldest unpaid one. Every other instalment due on or before the business date was paid in full, on its due
  date or up to five days before, in one payment. A loan whose every instalment is due and paid is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import polars as pl

from arrears.finance import METHODS, build_schedule, from_fen
from arrears.portfolio.demo.draw import choice

__all__ = [
    "PRODUCTS",
    "RATES",
    "Product",
    "ScheduleBook",
    "fit_incomes",
    "loans_per_borrower",
    "make_loans",
    "settle_loans",
]


@dataclass(frozen=True)
class Product:
    code: str
    share: float
    principal_yuan: tuple[int, int, int]  # smallest, largest, step (a multiple of 1,000 元)
    rates: tuple[str, ...]
    terms: tuple[int, ...]
    methods: tuple[tuple[str, float], ...]


PRODUCTS: tuple[Product, ...] = (
    Product(
        "consumer", 0.55, (5_000, 200_000, 1_000),
        ("0.0360", "0.0435", "0.0490", "0.0600", "0.0720", "0.0900", "0.1080", "0.1200", "0.1440", "0.1800"),
        (6, 12, 24, 36),
        (("equal-instalment", 0.70), ("equal-principal", 0.15), ("interest-only", 0.10), ("bullet", 0.05)),
    ),
    Product(
        "card-instalment", 0.30, (3_000, 50_000, 1_000),
        ("0.0720", "0.0900", "0.1080", "0.1260", "0.1440", "0.1620", "0.1800"),
        (3, 6, 12, 24),
        (("equal-instalment", 0.85), ("equal-principal", 0.15)),
    ),
    Product(
        "sme", 0.10, (50_000, 1_000_000, 10_000),
        ("0.0385", "0.0435", "0.0490", "0.0550", "0.0600", "0.0650", "0.0720", "0.0800"),
        (12, 24, 36),
        (("interest-only", 0.40), ("equal-instalment", 0.30), ("equal-principal", 0.20), ("bullet", 0.10)),
    ),
    Product(
        "mortgage", 0.05, (300_000, 3_000_000, 10_000),
        ("0.0310", "0.0335", "0.0360", "0.0390", "0.0420", "0.0465", "0.0490"),
        (120, 180, 240, 300, 360),
        (("equal-instalment", 0.75), ("equal-principal", 0.25)),
    ),
)  # fmt: skip

RATES: tuple[str, ...] = tuple(sorted({r for p in PRODUCTS for r in p.rates}))
_RATE_DTYPE = pl.Decimal(10, 4)
_KEY = ("principal_fen", "rate_code", "term_months", "method_code")
_ANCHOR = date(2001, 1, 1)  # any start will do: a schedule's amounts do not depend on it

# Loans per borrower: 1 (76%), 2 (18%), 3 (6%): 1.3 loans per borrower on average.
_LOANS_PER_BORROWER_P = (0.76, 0.18, 0.06)
# Probability that a loan with an instalment past due is delinquent, by risk level (low, medium, high);
# a loan past maturity is delinquent far less often (most are settled and closed).
_RISK_CODES = {"low": 0, "medium": 1, "high": 2}
_DELINQUENT_P = np.array([0.105, 0.20, 0.36])
_DELINQUENT_MATURED_P = _DELINQUENT_P * 0.2
# Unpaid trailing instalments of a delinquent loan: 1, 2, 3, or 4–12.
_UNPAID_P = (0.62, 0.19, 0.09, 0.10)
_PARTIAL_P = 0.3
_ON_DUE_DATE_P = 0.6  # the rest pay 1–5 days early
# A bank lends only while the monthly instalments stay within this share of a borrower's income.
_MAX_DEBT_SERVICE = 0.45


def _id(prefix: str, numbers: np.ndarray | pl.Series, width: int = 10) -> pl.Series:
    return prefix + pl.Series(numbers, dtype=pl.Int64).cast(pl.String).str.zfill(width)


def loans_per_borrower(rng: np.random.Generator, n_loans: int) -> np.ndarray:
    """How many loans each borrower of a chunk holds, summing exactly to n_loans (the last one trimmed)."""
    counts = choice(rng, n_loans, _LOANS_PER_BORROWER_P) + 1
    ends = np.cumsum(counts)
    last = int(np.searchsorted(ends, n_loans))  # the borrower whose loans reach n_loans
    counts = counts[: last + 1].copy()
    counts[-1] -= int(ends[last]) - n_loans
    return counts


def make_loans(
    rng: np.random.Generator, first_number: int, borrowers: pl.DataFrame, counts: np.ndarray, business_date: date
) -> pl.DataFrame:
    """One row per loan, numbered from `first_number`, for `borrowers` holding `counts` loans each."""
    n = int(counts.sum())
    owner = np.repeat(np.arange(borrowers.height), counts)
    product = choice(rng, n, tuple(p.share for p in PRODUCTS))
    principal = np.zeros(n, dtype=np.int64)
    rate = np.zeros(n, dtype=np.int64)
    term = np.zeros(n, dtype=np.int64)
    method = np.zeros(n, dtype=np.int64)
    u_principal, u_rate, u_term, u_method = rng.random((4, n))
    for code, spec in enumerate(PRODUCTS):  # four products, each handled as one vector
        mask = product == code
        low, high, step = spec.principal_yuan
        # Log-uniform: small loans are more common than large ones.
        drawn = np.exp(np.log(low) + u_principal[mask] * (np.log(high + step) - np.log(low)))
        principal[mask] = np.minimum(drawn // step * step, high) * 100
        rate_ix = (u_rate[mask] * len(spec.rates)).astype(np.int64)
        rate[mask] = np.array([RATES.index(r) for r in spec.rates])[rate_ix]
        term[mask] = np.array(spec.terms)[(u_term[mask] * len(spec.terms)).astype(np.int64)]
        method_ix = np.searchsorted(np.cumsum([w for _, w in spec.methods]), u_method[mask], side="right")
        method_codes = np.array([METHODS.index(m) for m, _ in spec.methods])
        method[mask] = method_codes[method_ix.clip(0, len(method_codes) - 1)]
    # Start dates up to three years back, but rarely long after maturity, so most loans are still running.
    longest = np.minimum(1_095, np.ceil(term * 30.44).astype(np.int64) + 183)
    age_days = rng.integers(31, longest + 1)
    numbers = np.arange(first_number, first_number + n, dtype=np.int64)
    return pl.DataFrame(
        {
            "loan_no": numbers,
            "loan_id": _id("LN", numbers + 1),
            "borrower_id": borrowers["borrower_id"].gather(owner),
            "risk_level": borrowers["risk_level"].gather(owner),
            "product": pl.Series([p.code for p in PRODUCTS]).gather(product),
            "principal_fen": principal,
            "rate_code": rate,
            "annual_rate": pl.Series(RATES).gather(rate).cast(_RATE_DTYPE),
            "penalty_markup": pl.Series([None] * n, dtype=pl.Decimal(6, 4)),
            "term_months": term,
            "method_code": method,
            "method": pl.Series(METHODS).gather(method),
            "start_date": pl.select(pl.lit(business_date) - pl.duration(days=pl.Series(age_days))).to_series(),
        }
    )


class ScheduleBook:
    """Each distinct (principal, rate, term, method) schedule, computed once with `arrears.finance`.

    `table` holds the instalments of every combination seen so far, each combination's rows contiguous and in
    instalment order: n, month offset of the due date from the start, principal and interest in fen.
    `index` gives each combination's first row in `table` and its number of rows.
    """

    def __init__(self) -> None:
        self._parts: list[pl.DataFrame] = []
        self._table: pl.DataFrame | None = None
        self.index = pl.DataFrame(schema={**dict.fromkeys(_KEY, pl.Int64), "first_row": pl.Int64, "rows": pl.Int64})

    @property
    def table(self) -> pl.DataFrame:
        if self._table is None:
            self._table = pl.concat(self._parts, rechunk=True) if self._parts else self._compute([])[0]
        return self._table

    @property
    def combinations(self) -> int:
        return self.index.height

    def locate(self, loans: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """First row in `table` and number of rows of each loan's schedule, computing new combinations."""
        wanted = loans.select(_KEY).unique(maintain_order=True)
        wanted = wanted.join(self.index, on=list(_KEY), how="anti", maintain_order="left")
        if wanted.height:
            part, rows = self._compute(wanted.rows())
            first = sum(p.height for p in self._parts) + np.cumsum(rows) - rows
            self.index = pl.concat([self.index, wanted.with_columns(first_row=first, rows=rows)])
            self._parts.append(part)
            self._table = None
        where = loans.select(_KEY).join(self.index, on=list(_KEY), how="left", maintain_order="left")
        return where["first_row"].to_numpy(), where["rows"].to_numpy()

    @staticmethod
    def _compute(keys: list[tuple[int, int, int, int]]) -> tuple[pl.DataFrame, np.ndarray]:
        rows_per_key: list[int] = []
        columns: dict[str, list[int]] = {"n": [], "month_offset": [], "principal_fen": [], "interest_fen": []}
        anchor = _ANCHOR.year * 12 + _ANCHOR.month
        for principal, rate_code, months, method_code in keys:  # one loop per combination, not per loan
            instalments = build_schedule(
                principal=from_fen(principal),
                annual_rate=Decimal(RATES[rate_code]),
                months=months,
                method=METHODS[method_code],
                start=_ANCHOR,
            ).instalments
            rows_per_key.append(len(instalments))
            columns["n"].extend(i.n for i in instalments)
            columns["month_offset"].extend(i.due_date.year * 12 + i.due_date.month - anchor for i in instalments)
            # The amounts carry exactly two decimals, so moving the point is exact (no rounding here).
            columns["principal_fen"].extend(int(i.principal.scaleb(2)) for i in instalments)
            columns["interest_fen"].extend(int(i.interest.scaleb(2)) for i in instalments)
        return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Int64)), np.array(rows_per_key, dtype=np.int64)


@dataclass(frozen=True)
class Settled:
    loans: pl.DataFrame
    schedules: pl.DataFrame
    payments: pl.DataFrame
    positions: pl.DataFrame


def _segment_sums(flags: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of `flags` over consecutive segments of the given lengths (all ≥ 1)."""
    return np.add.reduceat(flags.astype(np.int64), np.cumsum(counts) - counts)


def _due_dates(starts: pl.Series, loan_ix: np.ndarray, month_offsets: np.ndarray) -> pl.Series:
    """Due date of each schedule row: its loan's start date moved on `month_offsets` months, clamped to the
    month's end (`dt.offset_by`, the rule of `arrears.finance.schedule.add_months`). Worked out once per
    (start date, offset) in a small table, then looked up for every row."""
    first, last = starts.min(), starts.max()
    span = pl.date_range(first, last, eager=True).alias("start")
    most = int(month_offsets.max()) + 1
    table = (
        pl.DataFrame({"start": span})
        .join(pl.DataFrame({"k": np.arange(most)}), how="cross")
        .select(pl.col("start").dt.offset_by(pl.format("{}mo", pl.col("k"))).cast(pl.Int32))
        .to_series()
        .to_numpy()
        .reshape(len(span), most)
    )
    start_ix = (starts - first).dt.total_days().to_numpy()[loan_ix]
    return pl.Series("due_date", table[start_ix, month_offsets], dtype=pl.Int32).cast(pl.Date)


def settle_loans(rng: np.random.Generator, loans: pl.DataFrame, book: ScheduleBook, business_date: date) -> Settled:
    """Schedules, payments and status of `loans` on `business_date` (see the module docstring)."""
    n = loans.height
    first_row, instalments = book.locate(loans)
    # Schedule rows: each loan's combination rows gathered from the book, loan after loan.
    loan_ix = np.repeat(np.arange(n), instalments)
    within = np.arange(len(loan_ix)) - np.repeat(np.cumsum(instalments) - instalments, instalments)
    book_rows = book.table[np.repeat(first_row, instalments) + within]
    rows = pl.concat(
        [
            loans.select("loan_no", "loan_id")[loan_ix],
            book_rows.select("n"),
            _due_dates(loans["start_date"], loan_ix, book_rows["month_offset"].to_numpy()).to_frame(),
            book_rows.select("principal_fen", "interest_fen"),
        ],
        how="horizontal",
    )
    due_days = (rows["due_date"] - business_date).dt.total_days().to_numpy()  # negative: before the date
    due_by_date = _segment_sums(due_days <= 0, instalments)
    past_due = _segment_sums(due_days < 0, instalments)

    risk = loans["risk_level"].replace_strict(_RISK_CODES, return_dtype=pl.Int64).to_numpy()
    matured = due_by_date == instalments
    p = np.where(matured, _DELINQUENT_MATURED_P[risk], _DELINQUENT_P[risk])
    delinquent = (past_due >= 1) & (rng.random(n) < p)
    unpaid_class = choice(rng, n, _UNPAID_P)
    unpaid = np.minimum(np.where(unpaid_class < 3, unpaid_class + 1, rng.integers(4, 13, n)), past_due)
    paid_upto = np.where(delinquent, past_due - unpaid, due_by_date)
    partial = delinquent & (rng.random(n) < _PARTIAL_P)
    partial_share = rng.uniform(0.1, 0.9, n)
    closed = matured & ~delinquent

    # Per schedule row (rows run loan after loan, so a per-loan value repeats `instalments` times).
    n_r = rows["n"].to_numpy()
    paid_upto_r = paid_upto[loan_ix]
    paid = n_r <= paid_upto_r
    early = np.where(rng.random(int(paid.sum())) < _ON_DUE_DATE_P, 0, rng.integers(1, 6, int(paid.sum())))
    oldest_unpaid = (n_r == paid_upto_r + 1) & delinquent[loan_ix]
    dpd = np.zeros(n, dtype=np.int64)
    dpd[delinquent] = -due_days[oldest_unpaid]

    # A partial payment on the oldest unpaid instalment: 10–90% of it in whole yuan, on a day from its due
    # date to the business date.
    partly = oldest_unpaid & partial[loan_ix]
    owed = (rows["principal_fen"].to_numpy() + rows["interest_fen"].to_numpy())[partly]
    share = partial_share[loan_ix[partly]]
    partial_amount = np.minimum(np.maximum(owed * share // 100 * 100, 100), owed - 1).astype(np.int64)
    late = (rng.random(int(partly.sum())) * (-due_days[partly] + 1)).astype(np.int64)

    day_shift = np.zeros(len(n_r), dtype=np.int64)
    day_shift[paid] = -early
    day_shift[partly] = late
    amount = rows["principal_fen"].to_numpy() + rows["interest_fen"].to_numpy()
    amount[partly] = partial_amount
    pays = paid | partly
    payments = rows.filter(pl.Series(pays)).select(
        ("PY" + (pl.col("loan_no") * 1_000 + 1_000 + pl.col("n")).cast(pl.String).str.zfill(13)).alias("payment_id"),
        "loan_id",
        (pl.col("due_date") + pl.duration(days=pl.Series(day_shift[pays]))).alias("paid_on"),
        pl.Series("amount_fen", amount[pays]),
    )
    status = pl.Series(np.where(closed, "closed", "active"))
    positions = pl.DataFrame(
        {
            "loan_id": loans["loan_id"],
            "status": status,
            "dpd": dpd,
            "instalments": instalments,
            "paid_instalments": paid_upto,
            "partial_payment": partial,
        }
    )
    return Settled(
        loans=loans.with_columns(status=status),
        schedules=rows.drop("loan_no"),
        payments=payments,
        positions=positions,
    )


def fit_incomes(borrowers: pl.DataFrame, schedules: pl.DataFrame, loans: pl.DataFrame) -> pl.DataFrame:
    """Borrowers whose drawn income could not have carried their loans get the least income that could.

    The monthly burden is the sum of each loan's first instalment (bullet loans, paid at maturity, aside);
    a known income below burden / 0.45 is raised to that, rounded up to 100 元.
    """
    burden = (
        schedules.filter(pl.col("n") == 1)
        .join(loans.select("loan_id", "borrower_id", "method"), on="loan_id", how="inner")
        .filter(pl.col("method") != "bullet")
        .group_by("borrower_id")
        .agg((pl.col("principal_fen") + pl.col("interest_fen")).sum().alias("burden_fen"))
    )
    least = (pl.col("burden_fen") / _MAX_DEBT_SERVICE / 10_000).ceil().cast(pl.Int64) * 10_000
    return (
        borrowers.join(burden, on="borrower_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("monthly_income_fen").is_not_null() & pl.col("burden_fen").is_not_null())
            .then(pl.max_horizontal("monthly_income_fen", least))
            .otherwise(pl.col("monthly_income_fen"))
            .alias("monthly_income_fen")
        )
        .drop("burden_fen")
    )
