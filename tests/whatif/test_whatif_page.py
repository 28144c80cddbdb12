"""The policy what-if on the workstation (issue 23): asked for on the page, replayed by the worker's job, shown with
its totals, charts and nights, downloaded as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from whatif_history import FIRST, NIGHTS, run_history

from arrears.compliance.models import AuditEvent
from arrears.operations import jobs
from arrears.policy.versions import parse_policy_toml
from arrears.whatif.actions import do_whatif
from arrears.whatif.models import WhatIfReport, WhatIfStatus
from arrears.whatif.requests import do_fail_whatif
from book import nightly_run
from factories import make_user
from pdf_fonts import embedded_fonts, only_the_documents_font, pdf_text

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
FIVE = 'effective_from = 2027-06-01\nname = "five days"\n[reminders]\nadvance_days = 5\n'
LAST = FIRST.replace(day=FIRST.day + NIGHTS - 1)


@pytest.fixture
def history():
    return run_history(borrowers=20)


def signed_in(client, role: str):
    user = make_user(role)
    client.force_login(user)
    return user


def ask(client, policy: str = FIVE, first=FIRST, last=LAST):
    return client.post("/reports/whatif/ask/", {"policy": policy, "first": str(first), "last": str(last)}, **ZH)


def test_asked_on_the_page_replayed_by_the_worker_and_shown(history, client):
    """Clause: REM-1, AUTH-4 — a supervisor asks: kept waiting (audited), the worker's job replays it; the page shows
    the totals of `do_whatif` side by side with the change, the charts and a line per night; the CSV has a row per
    night with both sides, and its download is an audited read."""
    boss = signed_in(client, "supervisor")
    answer = ask(client)
    report = WhatIfReport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/reports/whatif/{report.pk}/"
    assert (report.status, report.requested_by, report.name) == (WhatIfStatus.QUEUED, boss, "five days")
    assert AuditEvent.objects.filter(action="reports.request_whatif", actor=boss).count() == 1
    assert "后台任务尚未回放" in client.get(answer["Location"], **ZH).content.decode()

    assert jobs.whatif_due(None) == [(f"whatif-{report.pk}", {"report": report.pk})]
    outcome = jobs.whatif({"report": report.pk}, nightly_run())
    assert outcome.words == [("whatif_done", {"report": report.pk, "first": FIRST, "last": LAST})]
    assert jobs.whatif_due(None) == []
    report.refresh_from_db()
    assert report.status == WhatIfStatus.DONE
    expected = do_whatif(parse_policy_toml(FIVE, "five"), FIRST, LAST, actor=nightly_run()).total

    page = client.get(f"/reports/whatif/{report.pk}/", **ZH).content.decode()
    written = (expected["baseline"]["reminders"]["written"], expected["candidate"]["reminders"]["written"])
    change = written[1] - written[0]
    assert f'<td>书面提醒</td><td class="num">{written[0]}</td><td class="num">{written[1]}</td>' in page
    assert f"{'+' if change > 0 else ''}{change}</td></tr>" in page
    assert page.count('<figure class="chart"') == 5
    assert page.count("<tr><td>2026-11-0") == NIGHTS

    events = AuditEvent.objects.count()
    download = client.get(f"/reports/whatif/{report.pk}.csv", **ZH)
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][0] == "批处理日"
    assert [row[0] for row in rows[1:]] == [str(FIRST.replace(day=FIRST.day + i)) for i in range(NIGHTS)]
    assert sum(int(row[1]) for row in rows[1:]) == written[0]
    assert AuditEvent.objects.count() == events + 1


@pytest.mark.parametrize(
    ("policy", "first", "last", "said"),
    [
        (FIVE.replace("= 5", "= 99"), "2026-11-02", "2026-11-08", "候选政策无效"),
        (FIVE, "2026-13-01", "2026-11-08", "请按 YYYY-MM-DD 填写日期"),
        (FIVE, "２０２６-11-02", "2026-11-08", "请按 YYYY-MM-DD 填写日期"),
        (FIVE, "2026-11-05", "2026-11-03", "早于开始日"),
        (FIVE, "2026-11-02", "2026-11-30", "最近完成的日终批处理是 2026-11-08"),
        (FIVE + "\x00", "2026-11-02", "2026-11-08", "请求中含有空字符"),
        ("x" * 20_001, "2026-11-02", "2026-11-08", "最多 20,000 个字符"),
    ],
)
def test_bad_input_answers_in_the_readers_language_and_stores_nothing(history, client, policy, first, last, said):
    """Clause: AUTH-4 — a policy out of range (its faults listed as the policy check words them), a date that is
    not one, a period backwards or not yet run, a NUL, a policy too long: 400 saying what to do; nothing kept,
    nothing audited."""
    signed_in(client, "analyst")
    events = AuditEvent.objects.count()
    answer = client.post("/reports/whatif/ask/", {"policy": policy, "first": first, "last": last}, **ZH)
    assert answer.status_code == 400
    assert said in answer.content.decode()
    assert WhatIfReport.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_policys_faults_are_listed_with_the_allowed_range(history, client):
    """Clause: REM-1 — `advance_days = 99`: the key, the value and the range, as `arrears policy check` says them."""
    signed_in(client, "supervisor")
    page = ask(client, FIVE.replace("= 5", "= 99")).content.decode()
    assert "reminders.advance_days = 99: outside the allowed range (allowed: from 1 to 15)" in page


def test_a_collector_may_not_ask_or_read(history, client):
    """Clause: AUTH-1 — a junior collector: 403 on the list, the request and a what-if; nothing stored."""
    report = WhatIfReport.objects.create(
        name="x",
        policy_text=FIVE,
        first=FIRST,
        last=LAST,
        requested_by=make_user("analyst"),
        requested_at="2026-11-09T02:00Z",
    )
    signed_in(client, "junior_collector")
    assert client.get("/reports/whatif/", **ZH).status_code == 403
    assert ask(client).status_code == 403
    assert client.get(f"/reports/whatif/{report.pk}/", **ZH).status_code == 403
    assert client.get(f"/reports/whatif/{report.pk}.csv", **ZH).status_code == 403
    assert WhatIfReport.objects.count() == 1


def test_a_what_if_the_worker_gave_up_on_says_so(history, client):
    """Clause: practice — the job's last attempt failed: the what-if is marked failed (audited), its page says the
    replay did not finish and where administrators find why; it has no CSV; a later attempt changes nothing."""
    signed_in(client, "supervisor")
    report = WhatIfReport.objects.get(pk=ask(client)["Location"].split("/")[-2])
    jobs.whatif_gave_up({"report": report.pk})
    report.refresh_from_db()
    assert report.status == WhatIfStatus.FAILED
    assert AuditEvent.objects.filter(action="reports.complete_whatif").count() == 1
    page = client.get(f"/reports/whatif/{report.pk}/", **ZH).content.decode()
    assert "回放未能完成；管理员可在后台任务页面查看原因。" in page
    assert client.get(f"/reports/whatif/{report.pk}.csv", **ZH).status_code == 404
    assert do_fail_whatif(report.pk, "again", actor=nightly_run()).error == report.error
    assert AuditEvent.objects.filter(action="reports.complete_whatif").count() == 1


@pytest.mark.parametrize("what", ["abc", "-1", "99999999999999999999999", "１"])
def test_an_id_that_is_not_one_is_not_found(client, what):
    """Clause: practice — a what-if id that is not an id: 404, never a server error."""
    signed_in(client, "analyst")
    assert client.get(f"/reports/whatif/{what}/", **ZH).status_code == 404


def test_the_pdf_carries_the_totals_the_nights_and_the_documents_font(history, client):
    """Clause: REM-1, AUTH-4 — the what-if as an A4 PDF in Chinese: its number, the candidate's change, the written
    reminders of both sides, a line per night, the CJK font subset-embedded; the download is an audited read."""
    signed_in(client, "analyst")
    report = WhatIfReport.objects.get(pk=ask(client)["Location"].split("/")[-2])
    jobs.whatif({"report": report.pk}, nightly_run())
    report.refresh_from_db()
    total = report.result["total"]
    events = AuditEvent.objects.count()
    answer = client.get(f"/reports/whatif/{report.pk}.pdf", **ZH)
    assert answer["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.count() == events + 1
    text = pdf_text(answer.content)
    assert f"政策假设分析 #{report.pk}" in text
    assert "reminders.advance_days = 5" in text
    written = (total["baseline"]["reminders"]["written"], total["candidate"]["reminders"]["written"])
    assert f"书面提醒 {written[0]} {written[1]}" in text
    assert all(f"2026-11-0{2 + i}" in text for i in range(NIGHTS))
    assert only_the_documents_font(answer.content), embedded_fonts(answer.content)
