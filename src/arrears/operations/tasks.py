"""The django-tasks task every job runs through; `arrears.operations.worker` drains the queue."""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from contextlib import contextmanager, suppress
from datetime import timedelta

from django_tasks import task

from arrears.operations.jobs import JOBS
from arrears.operations.words import stored


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


STEP = 0.05  # seconds between the heartbeat's looks: the job's end waits at most this for the thread


@contextmanager
def _heartbeat(run):
    """Renew the running attempt's lease every third of ARREARS_WORKER_LEASE_SECONDS while its job runs, so a
    long nightly run is not taken for a dead worker's; a worker that really died stops renewing it. (A sleep
    loop, not Event.wait: a timed wait does not end under a faked clock.)"""
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.utils import timezone

    from arrears.operations.models import JobRun, JobState

    done = threading.Event()
    every = settings.ARREARS_WORKER_LEASE_SECONDS / 3

    def beat() -> None:
        try:
            waited = 0.0
            while not done.is_set():
                time.sleep(STEP)
                waited += STEP
                if waited < every:
                    continue
                waited = 0.0
                lease = timezone.now() + timedelta(seconds=settings.ARREARS_WORKER_LEASE_SECONDS)
                with suppress(DatabaseError):  # the database is busy (SQLite) or away: the next beat tries again
                    JobRun.objects.filter(pk=run.pk, state=JobState.RUNNING, worker=run.worker).update(
                        lease_until=lease
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"lease-{run.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


@task(queue_name="arrears")
def run_job(run_id: int) -> str:
    """Run one queued attempt: take it (or find another worker has), run its job, record the outcome."""
    from arrears.compliance.actions import system_actor
    from arrears.operations.actions import do_finish_job_run, do_start_job_run

    actor = system_actor()
    if actor is None:
        raise RuntimeError("no system user: run `arrears manage migrate` first")
    run = do_start_job_run(run_id, actor=actor, worker=worker_name())
    if run is None:
        return "taken by another worker"
    try:
        with _heartbeat(run):
            outcome = JOBS[run.job].run(run.payload, actor)
    except Exception as exc:  # the job's failure is recorded and retried, not the worker's
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        do_finish_job_run(run, actor=actor, error=error[:4000])
        return "failed"
    do_finish_job_run(run, actor=actor, summary=outcome.summary, words=stored(outcome.words), chain=outcome.chain)
    return outcome.summary
