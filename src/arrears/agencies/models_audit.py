"""The bank's audits of its agencies (Clause: AGY-3, PRV-1).

* `AgencyAudit` — one audit of one agency over an audited period (`period_start` … `period_end`, both included):
  who opened it and when, the day the schedule had it due (`due_on`, `agencies.schedule`), the findings written
  when it is closed. Open until closed; at most one open audit per agency.
* `AuditReport` — the agency's periodic report for the period as uploaded (PDF, JPEG or PNG, kept in the database
  with its SHA-256, name and size, like court documents); replaced while the audit is open, never after.
* `AuditSample` — a contact of the agency in the period drawn into the audit (a call or a letter made by one of
  the agency's users, the `agent`), with the auditor's verdict (ok or a violation) and note.
* `AuditViolation` — a violation the audit entered in the register (`complaints.Violation`, source
  `agency_audit`), for one sampled contact or found otherwise (the report, say).

Written only by `agencies.audit_actions`, each change with its audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.collection.models import Call, Letter
from arrears.complaints.models import Violation

__all__ = ["AgencyAudit", "AuditReport", "AuditSample", "AuditStatus", "AuditViolation", "Verdict"]


class AuditStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("audit", "open")
    CLOSED = "closed", pgettext_lazy("audit", "closed")


class Verdict(models.TextChoices):
    PENDING = "", _("not judged yet")
    OK = "ok", _("compliant")
    VIOLATION = "violation", _("a violation")


class AgencyAudit(models.Model):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="audits")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=6, choices=AuditStatus.choices, default=AuditStatus.OPEN)
    sample_size = models.PositiveSmallIntegerField(_("sample size"))
    contacts_in_period = models.PositiveIntegerField(_("contacts in the period"))
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    findings = models.TextField(_("findings"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agency audit")
        constraints = [
            models.UniqueConstraint(
                fields=["agency"], condition=Q(status="open"), name="agency_audit_one_open_per_agency"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="agency_audit_period_forward"),
            models.CheckConstraint(condition=Q(status__in=AuditStatus.values), name="agency_audit_status_known"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (Q(status="closed") & Q(closed_at__isnull=False) & ~Q(findings="")),
                name="agency_audit_closed_complete",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "period_end"], name="agency_audit_agency_idx")]

    def __str__(self) -> str:
        return f"audit {self.pk} of agency {self.agency_id}"

    @property
    def is_open(self) -> bool:
        return self.status == AuditStatus.OPEN


class AuditReport(models.Model):
    audit = models.OneToOneField(AgencyAudit, on_delete=models.PROTECT, related_name="report")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    data = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("agency report")

    def __str__(self) -> str:
        return f"report of audit {self.audit_id}"


class AuditSample(models.Model):
    audit = models.ForeignKey(AgencyAudit, on_delete=models.PROTECT, related_name="samples")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact_on = models.DateField(_("date"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True, default="")
    note = models.TextField(_("note"), blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audited contact")
        constraints = [
            models.CheckConstraint(
                condition=(Q(call__isnull=False) & Q(letter__isnull=True))
                | (Q(call__isnull=True) & Q(letter__isnull=False)),
                name="audit_sample_one_contact",
            ),
            models.UniqueConstraint(fields=["audit", "call"], name="audit_sample_call_once"),
            models.UniqueConstraint(fields=["audit", "letter"], name="audit_sample_letter_once"),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="audit_sample_verdict_known"),
        ]

    def __str__(self) -> str:
        return f"sample {self.pk} of audit {self.audit_id}"


class AuditViolation(models.Model):
    audit = models.ForeignKey(AgencyAudit, on_delete=models.PROTECT, related_name="violations")
    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="agency_audit")
    sample = models.ForeignKey(AuditSample, on_delete=models.PROTECT, null=True, blank=True, related_name="violations")

    class Meta:
        verbose_name = _("violation found in an agency audit")

    def __str__(self) -> str:
        return f"violation {self.violation_id} of audit {self.audit_id}"
