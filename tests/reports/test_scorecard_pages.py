"""The scorecards page, its CSV downloads, the API and `arrears scorecards` (Clause: QA-2), on November of
scorecard_book.py; who may read them, and what a bad month is answered."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from scorecard_book import NOVEMBER, build_november

from arrears.cli import main
from arrears.compliance.models import AuditEvent
from arrears.reports.scorecards import as_data, scorecards
from factories import make_user

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def november(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_november()


def test_a_supervisor_reads_the_months_cards_in_chinese(client, november):
    """Clause: QA-2 — each part's figure with its raw figures and the weight used, the score, the policy's
    weights; a part left out and a card without a score say so."""
    client.force_login(make_user("supervisor"))
    page = client.get("/reports/scorecards/?month=2026-11", **ZH).content.decode()
    li = page[page.index(f'id="collector-scorecards-{november.li.pk}"') :].split("</tr>")[0]
    assert "<strong>68.75</strong>" in li
    assert "10,000.00 元中回收 10,000.00 元" in li
    assert "到期 2 笔中兑现 1 笔" in li
    assert "外呼 4 次中联系到本人 3 次" in li
    assert "得分 80.00，已质检 2 通" in li
    assert "权重 0.3000" in li
    wang = page[page.index(f'id="collector-scorecards-{november.wang.pk}"') :].split("</tr>")[0]
    assert ("不计入" in wang, "权重 0.4000" in wang, "<strong>67.33</strong>" in wang) == (True, True, True)
    zhao = page[page.index(f'id="collector-scorecards-{november.zhao.pk}"') :].split("</tr>")[0]
    assert "无得分：本月没有可考核的工作" in zhao
    assert f'id="agency-scorecards-{november.firm.pk}"' in page
    assert "<strong>41.18</strong>" in page
    assert "政策规定的权重" in page
    assert "经查实投诉达到 2 次时投诉一项为 0；违规达到 1 次时违规一项为 0。" in page
    assert "任何人都不得仅以回收金额考核" in page


def test_analysts_see_staff_and_agencies_and_no_borrower(client, november):
    """Clause: QA-2, PRV-1 — an analyst reads the cards (staff names, the agency), and nothing of a borrower."""
    client.force_login(make_user("analyst"))
    response = client.get("/reports/scorecards/?month=2026-11", **ZH)
    page = response.content.decode()
    assert response.status_code == 200
    assert ">li<" in page
    assert "示例催收服务有限公司" in page
    assert '<a href="/reports/scorecards/"' in page  # the navigation's link for readers of reports
    assert "张伟" not in page
    assert "张三丰" not in page
    assert "1701234" not in page


@pytest.mark.parametrize(
    "role", ["junior_collector", "senior_collector", "agency_user", "legal_officer", "qa_reviewer"]
)
def test_other_roles_are_refused_and_nothing_is_recorded(client, november, role):
    """Clause: QA-2, AUTH-1 — collectors, agencies, legal officers, QA reviewers: 403 on the page, its CSV and the
    API; no audit event, nothing changed."""
    agency = november.firm if role == "agency_user" else None
    client.force_login(make_user(role, **({"agency": agency} if agency else {})))
    events = AuditEvent.objects.count()
    assert client.get("/reports/scorecards/?month=2026-11").status_code == 403
    assert client.get("/reports/scorecards/?month=2026-11&format=csv").status_code == 403
    assert client.get("/api/v1/kpi/scorecards?month=2026-11").status_code == 403
    assert AuditEvent.objects.count() == events
    assert "/reports/scorecards/" not in client.get("/").content.decode()  # no link to a page refused


def test_each_table_downloads_as_csv_as_an_audited_read(client, november):
    """Clause: QA-2, AUTH-4 — the collectors' table as CSV: a header row and a line per card, the figures as on the
    page; the download is one audited read naming the month and the table."""
    boss = make_user("compliance_officer")
    client.force_login(boss)
    response = client.get("/reports/scorecards/?month=2026-11&table=collectors&format=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="scorecards-collectors-2026-11-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Name"] for row in rows] == ["agent", "li", "wang", "zhao"]
    wang = rows[2]
    assert (wang["Opening overdue (yuan)"], wang["Recovered (yuan)"], wang["Recovery rate"]) == (
        "5,000.00",
        "3,000.00",
        "0.6000",
    )
    assert (wang["Quality part"], wang["Weight: call quality"], wang["Weight: recovery rate"], wang["Score"]) == (
        "",
        "",
        "0.4000",
        "67.33",
    )
    assert rows[3]["Score"] == ""
    assert rows[3]["Why no score"].startswith("No score: nothing of the month's work")
    event = AuditEvent.objects.filter(action="home.export_list").get()
    assert event.actor_id == boss.pk
    agencies = client.get("/reports/scorecards/?month=2026-11&table=agencies&format=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert [row["Score"] for row in csv.DictReader(io.StringIO(agencies.content.decode("utf-8-sig")))] == ["41.18"]


def test_both_tables_download_as_one_xlsx_workbook_an_audited_read(client, november):
    """Clause: QA-2, AUTH-4 — the collectors' and the agencies' cards as two sheets, amounts numbers in yuan and the
    parts percentages; one audited read; a collector gets 403 and nothing is written."""
    client.force_login(make_user("junior_collector"))
    assert client.get("/reports/scorecards/?month=2026-11&format=xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="home.export_list").exists()
    client.force_login(make_user("analyst"))
    response = client.get("/reports/scorecards/?month=2026-11&format=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = zipfile.ZipFile(io.BytesIO(response.content))
    sheets = sorted(name for name in book.namelist() if name.startswith("xl/worksheets/sheet"))
    assert len(sheets) == 2
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "Collectors" in book.read("xl/workbook.xml").decode()
    assert "Why no score" in strings
    collectors = book.read(sheets[0]).decode()
    assert "<v>3000</v>" in collectors  # li's 3,000.00 recovered, a number in yuan
    assert AuditEvent.objects.filter(action="home.export_list").count() == 1


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "２０２６-１１", "abc", "99999-01"])
def test_a_bad_month_is_answered_400_with_what_to_write(client, month):
    """A month written otherwise than YYYY-MM: 400 on the page (and for its CSV), 422 from the API, never a 500."""
    client.force_login(make_user("supervisor"))
    for url in (f"/reports/scorecards/?month={month}", f"/reports/scorecards/?month={month}&format=csv"):
        response = client.get(url, **ZH)
        assert response.status_code == 400
        assert "月份请写作 YYYY-MM" in response.content.decode()
    api = client.get("/api/v1/kpi/scorecards", {"month": month}, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 422
    assert "YYYY-MM" in api.json()["error"]["message"]


def test_an_unknown_table_is_answered_400(client, november):
    client.force_login(make_user("analyst"))
    response = client.get("/reports/scorecards/?month=2026-11&table=borrowers&format=csv", **ZH)
    assert response.status_code == 400
    assert "请选择要下载的表：催收员或委外机构。" in response.content.decode()
    assert AuditEvent.objects.filter(action="home.export_list").count() == 0


def test_a_month_without_an_opening_is_explained(client, capsys):
    """Clause: KPI-1 — before the first nightly run kept an opening: the page says why (200), the API 409 with the
    same words, the command exits 1."""
    client.force_login(make_user("supervisor"))
    page = client.get("/reports/scorecards/?month=2026-11", **ZH).content.decode()
    assert "2026-11 没有期初数据：期初数据由 2026-10-31 的夜间批处理保存" in page
    api = client.get("/api/v1/kpi/scorecards?month=2026-11", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 409
    assert api.json()["error"]["message"].startswith("2026-11 has no opening figures")
    assert main(["scorecards", "--month", "2026-11"]) == 1
    assert "2026-11 has no opening figures" in capsys.readouterr().err


def test_the_api_and_the_command_give_the_same_cards(client, november, capsys):
    """Clause: QA-2 — GET /api/v1/kpi/scorecards and `arrears scorecards --json` print `as_data`; the command's
    table names each card and its score."""
    expected = json.loads(json.dumps(as_data(scorecards(NOVEMBER))))
    client.force_login(make_user("analyst"))
    response = client.get("/api/v1/kpi/scorecards?month=2026-11")
    assert (response.status_code, response.json()) == (200, expected)
    assert main(["scorecards", "--month", "2026-11", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    assert main(["scorecards", "--month", "2026-11"]) == 0
    printed = capsys.readouterr().out
    assert "2026-11 (closed)" in printed
    assert [line.split()[-1] for line in printed.splitlines() if line.startswith(("li ", "wang ", "zhao "))] == [
        "68.75",
        "67.33",
        "no_work",
    ]
    assert main(["scorecards", "--month", "2026-13"]) != 0
    assert "YYYY-MM" in capsys.readouterr().err
