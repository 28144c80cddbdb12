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
from arrears.portfolio.models import Borrower, ContactPerson, DelinquencyClass, Loan


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
    owner = models.ForeignKey(  # indexed by case_owner_status_idx, which it leads
        settings.AUTH_USER_MODEL,
        verbose_name=_("collector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    # The borrower's figures as of `updated_on`, kept by the nightly run (the queue sorts by them): the highest
    # DPD of their loans and the overdue total (principal, interest, penalty, compound) in fen.
    dpd = models.PositiveIntegerField(_("days past due"), default=0)
    overdue_fen = models.BigIntegerField(_("overdue total (fen)"), default=0)
    # The queue's urgency on the business date of `UrgencyAsOf` (`arrears.collection.urgency`): 0 a promise to
    # pay due, 1 a call or follow-up due, 2 a broken promise, 3 nothing due. Kept by the nightly run for every
    # open case and by the actions that change a case's tasks or promises, so the queue is a top-N index scan.
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=3, db_default=3)  # a bulk insert: 3

    class Meta:
        verbose_name = _("collection case")
        constraints = [
            models.UniqueConstraint(fields=["borrower"], condition=Q(status="open"), name="case_one_open_per_borrower"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_known"),
        ]
        indexes = [
            models.Index(fields=["status", "pool"], name="case_status_pool_idx"),
            models.Index(fields=["owner", "status"], name="case_owner_status_idx"),
            # The queue's order (`collection.queries.queue`): every open case (a supervisor's view), and a
            # collector's own, each read in order and stopped after a page.
            models.Index(
                fields=["urgency", "-dpd", "-overdue_fen", "id"],
                condition=Q(status="open"),
                name="case_queue_idx",
            ),
            models.Index(
                fields=["owner", "urgency", "-dpd", "-overdue_fen", "id"],
                condition=Q(status="open"),
                name="case_owner_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} of borrower {self.borrower_id}"


class UrgencyAsOf(models.Model):
    """The business date every open case's stored urgency is of (one row): written by the nightly run's refresh
    of every open case (`arrears.collection.urgency`); the queue sorts by the stored urgency only on that date."""

    business_date = models.DateField()

    def __str__(self) -> str:
        return f"urgency as of {self.business_date}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("opened")
    REOPENED = "reopened", _("reopened")
    MOVED = "moved", _("class or pool changed")
    CLOSED = "closed", _("closed (cured)")
    PLAN_BROKEN = "plan_broken", _("instalment plan broken")


class CaseEvent(models.Model):
    """The history of a case: every opening, move and closing, with the clause that caused it."""

    # Indexed by case_event_once_per_date, which it leads: an index of its own only slowed the writes.
    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="events", db_index=False)
    business_date = models.DateField()
    kind = models.CharField(max_length=12, choices=CaseEventKind.choices)
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

    @staticmethod
    def _label(choices: type[models.TextChoices], code: str) -> str:
        return str(choices(code).label) if code in choices.values else code

    @property
    def from_class_label(self) -> str:
        return self._label(DelinquencyClass, self.from_class)

    @property
    def to_class_label(self) -> str:
        return self._label(DelinquencyClass, self.to_class)

    @property
    def from_pool_label(self) -> str:
        return self._label(Pool, self.from_pool)

    @property
    def to_pool_label(self) -> str:
        return self._label(Pool, self.to_pool)


class AssignmentKind(models.TextChoices):
    ALLOCATED = "allocated", _("allocated within the pool")
    REASSIGNED = "reassigned", _("reassigned by a supervisor")


class Assignment(models.Model):
    """Who owned a case from when: every allocation (nightly or on demand) and every supervisor's
    reassignment, with the clause and, for a reassignment, the supervisor and the reason (TEAM-3)."""

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(max_length=12, choices=AssignmentKind.choices)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pool = models.CharField(max_length=12, choices=Pool.choices)
    business_date = models.DateField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    clause = models.CharField(max_length=16)

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="assignment_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} case {self.case_id} to {self.to_owner_id}"


class TaskKind(models.TextChoices):
    CALL = "call", _("collection call")
    PHONE_REMINDER = "phone_reminder", _("phone reminder before the due date")
    LETTER_FOLLOW_UP = "letter_follow_up", _("confirm a notice was received")
    BROKEN_PROMISE = "broken_promise", _("promise to pay broken")
    LEGAL_REVIEW = "legal_review", _("decide on agency or litigation")
    SEVERE_REVIEW = "severe_review", _("severe case: decide the next step")
    PLAN_BROKEN = "plan_broken", _("instalment plan broken: decide what follows")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Task(models.Model):
    """Work due on a case. `key` names its cause (see `arrears.engine.work`): one task per cause, ever."""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    # Indexed by task_borrower_open_idx, which it leads: a second index of its own only slowed the writes.
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="tasks", db_index=False)
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
        indexes = [
            models.Index(fields=["status", "due_on"], name="task_status_due_idx"),
            # The desk's lookups: a borrower's open tasks (queue flags, the workspace).
            models.Index(fields=["borrower", "status", "due_on"], name="task_borrower_open_idx"),
        ]

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


class CallParty(models.TextChoices):
    BORROWER = "borrower", _("the borrower")
    CONTACT = "contact", _("a contact person")


class Attitude(models.TextChoices):
    """The borrower's attitude (SCR-2)."""

    COOPERATIVE = "cooperative", _("cooperative")
    TEMPORARY_DIFFICULTY = "difficulty", _("temporary difficulty")
    EVASIVE = "evasive", _("evasive")
    FIRM_REFUSAL = "refusal", _("firm refusal")


class Obstacle(models.TextChoices):
    """What stands between the borrower and repayment (CALL-4)."""

    NONE = "none", _("none stated")
    UNEMPLOYMENT = "unemployment", _("temporary unemployment")
    CASH_FLOW = "cash_flow", _("cash-flow problem")
    ILLNESS = "illness", _("illness or accident")
    BUSINESS = "business", _("business difficulties")
    DISPUTE = "dispute", _("disputes the debt")
    FORGOT = "forgot", _("forgot the due date")
    OTHER = "other", _("other")


class Suggestion(models.TextChoices):
    """The standard suggestion offered (CALL-2, SCR-1)."""

    NONE = "none", _("none offered")
    FULL = "full", _("repay in full")
    SHORT_PLAN = "short_plan", _("a short instalment plan")
    EXTENSION = "extension", _("an extension")


class NextAction(models.TextChoices):
    CALL = "call", _("call again")
    LETTER = "letter", _("send a formal notice")
    PLAN = "plan", _("propose an instalment plan")
    SUPERVISOR = "supervisor", _("refer to the supervisor")
    NONE = "none", _("nothing (paid or closed)")


class Call(models.Model):
    """A collection call and its record (CALL-2, CALL-3, CALL-4, SCR-1, SCR-2): who was called on which number,
    when and for how long, the script steps taken, the outcome, attitude, obstacle and suggestion, a note
    (checked for prohibited language, LANG-1), and the follow-up plan. Written only by `do_record_call`; its
    duration is the call platform's once the record is tied to a platform call (`quality.TelephonyCall`, CALL-3:
    recorded by the system), set by `do_record_call` or, when the platform's end comes later, by
    `quality.telephony.do_receive_telephony_event`."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="calls")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="calls")
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("called at"))
    called_on = models.DateField(_("business date"))
    party = models.CharField(_("called"), max_length=8, choices=CallParty.choices, default=CallParty.BORROWER)
    # The borrower called the bank (WVR-1: a waiver needs a contact the borrower initiated).
    inbound = models.BooleanField(_("the borrower called us"), default=False)
    # The borrower asked for this call (CALL-4: only then may it come sooner than the cadence's interval).
    borrower_asked = models.BooleanField(_("the borrower asked for this call"), default=False)
    contact = models.ForeignKey(ContactPerson, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    number = models.CharField(_("number dialled"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    greeted = models.BooleanField(_("greeted and said who is calling"), default=False)
    purpose_stated = models.BooleanField(_("stated the purpose"), default=False)
    identity_verified = models.BooleanField(_("verified the borrower's identity"), default=False)
    facts_stated = models.BooleanField(_("stated the overdue days and amount"), default=False)
    consequences_stated = models.BooleanField(_("explained the consequences"), default=False)
    ability_asked = models.BooleanField(_("asked about the ability to repay"), default=False)
    suggestion = models.CharField(_("suggestion offered"), max_length=12, choices=Suggestion.choices, blank=True)
    attitude = models.CharField(_("attitude"), max_length=12, choices=Attitude.choices, blank=True)
    obstacle = models.CharField(_("obstacle"), max_length=12, choices=Obstacle.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    next_action = models.CharField(_("next action"), max_length=12, choices=NextAction.choices, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)

    class Meta:
        verbose_name = _("call")
        indexes = [
            models.Index(fields=["borrower", "called_on"], name="call_borrower_date_idx"),
            models.Index(fields=["case", "called_at"], name="call_case_at_idx"),
        ]

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
    call = models.OneToOneField(Call, on_delete=models.PROTECT, null=True, blank=True, related_name="promise")

    class Meta:
        verbose_name = _("promise to pay")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("made_on")), name="promise_due_after_made"),
        ]
        indexes = [
            models.Index(fields=["status"], name="promise_status_idx"),
            models.Index(fields=["borrower", "status", "due_on"], name="promise_borrower_open_idx"),
        ]

    def __str__(self) -> str:
        return f"promise {self.pk} of borrower {self.borrower_id}"


class LetterChannel(models.TextChoices):
    EMAIL = "email", _("email")
    POST = "post", _("post")


class LetterStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    EMAILED = "emailed", _("emailed")
    EMAIL_FAILED = "email_failed", _("email failed")
    PRINTED = "printed", _("printed for post")
    CANCELLED = "cancelled", _("not sent")


class Letter(models.Model):
    """A formal overdue notice (LTR-1) as issued: the PDF exactly as sent, its figures, the channel (LTR-2);
    its confirmation call falls due 3 working days later (LTR-3)."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    channel = models.CharField(_("channel"), max_length=8, choices=LetterChannel.choices)
    sent_on = models.DateField(_("sent on"))
    status = models.CharField(_("status"), max_length=12, choices=LetterStatus.choices, default=LetterStatus.PRINTED)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    overdue_fen = models.BigIntegerField(_("overdue total (fen)"), default=0)
    deadline = models.DateField(_("repay by"), null=True, blank=True)
    addition = models.TextField(_("collector's addition"), blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The PDF was deleted on this business date by the retention purge (`retention.letters_years`); the row, its
    # figures and `pdf_sha256` stay, so the history still says what was sent and can check a copy.
    pdf_purged_on = models.DateField(_("PDF deleted on"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # The contracts it covers ("、"-joined, as printed) and the approved wording it was written with (LANG-2).
    contracts = models.CharField(_("contracts"), max_length=500, blank=True, default="")
    wording = models.CharField(_("wording"), max_length=60, blank=True, default="")

    class Meta:
        verbose_name = _("overdue notice")

    def __str__(self) -> str:
        return f"letter {self.pk} to borrower {self.borrower_id}"
