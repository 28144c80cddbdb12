"""The only writers of `JobRun`: queue, start and finish a job's attempt, and email a final failure.

At most once: queuing inserts (job, slot, attempt) under two unique constraints — the slot's attempt exists
once, and a job has at most one queued or running attempt — so of two workers planning the same slot one
queues it and the other finds it taken. Starting is a conditional update queued → running; a running attempt
holds a lease, and a worker that died mid-job is found by its expired lease and its attempt failed. The
database decides all of it, so it holds across processes and machines on SQLite and PostgreSQL alike.

A failed attempt is retried with backoff (ARREARS_WORKER_BACKOFF_SECONDS, doubling) up to
ARREARS_WORKER_MAX_ATTEMPTS; after the last one the administrators are emailed. Each step is an audit event.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode
from arrears.operations.jobs import JOBS, Chain
from arrears.operations.models import JobRun, JobState

log = logging.getLogger("arrears.operations")

PERM = Perm.RUN_DAILY  # the system user's grant for the day's work


class _Taken(Exception):
    pass


def backoff(attempt: int) -> timedelta:
    """The wait before attempt `attempt + 1`: the base, doubled after each failure, at most a day."""
    seconds = settings.ARREARS_WORKER_BACKOFF_SECONDS * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, 86400))


def do_queue_job_run(
    job: str,
    slot: str,
    payload: dict[str, Any],
    *,
    actor: Any,
    attempt: int = 1,
    not_before: datetime | None = None,
    reason: str = "",
) -> JobRun | None:
    """Queue attempt `attempt` of `job` for `slot` and hand it to the task queue. None when the slot's attempt
    is already there or the job already has an open attempt (another worker, or an earlier look, has it)."""
    from arrears.operations.tasks import run_job

    spec = JOBS[job]
    now = timezone.now()
    when = not_before or now
    try:
        with audited(actor, ActionCode.QUEUE_JOB_RUN, permission=PERM, subject=None, reason=reason) as record:
            try:
                with transaction.atomic():
                    run = JobRun.objects.create(
                        job=job, slot=slot, attempt=attempt, payload=payload, queued_at=now, not_before=when
                    )
            except IntegrityError:
                raise _Taken from None
            task = run_job.using(priority=spec.priority, run_after=when if when > now else None).enqueue(run.pk)
            run.task_id = str(task.id)
            run.save(update_fields=["task_id"])
            record.set_subject(run)
            record.change("job", None, job)
            record.change("slot", None, slot)
            record.change("attempt", None, attempt)
            record.change("not_before", None, when)
    except _Taken:
        return None
    return run


def do_queue_chain(chain: list[Chain], *, actor: Any, reason: str) -> list[JobRun]:
    return [
        r for job, slot, payload in chain if (r := do_queue_job_run(job, slot, payload, actor=actor, reason=reason))
    ]


def do_start_job_run(run_id: int, *, actor: Any, worker: str) -> JobRun | None:
    """Take a queued attempt for `worker`: None when it is not queued any more (another worker took it)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.ARREARS_WORKER_LEASE_SECONDS)
    try:
        with audited(actor, ActionCode.START_JOB_RUN, permission=PERM, subject=("operations.jobrun", run_id)) as rec:
            taken = JobRun.objects.filter(pk=run_id, state=JobState.QUEUED).update(
                state=JobState.RUNNING, started_at=now, lease_until=lease, worker=worker[:120]
            )
            if not taken:
                raise _Taken
            rec.change("state", JobState.QUEUED, JobState.RUNNING)
            rec.change("worker", "", worker)
    except _Taken:
        return None
    return JobRun.objects.get(pk=run_id)


@dataclass(frozen=True)
class Finished:
    run: JobRun
    retry: JobRun | None  # the next attempt, when a failure is retried
    chained: list[JobRun]


def do_finish_job_run(
    run: JobRun,
    *,
    actor: Any,
    error: str = "",
    summary: str = "",
    words: list | None = None,
    chain: list[Chain] | None = None,
) -> Finished:
    """Close a running attempt: succeeded (and queue what it chains), or failed (and queue the next attempt
    after the backoff, or — the last attempt — give up: the job's clean-up, then the administrators' email)."""
    now = timezone.now()
    state = JobState.FAILED if error else JobState.SUCCEEDED
    last = bool(error) and run.attempt >= settings.ARREARS_WORKER_MAX_ATTEMPTS
    retry = None
    with audited(
        actor, ActionCode.FINISH_JOB_RUN, permission=PERM, subject=run, reason=error[:300] or summary[:300]
    ) as record:
        done = JobRun.objects.filter(pk=run.pk, state=JobState.RUNNING).update(
            state=state, finished_at=now, lease_until=None, summary=summary[:300], words=words or [], error=error
        )
        if not done:
            raise RuntimeError(f"job run {run} is no longer running")
        record.change("state", JobState.RUNNING, state)
        if error and not last:
            retry = do_queue_job_run(
                run.job,
                run.slot,
                run.payload,
                actor=actor,
                attempt=run.attempt + 1,
                not_before=now + backoff(run.attempt),
                reason=f"retry after: {error[:200]}",
            )
    run.refresh_from_db()
    chained = do_queue_chain(chain or [], actor=actor, reason=f"after {run}") if not error else []
    if last:
        gave_up = JOBS[run.job].gave_up
        try:
            if gave_up is not None:
                gave_up(run.payload)
        except OSError as exc:  # e.g. the feed could not be moved aside: said in the email, which still goes
            log.error("job %s: clean-up after the last attempt failed: %s", run, exc)
            run.error += f"\n\nThe clean-up after the last attempt failed too: {exc}"
        do_mail_job_failure(run, actor=actor)
    return Finished(run, retry, chained)


def do_reconcile_job_runs(*, actor: Any) -> list[Finished]:
    """Fail the running attempts whose lease has expired (their worker died or lost the database)."""
    expired = JobRun.objects.filter(state=JobState.RUNNING, lease_until__lt=timezone.now())
    return [
        do_finish_job_run(run, actor=actor, error=f"the worker {run.worker} stopped before finishing")
        for run in expired
    ]


def do_prune_task_results(*, actor: Any, keep_days: int | None = None) -> int:
    """Delete django-tasks-db's rows of the tasks that finished more than `keep_days` days ago (default:
    ARREARS_WORKER_KEEP_TASK_DAYS); the `JobRun` rows keep the history. Returns how many were deleted."""
    from django_tasks_db.models import DBTaskResult

    days = keep_days or settings.ARREARS_WORKER_KEEP_TASK_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    with audited(actor, ActionCode.PRUNE_TASK_RESULTS, permission=PERM, subject=None) as record:
        deleted, _kinds = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
        record.change("finished_before", None, cutoff)
        record.change("deleted", None, deleted)
    return deleted


def administrator_emails() -> list[str]:
    """The active administrators with an email address, and ARREARS_WORKER_MAIL_TO."""
    from arrears.accounts.models import User
    from arrears.accounts.roles import RoleCode

    users = User.objects.filter(is_active=True, role_id=RoleCode.ADMINISTRATOR).exclude(email="")
    emails = set(users.values_list("email", flat=True)) | set(settings.ARREARS_WORKER_MAIL_TO)
    return sorted(emails)


def do_mail_job_failure(run: JobRun, *, actor: Any) -> str:
    """Email the administrators that `run`'s job failed for good; record `sent`, `failed` or `no_recipients`."""
    emails = administrator_emails()
    status, problem = "no_recipients", ""
    if emails:
        with translation.override(settings.LANGUAGE_CODE):
            title = str(JOBS[run.job].title)
            subject = _("Scheduled job failed: %(job)s") % {"job": title}
            body = _(
                "The job “%(job)s” (%(slot)s) failed %(n)s times and is not retried any more.\n\n"
                "Last error:\n%(error)s\n\nThe runs page lists its attempts: /runs/jobs/."
            ) % {"job": title, "slot": run.slot, "n": run.attempt, "error": run.error}
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=emails)
        try:
            message.send(fail_silently=False)
            status = "sent"
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            status, problem = "failed", f"{type(exc).__name__}: {exc}"[:300]
    with audited(actor, ActionCode.MAIL_JOB_FAILURE, permission=PERM, subject=run, reason=problem) as record:
        JobRun.objects.filter(pk=run.pk).update(mailed=status)
        record.change("mailed", "", status)
        record.change("recipients", None, len(emails))
    return status
