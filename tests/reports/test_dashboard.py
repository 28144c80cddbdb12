"""The KPI dashboard: charts and tables of the hand-computed book, downloads as CSV and XLSX (audited), filters,
bad choices refused in words, readers of reports only."""

from __future__ import annotations

import io
import zipfile

import pytest
from kpi_book import build_book, run_november, signed_in

from arrears.compliance.models import AuditEvent

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_dashboard_shows_novembers_figures_with_charts():
    """Clause: KPI-1, KPI-2 — recovery by class against target, the month closed, the charts drawn."""
    run_november(build_book())
    page = signed_in("analyst").get("/reports/?month=2026-11", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-11 is closed" in html
    assert "15,167.54" in html
    assert "8,053.32" in html
    assert "53.10%" in html  # mild
    assert "28.67%" in html  # severe
    for chart in ("recovery_mild", "recovery_severe", "buckets", "cost_rate", "activity", "rolls"):
        assert f'id="chart-{chart}"' in html
    assert html.count("<svg") >= 6
    assert "KPI-LOAN" not in html  # no loan, no borrower: figures only
    # in Chinese, no English words of its own
    html = signed_in("supervisor").get("/reports/?month=2026-11", **ZH).content.decode()
    assert "回收率" in html
    for english in ("Recovery rate", "is closed", "opening overdue", "Download every table"):
        assert english not in html
    # split by product; narrowed to a product the costs are the department's
    html = signed_in("analyst").get("/reports/?month=2026-11&split=product&product=consumer", **EN).content.decode()
    assert 'id="table-split"' in html
    assert "84,915.87" in html
    assert "the whole department" in html


def test_every_table_downloads_as_csv_and_all_as_xlsx_each_an_audited_read():
    """Clause: KPI-1, AUTH-4 — the tables of the page, written as typed cells; one audit event per download."""
    run_november(build_book())
    client = signed_in("analyst")
    before = AuditEvent.objects.filter(action="home.export_list").count()
    csv = client.get("/reports/?month=2026-11&format=csv&table=recovery", **EN)
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert 'mild (轻度),2,"15,167.54","8,053.32",53.10%,80.00%' in text
    workbook = client.get("/reports/?month=2026-11&format=xlsx", **EN)
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    names = zipfile.ZipFile(io.BytesIO(workbook.content)).namelist()
    assert sum(name.startswith("xl/worksheets/sheet") for name in names) == 5
    assert AuditEvent.objects.filter(action="home.export_list").count() == before + 2
    assert client.get("/reports/?month=2026-11&format=csv&table=nothing", **EN).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "month=2026-13",
        "month=２０２６-11",
        "team=abc",
        "collector=１２",
        "agency=99999999999999999999",
        "split=borrower",
    ],
)
def test_bad_choices_are_refused_in_words_not_a_500(query):
    page = signed_in("supervisor").get(f"/reports/?{query}", **EN)
    assert page.status_code == 400
    assert 'class="error"' in page.content.decode()


def test_a_month_before_the_first_night_says_so():
    build_book()
    page = signed_in("supervisor").get("/reports/?month=2026-10", **EN)
    assert page.status_code == 200
    assert "has no opening figures" in page.content.decode()


def test_collectors_and_agency_users_may_not_see_the_dashboard_nor_download():
    before = AuditEvent.objects.filter(action="home.export_list").count()
    for role in ("junior_collector", "senior_collector", "agency_user", "legal_officer"):
        client = signed_in(role)
        assert client.get("/reports/?month=2026-11").status_code == 403
        assert client.get("/reports/?month=2026-11&format=xlsx").status_code == 403
    assert AuditEvent.objects.filter(action="home.export_list").count() == before
