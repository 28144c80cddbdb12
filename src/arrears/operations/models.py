"""One row per attempt of a scheduled job (`arrears.operations.jobs`).

A job's run is named by its slot (a feed's date and digest, a dispatch's five minutes, a print batch's day):
the database holds each (job, slot, attempt) once, and at most one queued or running attempt of a job at a
time — two workers on two machines cannot both queue or both run it, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued to run")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


OPEN_STATES = (JobState.QUEUED, JobState.RUNNING)


class JobRun(models.Model):
    job = models.CharField(max_length=40)
    slot = models.CharField(max_length=120)
    attempt = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    payload = models.JSONField(default=dict, blank=True)
    queued_at = models.DateTimeField()
    not_before = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True, default="")
    task_id = models.CharField(max_length=64, blank=True, default="")
    summary = models.CharField(max_length=300, blank=True, default="")  # in English: logs, `arrears worker`
    words = models.JSONField(default=list, blank=True)  # the summary as [message code, parameters] pairs
    error = models.TextField(blank=True, default="")
    mailed = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot", "attempt"], name="jobrun_once_per_slot_attempt"),
            models.UniqueConstraint(
                fields=["job"], condition=Q(state__in=["queued", "running"]), name="jobrun_one_open_per_job"
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="jobrun_attempt_positive"),
        ]
        indexes = [models.Index(fields=["-queued_at"], name="jobrun_recent")]

    def __str__(self) -> str:
        return f"{self.job} {self.slot} #{self.attempt}"

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)
