"""`{{ amount_fen|yuan }}`: integer fen shown as yuan with two decimals and thousands separators."""

from __future__ import annotations

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
