"""`{{ amount_fen|yuan }}`: integer fen shown as yuan with two decimals and thousands separators."""

from __future__ import annotations

from decimal import Decimal

from django import template

from arrears.finance import format_money, from_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    if fen is None or fen == "":
        return "—"
    return format_money(from_fen(int(fen)), grouping=True)


@register.filter
def amount(value) -> str:
    """A Decimal amount in yuan, grouped, two decimals."""
    if value is None:
        return "—"
    return format_money(value, grouping=True)


@register.filter
def percent(rate) -> str:
    """A rate held as a fraction (Decimal 0.0435) shown as a percentage with at least two decimals: "4.35%";
    exact — no float, no rounding of the digits the contract states (0.04875 → "4.875%")."""
    if rate is None or rate == "":
        return "—"
    scaled = (Decimal(str(rate)) * 100).normalize()
    places = max(2, -scaled.as_tuple().exponent)
    return f"{scaled:.{places}f}%"
