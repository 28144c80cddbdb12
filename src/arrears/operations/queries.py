"""Reads of the job runs for the runs pages."""

from __future__ import annotations

from arrears.operations.jobs import JOBS
from arrears.operations.models import JobRun

RECENT = 100


def recent_runs(limit: int = RECENT) -> list[dict]:
    rows = JobRun.objects.order_by("-queued_at", "-pk")[:limit]
    return [{"run": run, "title": JOBS[run.job].title if run.job in JOBS else run.job} for run in rows]


def job_table() -> list[dict]:
    """The registry as the page shows it: each job's title and when it is due."""
    return [{"name": job.name, "title": job.title, "when": job.when} for job in JOBS.values()]
