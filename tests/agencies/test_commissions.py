"""Agencies' commission statements (Clause: LGL-2, KPI-2, PRV-1): per placement per month, to the fen, on what was
applied of the borrower's payments on the covered days; the page, PDF, CSV and API; who sees what. The book is
tests/agencies/commission_book.py (its table says every figure)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from commission_book import AS_OF, commission_book
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from test_letters import embedded_fonts

from arrears.agencies.commissions import (
    Month,
    Reach,
    commission_costs,
    commission_costs_per_agency,
    commission_costs_per_case,
    statement,
)
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

MARCH, APRIL = Month(2026, 3), Month(2026, 4)


@pytest.fixture
def book():
    return commission_book()


def signed_in(user, language="zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def figures(found) -> list[tuple]:
    return [
        (r.placement_id, r.case_id, r.borrower, r.contracts, r.first_day, r.last_day, r.days, r.recovered_fen,
         r.percent, r.commission_fen)
        for r in found.rows
    ]  # fmt: skip


def test_the_march_statement_to_the_fen(book):
    """Clause: LGL-2 — AGY-101 in March: X from 10 March (the payment of the 9th, before the placement, does not
    count) 3,456.78 at 12.50% = 432.10; Y 500.00 of an 800.00 payment (the 300.00 overpayment earns nothing) =
    62.50; Z 0.04 → 0.005 → 0.01 (half up), its payment after the period ended not counted. Totals 3,956.82 and
    494.61. The rate is the placement's (12.50), not the agency's since (20.00)."""
    p1, p2, p3, _p4 = book.placements
    found = statement(book.agencies[0], MARCH, Reach.FULL, AS_OF)
    x, y, z = (book.cases[k].pk for k in "XYZ")
    rate = Decimal("12.50")
    assert figures(found) == [
        (p3.pk, z, "张**", ("L-Z",), date(2026, 3, 1), date(2026, 3, 10), 10, 4, rate, 1),
        (p1.pk, x, "欧阳**", ("L-X",), date(2026, 3, 10), date(2026, 3, 31), 22, 345678, rate, 43210),
        (p2.pk, y, "司马**", ("L-Y",), date(2026, 3, 15), date(2026, 3, 31), 17, 50000, rate, 6250),
    ]
    assert (found.recovered_fen, found.commission_fen) == (395682, 49461)
    assert sum(r.commission_fen for r in found.rows) == found.commission_fen
    assert (found.provisional, found.personal) == (False, True)


def test_a_placement_spanning_two_months_is_split_and_the_recall_day_stays_with_the_first_agency(book):
    """Clause: LGL-2 — X's placement with AGY-101 (10 March – recalled 15 April) has an April row of 1–15 April:
    1,000.00 + the 200.00 paid on the recall day = 1,200.00 → 150.00; X placed again with AGY-202 the same day
    covers 16–30 April: the 300.00 of the 16th at 10.00% → 30.00; Y in force all April, nothing paid: 0.00."""
    p1, p2, _p3, p4 = book.placements
    x, y = book.cases["X"].pk, book.cases["Y"].pk
    april = statement(book.agencies[0], APRIL, Reach.FULL, AS_OF)
    assert [
        (r.placement_id, r.case_id, r.first_day, r.last_day, r.recovered_fen, r.commission_fen) for r in april.rows
    ] == [
        (p1.pk, x, date(2026, 4, 1), date(2026, 4, 15), 120000, 15000),
        (p2.pk, y, date(2026, 4, 1), date(2026, 4, 30), 0, 0),
    ]
    other = statement(book.agencies[1], APRIL, Reach.FULL, AS_OF)
    assert figures(other) == [
        (p4.pk, x, "欧阳**", ("L-X",), date(2026, 4, 16), date(2026, 4, 30), 15, 30000, Decimal("10.00"), 3000)
    ]
    assert statement(book.agencies[1], MARCH, Reach.FULL, AS_OF).rows == ()
    # May: read on 30 April, the month has not begun — provisional, only what is placed then, nothing recovered.
    may = statement(book.agencies[0], Month(2026, 5), Reach.FULL, AS_OF)
    assert may.provisional
    assert [(r.placement_id, r.first_day, r.last_day, r.commission_fen) for r in may.rows] == [
        (p2.pk, date(2026, 5, 1), date(2026, 5, 13), 0)
    ]


def test_commissions_are_collection_costs_for_kpi2(book):
    """Clause: KPI-2 — the costs of a calendar month are its statements' totals: March 494.61 (AGY-101 only),
    March–April 674.61 (AGY-101 644.61, AGY-202 30.00); per case X 432.10 + 150.00 + 30.00 = 612.10, Y 62.50, Z
    0.01; a range within a month takes the payments of its days only (10–14 March: X's 3,456.78 → 432.10)."""
    one, two = book.agencies
    x, y, z = (book.cases[k].pk for k in "XYZ")
    assert commission_costs(MARCH.first, MARCH.last) == 49461
    assert commission_costs(MARCH.first, APRIL.last) == 67461
    assert commission_costs_per_agency(MARCH.first, APRIL.last) == {one.pk: 64461, two.pk: 3000}
    assert commission_costs_per_case(MARCH.first, APRIL.last) == {x: 61210, y: 6250, z: 1}
    assert commission_costs_per_case(MARCH.first, APRIL.last, cases=[y]) == {y: 6250}
    assert commission_costs(date(2026, 3, 10), date(2026, 3, 14)) == 43210
    assert commission_costs(date(2026, 1, 1), date(2026, 2, 28)) == 0


def test_an_agency_user_sees_the_borrowers_of_the_placements_in_force_only(book):
    """Clause: LGL-2, PRV-1 — on 30 April only Y's placement is in force: the agency's statement names Y (masked)
    and no one else; the figures are the same for every reader; reports see no borrower."""
    agency = statement(book.agencies[0], MARCH, Reach.AGENCY, AS_OF)
    assert [(r.borrower, r.contracts, r.shows_person) for r in agency.rows] == [
        ("", (), False),
        ("", (), False),
        ("司马**", ("L-Y",), True),
    ]
    reports = statement(book.agencies[0], MARCH, Reach.FIGURES, AS_OF)
    assert [(r.borrower, r.contracts) for r in reports.rows] == [("", ())] * 3
    assert not reports.personal
    full = statement(book.agencies[0], MARCH, Reach.FULL, AS_OF)
    assert [r.commission_fen for r in agency.rows] == [r.commission_fen for r in reports.rows] == [1, 43210, 6250]
    assert agency.commission_fen == full.commission_fen == 49461


def test_a_statement_costs_the_same_queries_whatever_its_length(book):
    """Three rows (AGY-101 in March) or one (AGY-202 in April): the same number of queries, none per row."""
    with CaptureQueriesContext(connection) as three:
        assert len(statement(book.agencies[0], MARCH, Reach.FULL, AS_OF).rows) == 3
    with CaptureQueriesContext(connection) as one:
        assert len(statement(book.agencies[1], APRIL, Reach.FULL, AS_OF).rows) == 1
    assert len(three) == len(one)


# -- the pages ---------------------------------------------------------------------------------------------------

URL = "/agencies/AGY-101/commissions/2026-03/"


def test_the_supervisors_page_shows_the_statement(book):
    """Clause: LGL-2 — in Chinese, the masked names, the figures and the links to the PDF and CSV."""
    page = signed_in(book.boss).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    for shown in (
        "远方资产管理有限公司",
        "欧阳**",
        "L-X",
        "3,456.78",
        "432.10",
        "12.50%",
        "3,956.82",
        "494.61",
        "佣金结算单",
    ):
        assert shown in text, shown
    assert f"PLC-20260310-{book.placements[0].pk:06d}" in text
    assert "欧阳明远" not in text
    assert 'href="/agencies/AGY-101/commissions/2026-03.pdf"' in text
    assert 'href="/agencies/AGY-101/commissions/2026-04/"' in text


@pytest.mark.parametrize("role", ["analyst", "compliance_officer"])
def test_readers_of_reports_see_the_figures_only(book, role):
    """Clause: PRV-1 — an analyst (and a compliance officer, by `reports.view`): every agency's figures, no
    borrower, no contract — on the page, in the PDF and the CSV, which are then no audited read."""
    client = signed_in(make_user(role))
    events = AuditEvent.objects.count()
    for url in (URL, URL[:-1] + ".pdf", URL[:-1] + ".csv", "/api/v1/agencies/AGY-101/commissions?month=2026-03"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = pdf_text(answer.content) if url.endswith(".pdf") else answer.content.decode("utf-8-sig")
        assert "494.61" in text, url
        for hidden in ("欧阳", "司马", "张**", "L-X", "L-Y"):
            assert hidden not in text, (url, hidden)
    assert AuditEvent.objects.count() == events


def test_an_agency_user_opens_their_own_agencys_statement(book):
    """Clause: LGL-2, PRV-1 — the agency's own user: its statement, Y (in force) masked, the others by number."""
    text = signed_in(book.one_user).get(URL).content.decode()
    for shown in ("司马**", "L-Y", "432.10"):
        assert shown in text
    for hidden in ("欧阳", "L-X"):
        assert hidden not in text


@pytest.mark.parametrize(
    "url",
    [
        URL,
        URL[:-1] + ".pdf",
        URL[:-1] + ".csv",
        "/api/v1/agencies/AGY-101/commissions?month=2026-03",
        "/agencies/AGY-999/commissions/2026-03/",
    ],
)
def test_another_agencys_user_gets_nothing(book, url):
    """Clause: LGL-2, PRV-1 — AGY-202's user swapping in AGY-101 (or a code that does not exist): 404, the same
    answer, no figure, no name, and nothing written."""
    events = AuditEvent.objects.count()
    answer = signed_in(book.two_user).get(url)
    assert answer.status_code == 404
    for hidden in ("494.61", "司马"):
        assert hidden.encode() not in answer.content
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "legal_officer", "administrator"])
def test_other_roles_are_refused(book, role):
    """Clause: AUTH-1 — no statement, no index for a role without the grants; nothing written."""
    client = signed_in(make_user(role))
    events = AuditEvent.objects.count()
    for url in (URL, URL[:-1] + ".pdf", "/agencies/commissions/", "/agencies/AGY-999/commissions/2026-03/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/agencies/AGY-101/commissions?month=2026-03").status_code == 403
    assert AuditEvent.objects.count() == events


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace (a table cell may break a line)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_the_pdf_is_a_chinese_document_with_its_font_embedded_and_an_audited_read(book):
    """Clause: LGL-2, PRV-1 — the supervisor's PDF: a real PDF, in Chinese, with the figures and the masked
    names, the CJK font embedded as a subset; opening it is one audit event naming the month and the format."""
    events = AuditEvent.objects.count()
    answer = signed_in(book.boss, "en").get(URL[:-1] + ".pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'inline; filename="commissions-AGY-101-2026-03.pdf"'
    assert "no-store" in answer["Cache-Control"]
    assert answer.content.startswith(b"%PDF-")
    text = pdf_text(answer.content)
    for shown in ("佣金结算单", "远方资产管理有限公司", "欧阳**", "3,456.78", "432.10", "12.50%", "494.61"):
        assert shown in text, shown
    fonts = embedded_fonts(answer.content)
    assert fonts
    assert all(files in (["/FontFile"], ["/FontFile2"], ["/FontFile3"]) for _name, files in fonts), fonts
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_id) == ("agencies.view_commission_statement", book.boss.pk)
    assert (event.subject_type, event.subject_id) == ("accounts.agency", str(book.agencies[0].pk))
    assert event.basis["permission"] == "legal.decide_escalation"
    assert event.changes == {
        "month": [None, "2026-03"],
        "format": [None, "pdf"],
        "rows": [None, 3],
        "borrowers_shown": [None, 3],
    }


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_has_one_line_per_placement_and_the_totals(book):
    """Clause: LGL-2, PRV-1 — UTF-8 with a byte-order mark, a Chinese header, the rows as the page shows them, the
    totals line; an audited read (the agency's user: basis `portfolio.view_agency_cases`)."""
    p1, p2, p3, _p4 = book.placements
    x, y, z = (book.cases[k].pk for k in "XYZ")
    answer = signed_in(book.boss).get(URL[:-1] + ".csv")
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="commissions-AGY-101-2026-03.csv"'
    assert answer.content.startswith(b"\xef\xbb\xbf")
    assert rows_of(answer.content) == [
        [
            "委托编号",
            "案件",
            "借款人",
            "借款合同",
            "起始日",
            "截止日",
            "覆盖天数",
            "回收金额（元）",
            "佣金比例",
            "佣金（元）",
        ],
        [
            f"PLC-20260301-{p3.pk:06d}",
            f"#{z}",
            "张**",
            "L-Z",
            "2026-03-01",
            "2026-03-10",
            "10",
            "0.04",
            "12.50%",
            "0.01",
        ],
        [
            f"PLC-20260310-{p1.pk:06d}",
            f"#{x}",
            "欧阳**",
            "L-X",
            "2026-03-10",
            "2026-03-31",
            "22",
            "3,456.78",
            "12.50%",
            "432.10",
        ],
        [
            f"PLC-20260315-{p2.pk:06d}",
            f"#{y}",
            "司马**",
            "L-Y",
            "2026-03-15",
            "2026-03-31",
            "17",
            "500.00",
            "12.50%",
            "62.50",
        ],
        ["合计", "", "", "", "", "", "", "3,956.82", "", "494.61"],
    ]
    events = AuditEvent.objects.count()
    own = signed_in(book.one_user).get(URL[:-1] + ".csv")
    assert [line[2] for line in rows_of(own.content)[1:]] == ["", "", "司马**", ""]
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == events + 1
    assert (event.action, event.basis["permission"]) == (
        "agencies.view_commission_statement",
        "portfolio.view_agency_cases",
    )
    analyst = rows_of(signed_in(book.analyst).get(URL[:-1] + ".csv").content)
    assert analyst[0] == [
        "委托编号",
        "案件",
        "起始日",
        "截止日",
        "覆盖天数",
        "回收金额（元）",
        "佣金比例",
        "佣金（元）",
    ]
    assert analyst[-1] == ["合计", "", "", "", "", "3,956.82", "", "494.61"]


def test_the_api_gives_the_statement_as_json(book):
    """Clause: LGL-2, KPI-2 — the same rows, yuan as strings and fen as integers; the totals; in force today."""
    p1, _p2, _p3, p4 = book.placements
    body = signed_in(book.boss, "en").get("/api/v1/agencies/AGY-202/commissions?month=2026-04").json()
    assert body == {
        "agency": "AGY-202",
        "month": "2026-04",
        "as_of": "2026-04-30",
        "provisional": False,
        "items": [
            {
                "placement": p4.pk,
                "placement_ref": f"PLC-20260415-{p4.pk:06d}",
                "case": book.cases["X"].pk,
                "borrower": "欧阳**",
                "contracts": ["L-X"],
                "first_day": "2026-04-16",
                "last_day": "2026-04-30",
                "days": 15,
                "recovered": "300.00",
                "recovered_fen": 30000,
                "commission_percent": "10.00",
                "commission": "30.00",
                "commission_fen": 3000,
            }
        ],
        "count": 1,
        "total_recovered": "300.00",
        "total_recovered_fen": 30000,
        "total_commission": "30.00",
        "total_commission_fen": 3000,
    }
    figures_only = signed_in(book.analyst, "en").get("/api/v1/agencies/AGY-101/commissions?month=2026-04").json()
    assert [(i["placement"], i["borrower"], i["contracts"], i["commission"]) for i in figures_only["items"]] == [
        (p1.pk, None, [], "150.00"),
        (book.placements[1].pk, None, [], "0.00"),
    ]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "99999-01", "2026-3", "%EF%BC%92026-03", "abc"])
def test_a_bad_month_is_answered_400_saying_how_to_write_it(book, month):
    """Bad input: a month that does not exist or is not YYYY-MM — 400 with what to write (the API: 422), for the
    page and the files alike; nothing written."""
    client = signed_in(book.boss, "en")
    events = AuditEvent.objects.count()
    for url in (f"/agencies/AGY-101/commissions/{month}/", f"/agencies/AGY-101/commissions/{month}.pdf"):
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert "Write the month as YYYY-MM with a month from 01 to 12, e.g. 2026-03." in answer.content.decode()
    api = client.get(f"/api/v1/agencies/AGY-101/commissions?month={month}")
    assert api.status_code == 422
    assert "YYYY-MM" in api.json()["error"]["message"]
    assert AuditEvent.objects.count() == events


def test_a_nul_or_an_unknown_kind_is_refused(book):
    client = signed_in(book.boss)
    assert client.get("/agencies/AGY-101/commissions/2026-03%00/").status_code == 400
    assert client.get("/agencies/AGY-101/commissions/2026-03.xls").status_code == 404
    assert client.get("/api/v1/agencies/AGY-101/commissions").status_code == 422  # the month is required


def test_the_index_lists_every_agency_this_month_and_last(book):
    """Clause: KPI-2 — on 30 April: AGY-101 150.00 this month and 494.61 in March, AGY-202 30.00 and 0.00; an
    agency user is taken to their own agency's month."""
    text = signed_in(book.analyst).get("/agencies/commissions/").content.decode()
    for shown in ('href="/agencies/AGY-101/commissions/2026-04/">150.00', 'href="/agencies/AGY-101/commissions/2026-03/">494.61',
                  'href="/agencies/AGY-202/commissions/2026-04/">30.00', 'href="/agencies/AGY-202/commissions/2026-03/">0.00'):  # fmt: skip
        assert shown in text, shown
    answer = signed_in(book.two_user).get("/agencies/commissions/")
    assert (answer.status_code, answer["Location"]) == (302, "/agencies/AGY-202/commissions/2026-04/")
