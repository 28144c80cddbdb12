"""Errors of the arrangement actions."""


class ArrangementError(ValueError):
    """Refused input or state; the message says what was wrong and what to do. Nothing was written."""
