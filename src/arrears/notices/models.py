"""The notices outbox and the templates notices are written from.

* `Template`: a versioned text for one purpose (an SMS reminder, a reminder email, the email that carries a
  formal notice, the notice's own wording, the call script) in one language. Legal review (LANG-2): draft →
  in review → approved → retired; only the approved version of a purpose and language is ever used, and the
  person who wrote a version never approves it (a database constraint as well as the action's rule).
* `Notice`: every reminder and letter to a borrower is one row with a unique `key` (`reminder:<loan>:<due
  date>`, `letter:<letter id>`), queued by the nightly run or an action and sent by `arrears dispatch`, which
  re-checks at send time that the reason still holds and the contact rules allow it. What was sent (recipient,
  subject, text, template version) is kept on the row; every attempt is a `NoticeAttempt`.
* `PrintBatch`: a day's letters for the print house, one PDF and a CSV manifest.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Borrower, Loan, NoticeLanguage

# A fixed namespace for the idempotency keys: the key a gateway sees is a UUID derived from the notice's key,
# the same on every attempt of the notice (and across workers and restarts), different for every notice.
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c8a52-3f5e-4c8e-9a57-1d2b7c0e4a11")


Language = NoticeLanguage


class TemplatePurpose(models.TextChoices):
    REMINDER_SMS = "reminder_sms", _("reminder by SMS")
    REMINDER_EMAIL = "reminder_email", _("reminder by email")
    LETTER_EMAIL = "letter_email", _("email carrying the overdue notice")
    LETTER_NOTICE = "letter_notice", _("overdue notice wording")
    CALL_SCRIPT = "call_script", _("call script")
    COMPLAINT_ACK_SMS = "complaint_ack_sms", _("complaint acknowledgement by SMS")
    COMPLAINT_ACK_EMAIL = "complaint_ack_email", _("complaint acknowledgement by email")
    COMPLAINT_OUTCOME_SMS = "complaint_outcome_sms", _("complaint outcome by SMS")
    COMPLAINT_OUTCOME_EMAIL = "complaint_outcome_email", _("complaint outcome by email")
    LITIGATION_COMPLAINT = "litigation_complaint", _("statement of claim (起诉状)")
    AGENCY_MANDATE = "agency_mandate", _("agency mandate (委托催收函)")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in legal review")
    APPROVED = "approved", _("approved")
    RETIRED = "retired", _("retired")


class Template(models.Model):
    purpose = models.CharField(_("purpose"), max_length=24, choices=TemplatePurpose.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("legal reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice template")
        ordering = ("purpose", "language", "-version")
        constraints = [
            models.UniqueConstraint(fields=["purpose", "language", "version"], name="template_version_unique"),
            models.UniqueConstraint(
                fields=["purpose", "language"], condition=Q(status="approved"), name="template_one_approved"
            ),
            # Four eyes (LANG-2): whoever wrote a version cannot be the one who approves it.
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | Q(author__isnull=True) | ~Q(reviewer=F("author")),
                name="template_reviewer_not_author",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(reviewed_at__isnull=False), name="template_approved_reviewed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.language} v{self.version} ({self.status})"

    @property
    def excerpt(self) -> str:
        """The subject (else the text) cut to 60 characters for a list, never inside a `{placeholder}`."""
        text = self.subject or self.body
        if len(text) <= 60:
            return text
        cut = text[:59]
        if cut.rfind("{") > cut.rfind("}"):
            cut = cut[: cut.rfind("{")]
        return cut + "…"


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("reminder before the due date")
    LETTER = "letter", _("overdue notice")
    PLAN = "plan", _("reminder before a plan instalment")
    COMPLAINT_ACK = "complaint_ack", _("acknowledgement of a complaint")
    COMPLAINT_OUTCOME = "complaint_outcome", _("outcome of a complaint")


# A complaint's own notices (CMP-2, CMP-4): to the complainant, about the complaint; no amount, no loan, and not
# stopped by the complaint hold the complaint itself placed (nor by any hold: they are not collection).
COMPLAINT_KINDS = (NoticeKind.COMPLAINT_ACK, NoticeKind.COMPLAINT_OUTCOME)


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")
    POST = "post", _("post")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("queued")  # waiting for `not_before` (a deferral or a retry's backoff)
    SENDING = "sending", _("sending")  # claimed by a worker until `lease_until`
    SENT = "sent", _("sent")  # accepted by the SMTP server or the gateway, or printed in a batch
    DELIVERED = "delivered", _("delivered")  # the gateway's receipt says it reached the phone
    UNDELIVERED = "undelivered", _("not delivered")  # the gateway's receipt says it did not
    CANCELLED = "cancelled", _("cancelled")  # its reason no longer holds (paid, a hold), never sent
    UNCONFIRMED = "unconfirmed", _("unconfirmed")  # a worker died mid-send and the channel cannot say: check
    DEAD = "dead", _("failed")  # gave up after the last retry; shown with its error


# Statuses a notice leaves only by a person's decision or a receipt.
FINAL_STATUSES = (NoticeStatus.SENT, NoticeStatus.DELIVERED, NoticeStatus.UNDELIVERED, NoticeStatus.CANCELLED)


class PrintBatch(models.Model):
    """The letters of one business day for the print house: one PDF, every letter in order, and a CSV manifest
    (reference, name, address, pages, first page in the PDF, SHA-256 of the letter as issued)."""

    business_date = models.DateField(_("business date"))
    number = models.PositiveSmallIntegerField(_("batch"), default=1)
    created_at = models.DateTimeField(_("made at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letters = models.PositiveIntegerField(_("letters"))
    pages = models.PositiveIntegerField(_("pages"))
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(max_length=64)
    manifest = models.TextField(_("manifest (CSV)"))
    # The PDF and the manifest were deleted on this business date by the retention purge (`retention.letters_years`).
    pdf_purged_on = models.DateField(_("PDF deleted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("print batch")
        constraints = [
            models.UniqueConstraint(fields=["business_date", "number"], name="print_batch_once_per_number"),
        ]

    def __str__(self) -> str:
        return gettext("print batch %(day)s no. %(n)s") % {"day": f"{self.business_date:%Y-%m-%d}", "n": self.number}


class Notice(models.Model):
    key = models.CharField(_("key"), max_length=64, unique=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="notices")
    # Null only for a complaint's notice to a complainant not (yet) matched to a borrower.
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, null=True, blank=True, related_name="notices")
    letter = models.OneToOneField(
        "collection.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="notice"
    )
    plan = models.ForeignKey(
        "arrangements.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=NoticeChannel.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    instalment_n = models.PositiveSmallIntegerField(_("instalment"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("amount due (fen)"))
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    queued_on = models.DateField(_("queued on"))
    clause = models.CharField(max_length=16)
    # Dispatch: when it may next be tried, how often it was, who holds it now.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=64, blank=True, db_default="")
    # An email's own "handing to the mail server" moment in this attempt: written and committed just before
    # the SMTP conversation for this one message (cleared when a worker claims it). After a crash only an
    # email with it set may have reached the server (`unconfirmed`); one without it is queued again.
    handed_at = models.DateTimeField(_("handed to the mail server at"), null=True, blank=True)
    # What went out: filled when it is sent.
    template = models.ForeignKey(Template, on_delete=models.PROTECT, null=True, blank=True, related_name="notices")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True, db_default="")
    recipient = models.CharField(_("to"), max_length=254, blank=True, db_default="")
    subject = models.CharField(_("subject"), max_length=200, blank=True, db_default="")
    body = models.TextField(_("text"), blank=True, db_default="")
    provider_id = models.CharField(_("message id"), max_length=200, blank=True, db_default="")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=32, blank=True, db_default="")
    last_error = models.CharField(_("last error"), max_length=500, blank=True, db_default="")
    print_batch = models.ForeignKey(PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="notices")

    class Meta:
        verbose_name = _("notice")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0) | Q(kind__in=COMPLAINT_KINDS, amount_fen=0), name="notice_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="letter", letter__isnull=False)
                | Q(kind="reminder", loan__isnull=False)
                | Q(kind="plan", plan__isnull=False)
                | Q(kind__in=COMPLAINT_KINDS, complaint__isnull=False),
                name="notice_kind_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(borrower__isnull=False) | Q(kind__in=COMPLAINT_KINDS), name="notice_has_borrower"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "not_before"], name="notice_due_idx"),
            models.Index(fields=["status", "queued_on"], name="notice_status_idx"),
            models.Index(fields=["borrower", "queued_on"], name="notice_borrower_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.key}"

    @property
    def idempotency_key(self) -> str:
        return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, self.key))


def reminder_key(loan_id: int, due_date) -> str:
    return f"reminder:{loan_id}:{due_date.isoformat()}"


def letter_key(letter_id: int) -> str:
    return f"letter:{letter_id}"


def plan_reminder_key(plan_id: int, n: int) -> str:
    return f"plan:{plan_id}:{n}"


def complaint_notice_key(kind: str, complaint_id: int, n: int) -> str:
    """The n-th (from 1) acknowledgement or outcome notice of a complaint: a second one only after the first
    failed or was withdrawn."""
    return f"{kind}:{complaint_id}:{n}"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("sent")
    DEFERRED = "deferred", _("deferred")
    FAILED = "failed", _("failed, will retry")
    DEAD = "dead", _("failed for good")
    CANCELLED = "cancelled", _("cancelled")
    UNCONFIRMED = "unconfirmed", _("unconfirmed")
    DELIVERED = "delivered", _("delivered")
    UNDELIVERED = "undelivered", _("not delivered")
    REQUEUED = "requeued", _("queued again")


class NoticeAttempt(models.Model):
    """One step of a notice's life after queueing: each send attempt, deferral, cancellation, receipt; the
    borrower's delivery history and the daily dispatch report are read from these."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attempts_made")
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=AttemptOutcome.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    worker = models.CharField(max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=NoticeChannel.choices)

    class Meta:
        verbose_name = _("notice attempt")
        indexes = [models.Index(fields=["at"], name="notice_attempt_at_idx")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"
