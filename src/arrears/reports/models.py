"""The facts the KPIs are read from (Clause: KPI-1, KPI-2), kept by the nightly run so that a month's figures stay
what they were when asked again after later feeds (`docs/kpi.md`, "Facts that stay true").

On the last day of each month the nightly run, in the transaction that completes it:

- **closes** the month: for every loan of the month's opening, what the feeds of the month's business dates
  delivered in payments, and where the loan stood at the month's end (`MonthOutcome`);
- **opens** the next month: every delinquent loan's position at the end of that day, with the case, collector,
  team and agency it was with (`OpeningPosition`), and the number of active loans per product (`OpeningBook`:
  the current loans, which roll into M1 or not).

`MonthClose` marks a closed month. A month not closed yet is read from the payments up to the last completed
night instead (by the same rule: the feeds of its business dates), and called provisional.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.portfolio.models import DelinquencyClass, Loan


class OpeningPosition(models.Model):
    """A loan delinquent at the end of the day before `month` began, as it stood then."""

    month = models.DateField()  # the month's first day
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    borrower_id = models.BigIntegerField()
    product = models.CharField(max_length=50)
    delinquency_class = models.CharField(max_length=10, choices=DelinquencyClass.choices)
    bucket = models.CharField(max_length=4)
    dpd = models.PositiveIntegerField()
    overdue_principal_fen = models.BigIntegerField()
    overdue_interest_fen = models.BigIntegerField()
    penalty_fen = models.BigIntegerField()
    compound_fen = models.BigIntegerField()
    overdue_fen = models.BigIntegerField()  # the four above together: the opening overdue amount (KPI-1)
    case_id = models.BigIntegerField(null=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", db_constraint=False
    )
    team_id = models.BigIntegerField(null=True)
    agency_id = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "loan"], name="opening_once_a_month"),
            models.CheckConstraint(condition=Q(overdue_fen__gte=0), name="opening_overdue_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "delinquency_class"], name="opening_month_class")]

    def __str__(self) -> str:
        return f"loan {self.loan_id} at the opening of {self.month:%Y-%m}"


class OpeningBook(models.Model):
    """The active loans of a product at a month's opening, delinquent or not."""

    month = models.DateField()
    product = models.CharField(max_length=50)
    active_loans = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "product"], name="opening_book_once")]

    def __str__(self) -> str:
        return f"{self.product} at the opening of {self.month:%Y-%m}: {self.active_loans}"


class EndState(models.TextChoices):
    DELINQUENT = "delinquent", _("still overdue")
    CURRENT = "current", _("current again")
    CLOSED = "closed", _("paid off")
    WRITTEN_OFF = "written_off", _("written off")


class MonthOutcome(models.Model):
    """What a loan of a month's opening paid during the month, and where it stood at the month's end."""

    month = models.DateField()
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="+")
    paid_fen = models.BigIntegerField()
    end_state = models.CharField(max_length=12, choices=EndState.choices)
    end_bucket = models.CharField(max_length=4, blank=True)  # when still overdue
    end_dpd = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "loan"], name="outcome_once_a_month")]

    def __str__(self) -> str:
        return f"loan {self.loan_id} in {self.month:%Y-%m}: {self.end_state}"


class MonthClose(models.Model):
    """A month whose outcomes are stored: its figures no longer change."""

    month = models.DateField(unique=True)
    closed_on = models.DateField()  # the business date of the night that closed it (the month's last day)
    closed_at = models.DateTimeField()
    opening_loans = models.PositiveIntegerField()
    next_opening_loans = models.PositiveIntegerField()
    # Reconstructed from the book's history (`reports.reconstruct`), not kept by the nightly run of its day: the
    # next month's opening already counts every payment made by its eve, whenever a feed delivered it.
    reconstructed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} closed on {self.closed_on}"


class CostKind(models.TextChoices):
    STAFF = "staff", _("staff")
    TELEPHONY = "telephony", _("telephony")
    OTHER = "other", _("other collection cost")


class CostEntry(models.Model):
    """A collection cost arrears cannot know by itself (KPI-2): staff, telephony, other — entered by an
    administrator for a team and a month, by hand or imported. A correction is a new entry replacing the old
    (`replaced_by`), so what a month's cost was is never rewritten."""

    month = models.DateField(_("month"))  # its first day
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CostKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))
    replaced_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="cost_entry_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=CostKind.values), name="cost_entry_kind_known"),
            # One live entry per month, team (or the whole department) and kind: a second one would count twice.
            # Two constraints, because NULL teams are distinct in a unique index on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                fields=["month", "team", "kind"],
                condition=Q(replaced_by__isnull=True, team__isnull=False),
                name="cost_entry_live_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["month", "kind"],
                condition=Q(replaced_by__isnull=True, team__isnull=True),
                name="cost_entry_live_once_per_department",
            ),
        ]
        indexes = [models.Index(fields=["month"], name="cost_entry_month")]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m}: {self.amount_fen} fen"


# The monthly review's records (REV-1) live in their own module; imported here so that Django finds them.
from arrears.reports.models_review import *  # noqa: E402, F403
