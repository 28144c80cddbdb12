"""The monthly review's records (Clause: REV-1), written only by `reports.actions_review`.

* `ReviewPack` — one per month: the figures of the month against the month before (`figures`, JSON, frozen when
  the pack is prepared and refreshed on request until it is approved), the supervisor's commentary, who approved
  it and when, the follow-up of earlier action items as it stood at approval (`follow_up`), and the PDF and XLSX
  kept through Django's storage with their SHA-256. Status moves prepared → approved, never back.
* `ReviewCase` — a typical success or failure of the month that a rule proposed (cured after a plan, a plan
  completed or broken, a complaint found substantiated, a litigation outcome), with its case and a short figure;
  the supervisor chooses the cases the pack shows and writes a note on each.
* `ActionItem` — what the meeting agreed, with its owner and due date; open items of earlier packs come up in
  the next pack's follow-up, where they are closed (done or dropped) with a note.

Amounts are integer fen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import CollectionCase


class ReviewStatus(models.TextChoices):
    PREPARED = "prepared", _("prepared, awaiting approval")
    APPROVED = "approved", _("approved")


class ReviewPack(models.Model):
    month = models.DateField(_("month"), unique=True)  # its first day
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PREPARED)
    figures = models.JSONField(_("figures"), default=dict)
    commentary = models.TextField(_("commentary"), blank=True)
    prepared_on = models.DateField(_("prepared on"))  # the business date of the last preparation
    prepared_at = models.DateTimeField(_("prepared at"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    follow_up = models.JSONField(_("follow-up at approval"), default=list)
    pdf_path = models.CharField(max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_path = models.CharField(max_length=255, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("monthly review pack")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_known"),
            models.CheckConstraint(
                condition=Q(status="prepared")
                | (Q(approved_by__isnull=False, approved_at__isnull=False) & ~Q(pdf_sha256="") & ~Q(xlsx_sha256="")),
                name="review_approved_with_files",
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.month:%Y-%m} ({self.status})"

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def approved(self) -> bool:
        return self.status == ReviewStatus.APPROVED


class CaseKind(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")


class CaseRule(models.TextChoices):
    """The rules that propose typical cases (`reports.review_rules`)."""

    CURED_AFTER_PLAN = "cured_after_plan", _("current again under an instalment plan")
    PLAN_COMPLETED = "plan_completed", _("instalment plan completed")
    PLAN_BROKEN = "plan_broken", _("instalment plan broken")
    COMPLAINT_SUBSTANTIATED = "complaint", _("complaint found substantiated")
    JUDGMENT = "judgment", _("judgment given")
    ENFORCEMENT = "enforcement", _("enforcement result")
    MEDIATION = "mediation", _("mediation result")
    LAWSUIT_CLOSED = "lawsuit_closed", _("lawsuit closed")


class ReviewCase(models.Model):
    pack = models.ForeignKey(ReviewPack, on_delete=models.CASCADE, related_name="cases")
    kind = models.CharField(_("success or failure"), max_length=8, choices=CaseKind.choices)
    rule = models.CharField(_("proposed because"), max_length=20, choices=CaseRule.choices)
    case = models.ForeignKey(
        CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    subject_type = models.CharField(max_length=20)  # what the rule found: plan, complaint, litigation, case
    subject_id = models.CharField(max_length=40)
    reference = models.CharField(_("reference"), max_length=60)  # as the pack shows it: a plan's or complaint's no.
    occurred_on = models.DateField(_("date"))
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=40, blank=True)  # a code: the closing reason, the result
    chosen = models.BooleanField(_("chosen for the pack"), default=False)
    note = models.TextField(_("supervisor's note"), blank=True)

    class Meta:
        verbose_name = _("typical case")
        ordering = ("kind", "rule", "-amount_fen", "occurred_on", "pk")
        constraints = [
            models.UniqueConstraint(fields=["pack", "rule", "subject_type", "subject_id"], name="review_case_once"),
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="review_case_kind_known"),
            models.CheckConstraint(condition=Q(rule__in=CaseRule.values), name="review_case_rule_known"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_type} {self.subject_id} in {self.pack}"


class ItemStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class ActionItem(models.Model):
    pack = models.ForeignKey(ReviewPack, on_delete=models.PROTECT, related_name="items")  # agreed in
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    # The pack in whose follow-up the item was closed (done or dropped), or its own pack when closed before that.
    closed_in = models.ForeignKey(
        ReviewPack, on_delete=models.PROTECT, null=True, blank=True, related_name="closed_items"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("action item")
        ordering = ("due_on", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="action_item_status_known"),
            models.CheckConstraint(
                condition=Q(status="open", closed_in__isnull=True) | (~Q(status="open") & Q(closed_in__isnull=False)),
                name="action_item_closed_in_a_pack",
            ),
        ]

    def __str__(self) -> str:
        return f"action item {self.pk} of {self.pack} ({self.status})"
