"""The late stage's records (Clause: LGL-1, LGL-2, AUTH-3, LIT-1, LIT-2).

* `EscalationDecision` — a supervisor's decision on a case that qualifies for the late stage (AUTH-3): litigation,
  placement with an agency, keep collecting (with a reason and a revisit date) or a write-off proposal; with the
  facts it was decided on (as the policy names them) and the task it closed.
* `WriteOff` — maker-checker: proposed by one supervisor, approved or rejected by another holding
  `legal.approve_write_off` (the database refuses an approver who is the proposer, as for plans).
* `Litigation` — one lawsuit of a case, from the decision to closing, with the court's facts as they are recorded;
  `StageEvent` each recorded court stage (in order: filed before accepted before judgment …) with its date,
  details and documents (`CourtDocument`); `LegalCost` each fee, lawyer's bill or preservation cost (collection
  costs for KPI-2); `LitigationFile` each version of the assembled file (LIT-1): one PDF with an index and a ZIP of
  the parts with a SHA-256 manifest, kept as built.

Amounts are integer fen. Written only by the actions of this app, each with its audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.collection.models import CollectionCase, Task
from arrears.portfolio.models import Borrower


class Decision(models.TextChoices):
    LITIGATION = "litigation", _("litigation")
    AGENCY = "agency", _("placement with an agency")
    CONTINUE = "continue", _("keep collecting")
    WRITE_OFF = "write_off", _("propose a write-off")


class Route(models.TextChoices):
    """What the policy proposes for an eligible case (LGL-2)."""

    LITIGATION = "litigation", _("litigation")
    AGENCY = "agency", _("an agency")


class EscalationDecision(models.Model):
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="escalations")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="escalations")
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    eligible = models.BooleanField(_("eligible for legal action (LGL-1)"))
    route = models.CharField(_("route the policy proposes"), max_length=12, choices=Route.choices, blank=True)
    # As decided on: {"dpd", "failed_attempts", "refused", "days_since_reached", "overdue" (yuan, a string to the
    # fen), "overdue_fen", "eligible", "route", "clauses"}; the API's escalation answer at that moment.
    facts = models.JSONField(_("facts"))
    reason = models.TextField(_("reason"))
    revisit_on = models.DateField(_("revisit on"), null=True, blank=True)
    business_date = models.DateField(_("business date"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("escalation decision")
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="escalation_decision_known"),
            models.CheckConstraint(
                condition=~Q(decision="continue") | Q(revisit_on__isnull=False), name="escalation_continue_revisits"
            ),
        ]
        indexes = [models.Index(fields=["case", "decided_at"], name="escalation_case_idx")]

    def __str__(self) -> str:
        return f"escalation {self.pk} of case {self.case_id}: {self.decision}"


class WriteOffStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class WriteOff(models.Model):
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="write_offs")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="write_offs")
    decision = models.OneToOneField(
        EscalationDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="write_off"
    )
    as_of = models.DateField(_("amounts as of"))
    principal_fen = models.BigIntegerField(_("overdue principal (fen)"))
    interest_fen = models.BigIntegerField(_("overdue interest (fen)"))
    penalty_fen = models.BigIntegerField(_("penalty interest (fen)"))
    compound_fen = models.BigIntegerField(_("compound interest (fen)"))
    total_fen = models.BigIntegerField(_("total written off (fen)"))
    status = models.CharField(_("status"), max_length=10, choices=WriteOffStatus.choices, default="proposed")
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The business date of the decision: an approved write-off's recoveries are the payments after this day.
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("write-off")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=WriteOffStatus.values), name="write_off_status_known"),
            # Maker-checker: whoever proposed it never decides it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="write_off_checker_not_maker",
            ),
            models.CheckConstraint(
                condition=Q(total_fen=F("principal_fen") + F("interest_fen") + F("penalty_fen") + F("compound_fen")),
                name="write_off_total_adds_up",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=("proposed", "approved")), name="write_off_one_standing"
            ),
        ]

    def __str__(self) -> str:
        return f"write-off {self.pk} of case {self.case_id} ({self.status})"


class Stage(models.TextChoices):
    """The court stages of a lawsuit (LIT-2), in their order; `hearing` and `mediation` may repeat."""

    DECIDED = "decided", _("decided, not yet filed")
    FILED = "filed", _("filed with the court")
    ACCEPTED = "accepted", _("accepted by the court")
    HEARING = "hearing", _("hearing")
    MEDIATION = "mediation", _("mediation")
    JUDGMENT = "judgment", _("judgment")
    ENFORCEMENT_APPLIED = "enforcement", _("enforcement applied for")
    ENFORCEMENT_RESULT = "enforced", _("enforcement result")
    CLOSED = "closed", pgettext_lazy("litigation", "closed")


STAGE_ORDER = [s.value for s in Stage]


class Litigation(models.Model):
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="litigations")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="litigations")
    decision = models.OneToOneField(EscalationDecision, on_delete=models.PROTECT, related_name="litigation")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.DECIDED)
    opened_on = models.DateField(_("decided on"))
    court = models.CharField(_("competent court"), max_length=200, blank=True)
    court_case_no = models.CharField(_("case number (案号)"), max_length=64, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    claimed_fen = models.BigIntegerField(_("amount claimed (fen)"), null=True, blank=True)
    court_fee_fen = models.BigIntegerField(_("court fee (fen)"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    judgment_on = models.DateField(_("judgment on"), null=True, blank=True)
    judgment_fen = models.BigIntegerField(_("amount awarded (fen)"), null=True, blank=True)
    judgment_effective_on = models.DateField(_("judgment effective on"), null=True, blank=True)
    enforcement_applied_on = models.DateField(_("enforcement applied for on"), null=True, blank=True)
    enforcement_case_no = models.CharField(_("enforcement case number"), max_length=64, blank=True)
    recovered_fen = models.BigIntegerField(_("recovered by enforcement (fen)"), default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("litigation")
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=STAGE_ORDER), name="litigation_stage_known"),
            models.UniqueConstraint(fields=["case"], condition=~Q(stage="closed"), name="litigation_one_open_per_case"),
            models.CheckConstraint(
                condition=Q(judgment_on__isnull=True) | Q(filed_on__isnull=False), name="litigation_no_judgment_unfiled"
            ),
        ]

    def __str__(self) -> str:
        return f"litigation {self.pk} of case {self.case_id} ({self.stage})"


class StageEvent(models.Model):
    litigation = models.ForeignKey(Litigation, on_delete=models.PROTECT, related_name="stages")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("date"))
    details = models.JSONField(_("details"), default=dict)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("court stage")
        ordering = ("on", "pk")

    def __str__(self) -> str:
        return f"stage {self.stage} of litigation {self.litigation_id} on {self.on}"


class CourtDocument(models.Model):
    stage_event = models.ForeignKey(StageEvent, on_delete=models.PROTECT, related_name="documents")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    data = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("court document")

    def __str__(self) -> str:
        return f"document {self.pk} of stage {self.stage_event_id}"


class CostKind(models.TextChoices):
    COURT_FEE = "court_fee", _("court fee")
    LAWYER = "lawyer", _("lawyer's fee")
    PRESERVATION = "preservation", _("preservation of assets")
    ENFORCEMENT = "enforcement", _("enforcement fee")
    OTHER = "other", _("other legal cost")


class LegalCost(models.Model):
    """A legal cost of a case (a collection cost for KPI-2's cost rate)."""

    litigation = models.ForeignKey(Litigation, on_delete=models.PROTECT, related_name="costs")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="legal_costs")
    kind = models.CharField(_("kind"), max_length=14, choices=CostKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    incurred_on = models.DateField(_("incurred on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("legal cost")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="legal_cost_positive"),
            models.CheckConstraint(condition=Q(kind__in=CostKind.values), name="legal_cost_kind_known"),
        ]

    def __str__(self) -> str:
        return f"cost {self.pk} of litigation {self.litigation_id}"


class LitigationFile(models.Model):
    """One version of the litigation file (LIT-1), as built: never changed afterwards."""

    litigation = models.ForeignKey(Litigation, on_delete=models.PROTECT, related_name="files")
    version = models.PositiveSmallIntegerField(_("version"))
    as_of = models.DateField(_("figures as of"))
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    built_at = models.DateTimeField(_("built at"))
    template = models.ForeignKey("notices.Template", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(max_length=64)
    zip = models.BinaryField(_("ZIP of the parts"))
    zip_sha256 = models.CharField(max_length=64)
    manifest = models.TextField(_("manifest"))

    class Meta:
        verbose_name = _("litigation file")
        constraints = [
            models.UniqueConstraint(fields=["litigation", "version"], name="litigation_file_version_unique"),
        ]

    def __str__(self) -> str:
        return f"file v{self.version} of litigation {self.litigation_id}"
