class LegalError(ValueError):
    """A refused late-stage action; the message says what was wrong and what to do."""
