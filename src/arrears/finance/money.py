"""Money: CNY amounts as `decimal.Decimal`, the fen (0.01 元) as the smallest posted unit.

How this works
--------------
* `money()` (and `to_decimal()` for rates and other non-money numbers) is the only way a number enters
  the finance core. It accepts `int`, `str` ("120000", "362.50") and `Decimal`, and refuses `float` with a
  `TypeError`: a float has already lost the fen (0.1 + 0.2 != 0.3), so accepting one would hide the bug.
  `bool` is refused too (it is an `int` by accident, never an amount). The value is kept exact: the
  constructor never rounds.
* Arithmetic runs inside `calc_context()`, a *local* decimal context (50 significant digits, half-up),
  entered with `decimal.localcontext`; the process-wide context is never mutated.
* `round_fen()` (ROUND_HALF_UP to 0.01) is the one rounding helper and is called only where an amount is
  shown or posted, never on an intermediate. `floor_fen()` / `ceil_fen()` exist for the few limits that
  must round in one direction (an affordability cap, a waiver cap, an instalment that must cover the
  amount) and each caller says why.
* `to_fen()` / `from_fen()` convert to and from integer fen for storage and exact splitting;
  `format_money()` prints exactly two decimals ("3000.00", or "3,000.00" with grouping);
  `format_plain()` prints a rate as a plain decimal without exponent or trailing zeros ("0.06525").
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import TYPE_CHECKING, TypeAlias

from arrears.finance.errors import FinanceError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

__all__ = [
    "FEN",
    "MAX_AMOUNT",
    "ZERO",
    "MoneyInput",
    "calc_context",
    "ceil_fen",
    "fen_amount",
    "floor_fen",
    "format_money",
    "format_plain",
    "from_fen",
    "is_whole_fen",
    "money",
    "require_whole_fen",
    "round_fen",
    "to_decimal",
    "to_fen",
]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount accepted: 10^15 元 is 10^17 fen, which still fits the Int64 fen columns (< 9.2 × 10^18).
MAX_AMOUNT = Decimal(10) ** 15

# 50 significant digits: an annuity factor (1 + r) ** 600 and a 10^12 principal still keep every fen.
_CONTEXT = Context(
    prec=50,
    rounding=ROUND_HALF_UP,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

MoneyInput: TypeAlias = int | str | Decimal


def calc_context() -> AbstractContextManager[Context]:
    """A local decimal context for finance arithmetic: `with calc_context(): ...`.

    `localcontext` copies `_CONTEXT` and restores the caller's context on exit, so the global context is
    never changed (and threads / async tasks each see their own).
    """
    return localcontext(_CONTEXT)


def to_decimal(value: MoneyInput, *, name: str = "value") -> Decimal:
    """Convert int, str or Decimal to an exact, finite Decimal; refuse floats.

    Raises `TypeError` for a float (or bool, or any other type) and `FinanceError` for a string that is
    not a number or for NaN/Infinity.
    """
    if isinstance(value, float):
        raise TypeError(
            f"{name}: float {value!r} refused — floats cannot hold money or rates exactly; "
            f"pass a str like '{value}' or a Decimal"
        )
    if isinstance(value, bool):
        raise TypeError(f"{name}: bool {value!r} is not a number; pass an int, str or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if not text.isascii():  # Decimal() reads full-width and other Unicode digits: "３" would be 3
                raise InvalidOperation
            result = Decimal(text)
        except InvalidOperation:
            raise FinanceError(
                f"{name}: {value!r} is not a number; use digits with an optional decimal point, e.g. 362.50"
            ) from None
    else:
        raise TypeError(f"{name}: {type(value).__name__} is not accepted; pass an int, str or Decimal")
    if not result.is_finite():
        raise FinanceError(f"{name}: {value!r} is not a finite number")
    return result


def money(value: MoneyInput, *, name: str = "amount") -> Decimal:
    """The money constructor: an exact Decimal amount in 元 from int, str or Decimal; floats refused.

    The value is not rounded (rounding is `round_fen`'s job, where an amount is shown or posted). An
    amount beyond ±`MAX_AMOUNT` is refused with FinanceError: it is a typing error, and it would not fit
    the Int64 fen the database stores.
    """
    amount = to_decimal(value, name=name)
    if abs(amount) > MAX_AMOUNT:
        raise FinanceError(f"{name}: {value} is beyond the largest amount handled ({MAX_AMOUNT:,f} 元)")
    return amount


def _require_decimal(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        if isinstance(value, float):
            raise TypeError(f"{what}: float {value!r} refused; pass a Decimal (see arrears.finance.money)")
        raise TypeError(f"{what}: expected a Decimal, got {type(value).__name__}")
    return value


def _quantize(value: object, rounding: str, what: str) -> Decimal:
    try:
        return _require_decimal(value, what).quantize(FEN, rounding=rounding, context=_CONTEXT)
    except InvalidOperation:
        # Only an amount with more than 48 digits before the point gets here (e.g. a rate typed as 1e60).
        raise FinanceError(f"{value} is too large an amount to round to the fen; check the inputs") from None


def round_fen(value: Decimal) -> Decimal:
    """Round half-up to the fen (0.01). Call it only where an amount is shown or posted."""
    return _quantize(value, ROUND_HALF_UP, "round_fen")


def floor_fen(value: Decimal) -> Decimal:
    """Round down (towards −∞) to the fen, for caps that must never promise more than allowed."""
    return _quantize(value, ROUND_FLOOR, "floor_fen")


def ceil_fen(value: Decimal) -> Decimal:
    """Round up (towards +∞) to the fen, for a fixed instalment that must cover its share of the amount."""
    return _quantize(value, ROUND_CEILING, "ceil_fen")


def is_whole_fen(value: Decimal) -> bool:
    """True when the amount has no part smaller than a fen (e.g. 362.50, 10000, not 1.005)."""
    return _require_decimal(value, "is_whole_fen") == round_fen(value)


def require_whole_fen(value: Decimal, *, name: str) -> Decimal:
    """Return `value` if it is a whole number of fen, else raise FinanceError naming the field."""
    if not is_whole_fen(value):
        raise FinanceError(f"{name} must be a whole number of fen (at most 2 decimals), got {value}")
    return value


def fen_amount(value: MoneyInput, *, name: str, positive: bool = False, label: str | None = None) -> Decimal:
    """An input amount as every posted figure takes it: exact, whole fen, two decimals, not negative (greater than
    0 with `positive`). `label` names it in the sign error when that reads better than `name`."""
    amount = money(value, name=name)
    if positive and amount <= 0:
        raise FinanceError(f"{label or name} must be greater than 0, got {amount}")
    if amount < 0:
        raise FinanceError(f"{label or name} must not be negative, got {amount}")
    return round_fen(require_whole_fen(amount, name=name))


def to_fen(value: Decimal) -> int:
    """Integer fen of an amount, rounding half-up: Decimal('362.505') -> 36251."""
    return int(round_fen(value).scaleb(2, context=_CONTEXT))


def from_fen(fen: int) -> Decimal:
    """Amount in 元 with exactly two decimals from integer fen: 36250 -> Decimal('362.50')."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"from_fen: expected an int number of fen, got {type(fen).__name__} {fen!r}")
    return Decimal(fen).scaleb(-2, context=_CONTEXT)


def format_money(value: Decimal, *, grouping: bool = False) -> str:
    """Exactly two decimals, half-up: '3000.00'; with grouping '10,000.00' (as a notice letter prints)."""
    shown = round_fen(value)
    return f"{shown:,f}" if grouping else f"{shown:f}"


def format_plain(value: Decimal) -> str:
    """A rate or factor as a plain decimal: no exponent, no trailing zeros ('0.06525', '360', '0.5')."""
    value = _require_decimal(value, "format_plain")
    if value == 0:
        return "0"
    return f"{value.normalize(context=_CONTEXT):f}"
