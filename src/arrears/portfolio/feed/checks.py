"""Field checks of the feed as polars expressions: one reason expression and one parsed-value expression per
column, built from the column's `Kind` (see `schema.py`).

A reason expression yields the first rule a value breaks as text, or null when the value is fine; the parsed
expression yields the typed value (Int64 fen for amounts, Date, Boolean, normalised text). Amounts are
converted from their decimal text by integer arithmetic on the digits, never through a float.
"""

from __future__ import annotations

import polars as pl

from arrears.portfolio.feed.schema import RATE_ONE, Column, Kind

TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")
# GB 11643: weights of the 17 digits and the check character for (weighted sum mod 11).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

_NUMBER = r"^-?\d+(\.\d+)?$"
MISSING = "missing: the column is required"

Rule = tuple[pl.Expr, pl.Expr | str]


def first_reason(rules: list[Rule]) -> pl.Expr:
    """The reason of the first rule whose condition holds, else null (a null condition counts as false)."""
    chain = None
    for cond, reason in rules:
        text = pl.lit(reason) if isinstance(reason, str) else reason
        chain = pl.when(cond).then(text) if chain is None else chain.when(cond).then(text)
    return pl.lit(None, dtype=pl.String) if chain is None else chain.otherwise(pl.lit(None, dtype=pl.String))


def column_checks(column: Column) -> tuple[pl.Expr, pl.Expr]:
    """(reason, parsed value) for one column of a raw text frame."""
    x = pl.col(column.name)
    rules, parsed = _KINDS[column.kind](column, x)
    if column.max_len is not None:
        rules.insert(
            0,
            (
                x.str.len_chars() > column.max_len,
                pl.format(f"longer than {column.max_len} characters ({{}})", x.str.len_chars()),
            ),
        )
    guarded: list[Rule] = [(x.is_not_null() & cond, reason) for cond, reason in rules]
    if column.required:
        guarded.insert(0, (x.is_null(), MISSING))
    if column.default is not None:
        parsed = parsed.fill_null(pl.lit(column.default))
    return first_reason(guarded), parsed


def _text(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    return [], x


def _choice(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    lower = x.str.to_lowercase()
    return [(~lower.is_in(column.choices), f"must be one of {', '.join(column.choices)}")], lower


def _bool(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    lower = x.str.to_lowercase()
    return [(~lower.is_in(TRUE + FALSE), "must be true or false (or 1/0, yes/no)")], lower.is_in(TRUE)


def _int(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    value = x.cast(pl.Int64, strict=False)
    return [
        (~x.str.contains(r"^-?\d+$"), "not a whole number"),
        (value.is_null() | (value < column.low) | (value > column.high), f"must be from {column.low} to {column.high}"),
    ], value


def _date(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    value = x.str.to_date("%Y-%m-%d", strict=False)
    shape = x.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    return [(~shape | value.is_null(), "not a date: write YYYY-MM-DD, e.g. 2026-03-01")], value


def _amount(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    whole = x.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    cents = x.str.extract(r"^\d+\.(\d{1,2})", 1).fill_null("").str.pad_end(2, "0").cast(pl.Int64, strict=False)
    fen = whole * 100 + cents
    rules: list[Rule] = [
        (~x.str.contains(_NUMBER), "not an amount: write yuan with at most two decimals, e.g. 362.50"),
        (x.str.starts_with("-"), "must not be negative"),
        (~x.str.contains(r"^\d+(\.\d{1,2}0*)?$"), "more than two decimals: an amount is a whole number of fen"),
        (~x.str.contains(r"^\d{1,15}(\.|$)"), "too large: at most 15 digits before the decimal point"),
    ]
    if column.positive:
        rules.append((fen == 0, "must be greater than 0"))
    return rules, fen


def _rate(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    fraction = x.str.extract(r"^\d+\.(\d{1,8})", 1).fill_null("").str.pad_end(8, "0")
    scaled = x.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False) * RATE_ONE + fraction.cast(pl.Int64, strict=False)
    if column.high == RATE_ONE - 1 and not column.low:
        span = "must be below 1: a rate is a fraction (0.0435 is 4.35% a year)"
    else:
        span = f"must be from {column.low / RATE_ONE:.2f} to {column.high / RATE_ONE:.2f}"
    return [
        (~x.str.contains(_NUMBER), "not a rate: write a decimal fraction, e.g. 0.0435 for 4.35% a year"),
        (x.str.starts_with("-"), "must not be negative"),
        (~x.str.contains(rf"^\d+(\.\d{{1,{column.decimals}}}0*)?$"), f"more than {column.decimals} decimals"),
        (scaled.is_null() | (scaled < column.low) | (scaled > column.high), span),
    ], pl.when(x.is_not_null()).then(pl.concat_str(pl.lit("0."), fraction))


def _id_number(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    upper = x.str.to_uppercase()
    total = pl.sum_horizontal(
        upper.str.slice(i, 1).cast(pl.Int64, strict=False) * weight for i, weight in enumerate(ID_WEIGHTS)
    )
    expected = (total % 11).replace_strict(dict(enumerate(ID_CHECK)), return_dtype=pl.String, default=None)
    return [
        (~upper.str.contains(r"^\d{17}[\dX]$"), "not an 18-character ID number (17 digits, then a digit or X)"),
        (upper.str.slice(17, 1) != expected, "check digit does not match (GB 11643)"),
    ], upper


def _mobile(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    return [(~x.str.contains(r"^1[3-9]\d{9}$"), "not a mainland mobile number (11 digits, 13… to 19…)")], x


def _phone(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    return [
        (~x.str.contains(r"^\+?\d[\d \-]{3,18}\d$"), "not a phone number (digits; a leading + and - or spaces allowed)")
    ], x


def _email(column: Column, x: pl.Expr) -> tuple[list[Rule], pl.Expr]:
    return [(~x.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "not an email address")], x


_KINDS = {
    Kind.TEXT: _text,
    Kind.CHOICE: _choice,
    Kind.BOOL: _bool,
    Kind.INT: _int,
    Kind.DATE: _date,
    Kind.AMOUNT: _amount,
    Kind.RATE: _rate,
    Kind.ID_NUMBER: _id_number,
    Kind.MOBILE: _mobile,
    Kind.PHONE: _phone,
    Kind.EMAIL: _email,
}
