"""Borrower and loan pages: who may see them, what they show masked, and how many queries they cost."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.accounts.permissions import Perm
from arrears.accounts.roles import ROLE_PERMISSIONS, RoleCode
from arrears.compliance.models import AuditEvent
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db

FULL = {
    "name": "张三丰",
    "id_number": "11010119900307123X",
    "mobile": "17012345678",
    "address": "上海市浦东新区世纪大道100号",
    "employer": "示例科技有限公司",
}


@pytest.fixture
def book():
    borrower = make_borrower(**FULL)
    loan = make_loan(borrower, external_id="L-TEST-1")
    make_payment(loan, date(2026, 2, 15), "1023.72")
    return borrower, loan


def pages(borrower, loan):
    return [
        f"/borrowers/?q={borrower.external_id}",
        f"/borrowers/{borrower.external_id}/",
        f"/loans/{loan.external_id}/",
    ]


@pytest.mark.parametrize("role", [r for r in RoleCode if r != RoleCode.SYSTEM])
def test_every_role_gets_the_pages_its_permissions_allow_and_nothing_personal_in_full(client, book, role):
    """Clause: PRV-1, AUTH-4 — a role with portfolio.view sees masked pages; any other role gets 403 and no data."""
    borrower, loan = book
    client.force_login(make_user(role))
    allowed = Perm.VIEW_PORTFOLIO in ROLE_PERMISSIONS[role]
    for url in pages(borrower, loan):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), url
        html = response.content.decode()
        for value in FULL.values():
            assert value not in html, f"{value} leaked on {url} to {role}"
        if allowed:
            assert "**************123X" in html or url.startswith("/loans/")
    assert AuditEvent.objects.filter(action="portfolio.unmask_field").count() == 0


def test_the_roles_the_design_names_are_in_or_out(client, book):
    """DESIGN: collectors see the portfolio; analysts (no personal data) and agency users (their cases only) don't."""
    assert Perm.VIEW_PORTFOLIO in ROLE_PERMISSIONS[RoleCode.JUNIOR_COLLECTOR]
    assert Perm.VIEW_PORTFOLIO not in ROLE_PERMISSIONS[RoleCode.ANALYST]
    assert Perm.VIEW_PORTFOLIO not in ROLE_PERMISSIONS[RoleCode.AGENCY_USER]


def test_anonymous_visitors_are_sent_to_log_in(client, book):
    """No page of the portfolio answers without a login."""
    for url in pages(*book):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_unmask_on_the_page_shows_one_field_once_and_records_it(client, book):
    """Clause: PRV-1 — the supervisor's unmask reveals the mobile only, on this response only."""
    borrower, _loan = book
    client.force_login(make_user("supervisor"))
    response = client.post(f"/borrowers/{borrower.external_id}/unmask/", {"field": "mobile", "reason": "call back"})
    html = response.content.decode()
    assert FULL["mobile"] in html
    assert FULL["id_number"] not in html
    assert FULL["address"] not in html
    assert FULL["mobile"] not in client.get(f"/borrowers/{borrower.external_id}/").content.decode()
    assert AuditEvent.objects.filter(action="portfolio.unmask_field").count() == 1


def test_a_junior_collector_posting_an_unmask_gets_403_and_no_event(client, book):
    """Denied: status 403, the value absent, nothing recorded."""
    borrower, _loan = book
    client.force_login(make_user("junior_collector"))
    response = client.post(f"/borrowers/{borrower.external_id}/unmask/", {"field": "mobile", "reason": "call back"})
    assert response.status_code == 403
    assert FULL["mobile"] not in response.content.decode()
    assert AuditEvent.objects.count() == 0


def test_exact_search_by_full_mobile_finds_the_borrower_masked_and_is_audited(client, book):
    """Search by full phone works (exact match) while the result stays masked."""
    borrower, _loan = book
    client.force_login(make_user("supervisor"))
    html = client.post("/borrowers/", {"number": FULL["mobile"]}).content.decode()
    assert borrower.external_id in html
    assert "170****5678" in html
    assert FULL["mobile"] not in html  # not even echoed back
    assert AuditEvent.objects.filter(action="portfolio.search_exact").count() == 1


def test_exact_search_is_refused_to_a_role_without_it(client, book):
    """An analyst (reports only) gets 403 from the exact search: nothing found, nothing recorded."""
    client.force_login(make_user("analyst"))
    response = client.post("/borrowers/", {"number": FULL["mobile"]})
    assert response.status_code == 403
    assert book[0].external_id not in response.content.decode()
    assert AuditEvent.objects.count() == 0


def test_loan_page_shows_the_position_from_the_finance_core(client, book):
    """The loan page's overdue breakdown is the finance core's replay of schedule and payments."""
    _borrower, loan = book
    client.force_login(make_user("junior_collector"))
    html = client.get(f"/loans/{loan.external_id}/").content.decode()
    assert "1,023.72" in html  # the payment
    assert 'id="position"' in html
    assert f"<dd>{loan.annual_rate * 100:.2f}%</dd>" in html  # the contract rate as a percentage (issue 15)


def test_the_borrower_list_costs_the_same_queries_for_5_or_40_rows(client):
    """List pages make a fixed number of queries whatever the page size."""
    client.force_login(make_user("junior_collector"))
    for _ in range(5):
        make_loan(make_borrower())
    with CaptureQueriesContext(connection) as few:
        assert client.get("/borrowers/").status_code == 200
    for _ in range(35):
        make_loan(make_borrower())
    with CaptureQueriesContext(connection) as many:
        assert client.get("/borrowers/").status_code == 200
    assert len(many) == len(few)


def test_searching_by_contract_number_counts_each_loan_once(client):
    """The loan count of a borrower found through a contract-number prefix is the number of loans."""
    borrower = make_borrower()
    for n in range(3):
        make_loan(borrower, external_id=f"LX-{n}")
    client.force_login(make_user("junior_collector"))
    html = client.get("/borrowers/", {"q": "LX-"}).content.decode()
    assert '<td class="num">3</td>' in html


def test_the_loan_page_tells_fed_history_from_the_nightly_runs_records(client, book):
    """Clause: WVR-1, CLS-1 — the delinquency history in date order, each row saying who recorded it: the
    core-banking feed (history from before go-live) or the nightly run."""
    from arrears.portfolio.models import DelinquencyRecord

    _borrower, loan = book
    DelinquencyRecord.objects.create(loan=loan, business_date=date(2026, 3, 16), dpd=1, delinquency_class="mild")
    DelinquencyRecord.objects.create(
        loan=loan, business_date=date(2026, 2, 16), dpd=1, delinquency_class="mild", source="feed"
    )
    client.force_login(make_user("junior_collector"))
    html = client.get(f"/loans/{loan.external_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = html[html.index('id="delinquency-history"') :]
    rows = table[: table.index("</tbody>")].split("</tr>")
    assert "2026-02-16" in rows[0]
    assert "the core-banking feed" in rows[0]
    assert "2026-03-16" in rows[1]
    assert "the nightly run" in rows[1]
