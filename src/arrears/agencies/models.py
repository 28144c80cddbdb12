"""Placements of cases with agencies (Clause: LGL-2, AUTH-3, AGY-1, AGY-2).

* `Placement` — a supervisor's placement of one collection case with one agency for a period, under the mandate
  rendered from the approved `agency_mandate` template (AGY-2: collection only), at the agency's commission
  percentage as it stood that day. In force from `placed_on` through `last_day` unless recalled; while in force,
  the agency's users see the case (`collection.queries.visible_cases`) — frozen (seen, no new contact) on any day
  the agency is not eligible under AGY-1. At most one placement of a case stands at a time (not recalled, not
  ended); the ended and recalled ones are the case's placement history.

Amounts are integer fen. Written only by the actions of this app (`agencies.placement`), each with its audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import CollectionCase
from arrears.legal.models import EscalationDecision
from arrears.portfolio.models import Borrower


def reference_of(placed_on, placement_id: int) -> str:
    """PLC-<day placed>-<id>, e.g. PLC-20261128-000042: what the mandate and the statements call a placement."""
    return f"PLC-{placed_on:%Y%m%d}-{placement_id:06d}"


class RecallReason(models.TextChoices):
    SUPERVISOR = "supervisor", _("recalled by a supervisor")
    PERIOD_END = "period_end", _("the period ended")
    COMPLAINT = "complaint", _("a substantiated complaint")
    ELIGIBILITY = "eligibility", _("the agency lost its eligibility (AGY-1)")
    CASE_CLOSED = "case_closed", _("the case closed")


class Placement(models.Model):
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="placements")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="placements")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="placements")
    decision = models.ForeignKey(EscalationDecision, on_delete=models.PROTECT, related_name="placements")
    placed_on = models.DateField(_("placed on"))
    days = models.PositiveSmallIntegerField(_("days"))
    last_day = models.DateField(_("last day"))
    commission_percent = models.DecimalField(_("commission (%)"), max_digits=5, decimal_places=2)
    overdue_fen = models.BigIntegerField(_("overdue when placed (fen)"))
    mandate = models.TextField(_("mandate"))
    mandate_template = models.CharField(_("mandate template"), max_length=60)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("placed at"))
    reason = models.TextField(_("reason"), blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(_("ended because"), max_length=12, choices=RecallReason.choices, blank=True)
    end_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("placement")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="placement_one_standing_per_case"
            ),
            models.CheckConstraint(condition=Q(last_day__gte=F("placed_on")), name="placement_period_forward"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0, commission_percent__lte=100), name="placement_commission_range"
            ),
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(end_reason=""))
                | (Q(ended_at__isnull=False) & Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="placement_end_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "ended_at", "last_day"], name="placement_agency_idx"),
            models.Index(fields=["case", "placed_at"], name="placement_case_idx"),
        ]

    def __str__(self) -> str:
        return f"placement {self.pk} of case {self.case_id} with agency {self.agency_id}"

    @property
    def standing(self) -> bool:
        return self.ended_at is None

    def in_force_on(self, day) -> bool:
        """In force on `day`: not ended (recalled) and within its period."""
        return self.ended_at is None and self.placed_on <= day <= self.last_day


# The audits of agencies (AGY-3) live in a module of their own; imported here so Django finds their models.
from arrears.agencies.models_audit import *  # noqa: E402,F403
