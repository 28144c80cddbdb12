"""The frames the engine reads: their columns and types, and the one place that checks them.

Money is integer fen (Int64); rates are integers at a fixed scale so that every product is exact: the contract
rate in units of 1e-8 (`annual_rate_e8`, the database keeps 8 decimals) and the penalty markup in units of
1e-4 (`markup_e4`, null where the loan follows the policy's markup).

What the shell passes (it may pass more rows than needed; the kernels filter):
- `loans`: the loans to decide on (active ones);
- `borrowers`: their borrowers, with the reminder preferences and consents;
- `instalments`: the instalments not settled on the as-of date and due by the reminder horizon;
- `allocations`: what payments made, and penalty waivers posted, by the as-of date settled of those instalments;
- `holds`: holds that may be in force on the as-of date (borrower-wide where `loan_id` is null);
- `cases`: each borrower's latest collection case, open or closed;
- `calls`: calls with the borrower, with their outcome and whether the borrower called the bank (`inbound`);
- `promises`: promises to pay still open;
- `payments`: payments of borrowers with open promises (for keeping or breaking them);
- `letters`: formal notices sent (for the LTR-3 follow-up call);
- `plans`: instalment plans in force (`active`), and plans broken while the borrower's case is open (PLAN-4);
- `plan_instalments`: the instalments of the active plans — the plan's running total (`cumulative_fen`) and the
  loans' own scheduled instalments falling due from the plan's start to this due date (`regular_fen`) — with
  the day an earlier run found each met;
- `plan_payments`: payments on an active plan's loans from the plan's start to the as-of date;
- `late_stage`: borrowers out of routine collection on the as-of date (`stage`: `litigation` while a lawsuit is
  not closed, `written_off` once a write-off is approved; see `late`);
- `open_tasks`: open tasks of those borrowers (those of routine collection are withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

__all__ = [
    "FAILED_OUTCOMES",
    "REACHED_OUTCOMES",
    "SCHEMAS",
    "Inputs",
    "SchemaError",
]

I64, I32, DATE, STR, BOOL = pl.Int64, pl.Int32, pl.Date, pl.String, pl.Boolean

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "loans": {"loan_id": I64, "borrower_id": I64, "annual_rate_e8": I64, "markup_e4": I64},
    "borrowers": {
        "borrower_id": I64,
        "risk_level": STR,
        "preferred_channel": STR,
        "has_email": BOOL,
        "consent_sms": BOOL,
        "consent_email": BOOL,
        "consent_phone": BOOL,
    },
    "instalments": {"loan_id": I64, "n": I32, "due_date": DATE, "principal_fen": I64, "interest_fen": I64},
    "allocations": {"loan_id": I64, "n": I32, "paid_on": DATE, "component": STR, "amount_fen": I64},
    "holds": {"borrower_id": I64, "loan_id": I64, "starts_on": DATE, "ends_on": DATE},
    "cases": {
        "case_id": I64,
        "borrower_id": I64,
        "status": STR,
        "delinquency_class": STR,
        "pool": STR,
        "opened_on": DATE,
    },
    "calls": {"borrower_id": I64, "called_on": DATE, "outcome": STR, "inbound": BOOL},
    "promises": {"promise_id": I64, "borrower_id": I64, "made_on": DATE, "due_on": DATE, "amount_fen": I64},
    "payments": {"borrower_id": I64, "paid_on": DATE, "amount_fen": I64},
    "letters": {"letter_id": I64, "borrower_id": I64, "sent_on": DATE},
    "plans": {"plan_id": I64, "borrower_id": I64, "case_id": I64, "status": STR, "starts_on": DATE, "ended_on": DATE},
    "plan_instalments": {
        "plan_id": I64,
        "borrower_id": I64,
        "n": I32,
        "due_on": DATE,
        "cumulative_fen": I64,
        "regular_fen": I64,
        "met_on": DATE,
    },
    "plan_payments": {"plan_id": I64, "borrower_id": I64, "paid_on": DATE, "amount_fen": I64},
    "late_stage": {"borrower_id": I64, "stage": STR},
    "open_tasks": {"task_id": I64, "borrower_id": I64, "kind": STR},
}

# Call outcomes (the call record of the collection app uses the same codes). Reached: someone answered who
# is the borrower. Failed: an attempt that did not move the debt (LGL-1 counts these).
REACHED_OUTCOMES = ("promised", "needs_plan", "refused", "reached_other")
FAILED_OUTCOMES = ("no_answer", "busy", "refused", "wrong_party", "number_invalid")


class SchemaError(ValueError):
    """A frame handed to the engine lacks a column or has one of the wrong type."""


def _conform(name: str, frame: pl.LazyFrame | pl.DataFrame | None) -> pl.LazyFrame:
    schema = SCHEMAS[name]
    if frame is None:
        return pl.LazyFrame(schema=schema)
    lazy = frame.lazy()
    have = lazy.collect_schema()
    missing = [column for column in schema if column not in have]
    if missing:
        raise SchemaError(f"frame {name!r} lacks column(s) {', '.join(missing)}; it needs {', '.join(schema)}")
    wrong = [
        f"{column} is {have[column]}, expected {dtype}"
        for column, dtype in schema.items()
        if have[column] != dtype and not (have[column] == pl.Null or (have[column].is_integer() and dtype.is_integer()))
    ]
    if wrong:
        raise SchemaError(f"frame {name!r}: {'; '.join(wrong)}")
    return lazy.select([pl.col(column).cast(dtype) for column, dtype in schema.items()])


@dataclass(frozen=True)
class Inputs:
    """The portfolio as the engine sees it on one business date; every frame conformed to `SCHEMAS`."""

    loans: pl.LazyFrame
    borrowers: pl.LazyFrame
    instalments: pl.LazyFrame
    allocations: pl.LazyFrame
    holds: pl.LazyFrame
    cases: pl.LazyFrame
    calls: pl.LazyFrame
    promises: pl.LazyFrame
    payments: pl.LazyFrame
    letters: pl.LazyFrame
    plans: pl.LazyFrame
    plan_instalments: pl.LazyFrame
    plan_payments: pl.LazyFrame
    late_stage: pl.LazyFrame
    open_tasks: pl.LazyFrame

    @classmethod
    def of(cls, **frames: pl.LazyFrame | pl.DataFrame | None) -> Inputs:
        """Build from frames (or anything polars can make a frame of, e.g. lists of dicts); a frame not
        given is empty. Raises `SchemaError` naming the frame and column that do not fit."""
        unknown = sorted(set(frames) - set(SCHEMAS))
        if unknown:
            raise SchemaError(f"unknown frame(s) {', '.join(unknown)}; the engine reads {', '.join(SCHEMAS)}")
        conformed = {}
        for name in SCHEMAS:
            value = frames.get(name)
            if isinstance(value, list):
                value = pl.DataFrame(value) if value else None
            conformed[name] = _conform(name, value)
        return cls(**conformed)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self))
