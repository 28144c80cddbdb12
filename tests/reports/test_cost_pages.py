"""The month's collection cost page (Clause: KPI-2, AUTH-1): readers of reports see the figures; administrators
also enter a cost and import a file, a bad file answered with each bad line; others are refused, nothing changed.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from cost_book import cost_book
from costs_state import costs_state
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import Team
from arrears.agencies.commissions import Month
from arrears.reports.models import CostEntry
from factories import make_user

pytestmark = pytest.mark.django_db


def signed_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def upload(text: str, name: str = "costs.csv") -> io.BytesIO:
    data = io.BytesIO(text.encode("utf-8"))
    data.name = name
    return data


@pytest.fixture
def admin():
    return make_user("administrator", username="admin-pages")


def test_the_page_shows_every_source_and_who_entered_what():
    """Clause: KPI-2 — March 2026 of the cost book, team A's staff 80,000.00 entered by the administrator on the
    page: each source with its figure (1,234 SMS: 61.70; 17 letters: 102.00; commissions 494.61; legal 2,500.00),
    the total 83,158.31, the entry with its team and who entered it. An analyst sees the same, without the forms."""
    book = cost_book()
    admin = signed_in(book.admin)
    form = {"month": "2026-03", "team": str(book.team_a.pk), "kind": "staff", "amount": "80000.00", "note": "三月"}
    response = admin.post("/reports/costs/enter/", form)
    assert (response.status_code, response["Location"]) == (302, "/reports/costs/?month=2026-03")
    page = admin.get("/reports/costs/?month=2026-03").content.decode()
    for row, figure in [("sms", "61.70"), ("letters", "102.00"), ("commissions", "494.61"), ("legal", "2,500.00")]:
        assert f'<tr id="source-{row}">' in page
        assert f'<td class="num">{figure}</td></tr>' in page.split(f'<tr id="source-{row}">')[1].split("\n")[0]
    assert '<td class="num">1234</td>' in page
    assert '<th class="num" id="cost-total">83,158.31</th>' in page
    (entry,) = CostEntry.objects.all()
    row = page.split(f'<tr id="entry-{entry.pk}">')[1].split("</tr>")[0]
    assert "催收一组" in row
    assert "80,000.00" in row
    assert "admin-costs" in row
    assert 'id="enter-cost"' in page
    assert 'id="import-costs"' in page
    analyst = signed_in(make_user("analyst")).get("/reports/costs/?month=2026-03").content.decode()
    assert '<th class="num" id="cost-total">83,158.31</th>' in analyst
    assert 'id="enter-cost"' not in analyst
    assert 'id="import-costs"' not in analyst


def test_a_correction_on_the_page_shows_the_replaced_figure(admin):
    """Clause: KPI-2 — the department's telephony 900.00 then 1,200.00 last month: the live figure 1,200.00 marked
    as a correction, and 900.00 among the replaced figures with what replaced it."""
    month = str(Month.of(timezone.localdate()).previous())
    client = signed_in(admin)
    for amount in ("900", "1200.00"):
        client.post("/reports/costs/enter/", {"month": month, "team": "", "kind": "telephony", "amount": amount})
    page = client.get(f"/reports/costs/?month={month}").content.decode()
    old, new = CostEntry.objects.order_by("pk")
    assert "(a correction)" in page.split(f'<tr id="entry-{new.pk}">')[1].split("</tr>")[0]
    replaced = page.split(f'<tr id="replaced-{old.pk}">')[1].split("</tr>")[0]
    assert "900.00" in replaced
    assert "1,200.00, entered by admin-pages" in replaced


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("80,000.00", "no separators"),
        ("-1", "cannot be negative"),
        ("1.001", "more than two decimals"),
        ("８０", "digits 0–9 only"),
        ("1" + "0" * 30, "beyond the largest amount"),
        ("", "Enter the amount in yuan"),
    ],
)
def test_a_bad_amount_is_answered_on_the_page_and_nothing_changes(admin, amount, message):
    """Clause: KPI-2 — separators, a sign, three decimals, full-width digits, a huge number, nothing: 400, the page
    with what to write and the values typed; nothing stored."""
    before = costs_state()
    month = str(Month.of(timezone.localdate()))
    response = signed_in(admin).post("/reports/costs/enter/", {"month": month, "kind": "staff", "amount": amount})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert costs_state() == before


def test_a_bad_month_team_or_kind_is_answered_on_the_page(admin):
    """Clause: KPI-2 — next month, an id that is no team, an unknown kind, a month that is no month: 400 each,
    nothing stored."""
    this = Month.of(timezone.localdate())
    before = costs_state()
    client = signed_in(admin)
    for form, message in [
        ({"month": str(this.next())}, "enter a cost for a month under way or past"),
        ({"team": "999999"}, "Choose a team from the list"),
        ({"team": "１"}, "Choose a team from the list"),
        ({"kind": "lunch"}, "Choose the kind of cost"),
        ({"month": "2026-13"}, "Write the month as YYYY-MM"),
    ]:
        values = {"month": str(this), "team": "", "kind": "staff", "amount": "1.00"} | form
        response = client.post("/reports/costs/enter/", values)
        assert (response.status_code, message in response.content.decode()) == (400, True), form
    assert costs_state() == before


def test_an_upload_with_bad_lines_lists_each_and_stores_nothing(admin):
    """Clause: KPI-2 — a file with one good line and two bad ones: 400, the page listing line 3 and line 4 with what
    is wrong; nothing stored. The corrected file: imported, the page saying how many figures."""
    month = str(Month.of(timezone.localdate()))
    Team.objects.create(name="催收一组")
    bad = f"month,team,kind,amount,note\n{month},催收一组,staff,80000,\n{month},催收九组,staff,1,\n{month},,tea,1,\n"
    before = costs_state()
    client = signed_in(admin)
    response = client.post("/reports/costs/import/", {"file": upload(bad), "month": month})
    assert response.status_code == 400
    page = response.content.decode()
    problems = page.split('<ul id="problems">')[1].split("</ul>")[0]
    assert problems.count("<li>") == 2
    assert "line 3: No team is named “催收九组”" in problems
    assert "line 4: “tea” is not a kind of cost" in problems
    assert costs_state() == before
    good = f"month,team,kind,amount,note\n{month},催收一组,staff,80000,\n{month},,telephony,1,\n"
    done = client.post("/reports/costs/import/", {"file": upload(good), "month": month}, follow=True)
    assert "Imported 2 lines: 2 new figures, 0 replacing earlier ones, 0 unchanged." in done.content.decode()
    again = client.post("/reports/costs/import/", {"file": upload(good), "month": month}, follow=True)
    assert "Every figure of the file was entered already; nothing changed." in again.content.decode()
    assert CostEntry.objects.count() == 2
    nothing = client.post("/reports/costs/import/", {"month": month})
    assert (nothing.status_code, "Choose the CSV file" in nothing.content.decode()) == (400, True)


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "legal_officer", "qa_reviewer"])
def test_those_who_neither_read_reports_nor_enter_costs_are_refused(role):
    """Clause: AUTH-1 — collectors, legal officers, QA reviewers: the page 403, the forms 403, nothing changed."""
    client = signed_in(make_user(role))
    before = costs_state()
    assert client.get("/reports/costs/").status_code == 403
    month = str(Month.of(timezone.localdate()))
    assert client.post("/reports/costs/enter/", {"month": month, "kind": "staff", "amount": "1"}).status_code == 403
    good = f"month,team,kind,amount\n{month},,staff,1\n"
    assert client.post("/reports/costs/import/", {"file": upload(good)}).status_code == 403
    assert costs_state() == before


@pytest.mark.parametrize("role", ["analyst", "supervisor", "compliance_officer"])
def test_readers_of_reports_see_the_page_but_may_not_enter(role):
    """Clause: AUTH-1 — readers of reports: the page (200, with its nav link), no forms; posting one is 403 and
    changes nothing."""
    client = signed_in(make_user(role))
    page = client.get("/reports/costs/")
    assert page.status_code == 200
    assert '<a href="/reports/costs/" aria-current="page">Collection costs</a>' in page.content.decode()
    before = costs_state()
    month = str(Month.of(timezone.localdate()))
    assert client.post("/reports/costs/enter/", {"month": month, "kind": "staff", "amount": "1"}).status_code == 403
    assert (
        client.post(
            "/reports/costs/import/", {"file": upload(f"month,team,kind,amount\n{month},,staff,1\n")}
        ).status_code
        == 403
    )
    assert costs_state() == before


def test_the_page_in_chinese_and_a_bad_month_asked(admin):
    """The page in the product's language: its title and the sources in Chinese; a month asked as 2026-13 is
    answered 400 with how to write it, showing the business date's month."""
    client = signed_in(admin, "zh-hans")
    page = client.get("/reports/costs/").content.decode()
    assert "催收成本" in page
    assert "委外机构佣金" in page
    assert '人员 <span class="muted">（录入）</span>' in page
    bad = client.get("/reports/costs/?month=2026-13")
    assert bad.status_code == 400
    assert "YYYY-MM" in bad.content.decode()


def test_the_tables_download_as_csv_and_xlsx_each_an_audited_read():
    """Clause: KPI-2, AUTH-4 — the cost book's March: by source as CSV (3,158.31 before any figure is entered), both tables as XLSX (the
    amounts numbers in yuan); a collector is refused and nothing is written."""
    from arrears.compliance.models import AuditEvent

    book = cost_book()
    before = AuditEvent.objects.filter(action="home.export_list").count()
    assert signed_in(make_user("junior_collector")).get("/reports/costs/?month=2026-03&format=xlsx").status_code == 403
    assert AuditEvent.objects.filter(action="home.export_list").count() == before
    analyst = signed_in(make_user("analyst"))
    sources = analyst.get("/reports/costs/?month=2026-03&table=sources&format=csv").content.decode("utf-8-sig")
    assert "SMS sent" in sources
    assert '"3,158.31"' in sources  # nothing entered yet: 61.70 + 102.00 + 494.61 + 2,500.00
    workbook = signed_in(book.admin).get("/reports/costs/?month=2026-03&format=xlsx")
    assert workbook["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    names = zipfile.ZipFile(io.BytesIO(workbook.content)).namelist()
    assert sum(name.startswith("xl/worksheets/sheet") for name in names) == 2
    assert AuditEvent.objects.filter(action="home.export_list").count() == before + 2
    assert analyst.get("/reports/costs/?month=2026-03&table=nothing&format=csv").status_code == 400
