class PlacementError(ValueError):
    """A refused placement or recall; the message says what was wrong and what to do.

    `conflict` is True where the request is well formed but the state refuses it now (the case is not eligible
    under LGL-1, the agency not under AGY-1, a placement already stands, none stands): the API answers 409. False
    for input that can never be right (a period out of range, an unknown agency): 422."""

    def __init__(self, message: str, *, conflict: bool = True) -> None:
        super().__init__(message)
        self.conflict = conflict
