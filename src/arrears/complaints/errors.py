class ComplaintError(ValueError):
    """Refused input for a complaint; the message says what was wrong and what to do."""
