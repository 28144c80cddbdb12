"""What the inspection of calls keeps (Clause: QA-1, QA-2).

* `Transcript` — what was said in a call, one utterance a line (`坐席:` / `客户:`), as the call platform delivered
  it or a recogniser heard it (`source`), with its SHA-256. One a call.
* `Inspection` — the machine's judgement of a transcript (`arrears.quality.inspect`): the steps, findings,
  satisfaction and score as a JSON document, and the score, whether anything was found and the satisfaction as
  columns for the queue and the monthly figures.
* `Review` — a person's review of an inspection (QA-1): every flagged call, and a policy-set share of the others
  (`quality.review_sample_share`, drawn by a hash of the call so the same call is always in or out). Open until a
  reviewer gives a verdict on each finding; the reviewed score counts the confirmed findings only.
* `FindingVerdict` — the reviewer's verdict on one finding: confirmed or overridden, always with a reason; a
  confirmed prohibited-language or privacy finding is entered in the violation register against the collector
  (and the agency, for an agency's agent).

Written only by `arrears.quality.reviews`, each change with its audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.collection.models import Call
from arrears.complaints.models import Violation

__all__ = ["FindingVerdict", "Inspection", "Review", "ReviewReason", "ReviewStatus", "Transcript", "TranscriptSource"]


class TranscriptSource(models.TextChoices):
    PLATFORM = "platform", _("delivered by the call platform")
    FUNASR = "funasr", _("recognised by FunASR")
    POCKETSPHINX = "pocketsphinx", _("recognised by PocketSphinx")


class Transcript(models.Model):
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="transcript")
    source = models.CharField(_("source"), max_length=12, choices=TranscriptSource.choices)
    language = models.CharField(_("language"), max_length=2)
    text = models.TextField(_("transcript"))
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("transcript")
        constraints = (
            models.CheckConstraint(condition=Q(source__in=TranscriptSource.values), name="quality_transcript_source"),
        )

    def __str__(self) -> str:
        return f"transcript of call {self.call_id}"


class Inspection(models.Model):
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="inspection")
    transcript = models.OneToOneField(Transcript, on_delete=models.PROTECT, related_name="inspection")
    inspected_at = models.DateTimeField(_("inspected at"))
    called_on = models.DateField(_("day of the call"))  # the call's business date: the month it counts in (QA-2)
    score = models.PositiveSmallIntegerField(_("score"))
    flagged = models.BooleanField(_("something found"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12)
    result = models.JSONField(_("inspection"))

    class Meta:
        verbose_name = _("call inspection")
        indexes = (models.Index(fields=("called_on",), name="quality_inspection_day_idx"),)
        constraints = (models.CheckConstraint(condition=Q(score__lte=100), name="quality_inspection_score"),)

    def __str__(self) -> str:
        return f"inspection of call {self.call_id}: {self.score}"


class ReviewReason(models.TextChoices):
    FLAGGED = "flagged", _("something was found")
    SAMPLED = "sampled", _("drawn for the sample")


class ReviewStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("review", "open")
    DONE = "done", pgettext_lazy("review", "reviewed")


class Review(models.Model):
    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="review")
    reason = models.CharField(_("why reviewed"), max_length=8, choices=ReviewReason.choices)
    status = models.CharField(_("status"), max_length=4, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True)
    score = models.PositiveSmallIntegerField(_("reviewed score"), null=True)  # 100 less the confirmed findings
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("call review")
        indexes = (models.Index(fields=("status", "opened_at"), name="quality_review_queue_idx"),)
        constraints = (
            models.CheckConstraint(condition=Q(reason__in=ReviewReason.values), name="quality_review_reason"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="quality_review_status"),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.OPEN, reviewer__isnull=True, score__isnull=True)
                | Q(status=ReviewStatus.DONE, reviewer__isnull=False, score__isnull=False, reviewed_at__isnull=False),
                name="quality_review_done_complete",
            ),
        )

    def __str__(self) -> str:
        return f"review {self.pk} ({self.status})"


class FindingVerdict(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="verdicts")
    position = models.PositiveSmallIntegerField()  # the finding's index in the inspection's findings
    rule = models.CharField(_("rule"), max_length=20)
    confirmed = models.BooleanField(_("confirmed"))
    reason = models.TextField(_("reason"))
    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("verdict on a finding")
        constraints = (
            models.UniqueConstraint(fields=("review", "position"), name="quality_verdict_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="quality_verdict_reason"),
        )

    def __str__(self) -> str:
        return f"verdict on finding {self.position} of review {self.review_id}"
