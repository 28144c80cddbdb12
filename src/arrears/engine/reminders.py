"""Reminders due on the as-of date, before a payment falls due (REM-1), with what they must state (REM-2).

- The written reminder goes out `advance_days` (3) before the effective due date by the borrower's chosen
  channel when the policy offers it, else the policy's default; a channel needs the borrower's consent (and,
  for email, an address) — where the chosen one lacks it, the other offered channel with consent is used;
  with none, nothing is sent and the reminder is counted as without a channel.
- The phone reminder is a call task `phone_days_before` (1) days before, for borrowers who accept calls.
- Nothing for an instalment already settled (paid early counts), nor for a borrower or loan under a hold.
- The amount is what is left of the instalment (principal and interest): a partial early payment lowers it.

Each row is keyed by (loan, kind, due date): the outbox keeps one per key, so a rerun queues nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from arrears.engine.params import Terms

__all__ = ["holds_in_force", "not_held", "reminders_due", "written_channel"]


def holds_in_force(holds: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """Holds in force on the as-of date: (borrower_id, loan_id or null for the whole borrower)."""
    return holds.filter(
        (pl.col("starts_on") <= terms.as_of) & (pl.col("ends_on").is_null() | (pl.col("ends_on") >= terms.as_of))
    ).select("borrower_id", "loan_id")


def not_held(frame: pl.LazyFrame, held: pl.LazyFrame) -> pl.LazyFrame:
    """`frame`'s rows whose borrower (or loan, where the frame has one) is under no hold in `held`."""
    whole = held.filter(pl.col("loan_id").is_null()).select("borrower_id").unique()
    single = held.filter(pl.col("loan_id").is_not_null()).select("loan_id").unique()
    return frame.join(whole, on="borrower_id", how="anti").join(single, on="loan_id", how="anti")


def _consents(channel: str) -> pl.Expr:
    if channel == "email":
        return pl.col("consent_email") & pl.col("has_email")
    return pl.col(f"consent_{channel}")


def written_channel(terms: Terms) -> pl.Expr:
    """The written reminder's channel (REM-1): the borrower's choice where offered and consented, else the first
    offered channel with consent, else null (nothing can carry it)."""
    offered = list(terms.advance_channels)
    chosen = pl.when(pl.col("preferred_channel").is_in(offered)).then(pl.col("preferred_channel"))
    chosen = chosen.otherwise(pl.lit(terms.default_channel))
    expr = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
    for channel in offered:  # the chosen channel where it has consent …
        expr = expr.when((chosen == channel) & _consents(channel)).then(pl.lit(channel))
    for channel in offered:  # … else the first offered channel that has
        expr = expr.when(_consents(channel)).then(pl.lit(channel))
    return expr


def reminders_due(items: pl.LazyFrame, borrowers: pl.LazyFrame, holds: pl.LazyFrame, terms: Terms) -> pl.LazyFrame:
    """(loan_id, borrower_id, n, kind, channel, due_date, amount_due_fen, clause) for each reminder to queue
    today; `channel` is null for a written reminder no consented channel can carry (counted, not sent)."""
    written_for = terms.as_of + timedelta(days=terms.advance_days)
    phone_for = terms.as_of + timedelta(days=terms.phone_days_before)
    upcoming = not_held(
        items.filter(
            ~pl.col("settled") & pl.col("problem").is_null() & pl.col("effective_due").is_in([written_for, phone_for])
        ),
        holds_in_force(holds, terms),
    ).join(borrowers, on="borrower_id", how="inner")
    columns = ["loan_id", "borrower_id", "n", "kind", "channel", "due_date", "amount_due_fen", "clause"]
    amount = (pl.col("principal_left") + pl.col("interest_left")).alias("amount_due_fen")
    written = upcoming.filter(pl.col("effective_due") == written_for).select(
        "loan_id",
        "borrower_id",
        "n",
        kind=pl.lit("written"),
        channel=written_channel(terms),
        due_date=pl.col("effective_due"),
        amount_due_fen=amount,
        clause=pl.lit("REM-1"),
    )
    phone = upcoming.filter((pl.col("effective_due") == phone_for) & pl.col("consent_phone")).select(
        "loan_id",
        "borrower_id",
        "n",
        kind=pl.lit("phone"),
        channel=pl.lit("phone"),
        due_date=pl.col("effective_due"),
        amount_due_fen=amount,
        clause=pl.lit("REM-1"),
    )
    return pl.concat([written.select(columns), phone.select(columns)]).filter(pl.col("amount_due_fen") > 0)
