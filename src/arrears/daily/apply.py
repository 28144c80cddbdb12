"""Apply one date's decisions: bulk writes in chunks of borrowers, one transaction per chunk, sealed audit.

Every write compares with what is stored, so applying the same decisions again writes nothing:
- loan positions: delinquent loans' rows updated (inserted when new), cured or closed loans' rows removed; a
  change of class adds a `DelinquencyRecord` and an audit event (CLS-1);
- cases: opened, reopened, moved, closed as decided (one open case per borrower is also a database
  constraint), each with a `CaseEvent` and an audit event under the decision's clause; a case that changes
  pool loses its collector (`arrears.collection.allocation` gives it one of the new pool after the chunks);
- reminders: written ones into the notices outbox, phone ones as tasks — unique per (loan, kind, due date);
- tasks: the keys not yet stored; promises: kept or broken, once; open tasks of routine collection of a
  borrower in the late stage (in litigation or written off, `arrears.engine.late`) cancelled, each with an audit
  event — only an open task is changed;
- instalment plans (PLAN-4): instalments found met get their day; a plan broken or completed ends (status,
  day and why) with an audit event, a broken one also with a `plan_broken` event on its case — each once, as
  only an active plan is changed.

Each change is recorded as a sealed change record (`arrears.compliance.sealed`, AUTH-4): the chunk's records are
written in bulk and sealed by one ledger event carrying their digest, which `audit verify` recomputes.
The chunk's writes, its change records and their seal, and the run ledger's cursor and change counts commit
together. A run
killed anywhere resumes after its last committed chunk; the decisions of the remaining borrowers are the same
as before the crash (no kernel looks across borrowers, and nothing of theirs was written), so the end state
and the counts are those of a clean run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import polars as pl
from django.db import connection, transaction

from arrears.accounts.permissions import Perm
from arrears.bulk import insert_rows, update_fields, update_rows
from arrears.collection.models import (
    CaseEvent,
    CaseStatus,
    CollectionCase,
    Promise,
    PromiseStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from arrears.collection.urgency import refresh_urgency
from arrears.compliance.codes import ActionCode
from arrears.compliance.sealed import record_sealed
from arrears.daily.apply_plans import PlanWrites, run_event
from arrears.daily.models import Run
from arrears.engine.positions import AMOUNT_COLUMNS, POSITION_COLUMNS
from arrears.engine.runner import Decisions
from arrears.notices.models import Notice, NoticeKind, NoticeStatus, reminder_key
from arrears.portfolio.models import DelinquencyRecord, Loan, LoanPosition, LoanStatus

__all__ = ["CHUNK_BORROWERS", "apply_decisions", "run_batch", "stored_positions"]

CHUNK_BORROWERS = 25_000
FIGURES_BATCH = 2_000  # rows per UPDATE … FROM VALUES (3 parameters each, well inside every backend's limit)
CLASS_COLUMNS = ("loan_id", "dpd", "delinquency_class")
# Why a task was withdrawn (the audit event's reason), by the borrower's late stage (`arrears.engine.late`).
LATE_REASONS = {
    "litigation": "in litigation: out of routine collection",
    "written_off": "written off: out of routine collection",
}


def stored_positions() -> pl.DataFrame:
    """The positions the last run left (delinquent loans only)."""
    rows = LoanPosition.objects.values_list("loan_id", "borrower_id", "delinquency_class")
    return pl.DataFrame(
        list(rows), schema={"loan_id": pl.Int64, "borrower_id": pl.Int64, "old_class": pl.String}, orient="row"
    )


class _Chunk(PlanWrites):
    """The decisions of one chunk of borrowers (ids low to high), and the writes that apply them."""

    def __init__(self, frames: dict[str, pl.DataFrame], as_of: date) -> None:
        self.frames = frames
        self.as_of = as_of
        self.changes: Counter[str] = Counter()
        self.events: list[dict] = []
        # Per borrower in arrears tonight: the highest DPD and the overdue total of the loans. New cases are written
        # with them and `_case_figures` writes them where they changed.
        self.figures = (
            frames["positions"]
            .group_by("borrower_id")
            .agg(pl.col("dpd").max(), pl.sum_horizontal(AMOUNT_COLUMNS).sum().alias("overdue_fen"))
            .sort("borrower_id")
        )

    def apply(self) -> None:
        self._positions()
        self._cases()
        self._case_figures()
        self._reminders()
        self._tasks()
        self._withdraw_tasks()
        self._promises()
        self._plans()
        self._plan_reminders()

    def _positions(self) -> None:
        new, old = self.frames["positions"], self.frames["old_positions"]
        delinquent = new.filter(pl.col("dpd") > 0)
        # Loans with a stored row that are no longer delinquent (cured, or no longer active and not a problem).
        gone = old.join(delinquent.select("loan_id"), on="loan_id", how="anti").join(
            self.frames["problems"].select("loan_id"), on="loan_id", how="anti"
        )
        if gone.height:
            LoanPosition.objects.filter(loan_id__among=gone["loan_id"].to_list()).delete()
        if delinquent.height:
            # A loan still delinquent has its stored row updated (its loan and borrower stay, so no foreign key is
            # checked again), a newly delinquent one a row inserted. A problem loan's row (the engine could not
            # decide it tonight) is neither: it stays as the last run left it.
            stored, fields = old.select("loan_id"), ["borrower", *POSITION_COLUMNS[2:], "as_of"]
            kept = delinquent.join(stored, on="loan_id", how="semi").select(POSITION_COLUMNS)
            fresh = delinquent.join(stored, on="loan_id", how="anti").select(POSITION_COLUMNS)
            update_rows(LoanPosition, fields, ((*row, self.as_of) for row in kept.iter_rows()))  # keyed by the loan
            insert_rows(LoanPosition, ["loan", *fields], ((*row, self.as_of) for row in fresh.iter_rows()))
        self.changes["positions_written"] += delinquent.height
        self.changes["positions_removed"] += gone.height
        # The engine lists loans in arrears; a stored loan it no longer lists is cured if still active.
        gone_ids = gone["loan_id"].to_list()
        cured = (
            set(Loan.objects.filter(pk__among=gone_ids, status=LoanStatus.ACTIVE).values_list("pk", flat=True))
            if gone_ids
            else set()
        )
        current = pl.DataFrame(
            {"loan_id": sorted(cured), "dpd": [0] * len(cured), "delinquency_class": ["current"] * len(cured)},
            schema={"loan_id": pl.Int64, "dpd": pl.Int32, "delinquency_class": pl.String},
        )
        moved = pl.concat([delinquent.select("loan_id", "dpd", "delinquency_class"), current]).join(
            old.select("loan_id", "old_class"), on="loan_id", how="left"
        )
        moved = moved.with_columns(pl.col("old_class").fill_null("current")).filter(
            pl.col("old_class") != pl.col("delinquency_class")
        )
        self.changes["class_changes"] += insert_rows(
            DelinquencyRecord,
            ["loan", "business_date", "dpd", "delinquency_class", "clause"],
            ((loan, self.as_of, dpd, klass, "CLS-1") for loan, dpd, klass in moved.select(*CLASS_COLUMNS).iter_rows()),
        )
        self.events.extend(
            run_event(
                ActionCode.CLASSIFY_LOAN,
                ("portfolio.loan", row["loan_id"]),
                "CLS-1",
                {"delinquency_class": (row["old_class"], row["delinquency_class"]), "dpd": (None, row["dpd"])},
            )
            for row in moved.iter_rows(named=True)
        )

    def _cases(self) -> None:
        decisions = self.frames["cases"]
        if not decisions.height:
            return
        opened = decisions.filter(pl.col("decision") == "open").to_dicts()
        opening = (self.as_of, 1, self.as_of)  # opened on, times opened, as of
        # A new case gets tonight's overdue total as it is written, so `_case_figures` finds nothing to change.
        overdue = dict(self.figures.select("borrower_id", "overdue_fen").iter_rows()) if opened else {}
        before = _last_pk(CollectionCase)
        insert_rows(
            CollectionCase,
            [
                "borrower",
                "status",
                "delinquency_class",
                "pool",
                "opened_on",
                "times_opened",
                "updated_on",
                "dpd",
                "overdue_fen",
            ],
            (
                (
                    r["borrower_id"],
                    CaseStatus.OPEN,
                    r["to_class"],
                    r["to_pool"] or "",
                    *opening,
                    r["dpd"],
                    overdue.get(r["borrower_id"], 0),
                )
                for r in opened
            ),
        )
        case_of = dict(
            CollectionCase.objects.filter(pk__gt=before, status=CaseStatus.OPEN).values_list("borrower_id", "pk")
        )
        events = [(case_of[row["borrower_id"]], "opened", row) for row in opened]
        existing = {row["case_id"]: row for row in decisions.filter(pl.col("decision") != "open").to_dicts()}
        cases = CollectionCase.objects.in_bulk(list(existing))
        kinds = {"reopen": "reopened", "move": "moved", "close": "closed"}
        for case_id, row in existing.items():
            case = cases[case_id]
            if row["decision"] == "close":
                case.status, case.closed_on, case.delinquency_class, case.pool = (
                    CaseStatus.CLOSED,
                    self.as_of,
                    "current",
                    "",
                )
            else:
                if row["decision"] == "reopen":
                    case.status, case.closed_on, case.opened_on = CaseStatus.OPEN, None, self.as_of
                    case.times_opened += 1
                if case.pool != (row["to_pool"] or "") and row["decision"] == "move":
                    # A case stays with its collector only while it stays in the pool (TEAM-3): the
                    # allocation after the chunks gives it a collector of its new pool.
                    case.owner_id, case.assigned_on = None, None
                case.delinquency_class, case.pool = row["to_class"], row["to_pool"] or ""
            case.updated_on = self.as_of
            events.append((case_id, kinds[row["decision"]], row))
        update_fields(
            cases.values(),
            [
                "status",
                "closed_on",
                "opened_on",
                "times_opened",
                "delinquency_class",
                "pool",
                "updated_on",
                "owner",
                "assigned_on",
            ],
        )
        insert_rows(
            CaseEvent,
            ["case", "business_date", "kind", "from_class", "to_class", "from_pool", "to_pool", "dpd", "clause"],
            (
                (
                    case_id,
                    self.as_of,
                    kind,
                    row["from_class"] or "",
                    row["to_class"] or "",
                    row["from_pool"] or "",
                    row["to_pool"] or "",
                    row["dpd"],
                    row["clause"],
                )
                for case_id, kind, row in events
            ),
        )
        codes = {
            "opened": ActionCode.OPEN_CASE,
            "reopened": ActionCode.REOPEN_CASE,
            "moved": ActionCode.MOVE_CASE,
            "closed": ActionCode.CLOSE_CASE,
        }
        for case_id, kind, row in events:
            self.changes[f"cases_{kind}"] += 1
            self.events.append(
                run_event(
                    codes[kind],
                    ("collection.collectioncase", case_id),
                    row["clause"],
                    {
                        "delinquency_class": (row["from_class"], row["to_class"]),
                        "pool": (row["from_pool"], row["to_pool"]),
                        "dpd": (None, row["dpd"]),
                    },
                )
            )

    def _case_figures(self) -> None:
        """Each open case's DPD and overdue total as of tonight (the queue sorts by them), written only where
        they changed: one UPDATE … FROM a VALUES list per chunk."""
        figures = self.figures
        if not figures.height:
            return
        table = CollectionCase._meta.db_table
        if connection.vendor == "postgresql":  # three arrays: one statement, whatever the chunk's size
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS c SET dpd = v.dpd, overdue_fen = v.overdue_fen "  # noqa: S608 - our table
                    "FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS v (borrower_id, dpd, overdue_fen) "
                    "WHERE c.borrower_id = v.borrower_id AND c.status = 'open' "
                    "AND (c.dpd <> v.dpd OR c.overdue_fen <> v.overdue_fen)",
                    [figures[name].to_list() for name in ("borrower_id", "dpd", "overdue_fen")],
                )
                self.changes["case_figures"] += cursor.rowcount
            return
        rows = figures.select("borrower_id", "dpd", "overdue_fen").rows()
        with connection.cursor() as cursor:
            for start in range(0, len(rows), FIGURES_BATCH):
                batch = rows[start : start + FIGURES_BATCH]
                values = ", ".join(["(%s, %s, %s)"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} SET dpd = v.dpd, overdue_fen = v.overdue_fen "  # noqa: S608 - our own table
                    "FROM (SELECT column1 AS borrower_id, column2 AS dpd, column3 AS overdue_fen "
                    f"FROM (VALUES {values}) AS f) AS v "
                    f"WHERE {table}.borrower_id = v.borrower_id AND {table}.status = 'open' "
                    f"AND ({table}.dpd <> v.dpd OR {table}.overdue_fen <> v.overdue_fen)",
                    [value for row in batch for value in row],
                )
                self.changes["case_figures"] += cursor.rowcount

    def _reminders(self) -> None:
        reminders = self.frames["reminders"]
        written = reminders.filter((pl.col("kind") == "written") & pl.col("channel").is_not_null())
        if written.height:
            have = set(
                Notice.objects.filter(
                    loan_id__among=written["loan_id"].to_list(),
                    kind=NoticeKind.REMINDER,
                    due_date__among=written["due_date"].unique().to_list(),
                ).values_list("loan_id", "due_date")
            )
            fresh = [r for r in written.to_dicts() if (r["loan_id"], r["due_date"]) not in have]
            before = _last_pk(Notice)
            insert_rows(
                Notice,
                [
                    "key",
                    "loan",
                    "borrower",
                    "kind",
                    "channel",
                    "due_date",
                    "instalment_n",
                    "amount_fen",
                    "status",
                    "queued_on",
                    "clause",
                ],
                (
                    (
                        reminder_key(r["loan_id"], r["due_date"]),
                        r["loan_id"],
                        r["borrower_id"],
                        NoticeKind.REMINDER,
                        r["channel"],
                        r["due_date"],
                        r["n"],
                        r["amount_due_fen"],
                        NoticeStatus.QUEUED,
                        self.as_of,
                        r["clause"],
                    )
                    for r in fresh
                ),
            )
            ids = {
                (loan, due): pk
                for pk, loan, due in Notice.objects.filter(
                    pk__gt=before, queued_on=self.as_of, kind=NoticeKind.REMINDER
                ).values_list("pk", "loan_id", "due_date")
            }
            self.changes["reminders_queued"] += len(fresh)
            self.events.extend(
                run_event(
                    ActionCode.QUEUE_REMINDER,
                    ("notices.notice", ids[r["loan_id"], r["due_date"]]),
                    "REM-1",
                    {
                        "channel": (None, r["channel"]),
                        "due_date": (None, r["due_date"]),
                        "amount_fen": (None, r["amount_due_fen"]),
                    },
                )
                for r in fresh
            )
        phone = reminders.filter(pl.col("kind") == "phone")
        if phone.height:
            self._add_tasks(
                {
                    "key": f"phone_reminder:{r['loan_id']}:{r['due_date']}",
                    "borrower_id": r["borrower_id"],
                    "loan_id": r["loan_id"],
                    "kind": TaskKind.PHONE_REMINDER,
                    "available_from": self.as_of,
                    "due_on": self.as_of,
                    "ref_id": None,
                    "route": None,
                    "reason": f"instalment {r['n']} due {r['due_date']}, {r['amount_due_fen']} fen",
                    "clause": "REM-1",
                }
                for r in phone.to_dicts()
            )

    def _tasks(self) -> None:
        tasks = self.frames["tasks"]
        if tasks.height:
            self._add_tasks({**row, "loan_id": None} for row in tasks.to_dicts())

    def _add_tasks(self, rows: Iterable[dict]) -> None:
        rows = list(rows)
        have = set(Task.objects.filter(key__among=[r["key"] for r in rows]).values_list("key", flat=True))
        fresh = [r for r in rows if r["key"] not in have]
        if not fresh:
            return
        borrowers = {r["borrower_id"] for r in fresh}
        open_case = dict(  # a range of the one-open-case-per-borrower index, not a lookup of each borrower
            CollectionCase.objects.filter(
                status=CaseStatus.OPEN, borrower_id__gte=min(borrowers), borrower_id__lte=max(borrowers)
            ).values_list("borrower_id", "pk")
        )
        before = _last_pk(Task)
        insert_rows(
            Task,
            [
                "key",
                "kind",
                "borrower",
                "case",
                "loan",
                "available_from",
                "due_on",
                "status",
                "route",
                "reason",
                "ref_id",
                "clause",
                "created_on",
            ],
            (
                (
                    r["key"],
                    r["kind"],
                    r["borrower_id"],
                    open_case.get(r["borrower_id"]),
                    r["loan_id"],
                    r["available_from"],
                    r["due_on"],
                    TaskStatus.OPEN,
                    r["route"] or "",
                    r["reason"] or "",
                    r["ref_id"],
                    r["clause"],
                    self.as_of,
                )
                for r in fresh
            ),
        )
        ids = dict(Task.objects.filter(pk__gt=before).values_list("key", "pk"))
        for r in fresh:
            self.changes[f"tasks_{r['kind']}"] += 1
        self.events.extend(
            run_event(
                ActionCode.CREATE_TASK,
                ("collection.task", ids[r["key"]]),
                r["clause"],
                {"key": (None, r["key"]), "due_on": (None, r["due_on"]), "route": (None, r["route"] or None)},
                r["reason"] or "",
            )
            for r in fresh
        )

    def _withdraw_tasks(self) -> None:
        """CLS-2: the open tasks of routine collection of borrowers in the late stage are cancelled; the rows are
        locked and only a task still open changes, so applying again changes nothing."""
        withdrawn = {row["task_id"]: row for row in self.frames["withdrawn"].to_dicts()}
        if not withdrawn:
            return
        tasks = list(
            Task.objects.select_for_update()
            .filter(pk__among=list(withdrawn), status=TaskStatus.OPEN)
            .order_by("pk")
            .values_list("pk", "key")
        )
        Task.objects.filter(pk__among=[pk for pk, _ in tasks]).update(status=TaskStatus.CANCELLED)
        self.changes["tasks_withdrawn"] += len(tasks)
        self.events.extend(
            run_event(
                ActionCode.WITHDRAW_TASK,
                ("collection.task", pk),
                withdrawn[pk]["clause"],
                {"status": (TaskStatus.OPEN.value, TaskStatus.CANCELLED.value)},
                LATE_REASONS[withdrawn[pk]["stage"]],
            )
            for pk, key in tasks
        )

    def _promises(self) -> None:
        outcomes = self.frames["promises"]
        if not outcomes.height:
            return
        decided = {row["promise_id"]: row for row in outcomes.to_dicts()}
        promises = list(Promise.objects.filter(pk__among=list(decided), status=PromiseStatus.OPEN))
        for promise in promises:
            row = decided[promise.pk]
            promise.status, promise.paid_fen, promise.decided_on = row["outcome"], row["paid_fen"], self.as_of
            self.changes[f"promises_{row['outcome']}"] += 1
            self.events.append(
                run_event(
                    ActionCode.DECIDE_PROMISE,
                    ("collection.promise", promise.pk),
                    "CALL-3",
                    {"status": ("open", row["outcome"]), "paid_fen": (None, row["paid_fen"])},
                )
            )
        update_fields(promises, ["status", "paid_fen", "decided_on"])


def _last_pk(model) -> int:
    """The highest id so far: the ids of rows inserted next (one run at a time) are found above it by a range
    read, not by a lookup of every key. Rows another writer inserts meanwhile are above it too: the callers
    keep only their own keys."""
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _event_order(event: dict) -> tuple:
    kind, ident = event["subject"]
    return kind, ident, str(event["action"])


def run_batch(run: Run) -> str:
    """The batch of sealed change records of the run of one date (`arrears.compliance.seals`)."""
    return f"daily:{run.business_date.isoformat()}"


def _borrowers_touched(frames: dict[str, pl.DataFrame]) -> list[int]:
    ids = pl.concat([frame.select(pl.col("borrower_id").cast(pl.Int64)) for frame in frames.values()])
    return ids["borrower_id"].drop_nulls().unique().sort().to_list()


def apply_decisions(
    run: Run,
    decisions: Decisions,
    *,
    actor: Any,
    chunk_borrowers: int = CHUNK_BORROWERS,
    progress: Callable[[int, int], None] | None = None,
) -> Counter[str]:
    """Apply the decisions of borrowers after `run.cursor`, chunk by chunk; returns this call's changes
    (the ledger row holds the run's total). `progress(done, total)` counts borrowers."""
    as_of = run.business_date
    old = stored_positions()
    frames = {
        "positions": decisions.positions,
        "problems": decisions.problems,
        "old_positions": old,
        "cases": decisions.cases,
        "reminders": decisions.reminders,
        "tasks": decisions.tasks,
        "promises": decisions.promises,
        "plan_decisions": decisions.plan_decisions,
        "plan_met": decisions.plan_met,
        "plan_reminders": decisions.plan_reminders,
        "withdrawn": decisions.withdrawn,
    }
    # Only borrowers with something to write: a delinquent or formerly delinquent loan, a case decision,
    # a reminder, a task (new or withdrawn), a promise outcome or a plan's progress (loans current on both days
    # need nothing).
    relevant = {**frames, "positions": decisions.positions.filter(pl.col("dpd") > 0)}
    borrowers = [
        b for b in _borrowers_touched({k: v for k, v in relevant.items() if k != "problems"}) if b > run.cursor
    ]
    total: Counter[str] = Counter()
    if progress is not None:
        progress(0, len(borrowers))
    for start in range(0, len(borrowers), chunk_borrowers):
        ids = borrowers[start : start + chunk_borrowers]
        low, high = ids[0], ids[-1]
        mine = pl.col("borrower_id").is_between(low, high)
        chunk = _Chunk({name: frame.filter(mine) for name, frame in relevant.items()}, as_of)
        with transaction.atomic():
            chunk.apply()
            # AUTH-4: the chunk's changes as sealed change records, and one ledger event sealing them.
            chunk.changes["audit_events"] += record_sealed(
                run_batch(run),
                # In an order that depends only on the decisions (polars' joins may reorder rows), so a resumed
                # run numbers its changes as a clean run does.
                sorted(chunk.events, key=_event_order),
                actor=actor,
                permission=Perm.RUN_DAILY,
                subject=run,
                reason=f"the changes of the nightly run of {as_of} for borrowers {low}–{high}",
            )
            ledger = Run.objects.select_for_update().get(pk=run.pk)
            merged = Counter(ledger.changes)
            merged.update(chunk.changes)
            ledger.changes, ledger.cursor = dict(merged), high
            ledger.save(update_fields=["changes", "cursor"])
            run.changes, run.cursor = ledger.changes, ledger.cursor
        total.update(chunk.changes)
        if progress is not None:
            progress(start + len(ids), len(borrowers))
    # The queue's stored urgency of every open case as of tonight (`collection.urgency`): after the chunks, since
    # the date moved for every case; only the cases whose urgency changed are written. Again when resumed.
    with transaction.atomic():
        refresh_urgency(as_of)
    return total
