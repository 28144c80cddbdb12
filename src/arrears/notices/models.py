"""The notices outbox: every reminder and letter to a borrower is a row, once per (loan, kind, due date).

The nightly run queues reminders (REM-1) with what they must state (REM-2); dispatching them through the
channels (SMTP, the SMS gateway, print) re-checks at send time that the reason still holds.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import Borrower, Loan


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("reminder before the due date")


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")
    POST = "post", _("post")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    CANCELLED = "cancelled", _("cancelled")
    FAILED = "failed", _("failed")


class Notice(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="notices")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=NoticeChannel.choices)
    due_date = models.DateField(_("due date"))
    instalment_n = models.PositiveSmallIntegerField(_("instalment"))
    amount_fen = models.BigIntegerField(_("amount due (fen)"))
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    queued_on = models.DateField(_("queued on"))
    clause = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("notice")
        constraints = [
            models.UniqueConstraint(fields=["loan", "kind", "due_date"], name="notice_once_per_loan_kind_due"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="notice_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "queued_on"], name="notice_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} for loan {self.loan_id} due {self.due_date}"
