"""The lending book as the core-banking feed delivers it, plus what arrears derives and must keep.

Money is integer fen in every column (`*_fen`), never float; rates are Decimal. Borrowers' personal data is
classified in `arrears.compliance.masking` and shown masked unless a permitted user unmasks one field.
Nothing here has business logic in `save()` or signals: the importer and the actions in `actions.py` write.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class NoticeLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Chinese")
    EN = "en", _("English")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("spouse")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    RELATIVE = "relative", _("relative")
    FRIEND = "friend", _("friend")
    COLLEAGUE = "colleague", _("colleague")
    OTHER = "other", _("other")


class Method(models.TextChoices):
    EQUAL_INSTALMENT = "equal-instalment", _("equal instalment (等额本息)")
    EQUAL_PRINCIPAL = "equal-principal", _("equal principal (等额本金)")
    INTEREST_ONLY = "interest-only", _("interest first, principal at maturity (先息后本)")
    BULLET = "bullet", _("bullet")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")
    WRITTEN_OFF = "written_off", _("written off")


class Borrower(models.Model):
    external_id = models.CharField(_("customer number"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    id_number = models.CharField(_("national ID number"), max_length=18, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=20, db_index=True)
    phone_alt = models.CharField(_("other phone"), max_length=20, blank=True, db_index=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    monthly_income_fen = models.BigIntegerField(_("monthly income (fen)"), null=True, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    preferred_channel = models.CharField(
        _("reminder channel"), max_length=8, choices=Channel.choices, default=Channel.SMS
    )
    consent_sms = models.BooleanField(_("consents to SMS"), default=False)
    consent_email = models.BooleanField(_("consents to email"), default=False)
    consent_phone = models.BooleanField(_("consents to calls"), default=False)
    # The language of the borrower's notices (REM-2): Chinese unless the borrower asked for English.
    language = models.CharField(
        _("notice language"), max_length=8, choices=NoticeLanguage.choices, default=NoticeLanguage.ZH_HANS
    )
    feed_date = models.DateField(_("last changed by the feed of"))

    class Meta:
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_income_fen__isnull=True) | Q(monthly_income_fen__gte=0),
                name="borrower_income_not_negative",
            ),
            models.CheckConstraint(condition=Q(risk_level__in=RiskLevel.values), name="borrower_risk_level_known"),
        ]

    def __str__(self) -> str:  # never the name: this string ends up in logs and admin breadcrumbs
        return f"borrower {self.external_id}"


class ContactPerson(models.Model):
    borrower = models.ForeignKey(Borrower, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    feed_date = models.DateField()

    class Meta:
        verbose_name = _("contact person")
        constraints = [models.UniqueConstraint(fields=["borrower", "phone"], name="contact_unique_phone")]

    def __str__(self) -> str:
        return f"contact {self.pk} of {self.borrower_id}"


class Loan(models.Model):
    external_id = models.CharField(_("contract number"), max_length=32, unique=True)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="loans")
    product = models.CharField(_("product"), max_length=50)
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=10, decimal_places=8)
    penalty_markup = models.DecimalField(
        _("penalty markup"), max_digits=6, decimal_places=4, null=True, blank=True, help_text=_("empty: the policy's")
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=20, choices=Method.choices)
    start_date = models.DateField(_("start date"))
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices)
    feed_date = models.DateField()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(condition=Q(principal_fen__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0) & Q(annual_rate__lt=1), name="loan_rate_range"),
            models.CheckConstraint(
                condition=Q(penalty_markup__isnull=True)
                | (Q(penalty_markup__gte="0.30") & Q(penalty_markup__lte="0.50")),
                name="loan_markup_range",
            ),
            models.CheckConstraint(condition=Q(term_months__gte=1) & Q(term_months__lte=600), name="loan_term_range"),
            models.CheckConstraint(condition=Q(method__in=Method.values), name="loan_method_known"),
            models.CheckConstraint(condition=Q(status__in=LoanStatus.values), name="loan_status_known"),
        ]
        indexes = [models.Index(fields=["status"], name="loan_status_idx")]

    def __str__(self) -> str:
        return f"loan {self.external_id}"


class Instalment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    n = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due date"))
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    interest_fen = models.BigIntegerField(_("interest (fen)"))
    # The day a payment settled it in full (principal, interest, penalty, compound interest), as posting found;
    # the daily run reads only instalments not settled by its date.
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        ordering = ["loan", "n"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "n"], name="instalment_unique_n"),
            models.CheckConstraint(
                condition=Q(principal_fen__gte=0) & Q(interest_fen__gte=0) & Q(n__gte=1), name="instalment_amounts"
            ),
        ]
        indexes = [
            models.Index(fields=["due_date"], name="instalment_due_idx"),
            models.Index(fields=["settled_on"], name="instalment_settled_idx"),
            models.Index(fields=["due_date"], condition=Q(settled_on__isnull=True), name="instalment_unsettled_idx"),
        ]

    def __str__(self) -> str:
        return f"instalment {self.n} of loan {self.loan_id}"


class Payment(models.Model):
    external_id = models.CharField(_("payment number"), max_length=40, unique=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    feed_date = models.DateField(_("posted with the feed of"))

    class Meta:
        verbose_name = _("payment")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive")]
        indexes = [models.Index(fields=["loan", "paid_on"], name="payment_loan_date_idx")]

    def __str__(self) -> str:
        return f"payment {self.external_id}"


class Component(models.TextChoices):
    PENALTY_INTEREST = "penalty_interest", _("penalty interest")
    COMPOUND_INTEREST = "compound_interest", _("compound interest")
    INTEREST = "interest", _("interest")
    PRINCIPAL = "principal", _("principal")
    UNAPPLIED = "unapplied", _("unapplied (overpayment)")


class PaymentAllocation(models.Model):
    """How the finance core applied a payment: oldest instalment first, in the policy's component order."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, null=True, related_name="allocations")
    component = models.CharField(max_length=20, choices=Component.choices)
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(component="unapplied", instalment__isnull=True)
                | (~Q(component="unapplied") & Q(instalment__isnull=False)),
                name="allocation_instalment_iff_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.amount_fen} fen of payment {self.payment_id}"


class WaiverPosting(models.Model):
    """A penalty waiver posted to a loan's account (WVR-1, WVR-2): the approved amount, credited on `posted_on`
    against the penalty and compound interest owed, oldest instalment first (`WaiverAllocation`). Created only by
    `arrears.arrangements.actions.do_decide_waiver`; the finance core replays it with the payments."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="waivers")
    key = models.CharField(max_length=40, unique=True)  # "waiver:<arrangements waiver id>"
    posted_on = models.DateField(_("posted on"))
    amount_fen = models.BigIntegerField(_("amount waived (fen)"))

    class Meta:
        verbose_name = _("penalty waiver posted")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="waiver_posting_positive")]
        indexes = [models.Index(fields=["loan", "posted_on"], name="waiver_loan_date_idx")]

    def __str__(self) -> str:
        return f"{self.key} on loan {self.loan_id}"


class WaiverAllocation(models.Model):
    """What a posted waiver settled: penalty or compound interest of one instalment (the replay's split)."""

    posting = models.ForeignKey(WaiverPosting, on_delete=models.CASCADE, related_name="allocations")
    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="waiver_allocations")
    component = models.CharField(max_length=20, choices=Component.choices)
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="waiver_allocation_positive"),
            models.CheckConstraint(
                condition=Q(component__in=["penalty_interest", "compound_interest"]),
                name="waiver_allocation_penalty_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.amount_fen} fen of {self.posting_id}"


class DelinquencyClass(models.TextChoices):
    CURRENT = "current", _("current")
    MILD = "mild", _("mild (轻度)")
    MODERATE = "moderate", _("moderate (中度)")
    SEVERE = "severe", _("severe (重度)")


class RecordSource(models.TextChoices):
    RUN = "run", _("the nightly run")
    FEED = "feed", _("the core-banking feed")


class DelinquencyRecord(models.Model):
    """A loan's class from a business date on (CLS-1): the daily run adds a row each time the class changes
    (to current when cured). Kept for ever; none is overwritten by the run.

    `source` tells the run's records from the history the core-banking feed carries (`delinquency_history`,
    from before go-live): the feed upserts its own rows by (loan, date) and never touches the run's, so both
    may hold a row for the same loan and date. WVR-1 reads both."""

    # Indexed by delinquency_once_per_date, which it leads with the date: an index of its own (and one on loan and
    # date) only slowed the nightly run's writes.
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="delinquency_history", db_index=False)
    business_date = models.DateField()
    dpd = models.PositiveIntegerField()
    delinquency_class = models.CharField(max_length=10, choices=DelinquencyClass.choices)
    clause = models.CharField(max_length=16, default="CLS-1")
    source = models.CharField(
        max_length=4, choices=RecordSource.choices, default=RecordSource.RUN, db_default=RecordSource.RUN
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loan", "business_date", "source"], name="delinquency_once_per_date"),
            models.CheckConstraint(condition=Q(source__in=RecordSource.values), name="delinquency_source_known"),
        ]

    def __str__(self) -> str:
        return f"loan {self.loan_id} on {self.business_date}: DPD {self.dpd}"


class LoanPosition(models.Model):
    """Where a delinquent loan stands on the latest run's date (DPD over 0); a current loan has no row."""

    loan = models.OneToOneField(Loan, on_delete=models.CASCADE, primary_key=True, related_name="position")
    # Indexed by position_borrower_idx (Meta.indexes); the foreign key's own index was the same one again.
    borrower = models.ForeignKey(Borrower, on_delete=models.CASCADE, related_name="+", db_index=False)
    as_of = models.DateField()
    dpd = models.PositiveIntegerField()
    delinquency_class = models.CharField(max_length=10, choices=DelinquencyClass.choices)
    bucket = models.CharField(max_length=4)
    earliest_unpaid_due = models.DateField()
    overdue_principal_fen = models.BigIntegerField()
    overdue_interest_fen = models.BigIntegerField()
    penalty_fen = models.BigIntegerField()
    compound_fen = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["borrower"], name="position_borrower_idx")]

    def __str__(self) -> str:
        return f"loan {self.loan_id} on {self.as_of}: DPD {self.dpd}"

    @property
    def overdue_total_fen(self) -> int:
        return self.overdue_principal_fen + self.overdue_interest_fen + self.penalty_fen + self.compound_fen


class HoldKind(models.TextChoices):
    DISPUTE = "dispute", _("dispute")
    COMPLAINT = "complaint", _("complaint under investigation")
    LEGAL = "legal", _("legal hold")
    DECEASED = "deceased", _("borrower deceased")
    FRAUD_CLAIM = "fraud_claim", _("fraud claim")
    BANKRUPTCY = "bankruptcy", _("bankruptcy")


class Hold(models.Model):
    """While a hold is in force no reminder or collection contact goes out for its borrower (or loan).

    Kinds: a dispute, a complaint under investigation, a legal hold, and the bank's own: the borrower deceased,
    a fraud claim (the borrower says the loan is not theirs), a bankruptcy. A hold's end may be moved later
    (`do_extend_hold`) and it may be lifted (`do_lift_hold`); each change is audited with its reason.

    A hold is placed in arrears (`do_place_hold`) or arrives with the core-banking feed (`holds`, keyed by the
    core's `external_id`; placed by the importing user). A release once recorded (by a feed or in arrears)
    is kept when a later feed still carries the hold without one."""

    external_id = models.CharField(_("hold number"), max_length=40, unique=True, null=True, blank=True)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="holds")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="holds")
    kind = models.CharField(_("kind"), max_length=20, choices=HoldKind.choices)
    reason = models.TextField(_("reason"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hold")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="hold_period_order"
            ),
            models.CheckConstraint(condition=Q(kind__in=HoldKind.values), name="hold_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} hold {self.pk} on borrower {self.borrower_id}"

    @property
    def last_day(self):
        """The last day the hold is in force: its end or the day it was lifted, whichever is earlier; None while
        it is open-ended and not lifted."""
        ends = [d for d in (self.ends_on, self.released_on) if d is not None]
        return min(ends) if ends else None

    def in_force_on(self, day) -> bool:
        last = self.last_day
        return self.starts_on <= day and (last is None or day <= last)


class FeedLoad(models.Model):
    """One import of a core-banking feed: what came in, what loaded, what was refused."""

    business_date = models.DateField()
    digest = models.CharField(max_length=64)
    replay = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=12, default="running")
    counts = models.JSONField(default=dict)
    rejected = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)  # relative to ARREARS_VAR: `report_file`
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business_date", "digest"], condition=Q(status="done"), name="feed_loaded_once"
            )
        ]

    def __str__(self) -> str:
        return f"feed of {self.business_date} ({self.status})"

    @property
    def report_file(self) -> Path | None:
        """The rejection report under the current ARREARS_VAR (also for a path stored absolute before)."""
        from arrears.portfolio.feed.report import resolve

        return resolve(self.report_path, Path(settings.VAR_DIR))
