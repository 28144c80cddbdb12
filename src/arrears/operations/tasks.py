"""The django-tasks task every job runs through; `arrears.operations.worker` drains the queue."""

from __future__ import annotations

import os
import socket
import traceback

from django_tasks import task

from arrears.operations.jobs import JOBS


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
        outcome = JOBS[run.job].run(run.payload, actor)
    except Exception as exc:  # the job's failure is recorded and retried, not the worker's
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        do_finish_job_run(run, actor=actor, error=error[:4000])
        return "failed"
    do_finish_job_run(run, actor=actor, summary=outcome.summary, chain=outcome.chain)
    return outcome.summary
