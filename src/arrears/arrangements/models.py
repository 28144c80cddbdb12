"""Repayment arrangements: instalment plans and penalty waivers, each proposed by one person and decided by
another (AUTH-2).

Money is integer fen. The rules that must hold whatever the code does are database constraints: the person who
proposed never decides (`*_not_self_decided`), a case has at most one plan in play (`one_live_plan_per_case`),
a plan has 1 to 6 instalments (PLAN-3), a waiver is positive and never above the cap worked out when it was
proposed (WVR-2). The actions in `actions.py` are the only writers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import Call, CollectionCase
from arrears.portfolio.models import Borrower, Loan


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("awaiting approval")
    APPROVED = "approved", _("approved, awaiting signature")
    REJECTED = "rejected", _("rejected")
    ACTIVE = "active", _("in force")
    BROKEN = "broken", _("broken")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")


LIVE_PLAN_STATUSES = (PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.ACTIVE)
# A plan's documents (the agreement, the signed scan of up to 10 MB): deferred wherever plans are listed.
DOCUMENTS = ("agreement_pdf", "signed_scan")


class Plan(models.Model):
    """An instalment plan for a case's overdue loans (PLAN-1..4): the borrower's means, the amount covered, the
    fixed instalments, who proposed and who decided it, the agreement and its signature."""

    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="plans")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="plans")
    loans = models.ManyToManyField(Loan, related_name="plans")
    contracts = models.CharField(_("contracts"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    # PLAN-1: the borrower's monthly means, as stated in the negotiation.
    income_fen = models.BigIntegerField(_("monthly income (fen)"))
    expenses_fen = models.BigIntegerField(_("monthly expenses (fen)"))
    debts_fen = models.BigIntegerField(_("monthly debt payments (fen)"))
    max_payment_fen = models.BigIntegerField(_("affordable monthly payment (fen)"))
    # What the plan covers: the overdue amount on `starts_on`, with the penalty where the policy includes it.
    amount_fen = models.BigIntegerField(_("amount covered (fen)"))
    includes_penalty = models.BooleanField(_("includes penalty interest"))
    instalment_count = models.PositiveSmallIntegerField(_("instalments"))
    payment_fen = models.BigIntegerField(_("monthly payment (fen)"))
    starts_on = models.DateField(_("proposed on"))
    note = models.TextField(_("note"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    agreement_pdf = models.BinaryField(blank=True, default=b"")
    agreement_sha256 = models.CharField(max_length=64, blank=True)
    # PLAN-4: the signed agreement as evidence.
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.BinaryField(blank=True, default=b"")
    signed_scan_name = models.CharField(max_length=200, blank=True)
    signed_scan_type = models.CharField(max_length=60, blank=True)
    signed_scan_sha256 = models.CharField(max_length=64, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("instalment plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")), name="plan_not_self_decided"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=LIVE_PLAN_STATUSES), name="one_live_plan_per_case"
            ),
            models.CheckConstraint(
                condition=Q(instalment_count__gte=1, instalment_count__lte=6), name="plan_one_to_six_instalments"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0, payment_fen__gt=0, income_fen__gte=0, expenses_fen__gte=0)
                & Q(debts_fen__gte=0, max_payment_fen__gte=0),
                name="plan_amounts_sane",
            ),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_known"),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "broken", "completed"])
                | Q(decided_by__isnull=False, signed_on__isnull=False, effective_on__isnull=False),
                name="plan_in_force_only_approved_and_signed",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="plan_status_idx")]

    def __str__(self) -> str:
        return f"plan {self.pk} of case {self.case_id} ({self.status})"


class PlanInstalment(models.Model):
    """One fixed instalment of a plan: due date from the finance core, amount, the running total it brings the
    plan to, and the business date the nightly run found it paid (`met_on`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="instalments")
    n = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    cumulative_fen = models.BigIntegerField(_("total by then (fen)"))
    met_on = models.DateField(_("paid by"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "n"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "n"], name="plan_instalment_once"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="plan_instalment_positive"),
        ]

    def __str__(self) -> str:
        return f"instalment {self.n} of plan {self.plan_id}"


class WaiverStatus(models.TextChoices):
    PROPOSED = "proposed", _("awaiting approval")
    POSTED = "posted", _("approved and posted")
    REJECTED = "rejected", _("rejected")


class Waiver(models.Model):
    """A penalty waiver on one loan (WVR-1, WVR-2): the facts it was judged on when proposed, the cap, the
    amount, who proposed and who decided it; approval posts it (`portfolio.WaiverPosting`)."""

    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="waivers")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="waivers")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="waiver_requests")
    status = models.CharField(_("status"), max_length=10, choices=WaiverStatus.choices, default=WaiverStatus.PROPOSED)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    # The facts on the day it was proposed (WVR-1) and the cap they allowed (WVR-2).
    requested_on = models.DateField(_("requested on"))
    dpd = models.PositiveIntegerField(_("days past due when requested"))
    first_delinquency = models.BooleanField(_("first delinquency of the loan"))
    initiating_call = models.ForeignKey(
        Call, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("borrower's call")
    )
    penalty_accrued_fen = models.BigIntegerField(_("penalty and compound interest accrued (fen)"))
    already_waived_fen = models.BigIntegerField(_("waived before (fen)"), default=0)
    max_fen = models.BigIntegerField(_("most that may be waived (fen)"))
    note = models.TextField(_("note"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("penalty waiver")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="waiver_not_self_decided",
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0) & Q(amount_fen__lte=F("max_fen")), name="waiver_within_cap"
            ),
            models.CheckConstraint(condition=Q(status__in=WaiverStatus.values), name="waiver_status_known"),
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status="proposed"), name="one_pending_waiver_per_loan"
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="waiver_status_idx")]

    def __str__(self) -> str:
        return f"waiver {self.pk} on loan {self.loan_id} ({self.status})"
