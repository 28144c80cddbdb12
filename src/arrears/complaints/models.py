"""A complaint about collection (CMP-1) and the files that came with it.

A complaint is filed once (`actions.do_file_complaint`) with its instant of receipt; both deadlines are worked
out then from the policy in force on the day of receipt and stored (`response_due` an instant, CMP-2;
`investigation_due` a Beijing date, CMP-3), so a later policy version does not move a running clock. A complaint
whose borrower is not known yet (`borrower` null) waits in the triage queue. Status moves forward only:
open → responded → investigating → closed (investigation and closing are later steps; room is left for them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.complaints.clocks import day_of_receipt
from arrears.portfolio.models import Borrower, Hold


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("phone (hotline)")
    EMAIL = "email", _("email")
    REGULATOR = "regulator", _("forwarded by the regulator")
    BRANCH = "branch", _("branch")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("awaiting the first response")
    RESPONDED = "responded", _("responded")
    INVESTIGATING = "investigating", _("under investigation")
    CLOSED = "closed", pgettext_lazy("complaint", "closed")


class MatchedBy(models.TextChoices):
    MOBILE = "mobile", _("mobile")
    ID_NUMBER = "id_number", _("national ID number")
    CONTRACT_NO = "contract_no", _("contract number")
    STAFF = "staff", _("matched by staff")


class ResponseHow(models.TextChoices):
    CALL = "call", _("a recorded call with the complainant")
    ACKNOWLEDGEMENT = "acknowledgement", _("an acknowledgement through the notices outbox")


class Complaint(models.Model):
    channel = models.CharField(_("channel"), max_length=10, choices=ComplaintChannel.choices)
    marker = models.CharField(_("marker"), max_length=20)  # CMP-1: the policy's channel marker, 催收投诉
    received_at = models.DateTimeField(_("received at"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("complaint"))
    complainant = models.CharField(_("complainant"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    # Where the complainant wrote from (the mailbox) or asked to be answered: the acknowledgement and the outcome
    # go here (or to the complaint's mobile), else to the matched borrower's registered address.
    email = models.EmailField(_("email"), blank=True)
    id_number = models.CharField(_("national ID number"), max_length=18, blank=True)
    contract_no = models.CharField(_("contract number"), max_length=32, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints")
    matched_by = models.CharField(_("matched by"), max_length=12, choices=MatchedBy.choices, blank=True)
    regulator = models.BooleanField(_("forwarded by the regulator"), default=False)
    about_conduct = models.BooleanField(_("about collection conduct"), default=True)
    response_due = models.DateTimeField(_("response due"))
    investigation_due = models.DateField(_("investigation due"))
    status = models.CharField(_("status"), max_length=14, choices=ComplaintStatus.choices, default="open")
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    response_how = models.CharField(_("response"), max_length=16, choices=ResponseHow.choices, blank=True)
    response_note = models.TextField(_("response note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)  # set by the closing step (later)
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))

    class Meta:
        verbose_name = _("complaint")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="complaint_message_id_unique"
            ),
            models.CheckConstraint(condition=Q(channel__in=ComplaintChannel.values), name="complaint_channel_known"),
            models.CheckConstraint(condition=Q(status__in=ComplaintStatus.values), name="complaint_status_known"),
        ]
        indexes = [models.Index(fields=["status", "response_due"], name="complaint_status_due_idx")]

    def __str__(self) -> str:  # never the complainant: this string ends up in logs
        return f"complaint {self.pk}"

    @property
    def received_on(self):
        """The Beijing day of receipt."""
        return day_of_receipt(self.received_at)

    @property
    def reference(self) -> str:
        """The number the complainant is given (acknowledgement, outcome): CMP-<day of receipt>-<id>."""
        return f"CMP-{self.received_on:%Y%m%d}-{self.pk:06d}"


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    data = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("complaint attachment")

    def __str__(self) -> str:
        return f"attachment {self.pk} of complaint {self.complaint_id}"


class Investigation(models.Model):
    """The investigation of one complaint (CMP-3) and how its outcome was told (CMP-4); written only by
    `complaints.investigation`. Findings are recorded once; a substantiated complaint names who is responsible."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="investigation")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(_("taken at"))
    substantiated = models.BooleanField(_("substantiated"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    found_at = models.DateTimeField(_("findings recorded at"), null=True, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_how = models.CharField(_("outcome told by"), max_length=10, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    outcome_at = models.DateTimeField(_("outcome told at"), null=True, blank=True)
    outcome_notice_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("investigation")

    def __str__(self) -> str:
        return f"investigation of complaint {self.complaint_id}"


class Rectification(models.Model):
    """What must be fixed after a substantiated complaint or violation, by when, and the evidence it was."""

    description = models.TextField(_("what to fix"))
    due_on = models.DateField(_("due on"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    evidence = models.TextField(_("closing evidence"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rectification")

    def __str__(self) -> str:
        return f"rectification {self.pk}"


class ViolationSource(models.TextChoices):
    COMPLAINT = "complaint", _("a substantiated complaint")
    QUALITY = "quality", _("quality inspection")
    AGENCY_AUDIT = "agency_audit", _("agency audit")
    PRIVACY = "privacy", _("staff privacy violation (PRV-1)")


class Violation(models.Model):
    """One entry of the violation register: who (a user or an agency) broke a rule, when, and what was done."""

    source = models.CharField(_("source"), max_length=14, choices=ViolationSource.choices)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_on = models.DateField(_("date"))
    description = models.TextField(_("description"))
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, null=True, blank=True, related_name="violations"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("violation")
        constraints = [
            models.CheckConstraint(condition=Q(source__in=ViolationSource.values), name="violation_source_known"),
            models.CheckConstraint(
                condition=Q(responsible_user__isnull=False) | Q(responsible_agency__isnull=False),
                name="violation_names_someone",
            ),
        ]
        indexes = [models.Index(fields=["responsible_user", "occurred_on"], name="violation_user_day_idx")]

    def __str__(self) -> str:
        return f"violation {self.pk}"
