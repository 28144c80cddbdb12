"""Lists sorted by a column the user picks: `?sort=dpd` ascending, `?sort=-dpd` descending.

A list names the columns it may be sorted by (a whitelist: a column name from the request never reaches the
database as such), each mapped to the model expression it orders by. An unknown or malformed value is no sort
at all: the list keeps its default order (never an error page). Ties are broken by a stable key the list gives
(its primary key), so a page boundary never moves between two requests.

The header links (`arrears.home.templatetags.sorting.sort_header`) toggle the direction of the column already
sorted by, start a new column in its natural direction, keep every other query parameter but the page, and
say the current order to assistive technology with `aria-sort`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import F, OrderBy

__all__ = ["Sort", "order_by", "parse_sort"]


@dataclass(frozen=True)
class Sort:
    """The order a list was asked for: `key` a whitelisted column ("" the list's default), `descending`."""

    key: str = ""
    descending: bool = False

    @property
    def value(self) -> str:
        """As the query parameter carries it ("" for the default order)."""
        return f"-{self.key}" if self.key and self.descending else self.key

    def __bool__(self) -> bool:
        return bool(self.key)


def parse_sort(raw: object, allowed: Mapping[str, object]) -> Sort:
    """The sort a query parameter asks for, if its column is one of `allowed`; otherwise the default (Sort())."""
    if not isinstance(raw, str):
        return Sort()
    raw = raw.strip()
    descending = raw.startswith("-")
    key = raw[1:] if descending else raw
    return Sort(key, descending) if key in allowed else Sort()


def order_by(sort: Sort, columns: Mapping[str, str], tie: str = "pk") -> list[OrderBy]:
    """The ORDER BY of `sort` over `columns` (key → field path), nulls last either way, then `tie` ascending."""
    field = F(columns[sort.key])
    first = field.desc(nulls_last=True) if sort.descending else field.asc(nulls_last=True)
    return [first, F(tie).asc()]
