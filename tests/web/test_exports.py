"""CSV export of every list page (`?format=csv`, `arrears.home.export`): for a role that may see the list, the
whole list (every page, in the page's order) with a header in Chinese, cells as the page shows them, one audit
event per export; for any other role what the page answers, and nothing written.

Clause: PRV-1 — masked as on the page (the leak scan, tests/compliance/test_leak_scan.py, opens every export
as every role); AUTH-4 — each export is an audited read with its basis.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.collection import views as desk_views
from arrears.compliance.models import AuditEvent
from arrears.home.export import defused
from demo_site import PEOPLE, ROLES, WORKING_HOURS, add_reminder_and_hit, build_site
from site_urls import COMPLIANCE, LEGAL, SUP, J, page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

# route of the list → (URL on the demo site, the file's name, a role that sees it, the header row in Chinese)
LISTS = {
    "cases/": (
        "/cases/?owner=all",
        "cases",
        SUP,
        [
            "案件",
            "客户号",
            "姓名",
            "风险等级",
            "当前待办",
            "DPD",
            "逾期金额（元）",
            "逾期分类",
            "案件池",
            "尝试次数",
            "下次到期",
            "催收专员",
        ],
    ),
    "reminders/": ("/reminders/", "reminders", J, None),
    "borrowers/": (
        "/borrowers/",
        "borrowers",
        SUP,
        ["客户号", "姓名", "手机号码", "身份证号码", "风险等级", "贷款", "最高逾期天数", "逾期金额（元）", "催收案件"],
    ),
    "approvals/": ("/approvals/", "approvals", SUP, None),
    "notices/": ("/notices/", "notices", SUP, None),
    "notices/borrowers/<int:borrower_id>/": ("/notices/borrowers/{s02_borrower_id}/", "notices-S02", SUP, None),
    "notices/print-batches/": ("/notices/print-batches/", "print-batches", SUP, None),
    "notices/templates/": ("/notices/templates/", "templates", LEGAL, None),
    "runs/": ("/runs/", "runs", SUP, None),
    "compliance/phrases/": ("/compliance/phrases/", "phrases", COMPLIANCE, None),
    "compliance/language-hits/": ("/compliance/language-hits/", "language-hits", COMPLIANCE, None),
    "legal/litigations/": (
        "/legal/litigations/",
        "litigations",
        LEGAL,
        ["诉讼", "案件", "客户号", "阶段", "管辖法院", "案号", "起诉金额（元）", "最近期限", "期限事项", "期限状态"],
    ),
}


@pytest.fixture
def site(monkeypatch):
    monkeypatch.setattr(desk_views, "now", lambda: WORKING_HOURS)
    built = build_site()
    add_reminder_and_hit(built)
    built.ids["s02_borrower_id"] = built.cases["S02"].borrower_id  # the borrower with an emailed letter
    return built


def grow(site) -> None:
    """More of every list that can grow here: five more late borrowers and the next night's run (cases,
    reminders, notices, a run), two phrases, two hits, two template drafts."""
    from datetime import timedelta

    from desk import AS_OF, late_borrower, night

    from arrears.compliance.language_actions import do_save_phrase, screen_text
    from arrears.notices.template_actions import do_write_template
    from arrears.notices.template_queries import latest_version
    from arrears.portfolio.posting import allocate_payments

    loans = [late_borrower(f"G{i:02d}", 10 + 7 * i, "15000")[1] for i in range(5)]
    allocate_payments([loan.pk for loan in loans], business_date=AS_OF)
    night(AS_OF + timedelta(days=1))
    officer, junior = site.users[COMPLIANCE], site.users[J]
    for text in ("泼 油漆", "曝光 全家"):
        do_save_phrase(None, text=text, kind="words", category="violence", active=True, note="", actor=officer)
        screen_text("再不还就" + text.replace(" ", "你"), actor=junior, where="call_note")
    for purpose in ("reminder_sms", "call_script"):
        start = latest_version(purpose, "zh-hans")
        do_write_template(
            purpose, "zh-hans", subject=start.subject, body=start.body + "\n谢谢。", actor=site.users[SUP]
        )


def with_csv(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}format=csv"


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def snapshot() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label not in {"sessions"}}


@pytest.mark.parametrize("route", list(LISTS))
def test_a_role_that_sees_the_list_exports_it_whole_and_the_export_is_recorded(route, client, site):
    """Clause: PRV-1, AUTH-4 — the CSV: UTF-8 with a byte-order mark, a header row in Chinese, one line per row
    of the page (each row's first cell is on the page), a file name with the business date, never cached; one
    audit event `home.export_list` by the user, naming the list, its row count, filters and columns."""
    url, name, role, header = LISTS[route]
    url = site.fill(url)
    client.force_login(site.users[role])
    shown = client.get(url).content.decode()
    events = AuditEvent.objects.count()
    response = client.get(with_csv(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}-2026-03-20.csv"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = rows_of(response)
    assert all(re.search(r"[\u4e00-\u9fff]", cell) or cell in ("DPD", "SHA-256") for cell in lines[0]), lines[0]
    if header is not None:
        assert lines[0] == header
    body = lines[1:]
    assert body, f"{route}: the demo site lists something here"
    for line in body:
        assert len(line) == len(lines[0])
        first = line[0]
        assert first in shown or first.lstrip("#") in shown or first[:10] in shown, f"{route}: {first} not on the page"
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_id) == ("home.export_list", site.users[role].pk)
    assert (event.subject_type, event.subject_id) == ("list", name)
    assert event.changes["rows"] == [None, len(body)]
    assert len(event.changes["columns"][1]) == len(lines[0])
    assert event.basis["clause"] == "PRV-1"


@pytest.mark.parametrize("route", list(LISTS))
def test_a_role_that_may_not_see_the_list_gets_the_pages_refusal_and_nothing_is_recorded(route, client, site):
    """Clause: AUTH-1, AUTH-4 — every role outside the page's line: the export is answered as the page is
    (403 or 404), no file, no audit event, no table changed."""
    url = site.fill(LISTS[route][0])
    refused = [role for role in ROLES if role not in page(route).roles]
    assert refused
    for role in refused:
        client.force_login(site.users[role])
        before = snapshot()
        answer, export = client.get(url), client.get(with_csv(url))
        assert export.status_code == answer.status_code, role
        assert export.status_code in (403, 404), role
        assert not export.get("Content-Type", "").startswith("text/csv")
        assert snapshot() == before, role


def test_the_case_queue_export_keeps_the_filters_and_the_order(client, site):
    """The supervisor's queue filtered to the senior pool: only its case, filters recorded as read; every case
    in the page's order; names masked as on the page."""
    client.force_login(site.users[SUP])
    every = rows_of(client.get("/cases/?owner=all&format=csv"))
    page_order = re.findall(r'data-case="([0-9]+)"', client.get("/cases/?owner=all").content.decode())
    assert [line[0] for line in every[1:]] == [f"#{pk}" for pk in page_order]
    masked = {"S01": "欧阳**", "S02": "司马**", "S03": "诸葛**"}
    assert sorted((line[1], line[2]) for line in every[1:]) == sorted(masked.items())
    assert every[0][-1] == "催收专员"  # the collector column, as on a supervisor's page
    senior = rows_of(client.get("/cases/?owner=all&pool=senior&format=csv"))
    assert [line[1] for line in senior[1:]] == ["S03"]
    event = AuditEvent.objects.order_by("-id").first()
    assert event.changes["filters"] == [None, {"owner": "all", "pool": "senior"}]
    assert event.changes["rows"] == [None, 1]
    overdue = rows_of(client.get("/cases/?owner=all&work=overdue&format=csv"))
    page_order = re.findall(r'data-case="([0-9]+)"', client.get("/cases/?owner=all&work=overdue").content.decode())
    assert [line[0] for line in overdue[1:]] == [f"#{pk}" for pk in page_order]
    assert AuditEvent.objects.order_by("-id").first().changes["filters"] == [None, {"owner": "all", "work": "overdue"}]


def test_the_borrower_export_is_masked_as_the_page(client, site):
    """Clause: PRV-1 — name, mobile and ID number as the list shows them; nothing of them in full."""
    client.force_login(site.users[SUP])
    lines = rows_of(client.get("/borrowers/?q=S01&format=csv"))
    assert lines == [
        ["客户号", "姓名", "手机号码", "身份证号码", "风险等级", "贷款", "最高逾期天数", "逾期金额（元）", "催收案件"],
        # S01: DPD 45, its open case's overdue total (the nightly run's), the case the supervisor may open.
        ["S01", "欧阳**", "139****0001", "**************4512", "低", "1", "45", "4,117.89", f"#{site.ids['case_id']}"],
    ]
    text = client.get("/borrowers/?format=csv").content.decode("utf-8-sig")
    for person in PEOPLE.values():
        assert not {person[f] for f in ("name", "mobile", "id_number", "address")} & set(re.split(r"[,\r\n]", text))
        assert person["mobile"] not in text
        assert person["id_number"] not in text


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(client, site):
    """A prohibited phrase written as a formula is exported as text (a leading apostrophe), so opening the file
    runs nothing; numbers keep their sign."""
    from arrears.compliance.language_actions import do_save_phrase

    officer = site.users[COMPLIANCE]
    formula = '=HYPERLINK("http://example.com","点此")'
    do_save_phrase(None, text=formula, kind="words", category="violence", active=True, note="@SUM(A1)", actor=officer)
    client.force_login(officer)
    lines = rows_of(client.get("/compliance/phrases/?format=csv"))
    row = next(line for line in lines if "HYPERLINK" in line[0])
    assert row[0] == "'" + formula
    assert row[3] == "'@SUM(A1)"
    assert [defused(v) for v in ("-12.50", "+4.35%", "1,234.00", "-", "+1 555", "\tx", "\rx", "a=b")] == [
        "-12.50",
        "+4.35%",
        "1,234.00",
        "'-",
        "'+1 555",
        "'\tx",
        "'\rx",
        "a=b",
    ]


def test_each_list_page_links_its_export_with_the_current_filters(client, site):
    """The page offers "导出 CSV" with its filters and without the page number."""
    client.force_login(site.users[SUP])
    page_html = client.get("/cases/?owner=all&class=moderate&page=1").content.decode()
    assert '<a class="export" href="?owner=all&amp;class=moderate&amp;format=csv" download>导出 CSV</a>' in page_html
    for route, (url, _name, role, _header) in LISTS.items():
        client.force_login(site.users[role])
        assert "导出 CSV" in client.get(site.fill(url)).content.decode(), route


def queries_of(client, url: str) -> tuple[int, int]:
    """(queries, rows) of one export."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(with_csv(url))
    assert response.status_code == 200
    return len(captured), len(rows_of(response)) - 1


def test_an_export_makes_the_same_number_of_queries_whatever_the_lists_length(client, site):
    """Every list exported on the demo site, then again after the book grew (five more late borrowers and the
    next night's run, more phrases, hits, runs and template versions): the same number of queries, more rows."""

    def measure():
        found = {}
        for route, (url, _name, role, _header) in LISTS.items():
            client.force_login(site.users[role])
            found[route] = queries_of(client, site.fill(url))
        return found

    small = measure()
    grow(site)
    large = measure()
    assert {r: q for r, (q, _n) in large.items()} == {r: q for r, (q, _n) in small.items()}
    grown = {r for r in LISTS if large[r][1] > small[r][1]}
    assert grown >= {
        "cases/",
        "borrowers/",
        "notices/",
        "runs/",
        "compliance/phrases/",
        "compliance/language-hits/",
        "notices/templates/",
    }
