"""The worker's housekeeping, once a day: django-tasks-db's rows of the tasks that finished more than
ARREARS_WORKER_KEEP_TASK_DAYS days ago are deleted; queued and recent ones stay, and so does every `JobRun` (the
runs pages' history)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from arrears.compliance.actions import ActionDenied, system_actor
from arrears.compliance.models import AuditEvent
from arrears.operations.actions import do_prune_task_results, do_queue_job_run
from arrears.operations.models import JobRun, JobState
from arrears.operations.tasks import run_job
from arrears.operations.worker import plan
from factories import make_user

pytestmark = pytest.mark.django_db


def queue_rows(ages: dict[str, tuple[str, int | None]]) -> dict[str, str]:
    """A task row per name, with its status and its finish `days` ago (None: not finished); name → task id."""
    ids = {}
    for n, (name, (status, days)) in enumerate(ages.items()):
        run = do_queue_job_run("dispatch", f"2027-03-01T0{n}:00", {}, actor=system_actor())
        finished = None if days is None else timezone.now() - timedelta(days=days)
        DBTaskResult.objects.filter(pk=run.task_id).update(status=status, finished_at=finished)
        JobRun.objects.filter(pk=run.pk).update(state=JobState.SUCCEEDED)  # let the next one be queued
        ids[name] = run.task_id
    return ids


def test_the_housekeeping_deletes_the_finished_task_rows_older_than_the_setting(settings):
    settings.ARREARS_WORKER_KEEP_TASK_DAYS = 7
    ids = queue_rows(
        {
            "succeeded 8 days ago": ("SUCCESSFUL", 8),
            "failed 30 days ago": ("FAILED", 30),
            "succeeded 6 days ago": ("SUCCESSFUL", 6),
            "still ready": ("READY", None),
        }
    )
    run = do_queue_job_run("housekeeping", "2027-03-01", {"day": "2027-03-01"}, actor=system_actor())
    assert run_job.call(run.pk) == "finished task queue rows older than 7 days deleted: 2"
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert {ids["succeeded 6 days ago"], ids["still ready"]} <= {str(pk) for pk in left}
    assert not {ids["succeeded 8 days ago"], ids["failed 30 days ago"]} & {str(pk) for pk in left}
    assert JobRun.objects.count() == 5  # the history of the runs is kept
    event = AuditEvent.objects.get(action="operations.prune_task_results")
    assert event.changes["deleted"] == [None, 2]


def test_the_housekeeping_is_due_once_a_day():
    now = timezone.now()
    first = plan(now, actor=system_actor(), only={"housekeeping"})
    again = plan(now + timedelta(minutes=5), actor=system_actor(), only={"housekeeping"})
    assert [r.slot for r in first] == [timezone.localdate(now).isoformat()]
    assert again == []
    JobRun.objects.filter(job="housekeeping").update(state=JobState.SUCCEEDED)
    tomorrow = plan(now + timedelta(days=1), actor=system_actor(), only={"housekeeping"})
    assert [r.slot for r in tomorrow] == [timezone.localdate(now + timedelta(days=1)).isoformat()]


def test_a_collector_cannot_prune_the_task_queue(settings):
    settings.ARREARS_WORKER_KEEP_TASK_DAYS = 1
    queue_rows({"old": ("SUCCESSFUL", 10)})
    with pytest.raises(ActionDenied):
        do_prune_task_results(actor=make_user("junior_collector"))
    assert DBTaskResult.objects.count() == 1
    assert not AuditEvent.objects.filter(action="operations.prune_task_results").exists()
