"""The role × URL matrix's lines for the reports (KPIs, costs, scorecards, the monthly review): see `site_urls.py`."""

from __future__ import annotations

from site_roles import ANALYST, COMPLIANCE, SUP, Page

REPORTS = frozenset({SUP, COMPLIANCE, ANALYST})  # reports.view: figures, never a borrower

REPORT_PAGES = [
    # KPI-1, KPI-2: the dashboard (its tables as CSV and XLSX through ?format=), and the same figures in the API
    Page("reports/", REPORTS, "/reports/", query=("month", "team", "collector", "agency", "product", "split")),
    Page("api/v1/kpi", REPORTS, "/api/v1/kpi?month=2026-03", query=("by",)),
    Page("api/v1/kpi/rolls", REPORTS, "/api/v1/kpi/rolls?month=2026-03"),
    Page("api/v1/kpi/indicators", REPORTS, "/api/v1/kpi/indicators?month=2026-03", query=("by",)),
    # QA-2: the collectors' and agencies' scorecards (each table as CSV through ?format=csv&table=), and the API's
    Page("reports/scorecards/", REPORTS, "/reports/scorecards/", query=("month", "table", "format")),
    Page("api/v1/kpi/scorecards", REPORTS, "/api/v1/kpi/scorecards?month=2026-03", query=("month",)),
]
