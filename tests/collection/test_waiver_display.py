"""A posted penalty waiver on the pages: the loan page lists it, the case workspace shows the amount waived."""

from __future__ import annotations

import pytest
from desk import AS_OF, open_desk

from arrears.portfolio.models import WaiverPosting
from arrears.portfolio.posting import allocate_payments

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def waived(client):
    """One borrower 40 days late on a 12,000.00 loan (first instalment 980.22 + 43.50 due 2026-02-08), and
    1.50 of penalty waived on 2026-03-10 (30 days: 980.22 × 0.06525 × 30/360 = 5.33 accrued by then)."""
    desk = open_desk([("W1", 40, "12000", "low")], {"junior_collector": 1})
    case = desk["cases"]["W1"]
    loan = case.borrower.loans.get()
    WaiverPosting.objects.create(loan=loan, key="waiver:77", posted_on=AS_OF.replace(day=10), amount_fen=150)
    allocate_payments([loan.pk], business_date=AS_OF)
    client.force_login(desk["users"]["junior_collector"][0])
    return case, loan


def test_the_loan_page_lists_the_posted_waiver_and_the_amount_waived(client, waived):
    """Clause: WVR-2 — the waiver's date, key, amount and what it settled, and the total waived in the position."""
    _case, loan = waived
    html = client.get(f"/loans/{loan.external_id}/", **EN).content.decode()
    assert 'id="waivers"' in html
    table = html[html.index('id="waivers"') :]
    for expected in ("2026-03-10", "waiver:77", "1.50", "#1 penalty interest 1.50"):
        assert expected in table, expected
    position = html[html.index('id="position"') : html.index('id="waivers"')]
    assert "Penalty waived" in position
    assert "1.50" in position


def test_the_case_workspace_shows_the_amount_waived_and_the_subtraction(client, waived):
    """Clause: WVR-2, LTR-1 — the loan's facts show the penalty waived and its line subtracts it."""
    case, loan = waived
    html = client.get(f"/cases/{case.pk}/", **EN).content.decode()
    section = html[html.index(f'id="loan-{loan.external_id}"') :]
    assert "Penalty waived" in section
    assert '<dd class="waived">1.50</dd>' in section
    assert "− 减免 1.50 元 = " in section


def test_no_waiver_no_waiver_rows(client):
    """Without a waiver neither page shows one."""
    desk = open_desk([("W2", 40, "12000", "low")], {"junior_collector": 1})
    case = desk["cases"]["W2"]
    loan = case.borrower.loans.get()
    client.force_login(desk["users"]["junior_collector"][0])
    assert 'id="waivers"' not in client.get(f"/loans/{loan.external_id}/", **EN).content.decode()
    assert "Penalty waived" not in client.get(f"/cases/{case.pk}/", **EN).content.decode()
