"""Policy versions and the working-day calendar, kept in the database where administrators edit them.

The pure core still decides: a `PolicyVersion` row holds the TOML text of a version, validated by
`arrears.policy` before it is stored; the calendar tables feed `arrears.workdays.Calendar`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    effective_from = models.DateField(_("effective from"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    text = models.TextField(_("policy file (TOML)"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"


class CalendarYear(models.Model):
    """A year whose holidays and make-up days are complete; dates in other years are refused, never guessed."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=120)

    class Meta:
        verbose_name = _("calendar year")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday")
    MAKEUP_WORKDAY = "makeup", _("make-up working day (调休)")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a holiday, or a weekend day worked instead."""

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("calendar day")
        ordering = ["day"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=DayKind.values), name="calendar_day_kind_known")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.name}"


class WarningMailStatus(models.TextChoices):
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class CalendarWarningMail(models.Model):
    """The email warning administrators that the calendar runs out: at most one per calendar day (`sent_on` is
    unique; a claimed row is never sent again that day, a failed one may be retried)."""

    sent_on = models.DateField(_("day"), unique=True)
    business_date = models.DateField(_("business date"))
    ends_on = models.DateField(_("calendar ends on"), null=True)
    recipients = models.PositiveIntegerField(_("recipients"))
    status = models.CharField(_("status"), max_length=8, choices=WarningMailStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("calendar warning email")
        ordering = ["sent_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WarningMailStatus.values), name="calendar_warning_mail_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.status}"
