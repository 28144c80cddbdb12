"""Warning administrators before the working-day calendar runs out, and the email that says so once a day.

The calendar table ends with the last year an administrator (or the `chinese-calendar` seed) gave it. From
`calendar.warn_days_before_end` days before that end, administrators are warned on the start page, on the
runs page, in `arrears run-daily`'s output and by one email a day (`do_mail_calendar_warning`, sent by the
nightly run). A nightly run for a date the calendar does not cover is refused (`arrears.daily.actions`).
Every date here is given by the caller: nothing reads the clock.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.rules.models import CalendarWarningMail, WarningMailStatus
from arrears.rules.queries import calendar, policy_on
from arrears.workdays.coverage import Coverage, coverage

__all__ = [
    "MailOutcome",
    "administrator_emails",
    "calendar_coverage",
    "calendar_page",
    "do_mail_calendar_warning",
    "warning_text",
]


def calendar_page() -> str:
    """The admin page where administrators add a calendar year (Administration → calendar years)."""
    return reverse("admin:rules_calendaryear_changelist")


def calendar_coverage(on: date) -> Coverage:
    """The calendar table's reach from `on`, with the policy's warning threshold in force on `on`."""
    return coverage(calendar(), on, policy_on(on).calendar.warn_days_before_end)


def warning_text(cov: Coverage) -> str:
    """The warning in one paragraph, in the active language (the pages and the email say the same)."""
    facts = {
        "on": cov.on.isoformat(),
        "end": cov.ends_on.isoformat() if cov.ends_on else "—",
        "days": cov.days_left,
        "year": cov.missing_year,
        "page": calendar_page(),
    }
    if cov.covered:
        text = _(
            "The working-day calendar ends on %(end)s, %(days)s days after %(on)s. Add the State Council's holiday "
            "arrangement for %(year)s under Administration → calendar years (%(page)s) before then: the nightly "
            "run stops at the first date the calendar does not cover."
        )
    else:
        text = _(
            "The working-day calendar ends on %(end)s and has no data for %(year)s: the nightly run for %(on)s "
            "stops until an administrator adds the State Council's holiday arrangement for %(year)s under "
            "Administration → calendar years (%(page)s)."
        )
    return text % facts


def administrator_emails() -> list[str]:
    """The email addresses of the active users whose role may add calendar years."""
    from arrears.accounts.models import User

    rows = (
        User.objects.filter(is_active=True, role__grants__code=Perm.MANAGE_CALENDAR)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )
    return list(rows)


@dataclass(frozen=True)
class MailOutcome:
    """What `do_mail_calendar_warning` did: `sent`, `already_sent` (today's is claimed), `not_due` (no
    warning on that date), `no_recipients` (no administrator has an email address) or `failed`."""

    status: str
    recipients: int = 0
    error: str = ""

    def describe(self) -> str:
        return {
            "sent": f"emailed to {self.recipients} administrator(s)",
            "already_sent": "already emailed to the administrators today",
            "not_due": "no warning due",
            "no_recipients": "not emailed: no active administrator has an email address",
            "failed": f"the email to the administrators failed ({self.error}); the next run tries again",
        }[self.status]


def _claim(today: date, cov: Coverage, recipients: int, *, actor: Any) -> CalendarWarningMail | None:
    """Today's row, claimed for sending: created, or a failed one taken back; None when already claimed."""
    reason = f"calendar ends on {cov.ends_on}; warning as of {cov.on}"
    with audited(
        actor, ActionCode.MAIL_CALENDAR_WARNING, permission=Perm.RUN_DAILY, subject=None, reason=reason
    ) as record:
        try:
            with transaction.atomic():
                row = CalendarWarningMail.objects.create(
                    sent_on=today,
                    business_date=cov.on,
                    ends_on=cov.ends_on,
                    recipients=recipients,
                    status=WarningMailStatus.SENDING,
                )
            before = None
        except IntegrityError:
            retried = CalendarWarningMail.objects.filter(sent_on=today, status=WarningMailStatus.FAILED).update(
                status=WarningMailStatus.SENDING,
                attempts=F("attempts") + 1,
                business_date=cov.on,
                recipients=recipients,
                error="",
            )
            if not retried:
                raise _AlreadyClaimed from None
            row, before = CalendarWarningMail.objects.get(sent_on=today), WarningMailStatus.FAILED
        record.set_subject(("calendar_warning_mail", today.isoformat()))
        record.change("status", before, WarningMailStatus.SENDING)
        record.change("recipients", None, recipients)
    return row


class _AlreadyClaimed(Exception):
    pass


def do_mail_calendar_warning(on: date, *, actor: Any, today: date) -> MailOutcome:
    """Email the administrators the calendar warning for business date `on`, at most once on the calendar day
    `today` (the caller's local date): the day's row is claimed before sending, so a second call that day —
    another run, a catch-up, a retry after a crash mid-send — sends nothing. A definite failure (the SMTP
    server refused or was unreachable) frees the day for the next run."""
    require(actor, Perm.RUN_DAILY)
    cov = calendar_coverage(on)
    if not cov.warning:
        return MailOutcome("not_due")
    emails = administrator_emails()
    if not emails:
        return MailOutcome("no_recipients")
    try:
        row = _claim(today, cov, len(emails), actor=actor)
    except _AlreadyClaimed:
        return MailOutcome("already_sent")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("The working-day calendar ends on %(end)s") % {"end": cov.ends_on or "—"}
        body = warning_text(cov) + "\n\n" + _("How to add a year: docs/calendar.md.")
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=emails)
    try:
        message.send(fail_silently=False)
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        _settle(row, WarningMailStatus.FAILED, error, actor=actor)
        return MailOutcome("failed", len(emails), error)
    _settle(row, WarningMailStatus.SENT, "", actor=actor)
    return MailOutcome("sent", len(emails))


def _settle(row: CalendarWarningMail, status: str, error: str, *, actor: Any) -> None:
    with audited(
        actor,
        ActionCode.MAIL_CALENDAR_WARNING,
        permission=Perm.RUN_DAILY,
        subject=("calendar_warning_mail", row.sent_on.isoformat()),
        reason=error,
    ) as record:
        CalendarWarningMail.objects.filter(pk=row.pk).update(status=status, error=error)
        record.change("status", WarningMailStatus.SENDING, status)


def page_warning(user: Any, on: Callable[[], date], *, administrators_only: bool) -> dict | None:
    """The calendar warning for a page (`rules/calendar_warning.html`) as of the date `on()` gives (asked only
    when the user is one it is for), or None. The link to the calendar-years page is given to those who may
    add a year."""
    from arrears.accounts.permissions import has_perm

    may_fix = has_perm(user, Perm.MANAGE_CALENDAR)
    if administrators_only and not may_fix:
        return None
    cov = calendar_coverage(on())
    if not cov.warning:
        return None
    return {"text": warning_text(cov), "link": calendar_page() if may_fix else "", "coverage": cov}
