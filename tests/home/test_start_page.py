"""The start page ("/"): each role's work for the business date and the figures it answers for, worked out on a
small desk (`start_book`) with literal numbers; the queue's `work` filter lists exactly the counted cases."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from desk import AS_OF, SHANGHAI, WORKING_HOURS
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from start_book import start_book

from arrears.accounts.roles import RoleCode
from arrears.home import start
from arrears.notices.models import Notice
from arrears.portfolio.models import Hold
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_clock(monkeypatch):
    monkeypatch.setattr(start, "now", lambda: WORKING_HOURS)


def counts(html: str) -> dict[str, int]:
    """The counts table: work kind → number."""
    found = re.findall(r'<tr data-work="(\w+)"><td><a href="[^"]*">[^<]*</a></td><td class="num">(\d+)</td>', html)
    return {kind: int(n) for kind, n in found}


def listed(html: str, kind: str) -> list[int]:
    """The case ids in the list of one kind of work on the start page, in order."""
    table = re.search(rf'<table id="work-{kind}".*?</table>', html, re.S)
    return [int(n) for n in re.findall(r'data-case="(\d+)"', table.group(0))] if table else []


def section(html: str, name: str) -> str:
    found = re.search(rf'<section id="{name}">.*?</section>', html, re.S)
    return found.group(0) if found else ""


def rows(html: str) -> list[list[str]]:
    """A table's rows as lists of cell texts (tags stripped)."""
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]


def page(client, user, lang: str = "en") -> str:
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def test_a_junior_collector_sees_today_s_work_on_their_own_cases(client):
    """Clause: CALL-3, TEAM-1 — promises due today P10 and P30 (not F45's, due tomorrow, nor B20's, kept), calls
    due F45 and P30, the broken promise B20, overdue P30 and B20, one phone reminder (P10's; H20's is the
    senior pool's); the first promise due is P30 (DPD 30 before DPD 10), one click away, with its figures."""
    desk = start_book()
    cases = desk["cases"]
    html = page(client, desk["users"]["junior_collector"][0])
    assert counts(html) == {"promise": 2, "follow_up": 2, "broken": 1, "overdue": 2, "reminders": 1}
    assert listed(html, "promise") == [cases["P30"].pk, cases["P10"].pk]
    assert listed(html, "follow_up") == [cases["P30"].pk, cases["F45"].pk]  # the queue's order: P30 also has a promise
    assert listed(html, "broken") == [cases["B20"].pk]
    assert listed(html, "overdue") == [cases["P30"].pk, cases["B20"].pk]
    first = re.search(r'<table id="work-promise".*?<tr data-case="\d+">(.*?)</tr>', html, re.S).group(1)
    assert f'href="/cases/{cases["P30"].pk}/"' in first
    assert rows(f"<tr>{first}</tr>") == [[f"#{cases['P30'].pk}", "P30 张**", "30", "1,540.04 元"]]
    assert "Counted over the cases you hold yourself" in html
    assert section(html, "collectors") == ""
    assert section(html, "approvals") == ""


def test_the_queue_s_work_filter_lists_exactly_the_counted_cases(client):
    """Clause: CALL-3 — each count of the start page links to the case queue narrowed to that work; the queue
    then lists exactly the cases counted, for the junior and for the senior collector."""
    desk = start_book()
    cases = desk["cases"]
    expected = {
        "junior_collector": {"promise": {"P10", "P30"}, "follow_up": {"F45", "P30"}, "broken": {"B20"},
                             "overdue": {"P30", "B20"}},
        "senior_collector": {"promise": {"H20"}, "follow_up": set(), "broken": set(), "overdue": set()},
    }  # fmt: skip
    for role, kinds in expected.items():
        html = page(client, desk["users"][role][0])
        for kind, names in kinds.items():
            assert f'href="/cases/?work={kind}"' in html
            queue = client.get("/cases/", {"work": kind}).content.decode()
            shown = {int(n) for n in re.findall(r'data-case="(\d+)"', queue)}
            assert shown == {cases[name].pk for name in names}, (role, kind)
            assert counts(html)[kind] == len(names)
    assert client.get("/cases/", {"work": "nonsense"}).status_code == 200  # an unknown value: every case


def test_the_pool_figures_count_only_the_pools_of_the_user(client):
    """Clause: TEAM-1, TEAM-2, TEAM-3 — a junior collector's figures are the junior pool's alone (U15 without a
    collector among them; never H20 or S75 of the senior pool); a senior's add the senior pool; a supervisor's
    every pool, with each collector's cases and work."""
    desk = start_book()
    users = desk["users"]
    junior = rows(section(page(client, users["junior_collector"][0]), "pools"))
    assert junior == [
        ["Pool", "Open cases", "mild (轻度)", "moderate (中度)", "severe (重度)", "Overdue total (yuan)",
         "Without a collector"],
        ["junior collectors", "5", "4", "1", "0", "4,708.60 元", "1"],
    ]  # fmt: skip
    senior = rows(section(page(client, users["senior_collector"][0]), "pools"))
    assert senior[1:] == [
        ["junior collectors", "5", "4", "1", "0", "4,708.60 元", "1"],
        ["senior collectors", "2", "1", "1", "0", "7,476.71 元", "0"],
        ["All pools", "7", "5", "2", "0", "12,185.31 元", "1"],
    ]
    html = page(client, users["supervisor"][0])
    assert rows(section(html, "pools"))[1:] == [
        ["junior collectors", "5", "4", "1", "0", "4,708.60 元", "1"],
        ["senior collectors", "2", "1", "1", "0", "7,476.71 元", "0"],
        ["supervisor's decision", "1", "0", "0", "1", "10,337.87 元", "0"],
        ["All pools", "8", "5", "2", "1", "22,523.18 元", "1"],
    ]
    assert 'href="/cases/?owner=none&amp;pool=junior"' in section(html, "pools")
    assert counts(html) == {"promise": 0, "follow_up": 0, "broken": 0, "overdue": 0, "reminders": 2}
    table = rows(section(html, "collectors"))
    assert table[0] == [
        "Collector", "Role", "Open cases", "Promises to pay due today", "Calls and follow-ups due",
        "Broken promises to follow up", "Calls and follow-ups overdue", "Overdue total (yuan)",
    ]  # fmt: skip
    assert table[1:] == [
        ["junior_collector-1", "初级催收专员", "4", "2", "2", "1", "2", "4,451.97 元"],
        ["senior_collector-1", "高级催收专员", "2", "1", "0", "0", "0", "7,476.71 元"],
        ["supervisor-1", "催收主管", "1", "0", "0", "0", "0", "10,337.87 元"],
    ]
    junior_id = users["junior_collector"][0].pk
    assert f'href="/cases/?owner={junior_id}&amp;work=promise"' in html


def test_a_junior_never_counts_a_senior_pool_case(client):
    """Clause: TEAM-3 — the senior pool's promise (H20) and phone reminder count for the senior collector only;
    the junior's numbers do not move when they are added, and the junior queue's promise list leaves H20 out."""
    desk = start_book()
    junior, senior = desk["users"]["junior_collector"][0], desk["users"]["senior_collector"][0]
    assert counts(page(client, senior))["promise"] == 1
    assert counts(page(client, junior))["promise"] == 2
    high = desk["cases"]["H20"].pk
    assert f'data-case="{high}"' not in page(client, junior)
    assert f'data-case="{high}"' not in client.get("/cases/", {"work": "promise"}).content.decode()


SECTIONS = ("today", "placed", "pools", "collectors", "approvals", "outbox", "templates", "holds", "compliance",
            "last-run", "administration", "reports", "nothing-yet")  # fmt: skip
EXPECTED = {
    RoleCode.JUNIOR_COLLECTOR: {"today", "pools"},
    RoleCode.SENIOR_COLLECTOR: {"today", "pools"},
    RoleCode.SUPERVISOR: {"today", "pools", "collectors", "approvals", "outbox", "holds", "last-run", "reports"},
    RoleCode.LEGAL_OFFICER: {"templates", "holds"},
    RoleCode.COMPLIANCE_OFFICER: {"outbox", "templates", "holds", "compliance", "reports", "administration"},
    RoleCode.AGENCY_USER: {"placed"},
    RoleCode.ANALYST: {"reports", "nothing-yet"},
    RoleCode.ADMINISTRATOR: {"last-run", "administration"},
    RoleCode.QA_REVIEWER: {"nothing-yet"},  # QA-1: the review queue comes with the inspection
    RoleCode.TELEPHONY: {"nothing-yet"},  # the call platform's role: its service account uses the API only
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_only_its_sections(client, role):
    """Clause: AUTH-1 — the sections follow the role's grants: collectors their work and pools, a supervisor
    also each collector, the approvals, the outbox, holds and the last run; legal and compliance officers their
    reviews; the agency user the cases placed with their agency; the analyst is told that their work comes later
    and what they may open."""
    html = page(client, make_user(role))
    assert {name for name in SECTIONS if f'<section id="{name}">' in html} == EXPECTED[role]
    assert "Today's work" in html
    assert 'href="/policy/"' in html


def test_the_analyst_is_told_what_they_can_open_and_the_agency_user_sees_the_placed_cases(client):
    """Clause: LGL-2, AGY-1 — an agency without its documents on file has nothing in force to work on: its
    placements (none yet) are shown as frozen, with the reason."""
    analyst = section(page(client, make_user("analyst")), "nothing-yet")
    assert "Your role has no daily work list yet; it comes with a later release." in analyst
    assert 'href="/notices/report/"' in analyst
    assert 'href="/reports/"' in analyst  # the KPIs (KPI-1, KPI-2) and the scorecards (QA-2)
    assert 'href="/reports/scorecards/"' in analyst
    assert 'href="/reports/reviews/"' in analyst  # the approved monthly review packs (REV-1)
    assert 'href="/policy/"' in analyst
    agency = section(page(client, make_user("agency_user")), "placed")
    assert "Cases placed with 示例催收服务有限公司" in agency
    assert 'href="/cases/"' in agency
    assert "no business licence on file" in agency
    assert 'href="/notices/report/"' not in agency
    assert 'href="/reports/"' not in agency
    zh = section(page(client, make_user("analyst"), lang="zh-hans"), "nothing-yet")
    assert "您的角色暂无每日工作清单" in zh


def test_the_outbox_holds_and_run_figures_of_a_supervisor(client):
    """Clause: REM-1 — two notices failed after the last retry, one unconfirmed, one waiting for the quiet hours
    until 08:00; one hold in force on the business date (another lifted the day before); the last nightly run
    is the business date's, done."""
    desk = start_book()
    borrower = desk["cases"]["P10"].borrower
    for n, status in enumerate(["dead", "dead", "unconfirmed", "queued"]):
        Notice.objects.create(
            key=f"test-{n}", borrower=borrower, loan=borrower.loans.get(), kind="reminder", channel="sms", amount_fen=100, queued_on=AS_OF,
            clause="REM-1", status=status, reason="quiet_hours" if status == "queued" else "",
            not_before=datetime(2026, 3, 21, 8, 0, tzinfo=SHANGHAI) if status == "queued" else None,
        )  # fmt: skip
    supervisor = desk["users"]["supervisor"][0]
    Hold.objects.create(borrower=borrower, kind="complaint", reason="投诉处理中", starts_on=AS_OF, placed_by=supervisor)
    Hold.objects.create(
        borrower=desk["cases"]["P30"].borrower, kind="complaint", reason="投诉已结", placed_by=supervisor,
        starts_on=AS_OF - timedelta(days=9), released_on=AS_OF - timedelta(days=1),
    )  # fmt: skip
    html = page(client, supervisor)
    outbox = section(html, "outbox")
    assert "Failed after the last retry: 2" in outbox
    assert 'href="/notices/?status=dead"' in outbox
    assert "Unconfirmed, to be settled: 1" in outbox
    assert "Waiting for the quiet hours to end: 1 · the first may go at 2026-03-21 08:00" in outbox
    assert "Holds in force on 2026-03-20: 1." in section(html, "holds")
    assert "The last nightly run, for 2026-03-20: done." in section(html, "last-run")
    assert "Instalment plans: 0" in section(html, "approvals")


def test_the_start_page_speaks_simplified_chinese(client):
    desk = start_book()
    html = page(client, desk["users"]["junior_collector"][0], lang="zh-hans")
    assert "<title>今日工作 · arrears</title>" in html
    assert "今日到期的还款承诺" in html
    assert "逾期总额（元）" in html
    assert "junior" not in section(html, "pools")  # the pool in words, not its code


def test_no_one_signed_in_is_sent_to_sign_in(client):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/")
    assert client.get("/policy/").status_code == 200  # the policy stays public


def measured(client, role: str, extra: int) -> list[str]:
    """The queries of the start page of `role` on the book with `extra` more cases (rolled back afterwards)."""
    with transaction.atomic():
        desk = start_book(extra)
        client.force_login(desk["users"][role][0])
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        client.logout()
        transaction.set_rollback(True)
    if extra and role == "junior_collector":
        assert counts(html)["promise"] == 2 + extra
        assert len(listed(html, "promise")) == start.ROWS
        assert f"and {2 + extra - start.ROWS} more in the case queue" in html
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("role", ["junior_collector", "supervisor"])
def test_the_start_page_makes_a_fixed_number_of_queries(client, role):
    """Clause: CLS-2 — the same number of queries for the desk of 8 cases and for the one of 20, where each list
    of today's work has more rows than the page shows."""
    few, many = measured(client, role, 0), measured(client, role, 12)
    assert len(many) == len(few), [sql[:100] for sql in many]
