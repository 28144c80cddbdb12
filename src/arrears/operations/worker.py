"""`arrears worker`: plan what is due, then drain the task queue with django-tasks-db's worker.

Planning asks each job of `JOBS` for the slots due now and queues those not queued yet (the database refuses a
slot twice, so any number of workers may plan at once). Draining is django-tasks-db's `Worker` in batch mode:
it claims one ready task at a time (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on
SQLite) and runs it, until none is ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone

from arrears.operations.actions import do_queue_job_run, do_reconcile_job_runs
from arrears.operations.jobs import JOBS
from arrears.operations.models import JobRun
from arrears.operations.tasks import worker_name

SHORT = 0.2  # seconds between looks while waiting for a retry's backoff


def plan(now: datetime, *, actor, only: set[str] | None = None) -> list[JobRun]:
    """Queue every job's slots due at `now` that are not queued yet; fail the attempts whose worker died."""
    do_reconcile_job_runs(actor=actor)
    queued = []
    for job in JOBS.values():
        if only is not None and job.name not in only:
            continue
        for slot, payload in job.due(now):
            if JobRun.objects.filter(job=job.name, slot=slot).exists():
                continue
            run = do_queue_job_run(job.name, slot, payload, actor=actor, reason="due")
            if run is not None:
                queued.append(run)
    return queued


def drain() -> None:
    """Run the ready tasks of the queue, one at a time, until none is ready."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["arrears"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_name()[:64],
        excluded_queue_names=[],
    ).run()


def run_once(*, actor, stopping: Callable[[], bool] = lambda: False) -> list[JobRun]:
    """Run what is due now and whatever that makes due (chained jobs, retries after their backoff, further
    feeds); return the attempts this process ran."""
    from django_tasks_db.models import DBTaskResult

    me, since = worker_name(), timezone.now()
    _patiently(lambda: plan(timezone.now(), actor=actor))
    while not stopping():
        drain()
        _patiently(lambda: plan(timezone.now(), actor=actor, only={"feed"}))  # a feed that waited behind another
        if not DBTaskResult.objects.filter(queue_name="arrears", status="READY").exists():
            break
        time.sleep(SHORT)  # a retry waits for its backoff: look again shortly
    return list(JobRun.objects.filter(worker=me, started_at__gte=since).order_by("started_at", "pk"))


def _patiently(step: Callable[[], object], tries: int = 50) -> None:
    """Run `step`, again while SQLite says another process holds the database (a long nightly run's write)."""
    from django.db import OperationalError
    from django_tasks_db.utils import is_locked_database_exception

    for n in range(tries):
        try:
            step()
            return
        except OperationalError as exc:
            if not is_locked_database_exception(exc) or n == tries - 1:
                raise
            time.sleep(SHORT)


def run_forever(*, actor, poll: float, stopping: Callable[[], bool], say: Callable[[str], None]) -> None:
    """Plan and drain every `poll` seconds until `stopping()`; a database outage is reported and waited out."""
    from django.db import DatabaseError

    while not stopping():
        try:
            close_old_connections()
            plan(timezone.now(), actor=actor)
            drain()
        except DatabaseError as exc:
            say(f"database error: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}; trying again")
        waited = 0.0
        while waited < poll and not stopping():
            time.sleep(SHORT)
            waited += SHORT
