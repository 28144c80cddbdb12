"""The SLA page `/complaints/sla/` and `GET /api/v1/complaints/sla`: the CLI's figures (`queries.sla`) for this
month and last month, in total and by channel, worked with literal numbers; the API answers what the CLI prints;
collectors are refused with nothing changed.

Filed (Beijing times). Last month: H by email on Tuesday 3 February 10:00, answered 11:00, investigation due Friday
6 February, never closed; G by phone on 26 February 10:00, never answered. This month (as `test_sla`): F by phone on
13 March 10:00, answered 12:00; A by phone on 17 March 10:00, answered late on the 18th at 11:00; B by email on
17 March 14:00, unmatched, never answered; C forwarded by the regulator on 17 March 20:00, answered on the 18th at
09:00; D at a branch on 18 March 09:00; E by phone on 19 March 09:00.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from apicalls import bearer
from django.test import Client

from arrears.accounts.tokens import do_create_token
from arrears.cli import main
from arrears.collection.models import Assignment, CollectionCase, Pool
from arrears.complaints import sla
from arrears.complaints.actions import do_file_complaint, do_record_response
from arrears.compliance.models import AuditEvent
from arrears.portfolio.models import Borrower
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def filed():
    officer = make_user("compliance_officer")
    make_borrower(mobile="13812345678")

    def file(month, day, hour, channel, mobile="13812345678", answered=None):
        complaint = do_file_complaint(
            channel=channel,
            received_at=datetime(2026, month, day, hour, 0, tzinfo=BJ),
            text="催收人员态度恶劣",
            mobile=mobile,
            actor=officer,
        )
        if answered:
            at = datetime(2026, month, *answered, 0, tzinfo=BJ)
            do_record_response(complaint, how="call", at=at, actor=officer, note="called the complainant back")

    file(2, 3, 10, "email", answered=(3, 11))  # H
    file(2, 26, 10, "phone")  # G
    file(3, 13, 10, "phone", answered=(13, 12))  # F
    file(3, 17, 10, "phone", answered=(18, 11))  # A, late
    file(3, 17, 14, "email", mobile="13000000000")  # B, unmatched, no answer
    file(3, 17, 20, "regulator", answered=(18, 9))  # C
    file(3, 18, 9, "branch")  # D
    file(3, 19, 9, "phone")  # E
    return officer


def figures(page: str, row: str) -> list[int]:
    start = page.index(f'id="sla-{row}"')
    cells = page[start : page.index("</tr>", start)].split("<td>")[3:]
    return [int(cell.split("<")[0]) for cell in cells]


def test_this_month_and_last_month_by_channel(filed):
    """Clause: CMP-2, CMP-3 — this month (received from 1 March, as of the end of the 18th): open F, A, B, C, D;
    due today B's response and F's investigation; response breached A (late) and B; investigation breached F.
    Last month (as of the end of 28 February): open H and G; response breached G; investigation breached H."""
    client = Client()
    client.force_login(make_user("supervisor"))
    page = client.get("/complaints/sla/?on=2026-03-18").content.decode()
    assert figures(page, "this_month-all") == [5, 2, 2, 1]
    assert figures(page, "this_month-phone") == [2, 1, 1, 1]
    assert figures(page, "this_month-email") == [1, 1, 1, 0]
    assert figures(page, "this_month-regulator") == [1, 0, 0, 0]
    assert figures(page, "this_month-branch") == [1, 0, 0, 0]
    assert figures(page, "last_month-all") == [2, 0, 1, 1]
    assert figures(page, "last_month-phone") == [1, 0, 1, 0]
    assert figures(page, "last_month-email") == [1, 0, 0, 1]
    assert figures(page, "last_month-regulator") == [0, 0, 0, 0]


def test_the_csv_export(filed):
    """Clause: CMP-2, CMP-3 — the page's rows as CSV, one audited read."""
    client = Client()
    client.force_login(filed)
    before = AuditEvent.objects.filter(action="home.export_list").count()
    response = client.get("/complaints/sla/?on=2026-03-18&format=csv")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 10 + 2  # 2 months x (every channel and 4 channels), and "no team" in each month
    assert lines[1][1:] == ["2026-03", lines[1][2], "5", "2", "2", "1"]
    assert lines[6][1:] == ["2026-02", lines[6][2], "2", "0", "1", "1"]
    assert lines[11][1:] == ["2026-03", "无团队", "5", "2", "2", "1"]
    assert AuditEvent.objects.filter(action="home.export_list").count() == before + 1


def test_the_api_answers_what_the_cli_prints(filed, capsys):
    """Clause: CMP-2, CMP-3 — every complaint received by the end of the 18th, February's too: G's investigation was due on 2 March (28 February a make-up working day), so H, G and F are breached."""
    token = do_create_token("svc-co", "compliance_officer", actor=make_user("administrator"))[1]
    answer = bearer(token).get("/api/v1/complaints/sla?on=2026-03-18")
    assert answer.status_code == 200, answer.content
    assert main(["complaints", "sla", "--on", "2026-03-18", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert answer.json() == printed == {"open": 7, "due_today": 2, "breached_response": 3, "breached_investigation": 3}


def test_a_bad_date(filed):
    client = Client()
    client.force_login(filed)
    page = client.get("/complaints/sla/?on=18.03.2026")
    assert page.status_code == 200
    assert "YYYY-MM-DD" in page.content.decode()
    token = do_create_token("svc-co", "compliance_officer", actor=make_user("administrator"))[1]
    for on in ("2026-13-01", "9999-12-31"):
        answer = bearer(token).get(f"/api/v1/complaints/sla?on={on}")
        assert answer.status_code == 422
        assert "error" in answer.json()
    assert "YYYY-MM-DD" in client.get("/complaints/sla/?on=0001-01-01").content.decode()


def test_collectors_are_refused_with_nothing_changed(filed):
    events = AuditEvent.objects.count()
    client = Client()
    client.force_login(make_user("junior_collector"))
    assert client.get("/complaints/sla/").status_code == 403
    assert client.get("/complaints/sla/?format=csv").status_code == 403
    token = do_create_token("svc-jc", "junior_collector", actor=make_user("administrator"))[1]
    events = AuditEvent.objects.count()
    assert bearer(token).get("/api/v1/complaints/sla").status_code == 403
    assert AuditEvent.objects.exclude(action__startswith="api.").count() == events


def test_by_team_at_receipt(filed):
    """Clause: CMP-2, CMP-3 — the borrower's case went to the junior pool on 15 March and to an agency's user on
    17 March at 15:00: A (17th 10:00) counts for the junior pool, C and D for the agency; F (before any
    assignment), B (unmatched) and last month's H and G count under no team."""
    borrower = Borrower.objects.get(mobile="13812345678")
    case = CollectionCase.objects.create(
        borrower=borrower,
        status="open",
        delinquency_class="mild",
        pool="junior",
        opened_on=date(2026, 3, 15),
        updated_on=date(2026, 3, 15),
    )
    supervisor, agent = make_user("supervisor"), make_user("agency_user")
    for to, pool, at in (
        (make_user("junior_collector"), "junior", datetime(2026, 3, 15, 2, 0, tzinfo=BJ)),
        (agent, "senior", datetime(2026, 3, 17, 15, 0, tzinfo=BJ)),
    ):
        Assignment.objects.create(
            case=case,
            kind="allocated",
            to_owner=to,
            pool=pool,
            business_date=at.date(),
            at=at,
            by=supervisor,
            clause="TEAM-3",
        )
    found = {
        (row.period, str(row.channel_label)): [
            row.figures.open,
            row.figures.due_today,
            row.figures.breached_response,
            row.figures.breached_investigation,
        ]
        for row in sla.teams(date(2026, 3, 18))
    }
    assert found == {
        ("this_month", str(Pool.JUNIOR.label)): [1, 0, 1, 0],
        ("this_month", agent.agency.name): [2, 0, 0, 0],
        ("this_month", str(sla.NO_TEAM)): [2, 2, 1, 1],
        ("last_month", str(sla.NO_TEAM)): [2, 0, 1, 1],
    }
    client = Client()
    client.force_login(supervisor)
    page = client.get("/complaints/sla/?on=2026-03-18").content.decode()
    assert agent.agency.name in page
    assert (
        len(
            list(
                csv.reader(
                    io.StringIO(client.get("/complaints/sla/?on=2026-03-18&format=csv").content.decode("utf-8-sig"))
                )
            )
        )
        == 1 + 10 + 4
    )
