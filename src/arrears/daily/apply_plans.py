"""The nightly run's writes for instalment plans (PLAN-4, REM-1), part of each chunk's apply step
(`arrears.daily.apply`): the day each plan instalment was met, plans broken or completed, and the written
reminders before a plan's instalments. Like the rest of the apply step, each write compares with what is stored,
so applying the same decisions again writes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import polars as pl

from arrears.accounts.permissions import Perm
from arrears.arrangements.models import Plan, PlanInstalment, PlanStatus
from arrears.bulk import insert_rows, update_fields
from arrears.collection.models import CaseEvent, CaseEventKind, CollectionCase
from arrears.compliance.codes import ActionCode
from arrears.notices.models import Notice, NoticeKind, NoticeStatus, plan_reminder_key


def run_event(code: ActionCode, subject: tuple[str, Any], clause: str, changes: dict, reason: str = "") -> dict:
    """One audit event of the nightly run, for `append_events_bulk`."""
    return {
        "action": code,
        "permission": Perm.RUN_DAILY,
        "subject": subject,
        "clause": clause,
        "changes": changes,
        "reason": reason,
    }


class PlanWrites:
    """The plan part of a chunk's writes; the chunk holds the frames, the date, the counts and the events."""

    frames: dict[str, pl.DataFrame]
    as_of: date
    changes: Counter[str]
    events: list[dict[str, Any]]

    def _plans(self) -> None:
        """PLAN-4: the day each instalment was met; plans broken or completed tonight. Rows are locked and only
        an instalment not yet met or a plan still active is changed, so applying again changes nothing."""
        met = self.frames["plan_met"]
        if met.height:
            found = {(r["plan_id"], r["n"]): r["met_on"] for r in met.iter_rows(named=True)}
            instalments = [
                row
                for row in PlanInstalment.objects.select_for_update().filter(
                    plan_id__among=met["plan_id"].unique().to_list(), met_on__isnull=True
                )
                if (row.plan_id, row.n) in found
            ]
            for row in instalments:
                row.met_on = found[row.plan_id, row.n]
            update_fields(instalments, ["met_on"])
            self.changes["plan_instalments_met"] += len(instalments)
            self.events.extend(
                run_event(
                    ActionCode.RECORD_INSTALMENT_MET,
                    ("arrangements.plan", row.plan_id),
                    "PLAN-4",
                    {"instalment": (None, row.n), "met_on": (None, row.met_on)},
                )
                for row in instalments
            )
        decided = {row["plan_id"]: row for row in self.frames["plan_decisions"].to_dicts()}
        if not decided:
            return
        # Only the columns changed or read: a plan row also holds its agreement and the signed scan (megabytes).
        plans = list(
            Plan.objects.select_for_update()
            .filter(pk__among=list(decided), status=PlanStatus.ACTIVE)
            .only("pk", "case_id", "status", "ended_on", "end_reason")
        )
        for plan in plans:
            row = decided[plan.pk]
            plan.status, plan.ended_on, plan.end_reason = row["decision"], self.as_of, row["reason"][:300]
            self.changes[f"plans_{row['decision']}"] += 1
            self.events.append(
                run_event(
                    ActionCode.BREAK_PLAN if row["decision"] == PlanStatus.BROKEN else ActionCode.COMPLETE_PLAN,
                    ("arrangements.plan", plan.pk),
                    "PLAN-4",
                    {
                        "status": (PlanStatus.ACTIVE.value, row["decision"]),
                        "ended_on": (None, self.as_of),
                        "instalment": (None, row["n"]),
                        "cumulative_fen": (None, row["cumulative_fen"]),
                        "paid_fen": (None, row["paid_fen"]),
                    },
                    row["reason"],
                )
            )
        update_fields(plans, ["status", "ended_on", "end_reason"])
        broken = [plan for plan in plans if plan.status == PlanStatus.BROKEN]
        if not broken:
            return
        # The case's figures as tonight left them (its pool already moved under PLAN-4 by `_cases`).
        cases = CollectionCase.objects.in_bulk([plan.case_id for plan in broken])
        insert_rows(
            CaseEvent,
            ["case", "business_date", "kind", "from_class", "to_class", "from_pool", "to_pool", "dpd", "clause"],
            (
                (
                    plan.case_id,
                    self.as_of,
                    CaseEventKind.PLAN_BROKEN,
                    "",
                    cases[plan.case_id].delinquency_class,
                    "",
                    cases[plan.case_id].pool,
                    cases[plan.case_id].dpd,
                    "PLAN-4",
                )
                for plan in broken
            ),
        )

    PLAN_REMINDER_COLUMNS = [
        "key",
        "plan",
        "borrower",
        "kind",
        "channel",
        "due_date",
        "instalment_n",
        "amount_fen",
        "status",
        "queued_on",
        "clause",
    ]

    def _plan_reminders(self) -> None:
        """REM-1 for plans in force: a written reminder before each instalment not yet met, queued once per
        plan instalment (key `plan:<plan>:<n>`; the dispatcher re-checks the plan and the payments at send time).
        A reminder no consented channel can carry is counted, not queued."""
        reminders = self.frames["plan_reminders"]
        if not reminders.height:
            return
        self.changes["plan_reminders_without_channel"] += int(reminders["channel"].is_null().sum())
        rows = {
            plan_reminder_key(r["plan_id"], r["n"]): r
            for r in reminders.filter(pl.col("channel").is_not_null()).to_dicts()
        }
        have = set(Notice.objects.filter(key__among=list(rows)).values_list("key", flat=True))
        fresh = {key: r for key, r in rows.items() if key not in have}
        if not fresh:
            return
        insert_rows(
            Notice,
            self.PLAN_REMINDER_COLUMNS,
            (
                (
                    key,
                    r["plan_id"],
                    r["borrower_id"],
                    NoticeKind.PLAN,
                    r["channel"],
                    r["due_date"],
                    r["n"],
                    r["amount_due_fen"],
                    NoticeStatus.QUEUED,
                    self.as_of,
                    r["clause"],
                )
                for key, r in fresh.items()
            ),
        )
        ids = dict(Notice.objects.filter(key__among=list(fresh)).values_list("key", "pk"))
        self.changes["plan_reminders_queued"] += len(fresh)
        self.events.extend(
            run_event(
                ActionCode.QUEUE_REMINDER,
                ("notices.notice", ids[key]),
                "REM-1",
                {
                    "plan": (None, r["plan_id"]),
                    "instalment": (None, r["n"]),
                    "channel": (None, r["channel"]),
                    "due_date": (None, r["due_date"]),
                    "amount_fen": (None, r["amount_due_fen"]),
                },
            )
            for key, r in fresh.items()
        )
