"""Collection cases and the work on them: one open case per delinquent borrower, its history, the tasks that
fall due, and the calls, promises and letters the daily run reads.

The nightly run (`arrears.daily`) opens, moves and closes cases and creates tasks; collectors' actions
record calls, promises and letters. No business logic in `save()` or signals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.engine.schema import FAILED_OUTCOMES, REACHED_OUTCOMES
from arrears.portfolio.models import Borrower, DelinquencyClass, Loan


class Pool(models.TextChoices):
    JUNIOR = "junior", _("junior collectors")
    SENIOR = "senior", _("senior collectors")
    SUPERVISOR = "supervisor", _("supervisor's decision")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CollectionCase(models.Model):
    """A borrower's collection case, covering all their delinquent loans (one open case per borrower). Its
    DPD and amounts are the loans' current positions (`portfolio.LoanPosition`); the case keeps the class and
    pool of the last decision, and its events the history."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices)
    delinquency_class = models.CharField(_("class"), max_length=10, choices=DelinquencyClass.choices)
    pool = models.CharField(_("pool"), max_length=12, choices=Pool.choices, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    times_opened = models.PositiveSmallIntegerField(default=1)
    updated_on = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("collection case")
        constraints = [
            models.UniqueConstraint(fields=["borrower"], condition=Q(status="open"), name="case_one_open_per_borrower"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_known"),
        ]
        indexes = [models.Index(fields=["status", "pool"], name="case_status_pool_idx")]

    def __str__(self) -> str:
        return f"case {self.pk} of borrower {self.borrower_id}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("opened")
    REOPENED = "reopened", _("reopened")
    MOVED = "moved", _("class or pool changed")
    CLOSED = "closed", _("closed (cured)")


class CaseEvent(models.Model):
    """The history of a case: every opening, move and closing, with the clause that caused it."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="events")
    business_date = models.DateField()
    kind = models.CharField(max_length=10, choices=CaseEventKind.choices)
    from_class = models.CharField(max_length=10, blank=True)
    to_class = models.CharField(max_length=10, blank=True)
    from_pool = models.CharField(max_length=12, blank=True)
    to_pool = models.CharField(max_length=12, blank=True)
    dpd = models.PositiveIntegerField()
    clause = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "business_date", "kind"], name="case_event_once_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} on {self.business_date}"


class TaskKind(models.TextChoices):
    CALL = "call", _("collection call")
    PHONE_REMINDER = "phone_reminder", _("phone reminder before the due date")
    LETTER_FOLLOW_UP = "letter_follow_up", _("confirm a notice was received")
    BROKEN_PROMISE = "broken_promise", _("promise to pay broken")
    LEGAL_REVIEW = "legal_review", _("decide on agency or litigation")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Task(models.Model):
    """Work due on a case. `key` names its cause (see `arrears.engine.work`): one task per cause, ever."""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="tasks")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    available_from = models.DateField(_("from"))
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    route = models.CharField(_("route"), max_length=12, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ref_id = models.BigIntegerField(null=True, blank=True)
    clause = models.CharField(max_length=16)
    created_on = models.DateField(_("created on"))

    class Meta:
        verbose_name = _("task")
        constraints = [models.CheckConstraint(condition=Q(kind__in=TaskKind.values), name="task_kind_known")]
        indexes = [models.Index(fields=["status", "due_on"], name="task_status_due_idx")]

    def __str__(self) -> str:
        return self.key


class CallOutcome(models.TextChoices):
    PROMISED = "promised", _("reached, promised to pay")
    NEEDS_PLAN = "needs_plan", _("reached, needs a negotiated plan")
    REFUSED = "refused", _("reached, refused")
    REACHED_OTHER = "reached_other", _("reached, other")
    NO_ANSWER = "no_answer", _("no answer")
    BUSY = "busy", _("busy")
    WRONG_PARTY = "wrong_party", _("wrong party")
    NUMBER_INVALID = "number_invalid", _("number invalid")


assert set(REACHED_OUTCOMES) | set(FAILED_OUTCOMES) == set(CallOutcome.values)  # noqa: S101 - one list of codes


class Call(models.Model):
    """A collection call and its result (CALL-3). The call-record form and its rules come with the workstation."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="calls")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="calls")
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("called at"))
    called_on = models.DateField(_("business date"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)

    class Meta:
        indexes = [models.Index(fields=["borrower", "called_on"], name="call_borrower_date_idx")]

    def __str__(self) -> str:
        return f"call {self.pk} to borrower {self.borrower_id}"


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("open")
    KEPT = "kept", _("kept")
    BROKEN = "broken", _("broken")


class Promise(models.Model):
    """A promise to pay an amount by a date; the nightly run decides whether it was kept (CALL-3)."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="promises")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="promises")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    made_on = models.DateField(_("made on"))
    due_on = models.DateField(_("promised for"))
    status = models.CharField(_("status"), max_length=8, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("made_on")), name="promise_due_after_made"),
        ]
        indexes = [models.Index(fields=["status"], name="promise_status_idx")]

    def __str__(self) -> str:
        return f"promise {self.pk} of borrower {self.borrower_id}"


class LetterChannel(models.TextChoices):
    EMAIL = "email", _("email")
    POST = "post", _("post")


class Letter(models.Model):
    """A formal overdue notice sent (LTR-1, LTR-2); its confirmation call falls due 3 working days later (LTR-3)."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    channel = models.CharField(_("channel"), max_length=8, choices=LetterChannel.choices)
    sent_on = models.DateField(_("sent on"))

    def __str__(self) -> str:
        return f"letter {self.pk} to borrower {self.borrower_id}"
