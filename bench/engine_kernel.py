"""Benchmark of the daily-run engine kernel (`arrears.engine.runner.decide`) on a synthetic portfolio.

    .venv/bin/python bench/engine_kernel.py --profile              # 1,000,000 and 10,000,000 loans
    .venv/bin/python bench/engine_kernel.py --loans 10000000 --partitions 4

Each size runs in a fresh child process, so its peak RSS is its own. The child generates the portfolio
directly as polars frames (vectorised numpy, seeded: the same seed gives the same frames), then times
`decide` (the kernel figure; generation is timed and printed apart) --repeat times (the first run is cold, as a
nightly run in a fresh process sees it), the positions kernel alone, and, on the same data in the same process,
two baselines:

- the floor: one bare polars pass over the same columns (allocations summed per instalment, instalments
  joined with them and with the loans, grouped per loan: the earliest overdue due date and the sums) — the
  least work any implementation of the positions must do;
- pandas: a straightforward pandas version of the positions kernel (DPD, class, bucket, overdue principal and
  interest, penalty and compound interest by the same fen-days formula and half-up rounding, in int64 — the
  product that would overflow is split, see `pandas_positions`), checked against the engine's positions
  loan by loan. It runs up to --pandas-max-loans (default 1,000,000); larger sizes skip it.

With --partitions K the child decides K borrower partitions (`runner.partition_of`) one after the other and
drops each partition's frames before the next, as a shell applying one partition at a time would. Each timing
also reports the process's CPU seconds and those the rest of the machine used meanwhile (from /proc/stat): on
a shared box, a run that others slowed shows it.

What the synthetic portfolio holds, per N loans (as the shell would pass it: only instalments not yet settled
and due by as_of + 3): ~0.77 N borrowers (0.23 N of them with two loans); ~0.9 N upcoming instalments due
as_of .. as_of + 3 (nearly every loan's next instalment inside the reminder horizon: heavier than a real day,
where about one loan in eight has one); 12 % delinquent loans with 1–6 overdue instalments, DPD 1–400 (55 %
mild, 25 % moderate, 20 % severe); partial payments on a quarter of the overdue instalments (penalty and
compound interest accrued to the payment date, then interest and part of the principal: never more than the
instalment or the accrued interest) and on 3 % of the upcoming ones (paid early); cases for 90 % of delinquent
borrowers (a few closed, a few also with an older closed case) and for some current ones; calls, open promises
with payments, letters and holds.

Figures are printed, never asserted. Targets reported against (issue 22): kernel ≥ 5,000,000 loans/s on 2 cores;
10M loans within 3 GB peak RSS. --profile also times each kernel step on its own (each step's input collected first).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

AS_OF = date(2026, 11, 27)
EPOCH = date(1970, 1, 1)
RATES_E8 = np.array([4_350_000, 3_650_000, 7_990_000, 12_340_000, 23_990_000], dtype=np.int64)
COMPONENTS = ("principal", "interest", "penalty_interest", "compound_interest")
OUTCOMES = ("no_answer", "busy", "promised", "needs_plan", "refused", "reached_other", "wrong_party", "number_invalid")
OUTCOME_P = (0.42, 0.10, 0.14, 0.05, 0.06, 0.13, 0.05, 0.05)
TARGET_LOANS_PER_S = 5_000_000
TARGET_PEAK_MB_10M = 3 * 1024


# ---------------------------------------------------------------------------------------------------------------
# The synthetic portfolio


def _strings(values: tuple[str | None, ...], codes: np.ndarray) -> pl.Series:
    """A String column from small integer codes (a gather: the values share one buffer)."""
    return pl.Series(values, dtype=pl.String).gather(pl.Series(codes, dtype=pl.UInt32))


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32, copy=False)).cast(pl.Date)


def _nullable(values: np.ndarray, valid: np.ndarray, dtype: pl.DataType) -> pl.Series:
    return pl.select(pl.when(pl.Series(valid)).then(pl.Series(values)).cast(dtype)).to_series()


def _within(counts: np.ndarray) -> np.ndarray:
    """For rows repeated `counts` times each: 0, 1, … within each repeat."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def generate(n: int, seed: int, as_of: date, due_soon: float = 0.9) -> dict[str, pl.DataFrame]:
    """The engine's input frames for `n` loans (see the module docstring). Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    today = (as_of - EPOCH).days
    n_borrowers = round(n * 0.77)
    doubles = n - n_borrowers

    # Loans: each borrower one loan, the first `doubles` borrowers a second one, dealt out at random.
    owner = np.concatenate([np.arange(1, n_borrowers + 1, dtype=np.int64), np.arange(1, doubles + 1, dtype=np.int64)])
    rng.shuffle(owner)
    rate_e8 = RATES_E8[rng.integers(0, len(RATES_E8), n)]
    markup = np.where(rng.random(n) < 0.5, 3_000, 4_000).astype(np.int64)
    has_markup = rng.random(n) < 0.25
    loans = pl.DataFrame(
        {
            "loan_id": pl.Series(np.arange(1, n + 1, dtype=np.int64)),
            "borrower_id": pl.Series(owner),
            "annual_rate_e8": pl.Series(rate_e8),
            "markup_e4": _nullable(markup, has_markup, pl.Int64),
        }
    )
    effective_markup = np.where(has_markup, markup, 5_000)
    del markup, has_markup

    # Per loan: the instalment amount, delinquency and the overdue instalments.
    principal = rng.integers(20_000, 2_000_000, n, dtype=np.int64)  # 200 to 20,000 yuan an instalment
    interest = (principal * rate_e8 + 600_000_000) // 1_200_000_000  # a month's interest, rounded
    first_n = rng.integers(1, 30, n, dtype=np.int32)
    delinquent = np.flatnonzero(rng.random(n) < 0.12)
    band = rng.random(delinquent.size)
    dpd = np.where(
        band < 0.55,
        rng.integers(1, 31, delinquent.size),
        np.where(band < 0.80, rng.integers(31, 91, delinquent.size), rng.integers(91, 401, delinquent.size)),
    ).astype(np.int32)
    overdue_count = np.minimum(rng.integers(1, 7, delinquent.size), (dpd - 1) // 30 + 1).astype(np.int64)
    del band

    o_loan = np.repeat(delinquent, overdue_count)  # loan index of each overdue instalment
    o_j = _within(overdue_count)
    o_due = today - np.repeat(dpd, overdue_count) + 30 * o_j
    o_n = first_n[o_loan] + o_j.astype(np.int32)
    has_next = rng.random(n) < due_soon
    u_loan = np.flatnonzero(has_next)
    u_due = today + rng.integers(0, 4, u_loan.size)
    count = np.zeros(n, dtype=np.int32)
    count[delinquent] = overdue_count
    u_n = first_n[u_loan] + count[u_loan]
    del has_next, count, first_n

    inst_loan = np.concatenate([o_loan, u_loan])
    instalments = pl.DataFrame(
        {
            "loan_id": pl.Series(inst_loan + 1),
            "n": pl.Series(np.concatenate([o_n, u_n]).astype(np.int32)),
            "due_date": _dates(np.concatenate([o_due, u_due])),
            "principal_fen": pl.Series(principal[inst_loan]),
            "interest_fen": pl.Series(interest[inst_loan]),
        }
    )
    del inst_loan

    # Allocations. A quarter of the overdue instalments had one partial payment after the due date: first the
    # penalty and compound interest accrued by then (floor − 1 fen, so never more than has accrued), then a
    # share of interest and principal (less than the instalment, so it stays unsettled). 3 % of the upcoming
    # instalments were partly paid early: interest, then part of the principal.
    part = np.flatnonzero(rng.random(o_loan.size) < 0.25)
    p_loan, p_due, p_n = o_loan[part], o_due[part], o_n[part]
    p_paid = p_due + 1 + (rng.random(part.size) * (today - p_due)).astype(np.int64)  # due + 1 .. as_of
    days = (p_paid - p_due).astype(np.float64)
    daily = rate_e8[p_loan] * (10_000 + effective_markup[p_loan]) / (360 * 1e12)  # fen per fen-day
    pp, pi = principal[p_loan], interest[p_loan]
    penalty_paid = np.maximum(np.floor(pp * days * daily) - 1, 0).astype(np.int64)
    compound_paid = np.maximum(np.floor(pi * days * daily) - 1, 0).astype(np.int64)
    share = (rng.uniform(0.1, 0.9, part.size) * (pp + pi)).astype(np.int64)
    interest_paid = np.minimum(share, pi)
    principal_paid = share - interest_paid
    del days, daily, share, part

    early = np.flatnonzero(rng.random(u_loan.size) < 0.03)
    e_loan, e_n = u_loan[early], u_n[early]
    e_paid = today - rng.integers(0, 10, early.size)
    e_interest = interest[e_loan]
    e_principal = (rng.uniform(0.1, 0.9, early.size) * principal[e_loan]).astype(np.int64)
    del early, o_loan, o_due, o_n, u_loan, u_due, u_n

    a_loan = np.concatenate([p_loan, p_loan, p_loan, p_loan, e_loan, e_loan]) + 1
    a_n = np.concatenate([p_n, p_n, p_n, p_n, e_n, e_n])
    a_paid = np.concatenate([p_paid, p_paid, p_paid, p_paid, e_paid, e_paid])
    a_component = np.concatenate(
        [np.full(p_loan.size, c, dtype=np.uint32) for c in (2, 3, 1, 0)]
        + [np.full(e_loan.size, c, dtype=np.uint32) for c in (1, 0)]
    )
    a_amount = np.concatenate([penalty_paid, compound_paid, interest_paid, principal_paid, e_interest, e_principal])
    keep = a_amount > 0
    allocations = pl.DataFrame(
        {
            "loan_id": pl.Series(a_loan[keep]),
            "n": pl.Series(a_n[keep].astype(np.int32)),
            "paid_on": _dates(a_paid[keep]),
            "component": _strings(COMPONENTS, a_component[keep]),
            "amount_fen": pl.Series(a_amount[keep]),
        }
    )
    del a_loan, a_n, a_paid, a_component, a_amount, keep, p_loan, p_n, p_paid, e_loan, e_n, e_paid
    del penalty_paid, compound_paid, interest_paid, principal_paid, e_interest, e_principal, pp, pi
    del principal, interest, rate_e8, effective_markup

    # Borrowers.
    risk = rng.choice(3, n_borrowers, p=(0.6, 0.3, 0.1)).astype(np.uint32)
    borrowers = pl.DataFrame(
        {
            "borrower_id": pl.Series(np.arange(1, n_borrowers + 1, dtype=np.int64)),
            "risk_level": _strings(("low", "medium", "high"), risk),
            "preferred_channel": _strings(("sms", "email", None), rng.choice(3, n_borrowers, p=(0.6, 0.3, 0.1))),
            "has_email": pl.Series(rng.random(n_borrowers) < 0.55),
            "consent_sms": pl.Series(rng.random(n_borrowers) < 0.9),
            "consent_email": pl.Series(rng.random(n_borrowers) < 0.7),
            "consent_phone": pl.Series(rng.random(n_borrowers) < 0.85),
        }
    )

    # Each borrower's DPD (the largest of their loans'), for cases, calls, promises and letters.
    b_dpd = np.zeros(n_borrowers + 1, dtype=np.int32)
    np.maximum.at(b_dpd, owner[delinquent], dpd)
    del delinquent, dpd, overdue_count
    late = np.flatnonzero(b_dpd)  # borrower ids (index = id)
    late_dpd = b_dpd[late]
    late_high = risk[late - 1] == 2
    del b_dpd

    # Cases: 85 % of delinquent borrowers have an open case (a fifth of them opened at a lower DPD, so the
    # class or pool may have moved; a tenth with an older closed case too), 5 % only a closed one (reopen),
    # 10 % none (open); of the other borrowers 1 % have an open case (cured: close), 3 % a closed one.
    roll = rng.random(late.size)
    open_ = late[roll < 0.85]
    open_dpd = late_dpd[roll < 0.85]
    shifted = np.maximum(open_dpd - np.where(rng.random(open_.size) < 0.2, rng.integers(1, 16, open_.size), 0), 1)
    open_class = np.where(shifted <= 30, 1, np.where(shifted <= 90, 2, 3))
    open_pool = np.where(shifted > 90, 2, np.where(late_high[roll < 0.85] | (shifted > 60), 1, 0))
    older = open_[rng.random(open_.size) < 0.1]
    reopen = late[(roll >= 0.85) & (roll < 0.90)]
    current = np.setdiff1d(np.arange(1, n_borrowers + 1, dtype=np.int64), late, assume_unique=True)
    pick = rng.random(current.size)
    cured = current[pick < 0.01]
    closed = current[(pick >= 0.01) & (pick < 0.04)]
    del current, pick, roll
    c_borrower = np.concatenate([open_, cured, older, reopen, closed])
    c_open = np.concatenate(
        [
            np.ones(open_.size + cured.size, dtype=np.uint32),
            np.zeros(older.size + reopen.size + closed.size, dtype=np.uint32),
        ]
    )
    c_class = np.concatenate([open_class, np.ones(cured.size + older.size + reopen.size + closed.size, dtype=np.int64)])
    c_pool = np.concatenate([open_pool, np.zeros(cured.size + older.size + reopen.size + closed.size, dtype=np.int64)])
    c_opened = np.concatenate(
        [
            today - open_dpd + rng.integers(0, 3, open_.size),
            today - rng.integers(5, 60, cured.size),
            today - rng.integers(400, 800, older.size),
            today - rng.integers(420, 800, reopen.size),
            today - rng.integers(30, 900, closed.size),
        ]
    )
    cases = pl.DataFrame(
        {
            "case_id": pl.Series(np.arange(1, c_borrower.size + 1, dtype=np.int64)),
            "borrower_id": pl.Series(c_borrower),
            "status": _strings(("closed", "open"), c_open),
            "delinquency_class": _strings(("current", "mild", "moderate", "severe"), c_class),
            "pool": _strings(("junior", "senior", "supervisor"), c_pool),
            "opened_on": _dates(c_opened),
        }
    )
    del c_borrower, c_open, c_class, c_pool, c_opened, older, reopen, closed, cured, shifted, open_class, open_pool

    # Calls: 0–8 for each borrower with an open case, over the last min(DPD, 60) days.
    per = rng.integers(0, 9, open_.size)
    call_borrower = np.repeat(open_, per)
    span = np.repeat(np.minimum(open_dpd, 60), per)
    calls = pl.DataFrame(
        {
            "borrower_id": pl.Series(call_borrower),
            "called_on": _dates(today - (rng.random(call_borrower.size) * span).astype(np.int64)),
            "outcome": _strings(OUTCOMES, rng.choice(len(OUTCOMES), call_borrower.size, p=OUTCOME_P)),
            "inbound": pl.Series(np.zeros(call_borrower.size, dtype=bool)),
        }
    )
    del per, call_borrower, span, open_, open_dpd

    # Promises: one open promise for 10 % of delinquent borrowers; 0–3 payments each since it was made.
    promised = late[rng.random(late.size) < 0.10]
    made = today - rng.integers(1, 15, promised.size)
    due = made + rng.integers(1, 15, promised.size)
    amount = rng.integers(10_000, 500_000, promised.size)
    promises = pl.DataFrame(
        {
            "promise_id": pl.Series(np.arange(1, promised.size + 1, dtype=np.int64)),
            "borrower_id": pl.Series(promised),
            "made_on": _dates(made),
            "due_on": _dates(due),
            "amount_fen": pl.Series(amount),
        }
    )
    per = rng.integers(0, 4, promised.size)
    which = np.repeat(np.arange(promised.size), per)
    payments = pl.DataFrame(
        {
            "borrower_id": pl.Series(promised[which]),
            "paid_on": _dates(np.minimum(made[which] + rng.integers(0, 15, which.size), today)),
            "amount_fen": pl.Series((amount[which] * rng.uniform(0.2, 0.7, which.size)).astype(np.int64)),
        }
    )
    del promised, made, due, amount, per, which

    # Letters: a quarter of borrowers past DPD 30 were sent a formal notice in the last 20 days.
    noticed = late[(late_dpd > 30) & (rng.random(late.size) < 0.25)]
    letters = pl.DataFrame(
        {
            "letter_id": pl.Series(np.arange(1, noticed.size + 1, dtype=np.int64)),
            "borrower_id": pl.Series(noticed),
            "sent_on": _dates(today - rng.integers(0, 20, noticed.size)),
        }
    )
    del noticed, late, late_dpd, late_high

    # Holds: 0.2 % of loans, half on the loan, half on its borrower; some ended, half open-ended.
    held = np.flatnonzero(rng.random(n) < 0.002)
    ends = today + rng.integers(-10, 60, held.size)
    holds = pl.DataFrame(
        {
            "borrower_id": pl.Series(owner[held]),
            "loan_id": _nullable(held + 1, rng.random(held.size) < 0.5, pl.Int64),
            "starts_on": _dates(today - rng.integers(0, 60, held.size)),
            "ends_on": _dates(ends).set(pl.Series(rng.random(held.size) < 0.5), None),
        }
    )
    return {
        "loans": loans,
        "borrowers": borrowers,
        "instalments": instalments,
        "allocations": allocations,
        "holds": holds,
        "cases": cases,
        "calls": calls,
        "promises": promises,
        "payments": payments,
        "letters": letters,
    }


# ---------------------------------------------------------------------------------------------------------------
# Baselines


def floor_pass(frames: dict[str, pl.DataFrame], as_of: date, horizon: date) -> pl.DataFrame:
    """The least any positions kernel does: allocations summed per instalment, instalments due by the horizon
    joined with them and with their loan, and per loan the earliest overdue due date and the sums."""
    paid = (
        frames["allocations"]
        .lazy()
        .filter(pl.col("paid_on") <= as_of)
        .group_by("loan_id", "n")
        .agg(paid_fen=pl.col("amount_fen").sum())
    )
    return (
        frames["instalments"]
        .lazy()
        .filter(pl.col("due_date") <= horizon)
        .join(paid, on=["loan_id", "n"], how="left")
        .join(frames["loans"].lazy().select("loan_id", "borrower_id", "annual_rate_e8"), on="loan_id", how="inner")
        .group_by("loan_id")
        .agg(
            borrower_id=pl.col("borrower_id").first(),
            earliest_overdue=pl.col("due_date").filter(pl.col("due_date") < as_of).min(),
            principal_fen=pl.col("principal_fen").sum(),
            interest_fen=pl.col("interest_fen").sum(),
            paid_fen=pl.col("paid_fen").sum(),
        )
        .collect()
    )


def pandas_positions(pdf: dict, terms) -> object:
    """A straightforward pandas positions kernel, int64 throughout (no rolling of due dates, the default).

    Per instalment: allocations paid by the as-of date, per component, with the fen-days paid off
    (amount × days from max(paid on, due date) to the as-of date); penalty = half-up(fen-days × rate ÷ D) with
    rate = annual_rate_e8 × (10,000 + markup_e4) and D = day basis × 1e12. fen-days × rate can exceed int64,
    so it is split: A = fen-days × annual_rate_e8 fits, A = q × D + r, and the result is q × m + half-up(r × m
    ÷ D) with m = 10,000 + markup (r × m < D × 15,000 < 2^63). Per loan: DPD from the earliest overdue
    instalment not settled, class, bucket and the overdue sums.
    """
    import pandas as pd

    as_of = pd.Timestamp(terms.as_of)
    horizon = pd.Timestamp(terms.horizon)
    denominator = terms.day_basis * 10**12
    loans, inst, alloc = pdf["loans"], pdf["instalments"], pdf["allocations"]

    inst = inst[inst["due_date"] <= horizon]
    alloc = alloc[alloc["paid_on"] <= as_of].merge(inst[["loan_id", "n", "due_date"]], on=["loan_id", "n"])
    start = alloc["paid_on"].where(alloc["paid_on"] > alloc["due_date"], alloc["due_date"])
    after = (as_of - start).dt.days.clip(lower=0).astype("int64")
    parts = {}
    for component, name in (
        ("principal", "principal"),
        ("interest", "interest"),
        ("penalty_interest", "penalty"),
        ("compound_interest", "compound"),
    ):
        mine = alloc["component"] == component
        parts[f"{name}_paid"] = alloc["amount_fen"].where(mine, 0)
        if name in ("principal", "interest"):
            parts[f"{name}_days_paid"] = (alloc["amount_fen"] * after).where(mine, 0)
    paid = (
        pd.DataFrame({"loan_id": alloc["loan_id"], "n": alloc["n"], **parts})
        .groupby(["loan_id", "n"], sort=False)
        .sum()
    )
    items = inst.merge(paid, left_on=["loan_id", "n"], right_index=True, how="left")
    for column in parts:
        items[column] = items[column].fillna(0).astype("int64")
    items = items.merge(loans, on="loan_id", how="inner")

    days_over = (as_of - items["due_date"]).dt.days.clip(lower=0).astype("int64")
    multiplier = items["markup_e4"].fillna(terms.markup_e4).astype("int64") + 10_000
    rate_e8 = items["annual_rate_e8"].astype("int64")

    def accrued(fen_days: pd.Series) -> pd.Series:
        if len(fen_days) and int(fen_days.max()) * int(rate_e8.max()) >= 2**63:
            raise OverflowError("fen-days × rate beyond int64; this baseline's split does not cover it")
        quotient, remainder = np.divmod(fen_days * rate_e8, denominator)
        return quotient * multiplier + (remainder * multiplier + denominator // 2) // denominator

    items["principal_left"] = items["principal_fen"] - items["principal_paid"]
    items["interest_left"] = items["interest_fen"] - items["interest_paid"]
    items["penalty_owed"] = (
        accrued(items["principal_fen"] * days_over - items["principal_days_paid"]) - items["penalty_paid"]
    )
    compound = accrued(items["interest_fen"] * days_over - items["interest_days_paid"]) if terms.compound else 0
    items["compound_owed"] = compound - items["compound_paid"]
    items["overdue"] = items["due_date"] < as_of
    settled = (
        (items["principal_left"] == 0)
        & (items["interest_left"] == 0)
        & (items["penalty_owed"] == 0)
        & (items["compound_owed"] == 0)
    )
    items["unpaid_due"] = items["due_date"].where(items["overdue"] & ~settled)
    items["overdue_principal_fen"] = items["principal_left"].where(items["overdue"], 0)
    items["overdue_interest_fen"] = items["interest_left"].where(items["overdue"], 0)
    per_loan = items.groupby("loan_id", sort=False).agg(
        earliest_unpaid_due=("unpaid_due", "min"),
        overdue_principal_fen=("overdue_principal_fen", "sum"),
        overdue_interest_fen=("overdue_interest_fen", "sum"),
        penalty_fen=("penalty_owed", "sum"),
        compound_fen=("compound_owed", "sum"),
    )
    out = loans[["loan_id", "borrower_id"]].merge(per_loan, left_on="loan_id", right_index=True, how="left")
    amounts = ["overdue_principal_fen", "overdue_interest_fen", "penalty_fen", "compound_fen"]
    for column in amounts:
        out[column] = out[column].fillna(0).astype("int64")
    out["dpd"] = (as_of - out["earliest_unpaid_due"]).dt.days.fillna(0).astype("int32")
    dpd = out["dpd"]
    out["delinquency_class"] = np.select(
        [dpd <= 0, dpd <= terms.mild_max_dpd, dpd <= terms.moderate_max_dpd], ["current", "mild", "moderate"], "severe"
    )
    out["bucket"] = np.select([dpd <= 0, dpd <= 30, dpd <= 60, dpd <= 90], ["M0", "M1", "M2", "M3"], "M3+")
    out["overdue_total_fen"] = out[amounts].sum(axis=1)
    return out


# ---------------------------------------------------------------------------------------------------------------
# The child: one size


def _rss_mb() -> tuple[float, float]:
    """(peak RSS, current RSS) of this process in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    with open("/proc/self/status") as status:
        current = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    return peak, current


def _frames_mb(frames) -> float:
    """Bytes the frames hold (Arrow buffers: values, string views and their data, validity), in MB."""
    return sum(frame.to_arrow().nbytes for frame in frames) / 2**20


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _say(line: str) -> None:
    print(f"  {line}", file=sys.stderr, flush=True)


def _machine_busy_s() -> float:
    """CPU seconds all processes on the machine have used (busy time of every core, from /proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _timed(runs: int, work):
    """Run `work` `runs` times: (last result, [(wall s, own CPU s, others' CPU s) per run]). Own CPU is this
    process's user + system time (all threads); others' is what the rest of the machine used meanwhile, i.e.
    how much of the 2 cores other work took from the run."""
    result, times = None, []
    for _ in range(runs):
        result = None
        gc.collect()
        cpu, busy, started = _cpu_s(), _machine_busy_s(), time.perf_counter()
        result = work()
        wall, own = time.perf_counter() - started, _cpu_s() - cpu
        times.append((wall, own, max(_machine_busy_s() - busy - own, 0.0)))
    return result, times


def _profile(inputs, terms, calendar) -> dict[str, float]:
    """Each kernel step timed on its own: its inputs collected first, then its output (wall seconds)."""
    from arrears.engine.cases import borrower_positions, case_decisions
    from arrears.engine.params import day_table, follow_up_table
    from arrears.engine.positions import instalment_positions, loan_positions
    from arrears.engine.reminders import reminders_due
    from arrears.engine.work import episodes, promise_outcomes, tasks_due

    steps: dict[str, float] = {}

    def step(name, make):
        gc.collect()
        started = time.perf_counter()
        result = make()
        steps[name] = time.perf_counter() - started
        return result

    days = day_table(calendar, None, terms)
    sent = inputs.letters.select("sent_on").unique().collect().to_series().to_list()
    follow_ups = follow_up_table(calendar, sent, terms)
    items = step(
        "instalment_positions",
        lambda: instalment_positions(inputs.instalments, inputs.allocations, inputs.loans, days, terms).collect(),
    ).lazy()
    positions, problems = step("loan_positions", lambda: pl.collect_all(loan_positions(items, inputs.borrowers, terms)))
    positions, problems = positions.lazy(), problems.lazy()
    per_borrower = step(
        "borrower_positions", lambda: borrower_positions(positions, problems, inputs.borrowers, terms).collect()
    ).lazy()
    decisions = step(
        "case_decisions", lambda: case_decisions(per_borrower, inputs.cases, problems, terms).collect()
    ).lazy()
    step("reminders_due", lambda: reminders_due(items, inputs.borrowers, inputs.holds, terms).collect())
    outcomes = step(
        "promise_outcomes", lambda: promise_outcomes(inputs.promises, inputs.payments, terms).collect()
    ).lazy()
    episode = step("episodes", lambda: episodes(per_borrower, inputs.cases, decisions).collect()).lazy()
    step(
        "tasks_due",
        lambda: tasks_due(episode, inputs.calls, inputs.letters, follow_ups, outcomes, inputs.holds, terms).collect(),
    )
    return steps


def _summary(decisions) -> dict:
    """What a run decided, in counts (and the bytes its frames hold)."""
    frames = decisions.frames()
    return {
        "out_rows": {name: frame.height for name, frame in frames.items()},
        "out_mb": _frames_mb(frames.values()),
        "delinquent_loans": decisions.positions.filter(pl.col("dpd") > 0).height,
        "decisions": dict(decisions.cases.group_by("decision").len().iter_rows()),
    }


def _add(total: dict, part: dict) -> dict:
    for key, value in part.items():
        if isinstance(value, dict):
            mine = total.setdefault(key, {})
            for name, count in value.items():
                mine[name] = mine.get(name, 0) + count
        else:
            total[key] = total.get(key, 0) + value
    return total


def _decide_in_parts(inputs, terms, calendar, parts: int) -> dict:
    """`decide` on each partition of borrowers in turn (`runner.partition_of`), each partition's decisions
    tallied and dropped before the next, as a shell applying one partition at a time would: the summary."""
    from arrears.engine.runner import decide, partition_of

    total: dict = {}
    for index in range(parts):
        decisions = decide(partition_of(inputs, parts, index), terms, calendar)
        _add(total, _summary(decisions))
        del decisions
    return total


def _child(args: argparse.Namespace) -> None:
    from arrears.engine.params import Terms, day_table
    from arrears.engine.positions import instalment_positions, loan_positions
    from arrears.engine.runner import decide
    from arrears.engine.schema import Inputs
    from arrears.policy import Policy
    from arrears.workdays import default_calendar

    n = args.loans
    terms = Terms.of(Policy(), args.as_of)
    calendar = default_calendar()
    figures: dict = {"loans": n, "threads": pl.thread_pool_size(), "parts": args.partitions}
    figures["load_start"] = os.getloadavg()[0]
    figures["rss_start_mb"] = _rss_mb()[1]

    started = time.perf_counter()
    frames = generate(n, args.seed, args.as_of, args.due_soon)
    figures["generate_s"] = time.perf_counter() - started
    figures["rows"] = {name: frame.height for name, frame in frames.items()}
    gc.collect()
    figures["peak_after_generate_mb"], figures["rss_before_decide_mb"] = _rss_mb()
    _say(f"{n:,} loans generated in {figures['generate_s']:.1f} s")

    inputs = Inputs.of(**frames)
    decisions = None
    if args.partitions > 1:
        summary, runs = _timed(args.repeat, lambda: _decide_in_parts(inputs, terms, calendar, args.partitions))
        figures["peak_after_decide_mb"], _ = _rss_mb()
    else:
        decisions, runs = _timed(args.repeat, lambda: decide(inputs, terms, calendar))
        figures["peak_after_decide_mb"], _ = _rss_mb()
        summary = _summary(decisions)
    figures.update(summary)
    figures["decisions"] = dict(sorted(figures["decisions"].items()))
    figures["decide_runs"] = runs
    _say("decide: " + ", ".join(f"{wall:.2f} s (CPU {cpu:.2f} s, others {other:.2f} s)" for wall, cpu, other in runs))

    # The positions kernel alone (what the floor and pandas compute), one plan as decide builds it.
    days = day_table(calendar, None, terms)

    def positions_only():
        items = instalment_positions(inputs.instalments, inputs.allocations, inputs.loans, days, terms)
        return pl.collect_all(loan_positions(items, inputs.borrowers, terms))

    _, figures["positions_runs"] = _timed(args.repeat, positions_only)
    if args.profile:
        figures["steps_s"] = _profile(inputs, terms, calendar)
    _, figures["floor_runs"] = _timed(args.repeat, lambda: floor_pass(frames, terms.as_of, terms.horizon))
    _say(f"positions alone {min(figures['positions_runs'])[0]:.2f} s, floor {min(figures['floor_runs'])[0]:.2f} s")

    if n <= args.pandas_max_loans and decisions is not None:
        import pandas as pd

        started = time.perf_counter()
        pdf = {name: frames[name].to_pandas() for name in ("loans", "instalments", "allocations")}
        figures["pandas_convert_s"] = time.perf_counter() - started
        out, figures["pandas_runs"] = _timed(args.repeat, lambda: pandas_positions(pdf, terms))
        figures["pandas_version"] = pd.__version__
        _say(f"pandas {min(figures['pandas_runs'])[0]:.2f} s (+ {figures['pandas_convert_s']:.2f} s to_pandas)")
        columns = ["loan_id", "dpd", "overdue_principal_fen", "overdue_interest_fen", "penalty_fen", "compound_fen"]
        theirs = (
            pl.from_pandas(out[columns])
            .with_columns(pl.col("dpd").cast(pl.Int32))
            .filter(pl.col("dpd") > 0)  # the engine lists loans in arrears; the others are current, owing nothing
            .sort("loan_id")
        )
        figures["pandas_agrees"] = theirs.equals(decisions.positions.select(columns).sort("loan_id"))
        del pdf, out, theirs
    figures["peak_end_mb"], _ = _rss_mb()
    figures["input_mb"] = _frames_mb(frames.values())  # last: its Arrow export must not count in the peaks
    figures["load_end"] = os.getloadavg()[0]
    print(json.dumps(figures))


# ---------------------------------------------------------------------------------------------------------------
# The parent: one child per size, then the table


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, nargs="+", default=[1_000_000, 10_000_000], help="sizes (default 1M 10M)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each timing (default 2); the first is cold")
    parser.add_argument("--pandas-max-loans", type=int, default=1_000_000, help="skip pandas above this size")
    parser.add_argument(
        "--partitions", type=int, default=1, help="decide this many borrower partitions in turn, each dropped after"
    )
    parser.add_argument("--profile", action="store_true", help="also time each kernel step on its own")
    parser.add_argument(
        "--due-soon",
        type=float,
        default=0.9,
        help="share of loans with an instalment due within the reminder horizon (default 0.9, a heavy day; "
        "monthly schedules give about 0.12 on an ordinary day)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and len(args.loans) != 1:
        parser.error("a child runs one size")
    if args.child:
        args.loans = args.loans[0]
    return args


def _run(args: argparse.Namespace, n: int) -> dict:
    command = [sys.executable, __file__, "--child", "--loans", str(n), "--seed", str(args.seed)]
    command += ["--as-of", args.as_of.isoformat(), "--repeat", str(args.repeat), "--partitions", str(args.partitions)]
    command += ["--pandas-max-loans", str(args.pandas_max_loans), "--due-soon", str(args.due_soon)]
    command += ["--profile"] if args.profile else []
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603 - our own script
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(runs: list) -> float:
    return min(run[0] for run in runs)


def _report(results: list[dict]) -> None:
    print()
    header = (
        f"{'loans':>11} {'generate':>9} {'decide':>8} {'loans/s':>10} {'best':>7} {'loans/s':>10} {'CPU':>7} "
        f"{'positions':>9} {'floor':>7} {'pandas':>8} {'peak gen':>9} {'peak decide':>11} {'decide +':>9}"
    )
    print(header)
    print("-" * len(header))
    for f in results:
        cold_wall, cold_cpu, _ = f["decide_runs"][0]
        best = _best(f["decide_runs"])
        pandas = f"{_best(f['pandas_runs']):7.2f}s" if "pandas_runs" in f else f"{'skipped':>8}"
        grew = f["peak_after_decide_mb"] - f["peak_after_generate_mb"]
        print(
            f"{f['loans']:>11,} {f['generate_s']:8.1f}s {cold_wall:7.2f}s {f['loans'] / cold_wall:>10,.0f} "
            f"{best:6.2f}s {f['loans'] / best:>10,.0f} {cold_cpu:6.1f}s {_best(f['positions_runs']):8.2f}s "
            f"{_best(f['floor_runs']):6.2f}s {pandas} {f['peak_after_generate_mb']:7,.0f}MB "
            f"{f['peak_after_decide_mb']:9,.0f}MB {grew:7,.0f}MB"
        )
    print(
        "decide: the first run (cold, as a nightly run in a fresh process sees it) and the best of the runs; CPU: "
        "user + system seconds of the first run (all threads); positions: the positions kernel alone; peak: RSS"
    )
    for f in results:
        best = _best(f["decide_runs"])
        positions, floor = _best(f["positions_runs"]), _best(f["floor_runs"])
        working = f["peak_after_decide_mb"] - f["rss_before_decide_mb"]
        parts = f" in {f['parts']} borrower partitions, each dropped before the next" if f["parts"] > 1 else ""
        print()
        print(
            f"{f['loans']:,} loans{parts} ({f['threads']} polars threads, load average {f['load_start']:.2f} → {f['load_end']:.2f}):"
        )
        print("  inputs: " + ", ".join(f"{k} {v:,}" for k, v in f["rows"].items()) + f" ({f['input_mb']:,.0f} MB)")
        print(
            "  decided: "
            + ", ".join(f"{k} {v:,}" for k, v in f["out_rows"].items())
            + f" ({f['out_mb']:,.0f} MB); delinquent loans {f['delinquent_loans']:,}; cases: "
            + ", ".join(f"{k} {v:,}" for k, v in f["decisions"].items())
        )
        runs = ", ".join(f"{wall:.2f} s (CPU {cpu:.2f} s)" for wall, cpu, _ in f["decide_runs"])
        others = ", ".join(f"{other:.1f}" for _, _, other in f["decide_runs"])
        print(f"  decide runs: {runs}; other processes meanwhile used {others} CPU s")
        print(
            f"  memory: RSS {f['rss_start_mb']:,.0f} MB after imports, peak {f['peak_after_generate_mb']:,.0f} MB after generating, "
            f"RSS {f['rss_before_decide_mb']:,.0f} MB "
            f"before decide, peak {f['peak_after_decide_mb']:,.0f} MB after (decide's working set ≤ {working:,.0f} MB), "
            f"{f['peak_end_mb']:,.0f} MB at the end (baselines)"
        )
        rate = f["loans"] / best
        verdict = "meets" if rate >= TARGET_LOANS_PER_S else "misses"
        print(f"  kernel {rate:,.0f} loans/s at best: {verdict} the target of {TARGET_LOANS_PER_S:,} loans/s")
        if f["loans"] >= 10_000_000:
            verdict = "meets" if f["peak_after_decide_mb"] <= TARGET_PEAK_MB_10M else "misses"
            print(f"  peak RSS {f['peak_after_decide_mb']:,.0f} MB: {verdict} the 3 GB target for 10M loans")
        print(
            f"  floor {floor:.2f} s ({f['loans'] / floor:,.0f} loans/s): decide = {best / floor:.1f}× the floor, "
            f"the positions kernel alone ({positions:.2f} s) {positions / floor:.1f}×"
        )
        if "pandas_runs" in f:
            pandas = _best(f["pandas_runs"])
            agree = "agree" if f["pandas_agrees"] else "DISAGREE"
            print(
                f"  pandas {f['pandas_version']} positions {pandas:.2f} s ({f['loans'] / pandas:,.0f} loans/s; "
                f"+ {f['pandas_convert_s']:.2f} s to_pandas, not counted): {pandas / positions:.1f}× the engine's "
                f"positions kernel, {pandas / best:.1f}× all of decide; pandas and engine positions {agree} loan by loan"
            )
        else:
            print("  pandas skipped (--pandas-max-loans, or --partitions)")
        if "steps_s" in f:
            total = sum(f["steps_s"].values())
            steps = ", ".join(f"{k} {v:.2f} ({v / total:.0%})" for k, v in f["steps_s"].items())
            print(f"  steps alone (s): {steps}; sum {total:.2f}")


def _engine_version() -> str:
    """The last commit that touched the engine, and whether its files differ from it (the figures' subject)."""
    engine = Path(__file__).resolve().parent.parent / "src" / "arrears" / "engine"
    try:
        git = ["git", "-C", str(engine)]
        commit = subprocess.run([*git, "log", "-1", "--format=%h %cs", "--", "."], capture_output=True, text=True)  # noqa: S603
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True, text=True)  # noqa: S603
    except OSError:
        return "unknown (no git)"
    return (commit.stdout.strip() or "unknown") + (" + uncommitted changes" if dirty.stdout.strip() else "")


def main() -> None:
    args = _args()
    if args.child:
        _child(args)
        return
    from arrears.engine.params import Terms
    from arrears.policy import Policy

    horizon = Terms.of(Policy(), args.as_of).horizon
    print(
        f"engine kernel benchmark: {', '.join(f'{n:,}' for n in args.loans)} loans, seed {args.seed}, "
        f"as of {args.as_of} (horizon {horizon}); engine at {_engine_version()}"
    )
    _report([_run(args, n) for n in args.loans])


if __name__ == "__main__":
    main()
