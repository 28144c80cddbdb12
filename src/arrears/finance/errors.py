"""The one exception the finance core raises for bad input.

How this works: every public function validates its arguments first and raises `FinanceError` (a
`ValueError`) whose message says what was wrong and what is allowed, so a caller — the CLI, a view, the
nightly run — can show it to a person as it is. Floats passed as money are a programming error, not bad
input, and raise `TypeError` instead (see `arrears.finance.money`).
"""

from __future__ import annotations


class FinanceError(ValueError):
    """Invalid input to a finance calculation; the message says what is allowed."""
