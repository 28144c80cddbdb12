"""How the court stages' codes read on a page and in a CSV (Clause: LIT-2): a deadline's kind and state, a
stage's facts. The API answers the codes themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from arrears.legal import deadlines
from arrears.legal.court import ClosedReason, MediationResult
from arrears.legal.deadlines import Deadline

KINDS = {
    deadlines.LIMITATION: _("limitation period for filing"),
    deadlines.ENFORCEMENT: _("period for applying for enforcement"),
}
STATES = {
    deadlines.MET: _("met"),
    deadlines.MOOT: _("no longer needed"),
    deadlines.OVERDUE: _("overdue"),
    deadlines.WARNING: _("due soon"),
    deadlines.RUNNING: _("running"),
}


@dataclass(frozen=True)
class Shown:
    """A deadline as a page shows it on a day."""

    deadline: Deadline
    kind: str
    state: str
    state_label: str
    days_left: int

    @property
    def ends_on(self) -> date:
        return self.deadline.ends_on


def shown(deadline: Deadline | None, on: date) -> Shown | None:
    if deadline is None:
        return None
    state = deadline.state(on)
    return Shown(deadline, str(KINDS[deadline.kind]), state, str(STATES[state]), deadline.days_left(on))


def deadline_text(deadline: Deadline | None, on: date) -> str:
    """One line: "limitation period for filing 2027-03-20 (due soon)", or "" for none."""
    if deadline is None:
        return ""
    return f"{KINDS[deadline.kind]} {deadline.ends_on.isoformat()} ({STATES[deadline.state(on)]})"


def result_label(code: str) -> str:
    return str(dict(MediationResult.choices).get(code, code))


def reason_label(code: str) -> str:
    return str(dict(ClosedReason.choices).get(code, code))
