"""The worked example of the start-page tests: a small desk with known work due on the business date."""

from __future__ import annotations

from datetime import timedelta

from desk import AS_OF, open_desk

from arrears.collection.models import CollectionCase, Promise, Task
from arrears.collection.urgency import refresh_urgency

# (customer number, DPD, principal, risk): four junior-pool cases with work, one left without a collector, a
# high-risk case and a DPD-75 case in the senior pool, a DPD-100 case in the supervisor's pool.
SPEC = [
    ("P10", 10, "12000", "low"),
    ("P30", 30, "9000", "low"),
    ("F45", 45, "8000", "low"),
    ("B20", 20, "6000", "low"),
    ("U15", 15, "3000", "low"),
    ("H20", 20, "15000", "high"),
    ("S75", 75, "24000", "low"),
    ("X100", 100, "30000", "low"),
]


def task(case, key: str, kind: str, available: int, due: int) -> Task:
    """An open task on the case's borrower, available and due `available` / `due` days after the business date."""
    return Task.objects.create(
        key=key, kind=kind, borrower=case.borrower, case=case, available_from=AS_OF + timedelta(days=available),
        due_on=AS_OF + timedelta(days=due), clause="CALL-4", created_on=AS_OF + timedelta(days=available),
    )  # fmt: skip


def promise(case, due: int, fen: int = 50_000, status: str = "open") -> Promise:
    made = AS_OF - timedelta(days=5)
    return Promise.objects.create(
        borrower=case.borrower,
        case=case,
        amount_fen=fen,
        made_on=made,
        due_on=AS_OF + timedelta(days=due),
        status=status,
    )


def phone_reminder(case) -> Task:
    """The nightly run's phone reminder for the borrower's next instalment (unpaid, due after the business date):
    available today, due the day before the instalment (REM-1), so not yet a follow-up due."""
    instalment = case.borrower.loans.get().instalments.filter(due_date__gt=AS_OF).order_by("n").first()
    return Task.objects.create(
        key=f"phone_reminder:{instalment.loan_id}:{instalment.due_date.isoformat()}", kind="phone_reminder",
        borrower=case.borrower, loan=instalment.loan, available_from=AS_OF,
        due_on=instalment.due_date - timedelta(days=1), clause="REM-1", created_on=AS_OF,
    )  # fmt: skip


def start_book(extra: int = 0) -> dict:
    """The desk of SPEC (plus `extra` more junior-pool cases at DPD 5, each with a promise and a call due) with one collector of each
    tier, the nightly run's first calls done, and then, on the business date:

    - promises due today: P10 and P30 (the junior's), H20 (the senior's); F45's is due tomorrow, B20's was kept;
    - calls due: F45 today, P30 two days ago (so also overdue); B20 a broken promise from yesterday (overdue);
    - phone reminders: P10's (the junior pool's), H20's (the senior pool's);
    - U15 has no collector.
    """
    spec = SPEC + [(f"E{i:03}", 5, "2000", "low") for i in range(extra)]
    desk = open_desk(spec, {"junior_collector": 1, "senior_collector": 1, "supervisor": 1})
    cases = desk["cases"]
    Task.objects.update(status="done")  # the first calls the nightly run set for the new cases were made
    CollectionCase.objects.filter(pk=cases["U15"].pk).update(owner=None)
    promise(cases["P10"], 0)
    promise(cases["P30"], 0, fen=120_050)
    promise(cases["H20"], 0)
    promise(cases["F45"], 1)
    promise(cases["B20"], 0, status="kept")
    task(cases["F45"], "call:test-f45", "call", 0, 0)
    task(cases["P30"], "call:test-p30", "call", -2, -2)
    task(cases["B20"], "broken_promise:test-b20", "broken_promise", -1, -1)
    phone_reminder(cases["P10"])
    phone_reminder(cases["H20"])
    for i in range(extra):  # more work than the start page lists: it shows the first rows and links the rest
        promise(cases[f"E{i:03}"], 0)
        task(cases[f"E{i:03}"], f"call:test-e{i:03}", "call", 0, 0)
    refresh_urgency(
        AS_OF
    )  # the actions and the nightly run store the queue's urgency; these rows were written directly
    desk["cases"] = {c.borrower.external_id: c for c in CollectionCase.objects.select_related("borrower", "owner")}
    return desk
