"""Errors of the collection actions."""


class CollectionError(ValueError):
    """Refused input or state; the message says what was wrong and what to do."""
