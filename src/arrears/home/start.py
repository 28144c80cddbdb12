"""The start page ("/"): what a signed-in user has to do today, and the figures they answer for.

Each section appears for a permission the user's role grants (`has_perm`), never for a role's code, so an
administrator who edits a role's grants edits its start page too:

- `collection.call` — today's work on the business date, counted over the user's own cases (as the case queue
  lists them by default): promises to pay due, calls and follow-ups due, broken promises, calls and follow-ups
  overdue (`collection.queries.due_work`: the queue's `?work=` filter returns exactly the counted cases), the
  phone reminders due in the user's pools, the first rows of each list, and the figures of the user's pools
  (TEAM-1..3: a junior collector's pool is the junior one only);
- `collection.reassign` — each collector's figures;
- `arrangements.approve` — plans and waivers awaiting a decision; `notices.manage_outbox` — failed and
  unconfirmed notices, and those waiting for the quiet hours to end; `notices.review_templates` — versions in
  legal review; `portfolio.manage_holds` — holds in force; `compliance.manage_phrases` — recent
  prohibited-language hits; `compliance.verify_audit` — the ledger's last verification; `engine.view_runs` —
  the last nightly run; `rules.manage_calendar` — the calendar warning; `reports.view` — the reports there are.

- `portfolio.view_agency_cases` without `portfolio.view` (an agency's user) — the cases placed with their agency:
  how many, how many with work due now, and whether the placements are frozen (AGY-1); instead of the collector's
  work and pools.

A user with none of the work sections (the analyst, for now) is told so, and what they may open.
Every count is one aggregate query and every list a fixed slice: the page makes the same number of queries
whatever the size of the book.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.access import frozen_reason, placed_only
from arrears.agencies.queries import agency_alerts, may_see_agencies
from arrears.arrangements.models import Plan, PlanStatus, Waiver, WaiverStatus
from arrears.collection.allocation import collectors
from arrears.collection.models import CaseStatus, CollectionCase, Pool
from arrears.collection.queries import WORK, QueueFilter, due_work, pools_of, queue, today, visible_borrowers
from arrears.collection.reminder_calls import reminder_calls_due
from arrears.compliance.masking import masked
from arrears.compliance.models import LanguageHit
from arrears.compliance.queries import ledger_checks
from arrears.daily.models import Run
from arrears.notices.models import Notice, NoticeStatus, Template, TemplateStatus
from arrears.notices.queries import waiting_for_quiet_hours
from arrears.portfolio.models import DelinquencyClass, Hold
from arrears.rules.calendar_watch import page_warning

ROWS = 5  # the first rows of each list of today's work; the queue has the rest
HITS_DAYS = 7  # the prohibited-language hits of the last week

# Today's work, kind by kind: the list's title (the counts table's row too).
WORK_TITLES = {
    "promise": _("Promises to pay due today"),
    "follow_up": _("Calls and follow-ups due"),
    "broken": _("Broken promises to follow up"),
    "overdue": _("Calls and follow-ups overdue"),
}


def now():
    """The instant the page is drawn (the outbox's quiet-hours wait and the recent hits are counted to it)."""
    return timezone.now()


def _queue_url(**params: Any) -> str:
    return f"{reverse('collection:queue')}?{urlencode(params)}"


def my_work(user: Any, on: date) -> dict:
    """Today's work on the user's own cases: per kind its count, the queue's link and its first rows; the phone
    reminders due for the borrowers of the user's pools (the reminders queue's own list)."""
    sets = due_work(on)
    mine = queue(user, on).order_by()  # the user's own open cases, as the queue lists them by default
    counts = mine.aggregate(**{kind: Count("pk", filter=Q(borrower_id__in=sets[kind])) for kind in WORK})
    kinds = []
    for kind in WORK:
        rows = [
            {"case": case, "name": masked("name", case.borrower.name)}
            for case in queue(user, on, QueueFilter(work=kind))[:ROWS]
        ]
        kinds.append(
            {
                "kind": kind,
                "title": WORK_TITLES[kind],
                "count": counts[kind],
                "url": _queue_url(work=kind),
                "rows": rows,
                "more": max(counts[kind] - len(rows), 0),
            }
        )
    reminders = reminder_calls_due(on, borrowers=visible_borrowers(user))
    return {"kinds": kinds, "reminders": len(reminders), "reminders_url": reverse("collection:reminders")}


def pool_figures(user: Any) -> dict:
    """The open cases of the user's pools (`pools_of`), pool by pool: how many, by delinquency class, the overdue
    total and how many have no collector yet; with a total row when there are several pools (one query)."""
    pools = pools_of(user)
    rows = (
        CollectionCase.objects.filter(status=CaseStatus.OPEN, pool__in=pools)
        .values_list("pool", "delinquency_class")
        .annotate(n=Count("pk"), overdue=Sum("overdue_fen"), unowned=Count("pk", filter=Q(owner__isnull=True)))
        .order_by()
    )
    empty = {"cases": 0, "overdue_fen": 0, "unowned": 0, "classes": dict.fromkeys(DelinquencyClass.values, 0)}
    figures = {pool: {**empty, "classes": dict(empty["classes"])} for pool in pools}
    for pool, cls, n, overdue, unowned in rows:
        found = figures[pool]
        found["cases"] += n
        found["overdue_fen"] += overdue or 0
        found["unowned"] += unowned
        found["classes"][cls] = found["classes"].get(cls, 0) + n
    # The classes of an open case are mild, moderate and severe; another appears only if a case has it.
    shown = [c for c in DelinquencyClass.values if c != DelinquencyClass.CURRENT] + [
        c for c in (DelinquencyClass.CURRENT,) if any(f["classes"][c] for f in figures.values())
    ]
    oversee = has_perm(user, Perm.REASSIGN)
    table = [
        {
            "label": Pool(pool).label,
            "cases": f["cases"],
            "classes": [f["classes"][c] for c in shown],
            "overdue_fen": f["overdue_fen"],
            "unowned": f["unowned"],
            "url": _queue_url(owner="all", pool=pool) if oversee else "",
            "unowned_url": _queue_url(owner="none", pool=pool) if oversee else "",
        }
        for pool, f in figures.items()
    ]
    total = None
    if len(table) > 1:
        total = {
            "cases": sum(r["cases"] for r in table),
            "classes": [sum(r["classes"][i] for r in table) for i in range(len(shown))],
            "overdue_fen": sum(r["overdue_fen"] for r in table),
            "unowned": sum(r["unowned"] for r in table),
        }
    return {"classes": [DelinquencyClass(c).label for c in shown], "rows": table, "total": total}


def collector_figures(on: date) -> dict:
    """Each active collector's open cases, their overdue total and today's work on them (one query)."""
    sets = due_work(on)
    held = Q(cases__status=CaseStatus.OPEN)
    found = (
        collectors()
        .select_related("role")
        .annotate(
            open_cases=Count("cases", filter=held),
            overdue_fen=Sum("cases__overdue_fen", filter=held),
            **{f"work_{kind}": Count("cases", filter=held & Q(cases__borrower_id__in=sets[kind])) for kind in WORK},
        )
        .order_by("role_id", "username")
    )
    rows = [
        {
            "user": user,
            "name": user.get_full_name() or user.get_username(),
            "role": user.role.name if user.role else "",
            "cases": user.open_cases,
            "overdue_fen": user.overdue_fen or 0,
            "url": _queue_url(owner=user.pk),
            "work": [(getattr(user, f"work_{kind}"), _queue_url(owner=user.pk, work=kind)) for kind in WORK],
        }
        for user in found
    ]
    return {"titles": [WORK_TITLES[kind] for kind in WORK], "rows": rows}


def approvals() -> dict:
    return {
        "plans": Plan.objects.filter(status=PlanStatus.PROPOSED).count(),
        "waivers": Waiver.objects.filter(status=WaiverStatus.PROPOSED).count(),
        "url": reverse("arrangements:queue"),
    }


def outbox(at) -> dict:
    """Failed and unconfirmed notices (a person decides each) and those waiting for the quiet hours to end."""
    stuck = dict(
        Notice.objects.filter(status__in=(NoticeStatus.DEAD, NoticeStatus.UNCONFIRMED))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    outbox_url = reverse("notices:outbox")
    quiet = waiting_for_quiet_hours(at)
    return {
        "dead": stuck.get(NoticeStatus.DEAD, 0),
        "dead_url": f"{outbox_url}?status={NoticeStatus.DEAD}",
        "unconfirmed": stuck.get(NoticeStatus.UNCONFIRMED, 0),
        "unconfirmed_url": f"{outbox_url}?status={NoticeStatus.UNCONFIRMED}",
        "quiet": quiet.count,
        "quiet_until": quiet.until,
        "url": outbox_url,
    }


def holds_in_force(on: date) -> int:
    """Holds in force on `on` (`Hold.in_force_on`, as a filter): started, not ended, not lifted before `on`."""
    return (
        Hold.objects.filter(starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), Q(released_on__isnull=True) | Q(released_on__gte=on))
        .count()
    )


def last_run() -> Run | None:
    return Run.objects.order_by("-business_date").only("business_date", "status", "finished_at", "error").first()


def placed_work(user: Any, on: date) -> dict:
    """An agency's user's desk (Clause: LGL-2, AGY-1): their agency, its open placed cases (as the queue lists
    them), how many have work due now, and why the placements are frozen today ("" when they are not)."""
    cases = queue(user, on).order_by()
    counts = cases.aggregate(total=Count("pk"), due=Count("pk", filter=Q(priority__lt=3)))
    return {
        "agency": user.agency,
        "count": counts["total"],
        "due": counts["due"],
        "url": reverse("collection:queue"),
        "due_url": _queue_url(due="now"),
        "frozen": frozen_reason(user, on),
    }


def sections(user: Any, on: date) -> dict:
    """Every section this user's grants open, by name (absent when not granted)."""
    found: dict[str, Any] = {}
    if placed_only(user):  # an agency's user: the cases placed with their agency, not the bank's pools
        found["placed"] = placed_work(user, on)
    elif has_perm(user, Perm.CALL):
        found["work"] = my_work(user, on)
        found["pools"] = pool_figures(user)
    if has_perm(user, Perm.REASSIGN):
        found["collectors"] = collector_figures(on)
    if has_perm(user, Perm.APPROVE):
        found["approvals"] = approvals()
    if has_perm(user, Perm.MANAGE_OUTBOX):
        found["outbox"] = outbox(now())
    if has_perm(user, Perm.REVIEW_TEMPLATES):
        found["templates"] = {
            "count": Template.objects.filter(status=TemplateStatus.IN_REVIEW).count(),
            "url": reverse("notices:templates"),
        }
    if has_perm(user, Perm.DECIDE_ESCALATION) or has_perm(user, Perm.AUDIT_AGENCIES):
        found["agencies"] = {
            **agency_alerts(on),
            "url": reverse("agencies:list") if may_see_agencies(user) else "",
            "placements_url": reverse("agencies:placements") if has_perm(user, Perm.DECIDE_ESCALATION) else "",
            "audits_url": reverse("agencies:audits") if has_perm(user, Perm.AUDIT_AGENCIES) else "",
        }
    if has_perm(user, Perm.MANAGE_HOLDS):
        found["holds"] = holds_in_force(on)
    if has_perm(user, Perm.MANAGE_PHRASES):
        found["hits"] = {
            "count": LanguageHit.objects.filter(at__gte=now() - timedelta(days=HITS_DAYS)).count(),
            "days": HITS_DAYS,
            "url": reverse("compliance:language-hits"),
        }
    if has_perm(user, Perm.VERIFY_AUDIT):
        found["ledger"] = {"last": next(iter(ledger_checks(limit=1)), None), "url": reverse("compliance:ledger")}
    if has_perm(user, Perm.VIEW_RUNS):
        run = last_run()
        found["run"] = {
            "run": run,
            "url": reverse("daily:run", args=[run.business_date.isoformat()]) if run else "",
            "runs_url": reverse("daily:runs"),
        }
    return found


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Today's work and figures for the signed-in user; the sign-in page for anyone else."""
    user = request.user
    on = today()
    context: dict[str, Any] = {"on": on, **sections(user, on)}
    # What there is to see beside the work: reports (counts only).
    context["reports_url"] = reverse("notices:report") if has_perm(user, Perm.VIEW_REPORTS) else ""
    context["admin_url"] = reverse("admin:index") if user.is_staff else ""
    context["nothing_yet"] = not any(
        key in context
        for key in ("work", "placed", "approvals", "agencies", "outbox", "templates", "holds", "hits", "ledger", "run")
    )
    context["calendar_warning"] = page_warning(user, lambda: on, administrators_only=True)
    return render(request, "home/start.html", context)
