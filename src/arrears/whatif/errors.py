"""Refusals of the what-if's and the experiments' actions: `message` says why and what to do, in the active
language; `problems` lists a candidate policy's or a strategy's faults as the policy check words them (key, value,
allowed range), shown apart from the message (they name the policy file's own keys)."""

from __future__ import annotations


class WhatIfError(ValueError):
    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message if not problems else f"{message} {'; '.join(problems)}")
        self.message, self.problems = message, problems


class WhatIfRefused(WhatIfError):
    """A what-if that cannot be replayed."""


class ExperimentError(WhatIfError):
    """An experiment that cannot start or stop."""
