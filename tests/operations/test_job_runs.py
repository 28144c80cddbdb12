"""The job runs: queued once per slot and at most one open per job (the database's constraints), a failure
retried after its backoff, the last failure emailed to the administrators, and the runs page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arrears.compliance.actions import ActionDenied, system_actor
from arrears.compliance.models import AuditEvent
from arrears.operations.actions import backoff, do_queue_job_run
from arrears.operations.models import JobRun, JobState
from arrears.operations.tasks import run_job
from factories import make_user

pytestmark = pytest.mark.django_db


def test_a_slot_is_queued_once_and_a_job_has_one_open_run():
    actor = system_actor()
    first = do_queue_job_run("dispatch", "2027-03-01T03:00", {}, actor=actor)
    assert first is not None
    assert first.state == JobState.QUEUED
    assert first.task_id  # handed to django-tasks' queue
    assert do_queue_job_run("dispatch", "2027-03-01T03:00", {}, actor=actor) is None  # the same slot
    assert do_queue_job_run("dispatch", "2027-03-01T03:05", {}, actor=actor) is None  # the job is still queued
    assert JobRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="operations.queue_job_run").count() == 1


def test_a_collector_cannot_queue_a_job():
    collector = make_user("junior_collector")
    with pytest.raises(ActionDenied):
        do_queue_job_run("dispatch", "2027-03-01T03:00", {}, actor=collector)
    assert JobRun.objects.count() == 0
    assert AuditEvent.objects.filter(action="operations.queue_job_run").count() == 0


def test_the_backoff_doubles_from_its_base(settings):
    settings.ARREARS_WORKER_BACKOFF_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(20) == timedelta(days=1)  # never more than a day


def test_a_failure_is_retried_after_the_backoff(settings, tmp_path):
    settings.ARREARS_WORKER_MAX_ATTEMPTS, settings.ARREARS_WORKER_BACKOFF_SECONDS = 3, 60
    settings.ARREARS_FEED_DIR = tmp_path
    run = do_queue_job_run(
        "feed",
        "2026-03-02@1",
        {"path": str(tmp_path / "2026-03-02"), "business_date": "2026-03-02"},
        actor=system_actor(),
    )
    assert run_job.call(run.pk) == "failed"
    run.refresh_from_db()
    assert run.state == JobState.FAILED
    assert "is gone" in run.error
    retry = JobRun.objects.get(job="feed", attempt=2)
    assert retry.state == JobState.QUEUED
    assert retry.not_before - run.finished_at == timedelta(seconds=60)
    assert run.mailed == ""  # not the last attempt: nobody emailed yet


def test_the_last_failure_is_emailed_to_the_administrators(settings, tmp_path, smtp_server):
    settings.ARREARS_WORKER_MAX_ATTEMPTS, settings.ARREARS_WORKER_MAIL_TO = 1, []
    settings.ARREARS_FEED_DIR = tmp_path
    make_user("administrator", email="admin@bank.example.com")
    make_user("administrator", email="")  # no address: not emailed
    make_user("supervisor", email="boss@bank.example.com")  # not an administrator
    run = do_queue_job_run(
        "feed",
        "2026-03-02@1",
        {"path": str(tmp_path / "2026-03-02"), "business_date": "2026-03-02"},
        actor=system_actor(),
    )
    run_job.call(run.pk)
    run.refresh_from_db()
    assert (run.state, run.mailed) == (JobState.FAILED, "sent")
    assert not JobRun.objects.filter(attempt=2).exists()
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["admin@bank.example.com"]]
    assert AuditEvent.objects.filter(action="operations.mail_job_failure").count() == 1


def test_a_run_taken_by_another_worker_is_not_run_again():
    run = do_queue_job_run("dispatch", "2027-03-01T03:00", {}, actor=system_actor())
    JobRun.objects.filter(pk=run.pk).update(state=JobState.RUNNING, worker="elsewhere:1")
    assert run_job.call(run.pk) == "taken by another worker"
    assert AuditEvent.objects.filter(action="operations.start_job_run").count() == 0


@pytest.mark.parametrize(("role", "status"), [("supervisor", 200), ("administrator", 200), ("junior_collector", 403)])
def test_the_runs_page_shows_attempts_with_duration_and_failure(client, settings, tmp_path, role, status):
    settings.ARREARS_WORKER_MAX_ATTEMPTS, settings.ARREARS_FEED_DIR = 1, tmp_path
    ok = do_queue_job_run("dispatch", "2027-03-01T03:00", {}, actor=system_actor())
    run_job.call(ok.pk)
    bad = do_queue_job_run(
        "feed", "2026-03-02@1", {"path": str(tmp_path / "x"), "business_date": "2026-03-02"}, actor=system_actor()
    )
    run_job.call(bad.pk)
    client.force_login(make_user(role))
    page = client.get("/runs/jobs/")
    assert page.status_code == status
    if status != 200:
        return
    text = page.content.decode()
    assert "计划任务" in text
    assert "发送待发通知" in text  # the dispatch job's title
    assert "导入核心系统数据文件" in text
    assert "成功" in text
    assert "第 1 次尝试失败" in text
    assert "已邮件通知管理员" not in text  # no administrator has an address here
    # the error's text is a technical detail, in English, for administrators only
    assert ("the feed directory x is gone" in text) == (role == "administrator")
    assert "/runs/jobs/" in client.get("/runs/").content.decode()


def test_a_run_whose_worker_died_is_failed_and_retried(settings):
    """The lease: a running attempt whose worker stopped renewing it is failed at the next look, and retried."""
    from django.utils import timezone

    from arrears.operations.worker import plan

    settings.ARREARS_WORKER_MAX_ATTEMPTS = 3
    run = do_queue_job_run("print_batch", "2027-03-01", {"day": "2027-03-01"}, actor=system_actor())
    past = timezone.now() - timedelta(seconds=1)
    JobRun.objects.filter(pk=run.pk).update(state=JobState.RUNNING, worker="gone:1", lease_until=past)
    plan(timezone.now(), actor=system_actor(), only=set())
    run.refresh_from_db()
    assert run.state == JobState.FAILED
    assert run.error == "the worker gone:1 stopped before finishing"
    assert JobRun.objects.get(job="print_batch", attempt=2).state == JobState.QUEUED
