"""The instalment agreement as a bank signs it (PLAN-4): who the borrower is, which contract, which staff, and a
signature block that never stands alone on a page.

The desk of test_plan_actions: borrower P20 (ID number 11010119900307123X) with one loan of 12,000.00 taken out on
2026-01-28, its first instalment (due 2026-02-28) 20 days overdue on 2026-03-20.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from desk import AS_OF, open_desk
from pypdf import PdfReader

from arrears.arrangements.actions import do_decide_plan, do_propose_plan
from arrears.arrangements.agreement import render_agreement

pytestmark = pytest.mark.django_db

MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}


@pytest.fixture
def plan():
    opened = open_desk([("P20", 20, "12000", "low")], {"senior_collector": 1, "supervisor": 1})
    senior, boss = opened["users"]["senior_collector"][0], opened["users"]["supervisor"][0]
    senior.first_name, senior.last_name = "李", "娜"
    senior.save(update_fields=["first_name", "last_name"])
    boss.first_name, boss.last_name = "陈", "建国"
    boss.save(update_fields=["first_name", "last_name"])
    proposed = do_propose_plan(opened["cases"]["P20"], **MEANS, instalments=4, actor=senior, today=AS_OF)
    do_decide_plan(proposed, approve=True, reason="还款能力已核实", actor=boss, today=AS_OF)
    proposed.refresh_from_db()
    return proposed


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text with whitespace removed (PDF text breaks lines where the layout does)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def test_the_agreement_names_the_borrower_by_id_number_the_contract_by_date_and_the_staff_by_name(plan):
    """Clause: PLAN-4 — the stored agreement carries the borrower's ID number in full (it is the document they
    sign), the original loan contract with the date it was signed (2026-01-28), and the proposer and approver by
    their full names (李 娜, 陈 建国), not their logins."""
    text = "".join(pages_of(bytes(plan.agreement_pdf)))
    assert "乙方身份证号码：11010119900307123X" in text
    contract = plan.loans.get().external_id
    assert f"{contract}（2026年1月28日签订）" in text
    assert "经办：李娜" in text
    assert "审批：陈建国" in text
    assert "senior_collector-1" not in text
    assert "supervisor-1" not in text


def test_staff_without_a_name_are_named_by_their_login(plan):
    """Clause: PLAN-4 — a member of staff with no name on record is named by their login rather than left blank."""
    plan.proposed_by.first_name = plan.proposed_by.last_name = ""
    plan.proposed_by.save(update_fields=["first_name", "last_name"])
    plan.refresh_from_db()
    text = "".join(pages_of(render_agreement(plan, AS_OF)))
    assert "经办：senior_collector-1" in text
    assert "审批：陈建国" in text


def test_the_signatures_stay_on_the_page_of_the_terms_before_them(plan, settings):
    """Clause: PLAN-4 — the letterhead's bank address made long enough that the agreement runs onto a second page
    (as it is, then lengthened 200 characters at a time): whatever the length, the terms, the staff and both
    signature lines are on one page, never the signatures alone at the top of a page."""
    two_pages = 0
    for length in range(0, 801, 200):
        settings.ARREARS_BANK_ADDRESS = "北京市西城区金融大街" + "甲" * length
        pages = pages_of(render_agreement(plan, AS_OF))
        if len(pages) < 2:
            continue
        two_pages += 1
        signed = [page for page in pages if "乙方（签字）" in page]
        assert len(signed) == 1
        for words in ("三、约定", "3.本协议不免除乙方", "经办：李娜", "甲方（盖章）"):
            assert words in signed[0], (length, words)
    assert two_pages  # the loop did reach a layout over two pages
