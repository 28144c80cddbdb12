"""The desk's pages tied together (issue 15 item 4): the borrower and loan pages link to the open case, the case
page lists the borrower's other loans, the reminder queue shows the amount due and a labelled duration, table
headers do not wrap."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from desk import AS_OF, WORKING_HOURS, late_borrower, mark_feed, open_desk
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import RolePermission
from arrears.collection import views
from arrears.collection.models import CollectionCase
from arrears.daily.actions import do_run_daily
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_loan, make_user

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CSS = Path(__file__).parents[2] / "src/arrears/home/static/home/arrears.css"


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)


@pytest.fixture
def desk():
    """B45 (45 days late, junior pool) and P5 (5 days late, junior pool); a junior collector, a supervisor."""
    return open_desk([("B45", 45, "8000", "low"), ("P5", 5, "12000", "low")], {"junior_collector": 1, "supervisor": 1})


def case_link(page: str, case: CollectionCase) -> bool:
    return f'<a class="button" href="/cases/{case.pk}/">Collection case #{case.pk}</a>' in page


def test_borrower_and_loan_pages_link_to_the_open_case_for_who_may_open_it(client, desk):
    """Clause: TEAM-3 — the junior collector of the pool and the supervisor see a link to the borrower's open case
    on the borrower page and on the loan page; the link leads to the case page (200)."""
    case = desk["cases"]["B45"]
    loan = case.borrower.loans.get()
    for user in (desk["users"]["junior_collector"][0], desk["users"]["supervisor"][0]):
        client.force_login(user)
        borrower_page = client.get("/borrowers/B45/", **EN).content.decode()
        loan_page = client.get(f"/loans/{loan.external_id}/", **EN).content.decode()
        assert case_link(borrower_page, case)
        assert case_link(loan_page, case)
        assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_no_link_for_a_user_who_may_not_open_the_case_nor_for_a_borrower_without_one(client, desk):
    """Clause: TEAM-3 — a user who may see borrowers (`portfolio.view`) but holds no cases gets the borrower and
    loan pages without a link to the case (and the case itself is 404 to them); a closed case is not linked."""
    case = desk["cases"]["B45"]
    loan = case.borrower.loans.get()
    RolePermission.objects.create(role_id="analyst", code="portfolio.view")
    client.force_login(make_user("analyst"))
    borrower_page = client.get("/borrowers/B45/", **EN)
    loan_page = client.get(f"/loans/{loan.external_id}/", **EN)
    assert (borrower_page.status_code, loan_page.status_code) == (200, 200)
    for page in (borrower_page.content.decode(), loan_page.content.decode()):
        assert 'id="open-case"' not in page
        assert f"/cases/{case.pk}/" not in page
    assert client.get(f"/cases/{case.pk}/").status_code == 404

    CollectionCase.objects.filter(pk=case.pk).update(status="closed", closed_on=AS_OF)
    client.force_login(desk["users"]["supervisor"][0])
    assert 'id="open-case"' not in client.get("/borrowers/B45/", **EN).content.decode()


def borrower_with_other_loans(current: int, tag: str = ""):
    """A borrower 45 days late on HT-LATE{tag}, with `current` loans started this month (nothing due yet) and a
    closed loan HT-CLOSED{tag}."""
    borrower, late = late_borrower(f"C-MANY{tag}", 45)
    late.external_id = f"HT-LATE{tag}"
    late.save(update_fields=["external_id"])
    for i in range(current):
        make_loan(borrower, external_id=f"HT-NOW{tag}-{i + 1}", principal="5000", start=date(2026, 3, 10))
    make_loan(borrower, external_id=f"HT-CLOSED{tag}", principal="3000", start=date(2025, 1, 15), status="closed")
    allocate_payments([late.pk], business_date=AS_OF)
    return borrower


def case_of(*borrowers) -> list[CollectionCase]:
    """The nightly run of AS_OF opens the borrowers' cases."""
    mark_feed()
    do_run_daily(AS_OF, actor=nightly_run())
    return [CollectionCase.objects.get(borrower=b, status="open") for b in borrowers]


def other_loans(page: str) -> str:
    return page.split('id="other-loans"')[1].split("</table>")[0]


def test_the_case_page_lists_the_borrowers_other_loans_with_their_status(client):
    """Clause: CLS-1 — the case covers the late loan (its figures); the current loan and the closed one are listed
    under the borrower's other loans with their status, and have no figures section of their own."""
    (case,) = case_of(borrower_with_other_loans(current=1))
    client.force_login(make_user("supervisor"))
    page = client.get(f"/cases/{case.pk}/", **EN).content.decode()
    assert 'id="loan-HT-LATE"' in page
    assert 'id="loan-HT-NOW-1"' not in page
    assert 'id="loan-HT-CLOSED"' not in page
    rows = other_loans(page)
    assert "HT-LATE" not in rows
    assert '<a href="/loans/HT-NOW-1/">HT-NOW-1</a>' in rows
    assert "<td>current</td>" in rows.split('id="other-HT-NOW-1"')[1].split("</tr>")[0]
    assert "<td>closed</td>" in rows.split('id="other-HT-CLOSED"')[1].split("</tr>")[0]
    assert "5,000.00" in rows
    assert "3,000.00" in rows

    zh = other_loans(client.get(f"/cases/{case.pk}/", **ZH).content.decode())
    assert "<td>正常</td>" in zh.split('id="other-HT-NOW-1"')[1].split("</tr>")[0]
    assert "借款人的其他贷款" in client.get(f"/cases/{case.pk}/", **ZH).content.decode()


def test_a_written_off_loan_shows_its_dpd(client):
    """Clause: CLS-1 — a written-off loan the nightly run holds a position for is listed with its status and
    its DPD (45)."""
    (case,) = case_of(borrower_with_other_loans(current=0))
    case.borrower.loans.filter(external_id="HT-LATE").update(status="written_off")
    client.force_login(make_user("supervisor"))
    page = client.get(f"/cases/{case.pk}/", **EN).content.decode()
    row = other_loans(page).split('id="other-HT-LATE"')[1].split("</tr>")[0]
    assert "<td>written off · DPD 45</td>" in row
    assert "No loan of this borrower is overdue now." in page


def case_page_queries(client, case: CollectionCase, current: int) -> int:
    client.get(f"/cases/{case.pk}/")  # the policy and calendar caches warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/cases/{case.pk}/", **EN)
    assert response.status_code == 200
    assert other_loans(response.content.decode()).count("<tr id=") == current + 1  # the current ones, the closed
    return len(ctx.captured_queries)


def test_the_case_page_reads_other_loans_without_a_query_per_loan(client):
    """Clause: CLS-1 — the case page makes as many queries for a borrower with 3 other current loans (and a closed
    one) as for one with 1: the other loans come with the case's loans, not one query per loan."""
    one, three = case_of(borrower_with_other_loans(1, "-A"), borrower_with_other_loans(3, "-B"))
    client.force_login(make_user("supervisor"))
    assert case_page_queries(client, one, 1) == case_page_queries(client, three, 3)


def test_the_reminder_queue_shows_the_amount_due_and_a_labelled_duration(client):
    """Clause: REM-1 — instalment 1 of 12,000.00 at 4.35% over 12 months is 1,023.72 元, shown in the reminder's
    row; the duration field has its label (in English and in Chinese)."""
    _, loan = late_borrower("C-REMIND", 0)  # instalment 1 due on AS_OF
    mark_feed(date(2026, 3, 19))
    do_run_daily(date(2026, 3, 19), actor=nightly_run())
    task = loan.tasks.get(kind="phone_reminder")
    client.force_login(make_user("junior_collector"))
    page = client.get("/reminders/", **EN).content.decode()
    row = page.split(f'id="reminder-{task.pk}"')[1].split("</tr>")[0]
    assert '<td class="num amount-due">1,023.72 元</td>' in row
    assert f'<label for="duration-{task.pk}">Duration (seconds)</label>' in row
    assert f'<input id="duration-{task.pk}" name="duration_seconds"' in row
    zh = client.get("/reminders/", **ZH).content.decode()
    assert f'<label for="duration-{task.pk}">通话时长（秒）</label>' in zh


def test_table_headers_do_not_wrap():
    """Narrow columns keep their headers on one line: the stylesheet's rule for every table header."""
    rules = [line for line in CSS.read_text().splitlines() if line.startswith("th {")]
    assert len(rules) == 1
    assert "white-space: nowrap;" in rules[0]
