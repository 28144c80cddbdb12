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
