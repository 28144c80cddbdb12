"""Reads of the job runs for the runs pages."""

from __future__ import annotations

from django.utils.translation import gettext as _

from arrears.operations.jobs import JOBS
from arrears.operations.models import JobRun
from arrears.operations.words import said

RECENT = 100


AFTER_NIGHTLY = "after-nightly-"  # the slot of a job chained after the nightly run of a date (`jobs.nightly_run`)


def slot_words(slot: str) -> str:
    """A run's slot as the page shows it: a date, an instant, a feed's date and digest as they are; a job chained
    after the nightly run of a date in words."""
    if slot.startswith(AFTER_NIGHTLY):
        return _("after the nightly run of %(date)s") % {"date": slot.removeprefix(AFTER_NIGHTLY)}
    return slot


def recent_runs(limit: int = RECENT) -> list[dict]:
    rows = JobRun.objects.order_by("-queued_at", "-pk")[:limit]
    return [
        {
            "run": run,
            "title": JOBS[run.job].title if run.job in JOBS else run.job,
            "said": said(run.words),
            "slot": slot_words(run.slot),
        }
        for run in rows
    ]


def job_table() -> list[dict]:
    """The registry as the page shows it: each job's title and when it is due."""
    return [{"name": job.name, "title": job.title, "when": job.when} for job in JOBS.values()]
