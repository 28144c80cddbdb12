"""Reads for the collector's day: who may see a case, the work queue in its order, the case workspace.

Every list here is one query for its rows (annotations and subqueries instead of per-row lookups), so a page
makes the same number of queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.access import placed_cases, placed_only
from arrears.agencies.models import Placement
from arrears.collection.allocation import tier
from arrears.collection.models import (
    Assignment,
    Call,
    CallParty,
    CaseEvent,
    CaseStatus,
    CollectionCase,
    Letter,
    Pool,
    Promise,
    PromiseStatus,
    Task,
    TaskKind,
    TaskStatus,
    UrgencyAsOf,
)
from arrears.compliance.contact import ContactVerdict, HoldInForce, check_contact
from arrears.engine.schema import REACHED_OUTCOMES
from arrears.home.inputs import parse_id
from arrears.home.sorting import Sort, order_by
from arrears.legal.models import Decision, EscalationDecision, Litigation, Stage, WriteOff, WriteOffStatus
from arrears.portfolio.models import (
    Borrower,
    DelinquencyClass,
    Hold,
    HoldKind,
    Loan,
    LoanPosition,
    LoanStatus,
    RiskLevel,
)
from arrears.portfolio.queries import business_date, payments_with_allocations
from arrears.rules.queries import policy_on

__all__ = [
    "FOLLOW_UP_KINDS",
    "PRIORITY_LABELS",
    "RULE_LABELS",
    "WORK",
    "WORK_LABELS",
    "case_for",
    "case_permission",
    "contact_verdict",
    "due_work",
    "pools_of",
    "queue",
    "sees_every_case",
    "today",
    "visible_borrowers",
    "visible_cases",
    "visible_loans",
]

# Tasks a call settles: the cadence's calls, phone reminders, letter confirmations, broken-promise calls.
FOLLOW_UP_KINDS = (TaskKind.CALL, TaskKind.PHONE_REMINDER, TaskKind.LETTER_FOLLOW_UP, TaskKind.BROKEN_PROMISE)
# The queue's order (issue: promises due today, follow-ups due, broken promises, then DPD and amount).
# The contact rules' names as the desk shows them (`compliance.contact` codes them; its reasons give the detail).
RULE_LABELS = {
    "hold": _("a hold is in force"),
    "quiet_hours": _("quiet hours"),
    "connected_calls": _("daily cap of connected calls reached"),
    "unanswered_attempts": _("daily cap of unanswered attempts reached"),
}
# Each refusal's reason in the desk's language, from the verdict's facts.
RULE_REASONS = {
    "hold": _("a hold is in force (%(kinds)s); no contact until it ends"),
    "quiet_hours": _("%(local)s is inside the quiet hours %(start)s–%(end)s (%(zone)s)"),
    "connected_calls": _("%(count)s connected calls today; at most %(cap)s a day"),
    "unanswered_attempts": _("%(count)s unanswered attempts on this number today; at most %(cap)s a day"),
}


def refusal(verdict: ContactVerdict) -> dict[str, str]:
    """The refused contact's rule name and reason, worded in the active language."""
    if verdict.allowed:
        return {"label": "", "reason": ""}
    template = RULE_REASONS.get(verdict.rule)
    facts = dict(verdict.facts)
    if verdict.rule == "hold" and facts.get("kinds"):  # the holds' kinds by their words, not their codes
        labels = dict(HoldKind.choices)
        comma = "、" if (get_language() or "").startswith("zh") else ", "
        facts["kinds"] = comma.join(str(labels.get(k.strip(), k.strip())) for k in str(facts["kinds"]).split(","))
    try:
        reason = str(template) % facts if template else verdict.reason
    except (KeyError, TypeError, ValueError):
        reason = verdict.reason
    return {"label": str(RULE_LABELS.get(verdict.rule, verdict.rule)), "reason": reason}


PRIORITY_LABELS = {0: _("promise due today"), 1: _("follow-up due"), 2: _("promise broken"), 3: ""}


def today() -> date:
    """The business date the desk works on: the newest feed's, or the calendar date before any feed."""
    return business_date() or timezone.localdate()


def sees_every_case(user: Any) -> bool:
    """Supervisors (who may reassign) and the readers of every case (`collection.read_all_cases`: legal and
    compliance officers investigating complaints and preparing litigation — read-only, since they hold no call,
    letter or plan permission)."""
    return has_perm(user, Perm.REASSIGN) or has_perm(user, Perm.READ_ALL_CASES)


def visible_cases(user: Any) -> QuerySet[CollectionCase]:
    """The cases a user may open: a supervisor or a reader of every case all of them; a collector their own
    and those of their pool or a lower one (TEAM-3: a junior never sees a senior pool's high-risk case); an
    agency's user the cases placed with their agency in force on the business day (Clause: LGL-2, PRV-1:
    `agencies.access.placed_cases`); nobody else any (deny by default)."""
    cases = CollectionCase.objects.all()
    if not has_perm(user, Perm.VIEW_PORTFOLIO):
        return placed_cases(user, today()) if placed_only(user) else cases.none()
    if sees_every_case(user):
        return cases
    pools = pools_of(user)
    if not pools:
        return cases.none()
    return cases.filter(Q(owner=user) | Q(pool__in=pools))


def case_permission(user: Any) -> Perm:
    """The permission by which `user` opens cases (the pages' gate and the basis of their audited reads):
    `portfolio.view`, or for an agency's user `portfolio.view_agency_cases` (their placed cases only)."""
    return Perm.VIEW_AGENCY_CASES if placed_only(user) else Perm.VIEW_PORTFOLIO


def pools_of(user: Any) -> list[str]:
    """The pools whose cases a collector may open: their own and the lower ones (TEAM-1..3: a junior collector
    the junior pool only, a supervisor all three); none for a role that makes no calls or holds no cases."""
    level = tier(getattr(user, "role_id", None))
    if level == 0 or not has_perm(user, Perm.CALL) or not has_perm(user, Perm.VIEW_PORTFOLIO):
        return []
    return [pool for pool in Pool.values if tier(pool) <= level]


def visible_borrowers(user: Any) -> QuerySet[Borrower]:
    """The borrowers (and so their loans, notices and reminder tasks) a user may see: the cases' rule, applied
    to borrowers (TEAM-1..3, Issue 14 item 16). A collector sees a borrower whose open case they may open, and a
    borrower without an open case whose pool would be theirs — high-risk borrowers belong to the senior pool,
    the rest to the junior one (the phone reminders before a due date are junior collectors' work, AUTH-1).
    Supervisors and readers of every case see every borrower; so does any other role with `portfolio.view` that
    holds no cases (it makes no calls); without `portfolio.view`, none."""
    borrowers = Borrower.objects.all()
    if not has_perm(user, Perm.VIEW_PORTFOLIO):
        return borrowers.none()
    if sees_every_case(user) or not has_perm(user, Perm.CALL):
        return borrowers
    level = tier(getattr(user, "role_id", None))
    if level == 0:
        return borrowers.none()
    open_cases = CollectionCase.objects.filter(status=CaseStatus.OPEN)
    reachable = visible_cases(user).filter(status=CaseStatus.OPEN).values("borrower_id")
    caseless = ~Q(pk__in=open_cases.values("borrower_id"))
    if level < tier(Pool.SENIOR):
        caseless &= ~Q(risk_level=RiskLevel.HIGH)
    return borrowers.filter(Q(pk__in=reachable) | caseless)


def visible_loans(user: Any) -> QuerySet[Loan]:
    """The loans of `visible_borrowers(user)`."""
    return Loan.objects.filter(borrower__in=visible_borrowers(user))


# The kinds of work due that the queue can be narrowed to (`?work=`) and the start page counts, in words.
WORK = ("promise", "follow_up", "broken", "overdue")
WORK_LABELS = {
    "promise": _("a promise to pay due today"),
    "follow_up": _("a call or follow-up due"),
    "broken": _("a broken promise to follow up"),
    "overdue": _("a call or follow-up overdue since an earlier day"),
}


def due_work(on: date) -> dict[str, QuerySet]:
    """The borrowers with work due on `on`, by kind (each a set of borrower ids the database evaluates as a
    semi-join): `promise` an open promise to pay due on `on`; `follow_up` an open call, phone reminder or letter
    confirmation due by `on`; `broken` an open broken-promise call; `overdue` an open task a call settles
    (`FOLLOW_UP_KINDS`) that was due before `on`. The queue's order and its `work` filter and the start page's
    counts all read these sets, so a count and the list it links to cannot disagree."""
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN, available_from__lte=on)
    return {
        "promise": Promise.objects.filter(status=PromiseStatus.OPEN, due_on=on).values("borrower_id"),
        "follow_up": open_tasks.filter(due_on__lte=on, kind__in=FOLLOW_UP_KINDS[:3]).values("borrower_id"),
        "broken": open_tasks.filter(kind=TaskKind.BROKEN_PROMISE).values("borrower_id"),
        "overdue": open_tasks.filter(due_on__lt=on, kind__in=FOLLOW_UP_KINDS).values("borrower_id"),
    }


def urgency_case(on: date, *, per_row: bool = False) -> Case:
    """The queue's urgency of a case on `on`, computed: 0 a promise due on `on`, 1 a follow-up due, 2 a broken
    promise, 3 nothing due — the borrower tested against three small sets (`due_work`, semi-joins the database
    evaluates once, not per case), or with `per_row` looked up in the borrower's own promises and tasks (by
    their indexes: for a few cases). The nightly run and the actions store it (`collection.urgency`)."""
    work = due_work(on)
    kinds = ("promise", "follow_up", "broken")
    if per_row:
        tests = [Q(Exists(work[kind].filter(borrower_id=OuterRef("borrower_id")))) for kind in kinds]
    else:
        tests = [Q(borrower_id__in=work[kind]) for kind in kinds]
    return Case(
        *(When(test, then=Value(n)) for n, test in enumerate(tests)),
        default=Value(3),
        output_field=IntegerField(),
    )


def urgency_current(on: date) -> bool:
    """Whether the open cases' stored urgency is of `on` (`UrgencyAsOf`: after the nightly run of `on`; not
    between the import of a day's feed and its run, nor before the first run since the column was added): only
    then the queue sorts by it."""
    return UrgencyAsOf.objects.filter(business_date=on).exists()


def annotated(
    cases: QuerySet[CollectionCase], on: date, *, stored: bool = False, per_row: bool = False
) -> QuerySet[CollectionCase]:
    """Cases with what the queue shows and sorts by: the attempts in the case (CLS-2), the next task due,
    `late` — a call or follow-up overdue since an earlier day (`due_work`) — and
    `priority` — 0 a promise due on `on`, 1 a follow-up due, 2 a broken promise, 3 nothing due: the stored
    urgency when `stored` (`urgency_current(on)`), else computed (`urgency_case`, `per_row` for one case); DPD
    and the overdue total are the case's own columns, kept by the nightly run. The late stage
    (`late_stage_words`): `litigation_stage` the stage of a lawsuit not closed, `written_off` a write-off approved,
    `last_decision` the latest escalation decision, `placed_with` the agency a standing placement is with — each a
    subquery of the same query, by the case's indexes."""
    # CLS-2's collection attempts are the bank's calls: a borrower calling the bank (inbound) is not one.
    attempts = (
        Call.objects.filter(case=OuterRef("pk"), inbound=False).values("case").annotate(n=Count("pk")).values("n")
    )
    work = due_work(on)
    return cases.annotate(
        attempts=Coalesce(Subquery(attempts, output_field=IntegerField()), Value(0)),
        next_due=Subquery(
            Task.objects.filter(borrower=OuterRef("borrower"), status=TaskStatus.OPEN)
            .order_by("due_on")
            .values("due_on")[:1]
        ),
        priority=F("urgency") if stored else urgency_case(on, per_row=per_row),
        # The row is marked overdue for the same work the `work=overdue` filter and the start page count: per row,
        # by the borrower's open tasks, so only a page's rows are looked up (a LIMIT 1 subquery, which PostgreSQL
        # cannot turn into one hash of every overdue task of the book, as it does an EXISTS).
        late=Coalesce(
            Subquery(
                work["overdue"].filter(borrower_id=OuterRef("borrower_id")).values(yes=Value(True))[:1],
                output_field=BooleanField(),
            ),
            Value(False),
        ),
        litigation_stage=Subquery(
            Litigation.objects.filter(case=OuterRef("pk"))
            .exclude(stage=Stage.CLOSED)
            .order_by("-pk")
            .values("stage")[:1]
        ),
        written_off=Exists(WriteOff.objects.filter(case=OuterRef("pk"), status=WriteOffStatus.APPROVED)),
        last_decision=Subquery(
            EscalationDecision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-pk").values("decision")[:1]
        ),
        placed_with=Subquery(
            Placement.objects.filter(case=OuterRef("pk"), ended_at__isnull=True).values("agency__name")[:1]
        ),
    )


def late_stage_words(case: CollectionCase) -> str:
    """The case's late stage in words, from `annotated`'s columns: in litigation (with the court stage), written
    off, placed with an agency (a standing placement), or placement with an agency decided (the latest escalation
    decision; the case waits for the placement);
    empty for a case in routine collection. A lawsuit and a write-off may both stand: both are said."""
    said = []
    if case.litigation_stage:
        stage = Stage(case.litigation_stage).label if case.litigation_stage in Stage.values else case.litigation_stage
        said.append(gettext("in litigation: %(stage)s") % {"stage": stage})
    if case.written_off:
        said.append(gettext("written off"))
    if not said and getattr(case, "placed_with", None):
        said.append(gettext("placed with %(agency)s") % {"agency": case.placed_with})
    elif not said and case.last_decision == Decision.AGENCY:
        said.append(gettext("agency placement decided"))
    return "; ".join(said)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue may be narrowed to. `owner`: "me" (default), "all", "none" or a user id (supervisors)."""

    owner: str = "me"
    text: str = ""
    delinquency_class: str = ""
    pool: str = ""
    due: str = ""  # "" all, "now": something due (priority < 3)
    work: str = ""  # "" all, or one of WORK: only the cases with that work due (`due_work`)


# The columns the queue may be sorted by (`arrears.home.sorting`): the query parameter's word → what it orders by.
# Class and pool sort by their rank (current < mild < moderate < severe; junior < senior < supervisor), not by
# their codes' spelling.
QUEUE_SORTS = {
    "case": "pk",
    "customer": "borrower__external_id",
    "class": "class_rank",
    "pool": "pool_rank",
    "dpd": "dpd",
    "overdue": "overdue_fen",
    "attempts": "attempts",
    "next_due": "next_due",
    "owner": "owner__username",
}


def _rank(field: str, values: list[str]) -> Case:
    """A choice column's place in its choices' order (unknown values last)."""
    return Case(
        *(When(**{field: value}, then=Value(n)) for n, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def queue(
    user: Any, on: date, filters: QueueFilter = QueueFilter(), sort: Sort | None = None
) -> QuerySet[CollectionCase]:
    """Open cases in the order the desk works them: a promise due today, a follow-up due, a broken promise, then
    the highest DPD and the largest overdue total (ties by case number). `sort`: a column of `QUEUE_SORTS` the
    user picked instead, ties by case number."""
    cases = visible_cases(user).filter(status=CaseStatus.OPEN)
    supervisor = has_perm(user, Perm.REASSIGN)
    # A reader of every case (legal, compliance) holds none: their list is every open case, narrowed by the
    # other filters only.
    reader = not supervisor and has_perm(user, Perm.READ_ALL_CASES) and not has_perm(user, Perm.CALL)
    # An agency's user holds none either: their list is every case placed with their agency (LGL-2).
    reader = reader or placed_only(user)
    if not reader and (filters.owner == "me" or not supervisor):
        cases = cases.filter(owner=user)
    elif supervisor and filters.owner == "none":
        cases = cases.filter(owner__isnull=True)
    elif supervisor and (owner_id := parse_id(filters.owner)) is not None:
        cases = cases.filter(owner_id=owner_id)
    if filters.delinquency_class:
        cases = cases.filter(delinquency_class=filters.delinquency_class)
    if filters.pool:
        cases = cases.filter(pool=filters.pool)
    if filters.text:
        cases = cases.filter(borrower__external_id__icontains=filters.text.strip())
    if filters.work in WORK:
        cases = cases.filter(borrower_id__in=due_work(on)[filters.work])
    stored = urgency_current(on)
    cases = annotated(cases.select_related("borrower", "owner"), on, stored=stored)
    if filters.due == "now":
        cases = cases.filter(urgency__lt=3) if stored else cases.filter(priority__lt=3)
    if sort is not None and sort.key in QUEUE_SORTS:
        if sort.key == "class":
            cases = cases.annotate(class_rank=_rank("delinquency_class", DelinquencyClass.values))
        elif sort.key == "pool":
            cases = cases.annotate(pool_rank=_rank("pool", Pool.values))
        return cases.order_by(*order_by(sort, QUEUE_SORTS))
    return cases.order_by(*queue_order(stored))


def queue_order(stored: bool) -> tuple:
    """The queue's order (`queue`): by the stored urgency — a scan of `case_queue_idx` or
    `case_owner_queue_idx` stopped after a page — or by the computed one (`annotated`'s `priority`)."""
    return ("urgency" if stored else "priority", F("dpd").desc(), F("overdue_fen").desc(), "pk")


def case_for(user: Any, case_id: int, on: date) -> CollectionCase:
    """One case with everything the workspace shows, or `CollectionCase.DoesNotExist` when the user may not see
    it (a case outside one's reach is indistinguishable from one that does not exist)."""
    # The nightly run's position of each loan comes in the same query (`select_related`): it tells the case's
    # delinquent loans from the borrower's other ones without a query per loan (`split_loans`).
    loans = (
        Loan.objects.select_related("position")
        .order_by("start_date")
        .prefetch_related("instalments", payments_with_allocations(), "waivers")
    )
    return (
        annotated(visible_cases(user).select_related("borrower", "owner"), on, per_row=True)
        .prefetch_related(
            Prefetch("borrower__loans", queryset=loans),
            "borrower__contacts",
            Prefetch("borrower__holds", queryset=Hold.objects.select_related("loan").order_by("-starts_on")),
            # With each call its platform call (the duration's source, CALL-3) and its recording (QA-1).
            Prefetch(
                "calls",
                queryset=Call.objects.select_related("collector", "contact", "telephony", "recording").order_by(
                    "-called_at"
                ),
            ),
            Prefetch("borrower__promises", queryset=Promise.objects.order_by("-made_on", "-pk")),
            Prefetch(
                "letters", queryset=Letter.objects.defer("pdf").select_related("loan").order_by("-sent_on", "-pk")
            ),
            Prefetch("borrower__tasks", queryset=Task.objects.filter(status=TaskStatus.OPEN).order_by("due_on")),
            Prefetch("events", queryset=CaseEvent.objects.order_by("-business_date", "-pk")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("to_owner", "by").order_by("-at")),
        )
        .get(pk=case_id)
    )


def case_brief(user: Any, case_id: int) -> CollectionCase:
    """One case with its borrower, the borrower's contact persons and the owner — what the call form and the
    actions on a case read — or `CollectionCase.DoesNotExist` as `case_for` (whose workspace prefetches, every
    loan's schedule and payments among them, the form does not show)."""
    return (
        visible_cases(user).select_related("borrower", "owner").prefetch_related("borrower__contacts").get(pk=case_id)
    )


def open_case_id(user: Any, borrower_id: int) -> int | None:
    """The borrower's open case, when `user` may open it (`visible_cases`); None otherwise. The borrower and
    loan pages link to it only then: a case one may not open is not even hinted at (TEAM-3)."""
    return (
        visible_cases(user).filter(borrower_id=borrower_id, status=CaseStatus.OPEN).values_list("pk", flat=True).first()
    )


@dataclass(frozen=True)
class OtherLoan:
    """A loan of the case's borrower that the case does not cover: current, closed or written off. `dpd` is the
    nightly run's, when it holds a position for the loan (a written-off loan may), else None."""

    loan: Loan
    status: str
    dpd: int | None


def _position(loan: Loan):
    try:
        return loan.position
    except LoanPosition.DoesNotExist:
        return None


def split_loans(loans: Iterable[Loan]) -> tuple[list[Loan], list[OtherLoan]]:
    """(the loans the case covers, the borrower's other loans). A case covers the borrower's active delinquent
    loans (CLS-1: those the nightly run holds a position for, DPD over 0); the others are current (active,
    no position), closed or written off. Reads only what `case_for` loaded: no query per loan."""
    covered: list[Loan] = []
    others: list[OtherLoan] = []
    for loan in loans:
        position = _position(loan)
        if loan.status == LoanStatus.ACTIVE and position is not None and position.dpd > 0:
            covered.append(loan)
        elif loan.status == LoanStatus.ACTIVE:
            others.append(OtherLoan(loan, str(_("current")), None))
        else:
            others.append(OtherLoan(loan, loan.get_status_display(), position.dpd if position else None))
    return covered, others


def holds_in_force(borrower_id: int, on: date, loan_ids: Iterable[int] = ()) -> list[HoldInForce]:
    """The holds in force on `on` on the borrower as a whole, or on one of `loan_ids` (a released hold holds
    through its release day, as the nightly run reads them). A call is about the borrower, so only the
    borrower's holds stop it (as the nightly run's call tasks); a notice also stops for a hold on a loan it
    covers."""
    found = Hold.objects.filter(borrower_id=borrower_id, starts_on__lte=on).filter(
        Q(loan__isnull=True) | Q(loan_id__in=list(loan_ids))
    )
    return in_force(found, on, loan_ids)


def holds_of(borrower_ids: Iterable[int], on: date) -> dict[int, list[Hold]]:
    """Every hold started by `on` of each of these borrowers (one query), for `in_force` per borrower."""
    found: dict[int, list[Hold]] = {}
    for hold in Hold.objects.filter(borrower_id__in=list(borrower_ids), starts_on__lte=on):
        found.setdefault(hold.borrower_id, []).append(hold)
    return found


def in_force(holds: Iterable[Hold], on: date, loan_ids: Iterable[int] = ()) -> list[HoldInForce]:
    """Of one borrower's `holds`, those in force on `on` on the borrower as a whole or on one of `loan_ids`."""
    loans = set(loan_ids)
    held = []
    for hold in holds:
        if (hold.loan_id is None or hold.loan_id in loans) and hold.in_force_on(on):
            ends = [d for d in (hold.ends_on, hold.released_on) if d is not None]
            held.append(HoldInForce(hold.kind, min(ends) if ends else None))
    return held


def queue_holds(borrower_ids: Iterable[int], on: date) -> dict[int, list[tuple[str, date | None]]]:
    """For the queue: each borrower's holds in force on `on` (on the borrower or on any of their loans), as (the
    kind in words, the last day or None: until lifted) — one query for the whole page."""
    shown: dict[int, list[tuple[str, date | None]]] = {}
    labels = dict(HoldKind.choices)
    for borrower_id, holds in holds_of(borrower_ids, on).items():
        loan_ids = {hold.loan_id for hold in holds if hold.loan_id is not None}
        held = sorted(in_force(holds, on, loan_ids), key=lambda h: (h.until is None, h.until or on, h.kind))
        if held:
            shown[borrower_id] = [(str(labels.get(h.kind, h.kind)), h.until) for h in held]
    return shown


def calls_today(borrower_id: int, at: datetime, zone: ZoneInfo, number: str = "") -> tuple[int, int]:
    """(connected calls to the borrower, unanswered attempts on `number`) on the local day of `at` in `zone`. The
    borrower's own calls to the bank are not the bank's contacts and count towards neither."""
    day = at.astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    calls = Call.objects.filter(
        borrower_id=borrower_id, inbound=False, called_at__gte=start, called_at__lt=start + timedelta(days=1)
    )
    reached = Q(outcome__in=REACHED_OUTCOMES)
    counts = calls.aggregate(  # one query for both
        connected=Count("pk", filter=reached & Q(party=CallParty.BORROWER)),
        unanswered=Count("pk", filter=~reached & Q(number=number)),
    )
    return counts["connected"], counts["unanswered"] if number else 0


def contact_verdict(
    borrower_id: int, at: datetime, *, number: str = "", channel: str = "call", holds: Iterable[Hold] | None = None
) -> ContactVerdict:
    """The contact rules (`arrears.compliance.contact`) with what the database holds: the holds in force on the
    local day, today's connected calls to the borrower and unanswered attempts on the number. `holds`: every hold
    of the borrower, where the caller has them loaded already (else they are read)."""
    rules = policy_on(timezone.localtime(at).date()).contact
    zone = ZoneInfo(rules.timezone)
    connected, unanswered = calls_today(borrower_id, at, zone, number)
    day = at.astimezone(zone).date()
    return check_contact(
        at,
        rules,
        channel=channel,
        connected_calls_today=connected,
        unanswered_attempts_today=unanswered,
        holds=holds_in_force(borrower_id, day) if holds is None else in_force(holds, day),
    )


__all__ += [
    "QUEUE_SORTS",
    "OtherLoan",
    "QueueFilter",
    "annotated",
    "calls_today",
    "case_brief",
    "holds_in_force",
    "late_stage_words",
    "open_case_id",
    "queue_order",
    "split_loans",
    "urgency_case",
    "urgency_current",
]
