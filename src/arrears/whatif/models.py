"""A what-if asked for on the page: the candidate policy as given, the period, and once the worker has replayed it
the figures (`whatif.actions.WhatIf.as_json`). The what-if's own table: replaying writes nothing else."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WhatIfStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for the worker")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class WhatIfReport(models.Model):
    name = models.CharField(_("candidate policy"), max_length=200)
    policy_text = models.TextField(_("candidate policy (TOML)"))
    first = models.DateField(_("from"))
    last = models.DateField(_("to"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("asked at"))
    status = models.CharField(_("status"), max_length=8, choices=WhatIfStatus.choices, default=WhatIfStatus.QUEUED)
    result = models.JSONField(_("figures"), default=dict)
    error = models.TextField(_("why it failed"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy what-if")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=WhatIfStatus.values), name="whatif_status_known"),
            models.CheckConstraint(condition=Q(last__gte=models.F("first")), name="whatif_period_order"),
        ]
        indexes = [models.Index(fields=["status"], name="whatif_status_idx")]

    def __str__(self) -> str:
        return f"what-if {self.pk} {self.first}..{self.last} ({self.status})"


class ExperimentStatus(models.TextChoices):
    RUNNING = "running", _("running")
    STOPPED = "stopped", _("stopped")


class Experiment(models.Model):
    """A champion/challenger experiment (issue 23): from `started_on`, borrowers without a case opened before it whose
    seeded hash falls in `share` (`arms.arm_of`) are worked under the policy in force with `strategy_text` laid over
    it (`strategies`); the others, and everyone once it stops, under the policy in force. One runs at a time."""

    name = models.CharField(_("name"), max_length=200)
    strategy_text = models.TextField(_("strategy (TOML)"))
    seed = models.CharField(_("seed"), max_length=64)
    share = models.DecimalField(_("challenger's share"), max_digits=5, decimal_places=4)
    min_sample = models.PositiveIntegerField(_("cases per arm before the difference is read"))
    status = models.CharField(
        _("status"), max_length=8, choices=ExperimentStatus.choices, default=ExperimentStatus.RUNNING
    )
    started_on = models.DateField(_("started on"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("champion/challenger experiment")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExperimentStatus.values), name="experiment_status_known"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lt=1), name="experiment_share_between"),
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="experiment_one_running"),
            models.CheckConstraint(
                condition=Q(status="running", stopped_on__isnull=True)
                | Q(status="stopped", stopped_on__isnull=False, stopped_on__gte=models.F("started_on")),
                name="experiment_stopped_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"experiment {self.pk} {self.name} ({self.status})"

    @classmethod
    def on(cls, day) -> Experiment | None:
        """The experiment in force on `day`: started by then and not stopped before it."""
        return (
            cls.objects.filter(started_on__lte=day)
            .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=day))
            .order_by("-started_on", "-id")
            .first()
        )


class PromotionStatus(models.TextChoices):
    PROPOSED = "proposed", _("waiting for a second supervisor")
    APPROVED = "approved", _("approved: a new policy version")
    REJECTED = "rejected", _("rejected")


class Promotion(models.Model):
    """An experiment's challenger proposed as the bank's policy from `effective_from` (issue 23): the policy in force
    on that date with the strategy laid over it, as a policy version's TOML (`text`). A second supervisor approves it
    — then the version is stored (`policy_version`) — or rejects it; never the one who proposed it (maker–checker,
    also held by the database)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="promotions")
    effective_from = models.DateField(_("in force from"))
    name = models.CharField(_("name"), max_length=120)
    text = models.TextField(_("policy version (TOML)"))
    reason = models.TextField(_("why"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=8, choices=PromotionStatus.choices, default=PromotionStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)
    policy_version = models.OneToOneField(
        "rules.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="promotion"
    )

    class Meta:
        verbose_name = _("promotion of a challenger")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PromotionStatus.values), name="promotion_status_known"),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("proposed_by")), name="promotion_checker_not_maker"
            ),
            models.UniqueConstraint(
                fields=["experiment"], condition=Q(status="proposed"), name="promotion_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True, policy_version__isnull=True)
                | Q(status="approved", decided_by__isnull=False, policy_version__isnull=False)
                | Q(status="rejected", decided_by__isnull=False, policy_version__isnull=True),
                name="promotion_decision_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"promotion {self.pk} of experiment {self.experiment_id} ({self.status})"
