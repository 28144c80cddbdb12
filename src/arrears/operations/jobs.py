"""The jobs of the bank's day: one line per job in `JOBS`, the place later work adds its own.

A job says when it is due (`due(now)` gives the slots due at the instant `now`: a feed waiting in
ARREARS_FEED_DIR, the dispatcher's current interval, the print batch's day once its hour has come) and what it
does (`run(payload, actor)` returns what it did in words — message codes of `arrears.operations.words` and their
parameters, worded in the reader's language on the runs page — and the runs it makes due: the feed chains the
nightly run of its date, the nightly run chains a dispatch and the retention purge). Jobs run as the system user; `arrears.operations.actions`
records each attempt and retries a failure with backoff.

To add a job (mail polling, reminders of deadlines): write its function and due rule here
and add one `Job(...)` line to `JOBS`.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.operations.words import Said, english

log = logging.getLogger(__name__)
READY_MARKER = ".ready"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Slot = tuple[str, dict[str, Any]]  # (slot, payload)
Chain = tuple[str, str, dict[str, Any]]  # (job, slot, payload)


@dataclass(frozen=True)
class Outcome:
    words: list[Said]  # what the run did: (message code, parameters), see `arrears.operations.words`
    chain: list[Chain] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """In English, for the logs and the command line."""
        return english(self.words)


@dataclass(frozen=True)
class Job:
    name: str
    title: Any  # lazy gettext: what the runs page calls it
    when: Any  # lazy gettext: when it is due, in words
    due: Callable[[datetime], list[Slot]]
    run: Callable[[dict[str, Any], Any], Outcome]
    gave_up: Callable[[dict[str, Any]], None] | None = None  # after the last failed attempt
    priority: int = 0  # django-tasks priority: higher first when several are ready


# -- feed: a directory per business date, taken once its `.ready` marker is there ------------------------------


def waiting_feeds(now: datetime) -> list[Slot]:
    """The feeds waiting in ARREARS_FEED_DIR, oldest business date first."""
    root = Path(settings.ARREARS_FEED_DIR)
    if not root.is_dir():
        return []
    slots = []
    for sub in sorted(root.iterdir()):
        marker = sub / READY_MARKER
        if sub.is_dir() and _DAY.match(sub.name) and marker.is_file():
            slots.append((f"{sub.name}@{marker.stat().st_mtime_ns}", {"path": str(sub), "business_date": sub.name}))
    return slots


def _move(path: Path, to: str) -> Path:
    """Move a feed directory out of the way (ARREARS_FEED_DIR/processed or /failed), never over another."""
    dest_dir = Path(settings.ARREARS_FEED_DIR) / to
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest, n = dest_dir / path.name, 1
    while dest.exists():
        n += 1
        dest = dest_dir / f"{path.name}.{n}"
    shutil.move(str(path), dest)
    return dest


def import_feed(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.portfolio.actions_import import do_import_feed

    path, day = Path(payload["path"]), date.fromisoformat(payload["business_date"])
    if not path.is_dir():  # moved by an earlier attempt that failed after the import
        done = Path(settings.ARREARS_FEED_DIR) / "processed" / path.name
        if not done.is_dir():
            raise FileNotFoundError(f"the feed directory {path.name} is gone")
        path = done
    result = do_import_feed(path, day, actor=actor)
    if path.parent == Path(settings.ARREARS_FEED_DIR):
        _move(path, "processed")
    said = (
        "feed_already_loaded" if result.already_loaded else "feed_loaded",
        {"date": str(day), "rejected": result.rejected},
    )
    return Outcome([said], [("nightly", day.isoformat(), {"business_date": day.isoformat()})])


def feed_gave_up(payload: dict[str, Any]) -> None:
    path = Path(payload["path"])
    if path.is_dir() and path.parent == Path(settings.ARREARS_FEED_DIR):
        _move(path, "failed")


# -- the nightly run and allocation, chained after a feed ----------------------------------------------------


def nightly_run(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.daily.actions import do_run_daily
    from arrears.rules.calendar_watch import do_mail_calendar_warning

    day = date.fromisoformat(payload["business_date"])
    reports = do_run_daily(day, actor=actor)
    last = reports[-1].as_json()
    anchor = reports[-1].anchor or {}
    if "error" in anchor:
        raise RuntimeError(f"the run is done, but the ledger anchor was not published: {anchor['error']}")
    dates = ", ".join(str(r.business_date) for r in reports)
    words: list[Said] = [
        ("nightly", {"dates": dates, "status": last["status"], "loans": last["loans"], "errors": last["errors"]})
    ]
    # As `arrears run-daily` does: the administrators are warned before the working-day calendar runs out.
    warned = do_mail_calendar_warning(reports[-1].business_date, actor=actor, today=timezone.localdate())
    if warned.status != "not_due":
        words.append((f"calendar_{warned.status}", {"recipients": warned.recipients}))
    after = f"after-nightly-{day.isoformat()}"  # worded on the runs page (`queries.slot_words`)
    return Outcome(words, [("dispatch", after, {}), ("purge", after, {"business_date": day.isoformat()})])


# -- the retention purge, chained after the nightly run of its date -------------------------------------------


def purge(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.retention.actions import do_purge_expired

    day = date.fromisoformat(payload["business_date"])
    report = do_purge_expired(day, actor=actor, basis="the worker's retention purge after the nightly run")
    counts = [(f"purged_{k}", {"n": v}) for k, v in report.counts().items() if v]
    return Outcome([("purge", {"date": str(day)}), *counts] if counts else [("purge_nothing", {"date": str(day)})])


# -- the notices dispatcher, every few minutes ---------------------------------------------------------------


def interval_slot(now: datetime, step: int) -> list[Slot]:
    """The slot of the `step`-minute interval of the local day that `now` falls in ("2026-03-02T09:05")."""
    local = timezone.localtime(now)
    minutes = (local.hour * 60 + local.minute) // step * step
    return [(f"{local.date().isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}", {})]


def dispatch_interval(now: datetime) -> list[Slot]:
    return interval_slot(now, settings.ARREARS_WORKER_DISPATCH_MINUTES)


def dispatch(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.notices.dispatch import Dispatcher

    tally = Dispatcher(actor).run_once()
    counts: Counter[tuple[str, str]] = Counter()
    for (channel, outcome, _reason), n in tally.items():
        counts[channel, outcome] += n
    words = [("dispatched", {"channel": c, "outcome": o, "n": n}) for (c, o), n in sorted(counts.items())]
    return Outcome(words or [("dispatched_nothing", {})])


# -- the print batch of letters by post, once a day from its hour --------------------------------------------


def print_batch_due(now: datetime) -> list[Slot]:
    local = timezone.localtime(now)
    if local.hour < settings.ARREARS_PRINT_BATCH_HOUR:
        return []
    return [(local.date().isoformat(), {"day": local.date().isoformat()})]


def print_batch(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.notices.printing import do_make_print_batch

    batch = do_make_print_batch(date.fromisoformat(payload["day"]), actor=actor)
    if batch is None:
        return Outcome([("no_letters", {})])
    return Outcome([("print_batch", {"number": batch.number, "letters": batch.letters, "pages": batch.pages})])


# -- housekeeping, once a day: the task queue's finished rows ------------------------------------------------


def daily(now: datetime) -> list[Slot]:
    day = timezone.localdate(now).isoformat()
    return [(day, {"day": day})]


def housekeeping(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.operations.actions import do_prune_task_results

    days = settings.ARREARS_WORKER_KEEP_TASK_DAYS
    return Outcome([("pruned_tasks", {"days": days, "n": do_prune_task_results(actor=actor, keep_days=days)})])


# -- the complaint mailbox, every few minutes when one is configured ----------------------------------------


def complaint_mail_due(now: datetime) -> list[Slot]:
    if not settings.ARREARS_COMPLAINT_IMAP_HOST:
        return []
    return interval_slot(now, settings.ARREARS_COMPLAINT_IMAP_MINUTES)


def complaint_mail(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.complaints.mailbox import ingest_mailbox

    report = ingest_mailbox(actor=actor)
    said = [("mail_read", {"read": report.read, "filed": report.filed, "already": report.already_filed})]
    if report.failed:  # which messages, and why, are in the log (ERROR): a message may name a person
        said.append(("mail_failed", {"n": len(report.failed)}))
    return Outcome(said)


# -- call recordings heard and inspected, every few minutes when a recogniser is configured (QA-1) -----------


def transcribe_due(now: datetime) -> list[Slot]:
    if settings.ARREARS_SPEECH == "platform":
        return []
    return interval_slot(now, settings.ARREARS_WORKER_TRANSCRIBE_MINUTES)


def transcribe(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.quality.transcription import transcribe_pending

    done = transcribe_pending(actor=actor, today=timezone.localdate())
    said = [("transcribed", {"inspected": done.inspected, "flagged": done.flagged})]
    if done.failed:  # which calls, and why, are in the log (WARNING)
        said.append(("transcribe_failed", {"n": len(done.failed)}))
    return Outcome(said)


# -- the monthly review, from the month's first working day (REV-1) -------------------------------------------


def review_due(now: datetime) -> list[Slot]:
    """The month before's review pack, from the first working day of the month (the project's calendar) once the
    month before is closed (the nightly run of its last day); one slot a month. A year the calendar does not know
    is not guessed: nothing is due, and the log says so (the calendar warning tells administrators in time)."""
    from arrears.agencies.commissions import Month
    from arrears.reports.models import MonthClose
    from arrears.rules.queries import calendar
    from arrears.workdays import UnknownYearError

    day = timezone.localdate(now)
    try:
        first = calendar().next_working_day(day.replace(day=1))
    except UnknownYearError as exc:
        log.debug("monthly review: the working-day calendar does not know %s (%s); not prepared", day.year, exc)
        return []
    month = Month.of(day).previous()
    if day < first or not MonthClose.objects.filter(month=month.first).exists():
        return []
    return [(str(month), {"month": str(month)})]


def monthly_review(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.agencies.commissions import Month
    from arrears.reports.actions_review import do_prepare_review

    month = Month.parse(payload["month"])
    pack = do_prepare_review(month, actor=actor, today=timezone.localdate())
    if pack.approved:
        return Outcome([("review_approved_already", {"month": str(month)})])
    return Outcome([("review_prepared", {"month": str(month), "cases": pack.cases.count()})])


# -- the policy what-if asked for on the page (issue 23) ----------------------------------------------------


def whatif_due(now: datetime) -> list[Slot]:
    """The what-ifs waiting for the worker, oldest first (each its own slot: one attempt at a time)."""
    from arrears.whatif.models import WhatIfReport, WhatIfStatus

    waiting = WhatIfReport.objects.filter(status=WhatIfStatus.QUEUED).order_by("requested_at", "id")
    return [(f"whatif-{pk}", {"report": pk}) for pk in waiting.values_list("pk", flat=True)[:5]]


def whatif(payload: dict[str, Any], actor: Any) -> Outcome:
    from arrears.whatif.requests import do_complete_whatif

    report = do_complete_whatif(int(payload["report"]), actor=actor)
    return Outcome([(f"whatif_{report.status}", {"report": report.pk, "first": report.first, "last": report.last})])


def whatif_gave_up(payload: dict[str, Any]) -> None:
    from arrears.accounts.models import User
    from arrears.accounts.roles import SYSTEM_USERNAME
    from arrears.whatif.requests import do_fail_whatif

    system = User.objects.get(username=SYSTEM_USERNAME)
    do_fail_whatif(int(payload["report"]), "the worker gave up after its last attempt (see the log)", actor=system)


def never(now: datetime) -> list[Slot]:
    """Due only when another job chains it."""
    return []


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "feed",
            _("Import the core-banking feed"),
            _("when a feed is waiting"),
            waiting_feeds,
            import_feed,
            feed_gave_up,
            priority=30,
        ),
        Job(
            "nightly", _("Nightly run and allocation"), _("after the feed of its date"), never, nightly_run, priority=20
        ),
        Job(
            "dispatch",
            _("Send queued notices"),
            _("every few minutes, and after the nightly run"),
            dispatch_interval,
            dispatch,
            priority=10,
        ),
        Job(
            "purge",
            _("Retention purge"),
            _("after the nightly run of its date"),
            never,
            purge,
            priority=5,
        ),
        Job(
            "print_batch",
            _("Print batch of letters by post"),
            _("daily from the print batch hour"),
            print_batch_due,
            print_batch,
        ),
        Job("housekeeping", _("Delete the task queue's finished rows"), _("once a day"), daily, housekeeping),
        Job(
            "complaint_mail",
            _("Read the complaint mailbox"),
            _("every few minutes, when a complaint mailbox is configured"),
            complaint_mail_due,
            complaint_mail,
            priority=15,
        ),
        Job(
            "review",
            _("Prepare the monthly review pack"),
            _("on the month's first working day, once the month before is closed"),
            review_due,
            monthly_review,
        ),
        Job(
            "transcribe",
            _("Hear and inspect call recordings"),
            _("every few minutes, when a speech recogniser is configured"),
            transcribe_due,
            transcribe,
        ),
        Job(
            "whatif",
            _("Policy what-if"),
            _("when a supervisor or analyst asks for one"),
            whatif_due,
            whatif,
            whatif_gave_up,
        ),
    )
}
