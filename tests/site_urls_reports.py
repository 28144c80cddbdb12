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
    # REV-1: the monthly review — supervisors work every pack (reports.review), readers of reports open the approved
    # ones and their PDF and XLSX; the demo site's January approved, February prepared (the forms work on it).
    Page("reports/reviews/", REPORTS, "/reports/reviews/"),
    Page(
        "reports/reviews/prepare/",
        frozenset({SUP}),
        "/reports/reviews/prepare/",
        method="POST",
        form={"month": "{working_month}"},
        numbers=("month",),
    ),
    Page("reports/reviews/<str:month>/", REPORTS, "/reports/reviews/{review_month}/"),
    Page("reports/reviews/<str:month>.<str:kind>", REPORTS, "/reports/reviews/{review_month}.pdf"),
    Page(
        "reports/reviews/<str:month>/edit/",
        frozenset({SUP}),
        "/reports/reviews/{working_month}/edit/",
        method="POST",
        form={"commentary": "二月评述：回收率回升"},
    ),
    Page(
        "reports/reviews/<str:month>/items/",
        frozenset({SUP}),
        "/reports/reviews/{working_month}/items/",
        method="POST",
        form={"text": "复核二月失联客户", "owner": "{junior_id}", "due_on": "2026-03-31"},
        numbers=("owner", "due_on"),
    ),
    Page(
        "reports/reviews/<str:month>/items/<int:item_id>/",
        frozenset({SUP}),
        "/reports/reviews/{working_month}/items/{action_item_id}/",
        method="POST",
        form={"status": "done", "note": "已核对"},
    ),
    Page(
        "reports/reviews/<str:month>/approve/",
        frozenset({SUP}),
        "/reports/reviews/{working_month}/approve/",
        method="POST",
    ),
]
