"""The run ledger: one row per business date the nightly run decided, with its report and its cursor.

A run applies its decisions in chunks of borrowers, one transaction each; the chunk's writes, its audit
events and the ledger's cursor and counts commit together, so a run killed at any point resumes after the
last committed chunk and ends with the counts of a clean run.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Loan


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Run(models.Model):
    business_date = models.DateField(_("business date"), unique=True)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    cursor = models.BigIntegerField(default=0, help_text="the last borrower id whose decisions are applied")
    policy_name = models.CharField(_("policy"), max_length=200, blank=True)
    summary = models.JSONField(_("summary"), default=dict)
    changes = models.JSONField(_("changes"), default=dict)
    seconds = models.JSONField(_("seconds per phase"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("daily run")
        ordering = ["-business_date"]
        constraints = [models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="run_status_known")]

    def __str__(self) -> str:
        return f"run of {self.business_date} ({self.status})"


class RunProblem(models.Model):
    """A loan whose data did not add up on the run's date: reported, left undecided, the run went on."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="problems")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    problem = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "loan"], name="run_problem_once")]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.problem}"
