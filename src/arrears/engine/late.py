"""The late stage: borrowers out of routine collection, and the routine work withdrawn from them.

A borrower leaves routine collection while a lawsuit of theirs is not closed (LIT-2), and once a write-off of
theirs is approved; the shell reads them into the `late_stage` frame (borrower_id, stage `litigation` or
`written_off`). What that changes on a night:

- no collection work is created for them (`work.tasks_due`): no first or cadence calls (CLS-2, CALL-4), no
  letter confirmations (LTR-3) or broken-promise calls, and no legal or severe review: the late stage has been
  decided (AUTH-3). The nightly run sends no formal notice at all (collectors issue those);
- their case belongs to the supervisors' pool (`cases`, AUTH-3), so no junior or senior collector holds it;
- open tasks of routine collection from before are withdrawn (cancelled) by the next run: `withdrawn_tasks`;
- what goes on as before: the reminders before a payment falls due and before a plan's instalments (REM-1: the
  policy's reminders are not collection), promise outcomes (CALL-3), positions, DPD and the case's figures —
  payments post as always, and the case closes when nothing is overdue any more.

A lawsuit closed, or no write-off approved, and the borrower is back in routine collection the next night.
"""

from __future__ import annotations

import polars as pl

__all__ = ["ROUTINE_TASK_KINDS", "out_of_collection", "routine_only", "withdrawn_tasks"]

# The tasks of routine collection: a collector's calls (the cadence's, a call's follow-up, a letter's
# confirmation, a broken promise's) and the reviews that lead to the late stage. A phone reminder before a due date
# (REM-1) and a broken plan's decision (PLAN-4) are not among them.
ROUTINE_TASK_KINDS = ("call", "letter_follow_up", "broken_promise", "legal_review", "severe_review")


def out_of_collection(late_stage: pl.LazyFrame) -> pl.LazyFrame:
    """(borrower_id, stage): one row per borrower out of routine collection; a borrower both in litigation and
    written off is listed as in litigation."""
    return late_stage.group_by("borrower_id").agg(stage=pl.col("stage").min())


def routine_only(frame: pl.LazyFrame, late: pl.LazyFrame | None) -> pl.LazyFrame:
    """`frame`'s rows of borrowers in routine collection (not in `late`)."""
    if late is None:
        return frame
    return frame.join(late.select("borrower_id"), on="borrower_id", how="anti")


def withdrawn_tasks(open_tasks: pl.LazyFrame, late: pl.LazyFrame) -> pl.LazyFrame:
    """(task_id, borrower_id, kind, stage, clause): the open tasks of routine collection of borrowers out of it,
    to be cancelled (CLS-2: a severe case goes to legal action or is written off instead of routine collection)."""
    return (
        open_tasks.filter(pl.col("kind").is_in(list(ROUTINE_TASK_KINDS)))
        .join(late, on="borrower_id", how="inner")
        .select("task_id", "borrower_id", "kind", "stage", clause=pl.lit("CLS-2"))
    )
