"""The KPIs in the API: the figures of `arrears kpi`, for report readers only; bad months refused clearly."""

from __future__ import annotations

import pytest
from kpi_book import build_book, run_november, signed_in

pytestmark = pytest.mark.django_db


def test_an_analyst_reads_the_months_recovery_rolls_and_indicators():
    """Clause: KPI-1, KPI-2 — the same figures as the command line (docs/kpi.md's November)."""
    run_november(build_book())
    analyst = signed_in("analyst")
    figures = analyst.get("/api/v1/kpi", {"month": "2026-11", "by": "class"}).json()
    assert [(row["class"], row["recovered"], row["recovery_rate"]) for row in figures["rows"]] == [
        ("mild", "8053.32", "0.5310"),
        ("moderate", "0.00", None),
        ("severe", "20000.00", "0.2867"),
    ]
    by_product = analyst.get("/api/v1/kpi", {"month": "2026-11", "by": "product", "product": "consumer"}).json()
    assert [(row["product"], row["opening_overdue"]) for row in by_product["rows"]] == [("consumer", "84915.87")]
    matrix = analyst.get("/api/v1/kpi/rolls", {"month": "2026-11"}).json()
    m1 = matrix["starts"].index("M1")
    assert dict(zip(matrix["ends"], matrix["rates"][m1], strict=True))["M2"] == "0.5000"
    assert matrix["cure_rate"] == "0.2500"
    indicators = analyst.get("/api/v1/kpi/indicators", {"month": "2026-11", "by": "collector"}).json()
    assert indicators["average_dpd"] == {"mild": "13.5", "severe": "102.0"}


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({"month": "2026-13"}, 422, "YYYY-MM"),
        ({"month": "２０２６-11"}, 422, "YYYY-MM"),
        ({"month": "2026-10"}, 409, "no opening figures"),
        ({"month": "2026-11", "by": "borrower"}, 422, ""),
        ({"month": "2026-11", "team": "x"}, 422, ""),
        ({"month": "2026-11", "team": "100000000000000000000000"}, 422, ""),
    ],
)
def test_a_bad_month_or_split_is_refused_with_what_was_wrong(query, status, words):
    build_book()
    response = signed_in("supervisor").get("/api/v1/kpi", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert words in response.json()["error"]["message"]


def test_collectors_and_agency_users_may_not_read_the_kpis():
    """Clause: KPI-1 — figures for management: a collector or an agency's user gets 403."""
    build_book()
    for role in ("junior_collector", "senior_collector", "agency_user", "legal_officer"):
        for path in ("/api/v1/kpi", "/api/v1/kpi/rolls", "/api/v1/kpi/indicators"):
            assert signed_in(role).get(path, {"month": "2026-11"}).status_code == 403, (role, path)
