"""`arrears.finance`: the bank's money arithmetic, pure Python (no Django, no clock, no I/O).

How this works: every function takes its policy numbers as arguments (the caller reads them from the
versioned policy), validates its inputs (raising `FinanceError` with what is allowed), computes in Decimal
under a local context and rounds half-up to the fen only where an amount is shown or posted.

Modules: `money` (constructor, rounding, formatting), `schedule` (repayment schedules), `penalty` (罚息 and
复利, LTR-1), `allocation` (which dues a payment settles), `plan` (PLAN-1..3 affordability), `waiver`
(WVR-1, WVR-2).
"""

from __future__ import annotations

from arrears.finance.allocation import (
    COMPONENTS,
    DEFAULT_ORDER,
    AllocatedAmount,
    Allocation,
    Due,
    allocate_payment,
)
from arrears.finance.errors import FinanceError
from arrears.finance.money import (
    FEN,
    calc_context,
    ceil_fen,
    floor_fen,
    format_money,
    format_plain,
    from_fen,
    money,
    round_fen,
    to_decimal,
    to_fen,
)
from arrears.finance.penalty import (
    OverdueInstalment,
    PenaltyResult,
    PenaltySummary,
    penalty_for_instalments,
    penalty_interest,
)
from arrears.finance.plan import PlanOption, PlanOptions, max_monthly_payment, plan_option, plan_options, split_fixed
from arrears.finance.schedule import METHODS, Instalment, Schedule, add_months, build_schedule, due_dates
from arrears.finance.waiver import WaiverLimit, waiver_limit

__all__ = [
    "COMPONENTS",
    "DEFAULT_ORDER",
    "FEN",
    "METHODS",
    "AllocatedAmount",
    "Allocation",
    "Due",
    "FinanceError",
    "Instalment",
    "OverdueInstalment",
    "PenaltyResult",
    "PenaltySummary",
    "PlanOption",
    "PlanOptions",
    "Schedule",
    "WaiverLimit",
    "add_months",
    "allocate_payment",
    "build_schedule",
    "calc_context",
    "ceil_fen",
    "due_dates",
    "floor_fen",
    "format_money",
    "format_plain",
    "from_fen",
    "max_monthly_payment",
    "money",
    "penalty_for_instalments",
    "penalty_interest",
    "plan_option",
    "plan_options",
    "round_fen",
    "split_fixed",
    "to_decimal",
    "to_fen",
    "waiver_limit",
]
