"""Posting as a polars kernel: every loan's receipts applied as `arrears.finance.account.replay` applies them.

How this works
--------------
The replay walks one loan's receipts in order (date; waivers before payments on a day; key) and, before each,
accrues penalty and compound interest on every instalment past its due date. A receipt's split depends on
what the earlier ones left, so the receipts of a loan must be applied in turn — but the loans are
independent. The kernel therefore takes one step per receipt *rank*: step k applies the k-th receipt of
every loan that has one, all loans at once, as column arithmetic over their instalments; a loan with k
receipts leaves the working frame after step k. The work is the sum over loans of receipts × instalments,
with no Python per loan.

The figures are the replay's, to the fen, in integers:

* Accrual is linear in the balance, so an instalment keeps its principal-days and interest-days (fen × days,
  summed over the stretches between receipts); the accrued penalty is principal-days × the penalty rate (in
  units of 1e-12, the engine's `RATE_SCALE`) ÷ (day basis × 1e12), rounded half-up to the fen in 128-bit
  integers — the replay's exact numerator ÷ basis, rounded once (see `arrears.engine.positions`).
* A payment's split (`allocate_payment`) is oldest instalment first (effective due date, then number), within
  it the policy's component order: with the instalments in that order, what stands before a component is a
  running sum, and it takes min(what is left of the payment after those, what it owes) — no loop.
* A waiver (Clause: WVR-2) settles penalty interest of every instalment oldest first, then compound
  interest oldest first: the same running sums, component first.
* An instalment's `settled_on` is the date of the first receipt that put money towards it and left nothing
  owed of it (principal, interest, penalty, compound interest), as the replay records it.

`allocate` takes plain frames and knows nothing of the database (`posting` reads and writes); the test
`tests/engine/test_post_kernel.py` compares it with the replay on generated loans.
"""

from __future__ import annotations

import polars as pl

from arrears.engine.params import RATE_SCALE

__all__ = ["RECEIPT_SCHEMA", "allocate"]

PAYMENT, WAIVER = "payment", "waiver"
_COLUMN = {"principal": "p", "interest": "i", "penalty_interest": "pen", "compound_interest": "comp"}

INSTALMENT_SCHEMA = {
    "loan_id": pl.Int64,
    "n": pl.Int64,
    "due": pl.Date,
    "principal_fen": pl.Int64,
    "interest_fen": pl.Int64,
}
RECEIPT_SCHEMA = {
    "loan_id": pl.Int64,
    "rid": pl.Int64,  # the caller's id of the receipt, carried through
    "key": pl.String,
    "paid_on": pl.Date,
    "amount_fen": pl.Int64,
    "kind": pl.String,
}
ALLOCATION_SCHEMA = {
    "loan_id": pl.Int64,
    "rid": pl.Int64,
    "kind": pl.String,
    "n": pl.Int64,
    "component": pl.String,
    "amount_fen": pl.Int64,
}
_LAST = 1 << 40  # a waiver's compound interest comes after every instalment's penalty; unapplied after all
_WAIVER_ORDER = {"penalty_interest": 0, "compound_interest": 1}
_PART_SCHEMA = {
    "loan_id": pl.Int64,
    "rid": pl.Int64,
    "waiver": pl.Boolean,
    "n": pl.Int64,
    "component": pl.String,
    "amount_fen": pl.Int64,
    "seq": pl.Int64,
    "rank": pl.Int64,
}
_UNAPPLIED = (
    "loan_id",
    "rid",
    "waiver",
    pl.lit(None, pl.Int64).alias("n"),
    pl.lit("unapplied").alias("component"),
    "amount_fen",
    pl.lit(4 * _LAST, pl.Int64).alias("seq"),
)


def _running(amount: pl.Expr, *, first: bool = False) -> pl.Expr:
    """The running sum of `amount` within each loan (rows in loan order, `first` marking each loan's first
    row, or worked out here): one pass over the frame, no grouping."""
    total = amount.cum_sum()
    start = pl.col("loan_id") != pl.col("loan_id").shift(1, fill_value=-1) if first else pl.col("first")
    return total - pl.when(start).then(total - amount).forward_fill()


def _half_up_div(numerator: pl.Expr, denominator: int) -> pl.Expr:
    return ((numerator.cast(pl.Int128) * 2 + denominator) // (2 * denominator)).cast(pl.Int64)


def allocate(
    instalments: pl.DataFrame,
    receipts: pl.DataFrame,
    rates: pl.DataFrame,
    *,
    order: tuple[str, ...],
    day_basis: int,
    compound: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply every loan's receipts to its instalments.

    instalments: loan_id, n, due (the effective due date), principal_fen, interest_fen.
    receipts: loan_id, rid, key, paid_on, amount_fen, kind ("payment" or "waiver").
    rates: loan_id, rate_e12 (the penalty rate: annual rate × (1 + markup), in units of 1e-12).

    Returns (allocations, settled): allocations loan_id, rid, kind, n, component, amount_fen — one row per
    component a receipt put money towards, plus a row with component "unapplied" (n null) for what a receipt
    could not settle; settled: loan_id, n, settled_on (null where no receipt settled the instalment)."""
    denominator = day_basis * RATE_SCALE
    receipts = (
        receipts.select(RECEIPT_SCHEMA.keys())
        .cast(RECEIPT_SCHEMA)
        .sort("loan_id", "paid_on", pl.col("kind") != WAIVER, "key")
        .with_columns(rank=pl.int_range(pl.len()).over("loan_id"))
    )
    counts = receipts.group_by("loan_id").agg(receipts=pl.len())
    state = (
        instalments.select(INSTALMENT_SCHEMA.keys())
        .cast(INSTALMENT_SCHEMA)
        .join(rates.select("loan_id", pl.col("rate_e12").cast(pl.Int64)), on="loan_id", how="left")
        .join(counts, on="loan_id", how="left")
        .with_columns(pl.col("receipts").fill_null(0))
        .sort("loan_id", "due", "n")
        .select(
            "loan_id",
            "n",
            "rate_e12",
            "receipts",
            pos=pl.int_range(pl.len()).over("loan_id"),
            p=pl.col("principal_fen"),
            i=pl.col("interest_fen"),
            pdays=pl.lit(0, pl.Int64),
            cdays=pl.lit(0, pl.Int64),
            pen_paid=pl.lit(0, pl.Int64),
            comp_paid=pl.lit(0, pl.Int64),
            accrued_from=pl.col("due").cast(pl.Int32),  # dates as day numbers inside the kernel
            settled_on=pl.lit(None, pl.Int32),
        )
    )
    done: list[pl.DataFrame] = []
    parts = [pl.DataFrame(schema=_PART_SCHEMA)]
    by_rank = receipts.partition_by("rank", as_dict=True, maintain_order=True)
    for rank in range(len(by_rank)):
        done.append(state.filter(pl.col("receipts") == rank).select("loan_id", "n", "settled_on"))
        state = state.filter(pl.col("receipts") > rank)
        step = by_rank[(rank,)].select(
            "loan_id", "rid", pl.col("paid_on").cast(pl.Int32), "amount_fen", waiver=pl.col("kind") == WAIVER
        )
        # A loan whose instalments are all settled (or that has none) puts the whole receipt aside.
        parts.append(
            step.join(state.select(pl.col("loan_id").unique()), on="loan_id", how="anti")
            .select(*_UNAPPLIED)
            .with_columns(rank=pl.lit(rank, pl.Int64))
        )
        joined = state.join(step, on="loan_id", how="inner", maintain_order="left")
        # Rows a payment cannot reach — what comes before them owes at least their principal and interest,
        # which already exhaust the payment — are left as they are: their accrual waits, being linear, until
        # a receipt reaches them (a waiver reaches every row: penalty of all instalments first).
        owed_before = _running(pl.col("p") + pl.col("i"), first=True) - pl.col("p") - pl.col("i")
        joined = joined.with_columns(reach=pl.col("waiver") | (owed_before < pl.col("amount_fen")))
        far = joined.filter(~pl.col("reach")).select(state.columns)
        near, settled, applied = _step(joined.filter("reach"), order, compound, denominator)
        state = near.vstack(far).sort("loan_id", "pos")
        done.append(settled)
        parts.append(applied.with_columns(rank=pl.lit(rank, pl.Int64)))
    done.append(state.select("loan_id", "n", "settled_on"))
    # In the order the replay applies them: loan, receipt, then as the split went (what `pk` order shows).
    allocations = (
        pl.concat(parts, how="vertical_relaxed")
        .sort("loan_id", "rank", "seq")
        .with_columns(kind=pl.when("waiver").then(pl.lit(WAIVER)).otherwise(pl.lit(PAYMENT)))
    )
    settled = pl.concat(done).with_columns(pl.col("settled_on").cast(pl.Date))
    return allocations.select(ALLOCATION_SCHEMA.keys()).cast(ALLOCATION_SCHEMA), settled


def _step(frame: pl.DataFrame, order: tuple[str, ...], compound: bool, denominator: int):
    """Apply one receipt per loan (columns rid, paid_on, amount_fen, waiver joined to the loan's
    instalments, in allocation order): accrue to its date, split it, and return (new state, allocation rows)."""
    loan = "loan_id"
    days = (pl.col("paid_on") - pl.col("accrued_from")).clip(lower_bound=0).cast(pl.Int64)
    frame = (
        frame.with_columns(
            first=pl.col(loan) != pl.col(loan).shift(1, fill_value=-1),
            last=pl.col(loan) != pl.col(loan).shift(-1, fill_value=-1),
        )
        .with_columns(
            pdays=pl.col("pdays") + pl.col("p") * days,
            cdays=(pl.col("cdays") + pl.col("i") * days) if compound else pl.col("cdays"),
            accrued_from=pl.max_horizontal("accrued_from", "paid_on"),
        )
        .with_columns(
            pen=_half_up_div(pl.col("pdays").cast(pl.Int128) * pl.col("rate_e12"), denominator) - pl.col("pen_paid"),
            comp=_half_up_div(pl.col("cdays").cast(pl.Int128) * pl.col("rate_e12"), denominator) - pl.col("comp_paid"),
        )
    )
    # A payment: instalment first, within it the policy's order.
    owed = [pl.col(_COLUMN[c]) for c in order]
    total = pl.sum_horizontal(owed)
    payment_takes, running = {}, _running(total) - total
    for component, column in zip(order, owed, strict=True):
        payment_takes[component] = (pl.col("amount_fen") - running).clip(0).clip(upper_bound=column)
        running = running + column
    takes = [f"take_{_COLUMN[c]}" for c in order]
    is_waiver = pl.col("waiver")
    if frame["waiver"].any():
        # A waiver: penalty of every instalment oldest first, then compound interest (WVR-2).
        pen_before = _running(pl.col("pen")) - pl.col("pen")
        comp_before = pl.col("pen").sum().over(loan) + _running(pl.col("comp")) - pl.col("comp")
        waiver_takes = {
            "penalty_interest": (pl.col("amount_fen") - pen_before).clip(0).clip(upper_bound=pl.col("pen")),
            "compound_interest": (pl.col("amount_fen") - comp_before).clip(0).clip(upper_bound=pl.col("comp")),
        }
        chosen = {c: pl.when(is_waiver).then(waiver_takes.get(c, pl.lit(0))).otherwise(payment_takes[c]) for c in order}
    else:
        chosen = payment_takes
    frame = frame.with_columns(**{f"take_{_COLUMN[c]}": chosen[c] for c in order})
    frame = frame.with_columns(
        p=pl.col("p") - pl.col("take_p"),
        i=pl.col("i") - pl.col("take_i"),
        pen_paid=pl.col("pen_paid") + pl.col("take_pen"),
        comp_paid=pl.col("comp_paid") + pl.col("take_comp"),
        touched=pl.any_horizontal(pl.col(t) > 0 for t in takes),
        settles=(pl.col("p") == pl.col("take_p"))
        & (pl.col("i") == pl.col("take_i"))
        & (pl.col("pen") == pl.col("take_pen"))
        & (pl.col("comp") == pl.col("take_comp")),
    ).with_columns(
        settled_on=pl.when(pl.col("settled_on").is_null() & pl.col("touched") & pl.col("settles"))
        .then(pl.col("paid_on"))
        .otherwise(pl.col("settled_on"))
    )
    component = pl.col("component")
    parts = (
        frame.select(loan, "rid", "waiver", "n", "pos", *takes)
        .unpivot(takes, index=[loan, "rid", "waiver", "n", "pos"], variable_name="component", value_name="amount_fen")
        .filter(pl.col("amount_fen") > 0)
        .with_columns(component.replace_strict({f"take_{v}": k for k, v in _COLUMN.items()}))
        .with_columns(
            seq=pl.when(is_waiver)
            .then(component.replace_strict(_WAIVER_ORDER, default=0, return_dtype=pl.Int64) * _LAST + pl.col("pos"))
            .otherwise(
                pl.col("pos") * 4
                + component.replace_strict({c: j for j, c in enumerate(order)}, default=0, return_dtype=pl.Int64)
            )
        )
    )
    unapplied = (
        frame.with_columns(taken=_running(pl.sum_horizontal(takes)))
        .filter(pl.col("last"))
        .with_columns(amount_fen=pl.col("amount_fen") - pl.col("taken"))
        .filter(pl.col("amount_fen") > 0)
        .select(*_UNAPPLIED)
    )
    gone = (
        (pl.col("p") == 0)
        & (pl.col("i") == 0)
        & (pl.col("pen") == pl.col("take_pen"))
        & (pl.col("comp") == pl.col("take_comp"))
    )
    frame = frame.with_columns(gone=gone)
    # A settled instalment is never touched again (nothing owed, nothing accrues): it leaves the working frame.
    settled = frame.filter("gone").select(loan, "n", "settled_on")
    state = frame.filter(~pl.col("gone")).select(
        loan,
        "n",
        "rate_e12",
        "receipts",
        "pos",
        "p",
        "i",
        "pdays",
        "cdays",
        "pen_paid",
        "comp_paid",
        "accrued_from",
        "settled_on",
    )
    columns = ["loan_id", "rid", "waiver", "n", "component", "amount_fen", "seq"]
    return state, settled, pl.concat([parts.select(columns), unapplied.select(columns)])
