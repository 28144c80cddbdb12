"""The run report's words: the nightly run keeps its counts under short keys (`positions_written`,
`tasks_call`, `cases_allocated_junior` …, stable for `run-daily --json` and scripts); the pages show each in the
reader's language. A key without words here is shown as it is — `test_run_report_words` fails on any key a run
writes that has none."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.collection.models import Pool, PromiseStatus, TaskKind
from arrears.portfolio.models import DelinquencyClass

WORDS = {
    # what the run decided
    "open": gettext_lazy("opened"),
    "reopen": gettext_lazy("reopened"),
    "move": gettext_lazy("moved to another pool"),
    "close": gettext_lazy("closed, nothing overdue"),
    "written": gettext_lazy("written reminders queued"),
    "written_without_channel": gettext_lazy("written reminders without a consented channel"),
    "phone": gettext_lazy("phone reminders"),
    # rows written
    "audit_events": gettext_lazy("audit events"),
    "case_figures": gettext_lazy("cases' DPD and overdue figures updated"),
    "class_changes": gettext_lazy("changes of delinquency class recorded"),
    "positions_written": gettext_lazy("positions of delinquent loans written"),
    "positions_removed": gettext_lazy("positions removed (loans no longer delinquent)"),
    "reminders_queued": gettext_lazy("reminders queued in the outbox"),
    "plan_instalments_met": gettext_lazy("plan instalments met"),
    "plan_reminders_queued": gettext_lazy("plan instalment reminders queued"),
    "plan_reminders_without_channel": gettext_lazy("plan instalment reminders without a consented channel"),
    "cases_opened": gettext_lazy("cases opened"),
    "cases_reopened": gettext_lazy("cases reopened"),
    "cases_moved": gettext_lazy("cases moved to another pool"),
    "cases_closed": gettext_lazy("cases closed"),
    "plans_broken": gettext_lazy("plans broken"),
    "plans_completed": gettext_lazy("plans completed"),
    "tasks_withdrawn": gettext_lazy("routine tasks withdrawn (in litigation or written off)"),
    "placements_ended": gettext_lazy("agency placements ended (period over or case closed)"),
    "month_opening_loans": gettext_lazy("loans overdue at the opening of the next month (KPI facts)"),
    # phases
    "read": gettext_lazy("read the book"),
    "compute": gettext_lazy("decide (engine)"),
    "apply": gettext_lazy("apply"),
    "allocate": gettext_lazy("allocate cases"),
    "month_facts": gettext_lazy("close the month and open the next (KPI facts)"),
}


def word(key: str) -> str:
    """The words for one report key in the active language; the key itself when it has none."""
    if key in WORDS:
        return str(WORDS[key])
    if key in DelinquencyClass.values:
        return str(DelinquencyClass(key).label)
    if key in TaskKind.values:
        return str(TaskKind(key).label)
    if key.startswith("tasks_") and key.removeprefix("tasks_") in TaskKind.values:
        return _("tasks: %(kind)s") % {"kind": TaskKind(key.removeprefix("tasks_")).label}
    if key.startswith("cases_allocated_") and key.removeprefix("cases_allocated_") in Pool.values:
        return _("cases allocated: %(pool)s") % {"pool": Pool(key.removeprefix("cases_allocated_")).label}
    if key.startswith("promises_") and key.removeprefix("promises_") in PromiseStatus.values:
        return _("promises %(outcome)s") % {"outcome": PromiseStatus(key.removeprefix("promises_")).label}
    return key


def worded(counts: dict) -> list[tuple[str, object]]:
    """A report's counts as (words, count) rows, in the order the run wrote them."""
    return [(word(key), n) for key, n in counts.items()]


# Why a loan got no decision tonight (`engine.positions` writes these texts into the run's problems).
PROBLEMS = {
    "instalment with a negative amount": gettext_lazy("instalment with a negative amount"),
    "payments allocated beyond the instalment's principal or interest": gettext_lazy(
        "payments allocated beyond the instalment's principal or interest"
    ),
    "more penalty or compound interest paid than has accrued": gettext_lazy(
        "more penalty or compound interest paid than has accrued"
    ),
    "loan without a valid contract rate": gettext_lazy("loan without a valid contract rate"),
    "loan whose borrower is missing": gettext_lazy("loan whose borrower is missing"),
}
