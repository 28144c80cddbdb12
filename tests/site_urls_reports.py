"""The role × URL matrix's lines for the reports (KPIs, costs, scorecards, the monthly review): see `site_urls.py`."""

from __future__ import annotations

import io

from site_roles import ADMIN, ANALYST, COMPLIANCE, SUP, Page

REPORTS = frozenset({SUP, COMPLIANCE, ANALYST})  # reports.view: figures, never a borrower
# The month's collection cost (KPI-2): readers of reports see it; administrators enter the costs arrears cannot
# know (reports.enter_costs), and so see the page too.
COST_KEEPERS = frozenset({ADMIN})
COST_READERS = REPORTS | COST_KEEPERS
WHATIF = frozenset({SUP, ANALYST})  # reports.whatif (issue 23): counts of past nights under a candidate policy


class CostsUpload(io.BytesIO):
    """A CSV file of costs as a multipart file field (the department's telephony of the demo's month), read whole
    each time the test client sends it (one object serves every role of the matrix)."""

    name = "costs.csv"

    def read(self, size: int | None = -1) -> bytes:
        return self.getvalue() if size is None or size < 0 else super().read(size)


COSTS_CSV = b"month,team,kind,amount,note\n2026-03,,telephony,12500.50,\n"

REPORT_PAGES = [
    # Issue 23: the policy what-if — the form and the list, a request (the worker replays it), one what-if and its
    # nights as CSV and the document as PDF (the demo site's, replayed).
    Page("reports/whatif/", WHATIF, "/reports/whatif/"),
    Page(
        "reports/whatif/ask/",
        WHATIF,
        "/reports/whatif/ask/",
        method="POST",
        form={
            "policy": "effective_from = 2027-01-01\n[reminders]\nadvance_days = 4\n",
            "first": "{business_date}",
            "last": "{business_date}",
        },
    ),
    Page("reports/whatif/<str:report_id>/", WHATIF, "/reports/whatif/{whatif_id}/"),
    Page("reports/whatif/<str:report_id>.csv", WHATIF, "/reports/whatif/{whatif_id}.csv"),
    Page("reports/whatif/<str:report_id>.pdf", WHATIF, "/reports/whatif/{whatif_id}.pdf"),
    # Issue 23: champion/challenger — read by supervisors and analysts, started, stopped and promoted by supervisors
    # (the demo site's runs; its challenger proposed by another supervisor, so the supervisor may decide it).
    Page("reports/experiments/", WHATIF, "/reports/experiments/"),
    Page(
        "reports/experiments/start/",
        frozenset({SUP}),
        "/reports/experiments/start/",
        method="POST",
        form={
            "name": "电话提前",
            "strategy": "[reminders]\nphone_days_before = 2\n",
            "share": "0.3",
            "min_sample": "20",
        },
        numbers=("share", "min_sample"),
    ),
    Page("reports/experiments/<str:experiment_id>/", WHATIF, "/reports/experiments/{experiment_id}/"),
    Page(
        "reports/experiments/<str:experiment_id>/stop/",
        frozenset({SUP}),
        "/reports/experiments/{experiment_id}/stop/",
        method="POST",
        form={"reason": "样本已足够"},
    ),
    Page(
        "reports/experiments/<str:experiment_id>/promote/",
        frozenset({SUP}),
        "/reports/experiments/{experiment_id}/promote/",
        method="POST",
        form={"effective_from": "2027-01-04", "why": "回收率更高"},
    ),
    Page(
        "reports/experiments/promotions/<str:promotion_id>/decide/",
        frozenset({SUP}),
        "/reports/experiments/promotions/{promotion_id}/decide/",
        method="POST",
        form={"decision": "approve", "note": ""},
    ),
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
    # KPI-2: the month's collection cost, one cost entered, a file imported; the API's GET (readers) and POST
    # (administrators) share one pattern, so its line is the POST's (the GET's reach: tests/reports/test_cost_api.py).
    Page("reports/costs/", COST_READERS, "/reports/costs/", query=("month", "table"), numbers=("month",)),
    Page(
        "reports/costs/enter/",
        COST_KEEPERS,
        "/reports/costs/enter/",
        method="POST",
        form={"month": "{commission_month}", "team": "", "kind": "staff", "amount": "80000.00", "note": "三月工资"},
        numbers=("month", "team", "amount"),
    ),
    Page(
        "reports/costs/import/",
        COST_KEEPERS,
        "/reports/costs/import/",
        method="POST",
        form={"file": CostsUpload(COSTS_CSV), "month": "{commission_month}"},
    ),
    Page(
        "api/v1/costs",
        COST_KEEPERS,
        "/api/v1/costs",
        method="POST",
        json={"month": "{commission_month}", "team": None, "kind": "staff", "amount": "80000.00", "note": "三月工资"},
        numbers=("month", "amount"),
    ),
]
