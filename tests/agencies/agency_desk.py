"""The agency's desk on 2026-03-20 (the business date), as a literal table:

| case | DPD | overdue   | placed with            | placement                         | in force on 2026-03-20 |
|------|-----|-----------|------------------------|-----------------------------------|------------------------|
| P1   | 95  | 20,000.00 | agency A (AGY-A01)     | 2026-03-10 for 30 days → 04-08    | yes                    |
| P2   | 95  | 21,000.00 | agency B (AGY-B01)     | 2026-03-10 for 30 days → 04-08    | yes (B's, not A's)     |
| U1   | 95  | 22,000.00 | —                      | —                                 | no                     |
| E1   | 95  | 23,000.00 | agency A               | 2026-02-17 for 30 days → 03-18    | no: the period ended   |
| R1   | 95  | 24,000.00 | agency A               | 2026-03-10, recalled 2026-03-19   | no: recalled           |

Both agencies are eligible (AGY-1: documents valid through 2030). `agent_a` and `agent_b` are their users. The
bank's supervisor sent a letter by post on P2 and U1 (their PDFs must stay closed to agency A).
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from desk import WORKING_HOURS
from late_desk import AS_OF, late_desk
from placing import eligible_agency, place, recall

from arrears.collection.letters import do_send_letter
from factories import make_user

__all__ = ["AS_OF", "WORKING_HOURS", "agency_desk"]

CASES = [("P1", 95, "20000"), ("P2", 95, "21000"), ("U1", 95, "22000"), ("E1", 95, "23000"), ("R1", 95, "24000")]


def agency_desk() -> SimpleNamespace:
    desk = late_desk(flat=CASES)
    cases, boss = desk.cases, desk.boss
    a = eligible_agency("甲催收服务有限公司", "AGY-A01")
    b = eligible_agency("乙资产管理有限公司", "AGY-B01")
    desk.agency_a, desk.agency_b = a, b
    desk.agent_a = make_user("agency_user", username="agent-a", agency=a)
    desk.agent_b = make_user("agency_user", username="agent-b", agency=b)
    march_10 = AS_OF - timedelta(days=10)
    desk.placements = {
        "P1": place(cases["P1"], a, by=boss, placed_on=march_10),
        "P2": place(cases["P2"], b, by=boss, placed_on=march_10),
        "E1": place(cases["E1"], a, by=boss, placed_on=AS_OF - timedelta(days=31)),
        "R1": place(cases["R1"], a, by=boss, placed_on=march_10),
    }
    recall(desk.placements["R1"], by=boss, on=AS_OF - timedelta(days=1))
    desk.letters = {
        ext: do_send_letter(cases[ext], channel="post", actor=boss, today=AS_OF, at=WORKING_HOURS)
        for ext in ("P2", "U1")
    }
    return desk
