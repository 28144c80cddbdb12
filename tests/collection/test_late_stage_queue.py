"""The queue and the case page show a case's late stage in words (CLS-2, LIT-2, AUTH-3): in litigation with its
court stage, written off, or placement with an agency decided (the latest decision) — from the same query as the
rows, so a page costs the same number of queries whatever the late stages on it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from django.db import connection
from django.test.utils import CaptureQueriesContext
from legal_rows import DECIDED_AT, decide, sue, write_off

from arrears.collection import views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)


@pytest.fixture
def desk():
    """Six severe cases (DPD 95), all in the supervisors' pool and held by the one supervisor."""
    names = ["SUED", "WROTE", "AGENCY", "CHANGED", "PROPOSED", "PLAIN"]
    desk = open_desk([(name, 95, "12000", "low") for name in names], {"supervisor": 2})
    desk["supervisor"], desk["checker"] = desk["users"]["supervisor"]
    for case in desk["cases"].values():
        case.owner = desk["supervisor"]
        case.save(update_fields=["owner"])
    return desk


def late_stages(desk) -> None:
    cases, by, checker = desk["cases"], desk["supervisor"], desk["checker"]
    sue(cases["SUED"], by, on=AS_OF, stage="filed")
    write_off(cases["WROTE"], by, checker, on=AS_OF)
    decide(cases["AGENCY"], "agency", by, on=AS_OF)
    decide(cases["CHANGED"], "agency", by, on=AS_OF)
    decide(cases["CHANGED"], "continue", by, on=AS_OF, at=DECIDED_AT + timedelta(hours=1),
           revisit_on=AS_OF + timedelta(days=30))  # fmt: skip
    write_off(cases["PROPOSED"], by, checker, on=AS_OF, status="proposed")


def shown(page: str, desk) -> dict[str, str]:
    """Each case's late-stage cell, by the borrower's number."""
    cells = {}
    for name, case in desk["cases"].items():
        row = re.search(rf'<tr data-case="{case.pk}".*?</tr>', page, re.S).group()
        cells[name] = re.search(r'<td class="late-stage">(.*?)</td>', row, re.S).group(1)
    return cells


def test_the_queue_shows_each_case_s_late_stage_in_words(client, desk):
    """Clause: CLS-2, LIT-2, AUTH-3 — a lawsuit filed, an approved write-off, an agency decided; an agency decision
    followed by "keep collecting" and a write-off only proposed show nothing, as does a case without any."""
    late_stages(desk)
    client.force_login(desk["supervisor"])
    english = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(english, desk) == {
        "SUED": "in litigation: filed with the court",
        "WROTE": "written off",
        "AGENCY": "agency placement decided",
        "CHANGED": "—",
        "PROPOSED": "—",
        "PLAIN": "—",
    }
    chinese = shown(client.get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), desk)
    assert chinese["SUED"].startswith("诉讼中：")
    assert (chinese["WROTE"], chinese["AGENCY"]) == ("已核销", "已决定委外催收")
    csv = client.get("/cases/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "Late stage" in csv.splitlines()[0]
    assert "in litigation: filed with the court" in csv


def test_a_lawsuit_closed_is_no_late_stage_and_the_case_page_says_the_stage(client, desk):
    """Clause: LIT-2, CLS-2 — the case page of the lawsuit filed says so; once the lawsuit is closed, neither the
    case page nor the queue shows a late stage."""
    late_stages(desk)
    client.force_login(desk["supervisor"])
    sued = desk["cases"]["SUED"]
    page = client.get(f"/cases/{sued.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<dd id="case-late-stage">in litigation: filed with the court</dd>' in page
    sued.litigations.update(stage="closed", closed_on=AS_OF, closed_reason="paid in full")
    assert 'id="case-late-stage"' not in client.get(f"/cases/{sued.pk}/").content.decode()
    assert shown(client.get("/cases/").content.decode(), desk)["SUED"] == "—"


def test_the_late_stages_cost_no_query_per_case(client, desk):
    """The queue makes the same number of queries with late stages on every row as without; a case page at most
    one more once its borrower is in litigation (the litigation block's next deadline needs the loans' earliest
    unpaid instalment; the page reads the borrower's loans once for all its panels), whatever the number of
    rows."""
    client.force_login(desk["supervisor"])
    case = desk["cases"]["SUED"]
    with CaptureQueriesContext(connection) as queue_before:
        client.get("/cases/")
    with CaptureQueriesContext(connection) as page_before:
        client.get(f"/cases/{case.pk}/")
    late_stages(desk)
    with CaptureQueriesContext(connection) as queue_after:
        client.get("/cases/")
    with CaptureQueriesContext(connection) as page_after:
        client.get(f"/cases/{case.pk}/")
    assert len(queue_after) == len(queue_before)
    assert len(page_before) <= len(page_after) <= len(page_before) + 1
