"""`do_run_daily`: the nightly run for a business date — read, decide (the engine), apply — with catch-up.

- The dates run in order: after the last completed run, every missed date up to `as_of` is run first. A date
  already done is not run again (nothing changes); a date before the last completed one that was never run is
  refused, since its decisions would come after later ones.
- `as_of` defaults to the business date of the newest feed loaded; a date after it is refused (the book
  would be stale: a payment made since could be missed).
- Each date has a ledger row (`Run`). A failed or killed run is resumed by running the date again: it
  continues after the last committed chunk (see `apply`).
- `dry_run` does all of it inside one transaction that is rolled back: the report says what would change.
- At the end the ledger head is anchored outside the database (`compliance.anchors`, AUTH-4).
- A date the working-day calendar does not cover is refused before anything starts, naming the admin page
  where the year is added (`CalendarRunsOut`); so is a date whose decisions need working days of a year not
  yet added (a letter's LTR-3 follow-up deadline in January, say): that run stops before applying anything.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from arrears.accounts.permissions import Perm
from arrears.agencies.placement import do_end_placements
from arrears.bulk import collector_paused
from arrears.collection.allocation import do_allocate_cases
from arrears.compliance.actions import append_events_bulk, require
from arrears.compliance.anchors import AnchorRefused, publish_anchor
from arrears.compliance.codes import ActionCode
from arrears.daily.apply import CHUNK_BORROWERS, apply_decisions
from arrears.daily.models import Run, RunProblem, RunStatus
from arrears.daily.read import active_loans, read_inputs
from arrears.engine.params import Terms
from arrears.engine.runner import Decisions, decide
from arrears.engine.schema import SCHEMAS, Inputs
from arrears.portfolio.queries import business_date
from arrears.reports.facts import do_keep_month_facts
from arrears.rules.calendar_watch import calendar_coverage, calendar_page
from arrears.rules.queries import calendar, policy_book
from arrears.whatif.experiments import decide_night, night_plan, reach
from arrears.workdays import Calendar, UnknownYearError

__all__ = ["CalendarRunsOut", "RunRefused", "RunReport", "dates_to_run", "do_run_daily"]

Progress = Callable[[str, int, int], None]
# What decides a date: `arrears.engine.runner.decide` in this process, or a runner of the same kernels elsewhere
# (`arrears.spark.runner.SparkEngine`); it returns the same `Decisions`, applied here alike.
Decider = Callable[[Inputs, Terms, Calendar], Decisions]
PROBLEMS_SHOWN = 20


class RunRefused(ValueError):
    """The run cannot start: what was wrong and what to do."""


class CalendarRunsOut(RunRefused):
    """The working-day calendar lacks a year the run needs; the message names the page where it is added."""

    def __init__(self, day: date, year: int, ends_on: date | None) -> None:
        self.day, self.year = day, year
        ends = f"ends on {ends_on}" if ends_on else "has no year before it"
        super().__init__(
            f"the working-day calendar {ends} and has no data for {year}, which the run of {day} needs: the run "
            f"stopped before changing anything. An administrator adds the State Council's holiday arrangement for {year} under "
            f"Administration → calendar years ({calendar_page()}; docs/calendar.md says how), then run the date "
            "again"
        )


def _check_calendar(days: list[date]) -> None:
    """Every date to run lies in a year of the calendar table (checked before any run starts)."""
    for day in days:
        cov = calendar_coverage(day)
        if not cov.covered:
            raise CalendarRunsOut(day, cov.missing_year, cov.ends_on)


@dataclass
class RunReport:
    business_date: date
    status: str
    summary: dict[str, Any]
    changes: dict[str, int]
    seconds: dict[str, float]
    problems: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 1
    already_done: bool = False
    dry_run: bool = False
    anchor: dict[str, Any] | None = None  # the ledger anchor published at the end (last date only), or its error

    def as_json(self) -> dict[str, Any]:
        return {
            "business_date": self.business_date.isoformat(),
            "status": self.status,
            "already_done": self.already_done,
            "dry_run": self.dry_run,
            "attempts": self.attempts,
            **self.summary,
            "changes": self.changes,
            "rows_written": sum(v for k, v in self.changes.items() if k != "audit_events"),
            "seconds": self.seconds,
            "problems": self.problems,
            "ledger_anchor": self.anchor,
        }


def summarize(decisions: Decisions, active: int) -> dict[str, Any]:
    """The date's figures from the decisions (the same for a resumed run as for a clean one). `active` is the
    number of active loans: those the engine was not given are current, with nothing due soon."""
    positions, reminders, tasks = decisions.positions, decisions.reminders, decisions.tasks

    def counts(frame, column) -> dict[str, int]:
        return (
            {str(k): int(v) for k, v in frame.group_by(column).len().sort(column).iter_rows()} if frame.height else {}
        )

    written = reminders.filter(reminders["kind"] == "written")
    unread = active - positions.height - decisions.problems.height
    by_class, by_bucket = counts(positions, "delinquency_class"), counts(positions, "bucket")
    if unread > 0:
        by_class["current"] = by_class.get("current", 0) + unread
        by_bucket["M0"] = by_bucket.get("M0", 0) + unread
    return {
        "loans": max(active, positions.height + decisions.problems.height),
        "delinquent": int((positions["dpd"] > 0).sum()) if positions.height else 0,
        "by_class": dict(sorted(by_class.items())),
        "by_bucket": dict(sorted(by_bucket.items())),
        "overdue_total_fen": int(positions["overdue_total_fen"].sum()) if positions.height else 0,
        "case_decisions": counts(decisions.cases, "decision"),
        "reminders": {
            "written": int(written["channel"].is_not_null().sum()) if written.height else 0,
            "written_without_channel": int(written["channel"].is_null().sum()) if written.height else 0,
            "phone": int((reminders["kind"] == "phone").sum()) if reminders.height else 0,
        },
        "tasks_due": counts(tasks, "kind"),
        "promises": counts(decisions.promises, "outcome"),
        "plans": counts(decisions.plan_decisions, "decision"),
        "errors": decisions.problems.height,
    }


def dates_to_run(as_of: date | None) -> list[date]:
    """The dates a run for `as_of` covers, oldest first (see the module doc); raises RunRefused."""
    newest_feed = business_date()
    if as_of is None:
        if newest_feed is None:
            raise RunRefused("no feed has been loaded; import one (`arrears import`) or give --as-of")
        as_of = newest_feed
    if newest_feed is not None and as_of > newest_feed:
        raise RunRefused(
            f"the newest feed loaded is of {newest_feed}; import the feed of {as_of} before running that date"
        )
    last_done = Run.objects.filter(status=RunStatus.DONE).aggregate(last=Max("business_date"))["last"]
    if last_done is None or as_of > last_done:
        start = as_of if last_done is None else last_done + timedelta(days=1)
        return [start + timedelta(days=i) for i in range((as_of - start).days + 1)]
    if Run.objects.filter(business_date=as_of, status=RunStatus.DONE).exists():
        return [as_of]
    raise RunRefused(f"runs go in date order and {last_done} is already done; {as_of} cannot be run after it")


def _problems(decisions: Decisions) -> list[dict[str, Any]]:
    return decisions.problems.sort("loan_id").head(PROBLEMS_SHOWN).to_dicts()


def _start(day: date) -> tuple[Run, bool]:
    with transaction.atomic():
        run, created = Run.objects.select_for_update().get_or_create(
            business_date=day, defaults={"started_at": timezone.now()}
        )
        if run.status == RunStatus.DONE:
            return run, True
        if not created:
            run.status, run.error, run.attempts = RunStatus.RUNNING, "", run.attempts + 1
            run.save(update_fields=["status", "error", "attempts"])
    return run, False


def _run_one(
    day: date, *, actor: Any, progress: Progress | None, chunk_borrowers: int, decider: Decider = decide
) -> RunReport:
    # With the garbage collector paused: the chunks' rows and change records are tens of thousands of live objects,
    # which each full collection would walk again for next to nothing (`bulk.collector_paused`). Resumed between
    # the dates of a catch-up.
    with collector_paused():
        return _run_date(day, actor=actor, progress=progress, chunk_borrowers=chunk_borrowers, decider=decider)


def _run_date(day: date, *, actor: Any, progress: Progress | None, chunk_borrowers: int, decider: Decider) -> RunReport:
    run, done = _start(day)
    if done:
        return RunReport(day, run.status, run.summary, {}, {}, attempts=run.attempts, already_done=True)
    seconds: dict[str, float] = {}
    try:
        clock = time.perf_counter()
        version = policy_book().version_on(day)
        terms = Terms.of(version.policy, day)
        # A champion/challenger experiment in force tonight: its challenger's borrowers are decided under the
        # strategy (issue 23); the read reaches the farther of the two reminder horizons.
        plan = night_plan(day, version.policy)
        names = list(SCHEMAS)
        inputs = read_inputs(
            reach(terms, plan),
            progress=None if progress is None else lambda n: progress("read", names.index(n) + 1, len(names)),
        )
        seconds["read"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        decided, challengers = decide_night(inputs, terms, plan, decider, calendar())
        decisions = decided.in_order()
        if progress is not None:
            progress("compute", 1, 1)
        seconds["compute"] = round(time.perf_counter() - clock, 3)
        # The figures are those of the first attempt: saved before any chunk is applied, so a resumed
        # attempt (which sees its predecessor's cases and tasks) reports what a clean run reports.
        summary = run.summary or summarize(decisions, active_loans())
        if plan is not None and not run.summary:
            summary["experiment"] = {"id": plan.experiment.pk, "challenger_borrowers": challengers}
            if plan.problem:  # its strategy does not fit tonight's policy: everyone under the champion
                summary["experiment"]["not_applied"] = plan.problem
        if not run.summary:
            run.summary = summary
            Run.objects.filter(pk=run.pk).update(summary=summary)
        clock = time.perf_counter()

        def applied(done: int, total: int) -> None:
            if progress is not None:
                progress("apply", done, total)

        apply_decisions(run, decisions, actor=actor, chunk_borrowers=chunk_borrowers, progress=applied)
        seconds["apply"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        with transaction.atomic():
            # Collectors for the cases opened or moved tonight (TEAM-3); across borrowers, so after the chunks.
            # Committed with the run's completion: a run killed before it allocates again when resumed.
            allocation = do_allocate_cases(actor=actor, as_of=day)
            run = Run.objects.select_for_update().get(pk=run.pk)
            merged = Counter(run.changes)
            merged.update({f"cases_allocated_{pool}": n for pool, n in allocation.allocated.items()})
            # Placements whose period ended before today, or whose case closed tonight, end (LGL-2).
            if ended := do_end_placements(day, actor=actor):
                merged["placements_ended"] += ended
            seconds["allocate"] = round(time.perf_counter() - clock, 3)
            # On a month's last day: the month's facts for the KPIs, after allocation (KPI-1).
            clock = time.perf_counter()
            facts = do_keep_month_facts(day, actor=actor)
            if facts.opened:
                merged["month_opening_loans"] += facts.opened_loans
                seconds["month_facts"] = round(time.perf_counter() - clock, 3)
            run.changes = dict(merged)
            if allocation.unowned:
                summary = {**summary, "cases_without_collector": dict(allocation.unowned)}
            RunProblem.objects.filter(run=run).delete()
            RunProblem.objects.bulk_create(
                RunProblem(run=run, loan_id=row["loan_id"], problem=row["problem"][:200])
                for row in decisions.problems.iter_rows(named=True)
            )
            run.status, run.finished_at = RunStatus.DONE, timezone.now()
            run.summary, run.seconds, run.policy_name = summary, seconds, version.name[:200]
            run.save()
            append_events_bulk(
                [
                    {
                        "action": ActionCode.DAILY_RUN,
                        "permission": Perm.RUN_DAILY,
                        "subject": run,
                        "clause": None,
                        "changes": {"status": (None, "done"), "changes": (None, run.changes)},
                        "reason": f"nightly run of {day} under {version.name}",
                    }
                ],
                actor=actor,
            )
    except Exception as exc:
        if not transaction.get_connection().in_atomic_block:
            Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return RunReport(
        day,
        run.status,
        summary,
        dict(run.changes),
        seconds,
        problems=_problems(decisions),
        attempts=run.attempts,
    )


def do_run_daily(
    as_of: date | None = None,
    *,
    actor: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk_borrowers: int = CHUNK_BORROWERS,
    decider: Decider = decide,
) -> list[RunReport]:
    """Run the nightly batch through `as_of` (catching up missed dates); one report per date run. `decider`
    computes each date's decisions (default: the engine in this process)."""
    require(actor, Perm.RUN_DAILY)
    with _only_run():
        days = dates_to_run(as_of)
        _check_calendar(days)
        day = days[0]
        try:
            if not dry_run:
                reports = []
                for day in days:
                    reports.append(
                        _run_one(day, actor=actor, progress=progress, chunk_borrowers=chunk_borrowers, decider=decider)
                    )
                reports[-1].anchor = _publish_anchor()
                return reports
            with transaction.atomic():
                reports = []
                for day in days:
                    reports.append(
                        _run_one(day, actor=actor, progress=progress, chunk_borrowers=chunk_borrowers, decider=decider)
                    )
                transaction.set_rollback(True)
        except UnknownYearError as exc:  # raised while deciding, before any chunk of that date was applied
            raise CalendarRunsOut(day, exc.year, calendar_coverage(day).ends_on) from exc
    for report in reports:
        report.dry_run = True
    return reports


def _publish_anchor() -> dict[str, Any]:
    """AUTH-4: each run ends by publishing the ledger head, signed, outside the database (compliance/anchors.py).
    The run's work is committed whatever happens here; a refusal is reported (the command exits 1)."""
    try:
        return publish_anchor().as_json()
    except AnchorRefused as exc:
        return {"error": str(exc)}


RUN_LOCK = 0x61727265  # the PostgreSQL advisory lock held while a run works ("arre")


@contextmanager
def _only_run() -> Iterator[None]:
    """One run at a time: on PostgreSQL a session advisory lock, released when the run ends or its process dies
    (SQLite lets one writer at a time anyway). A second run is refused, not queued."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK])
        if not cursor.fetchone()[0]:
            raise RunRefused("another nightly run is working; wait for it to finish (or for its process to end)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])
