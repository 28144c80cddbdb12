"""The worker's monthly review job (REV-1): due on the month's first working day (the project's calendar) once the
month before is closed, one run a month; it prepares the month before's pack as the nightly run's identity."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.agencies.commissions import Month
from arrears.compliance.actions import system_actor
from arrears.compliance.models import AuditEvent
from arrears.operations.actions import do_queue_job_run
from arrears.operations.jobs import JOBS
from arrears.operations.models import JobRun, JobState
from arrears.operations.tasks import run_job
from arrears.operations.worker import plan
from arrears.reports.models import MonthClose
from arrears.reports.models_review import ReviewPack

pytestmark = pytest.mark.django_db


def beijing(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZoneInfo("Asia/Shanghai"))


def close(month: Month) -> None:
    MonthClose.objects.create(
        month=month.first,
        closed_on=month.last,
        closed_at=datetime(month.last.year, month.last.month, month.last.day, 15, tzinfo=UTC),
        opening_loans=0,
        next_opening_loans=0,
    )


def test_due_from_the_first_working_day_once_the_month_before_is_closed():
    """Clause: REV-1 — October 2026 begins with the National Day holiday (10-01 to 10-07): September's pack is due
    from Thursday 10-08, not before; and only once September is closed."""
    due = JOBS["review"].due
    assert due(beijing(2026, 10, 8, 9)) == []  # September not closed yet (the nightly run of 09-30 has not run)
    close(Month(2026, 8))
    close(Month(2026, 9))
    assert due(beijing(2026, 9, 30, 23)) == [("2026-08", {"month": "2026-08"})]  # still September: August's pack
    assert due(beijing(2026, 10, 1, 9)) == []
    assert due(beijing(2026, 10, 7, 23)) == []
    assert due(beijing(2026, 10, 8, 0)) == [("2026-09", {"month": "2026-09"})]
    assert due(beijing(2026, 10, 20, 9)) == [("2026-09", {"month": "2026-09"})]  # the slot: once, whenever planned


def test_a_year_the_calendar_does_not_know_is_not_guessed():
    """Clause: REV-1 — 2099 is in no calendar: nothing is due."""
    close(Month(2098, 12))
    assert JOBS["review"].due(beijing(2099, 1, 5, 9)) == []


def test_the_job_prepares_the_pack_once():
    """Clause: REV-1 — planned on 10-08 the job prepares September's pack as the nightly run's identity; planned
    again it is not queued a second time."""
    close(Month(2026, 8))
    close(Month(2026, 9))
    queued = plan(beijing(2026, 10, 8, 9), actor=system_actor(), only={"review"})
    assert [(run.job, run.slot) for run in queued] == [("review", "2026-09")]
    assert run_job.call(queued[0].pk) == "monthly review of 2026-09 prepared: 0 typical cases proposed"
    pack = ReviewPack.objects.get()
    assert (pack.label, pack.prepared_by, pack.figures["this"]["total"]["loans"]) == ("2026-09", system_actor(), 0)
    assert AuditEvent.objects.filter(action="reports.prepare_review").count() == 1
    assert JobRun.objects.get(job="review").state == JobState.SUCCEEDED
    assert plan(beijing(2026, 10, 9, 9), actor=system_actor(), only={"review"}) == []


def test_an_approved_pack_is_left_as_it_is():
    """Clause: REV-1 — the job finds the pack approved already (a supervisor was quicker): it says so."""
    close(Month(2026, 8))
    close(Month(2026, 9))
    ReviewPack.objects.create(
        month=Month(2026, 9).first,
        status="approved",
        prepared_on=datetime(2026, 10, 8, tzinfo=UTC).date(),
        prepared_at=datetime(2026, 10, 8, tzinfo=UTC),
        prepared_by=system_actor(),
        approved_by=system_actor(),
        approved_at=datetime(2026, 10, 8, tzinfo=UTC),
        pdf_sha256="0" * 64,
        xlsx_sha256="0" * 64,
    )
    run = do_queue_job_run("review", "2026-09", {"month": "2026-09"}, actor=system_actor())
    assert run_job.call(run.pk) == "monthly review of 2026-09: already approved, left as it is"
    assert not AuditEvent.objects.filter(action="reports.prepare_review").exists()
