"""The KPI dashboard (Clause: KPI-1, KPI-2): recovery against target over months, bucket sizes, roll rates, cost
rate, promises kept and contact — for the whole book or one team, collector, agency or product; each table as CSV
or all of them as XLSX (one audited read each). Readers of reports only (`reports.view`: supervisors, compliance
officers, analysts): figures, never a borrower."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from arrears.accounts.models import Agency, Team, User
from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.collection.queries import today as business_today
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.home.templatetags.money import percent, yuan
from arrears.reports import xlsx
from arrears.reports.costs import month_cost
from arrears.reports.kpi import Filters, KpiUnavailable, recovery
from arrears.reports.models import OpeningBook, OpeningPosition
from arrears.reports.series import months_figures
from arrears.reports.summary import dimension_names
from arrears.reports.tables import Table, dashboard_charts, dashboard_tables
from arrears.rules.queries import policy_book

MONTHS_SHOWN = 12  # the window of the charts: a year of months (a view's choice, not a policy figure)
SPLITS = ("team", "collector", "agency", "product")


@dataclass(frozen=True)
class Asked:
    month: Month
    where: Filters | None
    split: str
    problems: list[str]


def _id(text: str, what: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if text.isascii() and text.isdigit() and 0 < int(text) < 2**53:
        return int(text)
    problems.append(_("Choose the %(what)s from the list.") % {"what": what})
    return None


def _asked(request: HttpRequest) -> Asked:
    """The dashboard's choices from the query string; each problem in words (the page then shows the month under
    way for the whole book)."""
    problems: list[str] = []
    month = Month.of(business_today())
    if text := request.GET.get("month", "").strip():
        try:
            month = Month.parse(text)
        except BadMonth as exc:
            problems.append(str(exc))
    product = request.GET.get("product", "").strip()[:50] or None
    if product is not None and ("\x00" in product or not product.isprintable()):
        problems.append(_("Choose the product from the list."))
        product = None
    chosen = Filters(
        team=_id(request.GET.get("team", "").strip(), _("team"), problems),
        collector=_id(request.GET.get("collector", "").strip(), _("collector"), problems),
        agency=_id(request.GET.get("agency", "").strip(), _("agency"), problems),
        product=product,
    )
    split = request.GET.get("split", "")
    if split and split not in SPLITS:
        problems.append(_("Choose how to split the month from the list."))
        split = ""
    return Asked(month, None if chosen == Filters() else chosen, split, problems)


def _choices() -> dict[str, list[tuple[Any, str]]]:
    collectors = OpeningPosition.objects.exclude(collector_id=None).values_list("collector_id", flat=True).distinct()
    return {
        "teams": list(Team.objects.values_list("pk", "name")),
        "collectors": sorted(
            ((user.pk, user.get_full_name() or user.username) for user in User.objects.filter(pk__in=collectors)),
            key=lambda pair: pair[1],
        ),
        "agencies": list(Agency.objects.order_by("name").values_list("pk", "name")),
        "products": [
            (p, p) for p in OpeningBook.objects.values_list("product", flat=True).distinct().order_by("product")
        ],
    }


def _split_sheet(month: Month, by: str, where: Filters | None) -> xlsx.Sheet:
    found = recovery(month, by, where)
    names = dimension_names(by, [row.key for row in found.rows])
    label = {"team": _("team"), "collector": _("collector"), "agency": _("agency"), "product": _("product")}[by]
    headers = [label, _("loans"), _("opening overdue (yuan)"), _("recovered (yuan)"), _("recovery rate")]
    rows = [
        [names.get(row.key) or _("none"), row.loans, row.opening_overdue_fen, row.recovered_fen, row.recovery_rate]
        for row in found.rows
    ]
    return xlsx.Sheet(
        _("by %(split)s") % {"split": label},
        headers,
        rows,
        money_columns=frozenset({2, 3}),
        rate_columns=frozenset({4}),
    )


def _shown(sheet: xlsx.Sheet) -> list[list[str]]:
    """The table's cells as the page shows them: yuan grouped, rates as percentages, — for none."""
    shown = []
    for row in sheet.rows:
        cells = []
        for index, value in enumerate(row):
            if index in sheet.money_columns:
                cells.append(yuan(value))
            elif index in sheet.rate_columns:
                cells.append(percent(value))
            else:
                cells.append("—" if value is None else str(value))
        shown.append(cells)
    return shown


def _download(request: HttpRequest, asked: Asked, tables: list[Table], fmt: str) -> HttpResponse:
    wanted = request.GET.get("table", "")
    chosen = [t for t in tables if t.key == wanted] if fmt == "csv" else tables
    if not chosen:
        return HttpResponse(_("Choose one of the page's tables to download."), status=400, content_type="text/plain")
    with audited(
        request.user, ActionCode.EXPORT_LIST, permission=Perm.VIEW_REPORTS, subject=("list", "kpi"), clause="KPI-1"
    ) as record:
        record.change("month", None, str(asked.month))
        record.change("tables", None, [t.key for t in chosen])
        if fmt == "csv":
            sheet = chosen[0].sheet
            content = xlsx.csv_bytes(
                sheet.headers, sheet.rows, money_columns=sheet.money_columns, rate_columns=sheet.rate_columns
            )
        else:
            content = xlsx.workbook([t.sheet for t in chosen])
    name = f"kpi-{asked.month}" + (f"-{chosen[0].key}.csv" if fmt == "csv" else ".xlsx")
    kinds = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": xlsx.CONTENT_TYPE,
    }
    response = HttpResponse(content, content_type=kinds[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _query(request: HttpRequest) -> str:
    """The page's choices as a query string, for its download links."""
    kept = request.GET.copy()
    for name in ("format", "table"):
        kept.pop(name, None)
    return kept.urlencode()


def dashboard(request: HttpRequest) -> HttpResponse:
    """Clause: KPI-1, KPI-2 — the KPI dashboard for the month and filters asked."""
    require(request.user, Perm.VIEW_REPORTS)
    asked = _asked(request)
    series = months_figures(asked.month, MONTHS_SHOWN, asked.where)
    try:
        found = recovery(asked.month, "class", asked.where)
        unavailable = ""
    except KpiUnavailable as exc:
        found, unavailable = None, str(exc)
    costs = month_cost(asked.month) if asked.where is None else None
    split = _split_sheet(asked.month, asked.split, asked.where) if asked.split and found is not None else None
    tables = dashboard_tables(series, found, costs, split)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx") and not asked.problems:
        return _download(request, asked, tables, fmt)
    kpi = policy_book().on(asked.month.last).kpi
    targets = {"mild": kpi.recovery_target_mild, "severe": kpi.recovery_target_severe}
    context = {
        "month": asked.month,
        "asked": asked,
        "found": found,
        "unavailable": unavailable,
        "problems": asked.problems,
        "charts": dashboard_charts(series, targets, kpi.cost_rate_max) if found is not None else {},
        "tables": [
            {"key": t.key, "title": t.sheet.name, "headers": t.sheet.headers, "rows": _shown(t.sheet)} for t in tables
        ],
        "choices": _choices(),
        "splits": [
            ("team", _("team")),
            ("collector", _("collector")),
            ("agency", _("agency")),
            ("product", _("product")),
        ],
        "query": _query(request),
        "targets": {"mild": kpi.recovery_target_mild, "severe": kpi.recovery_target_severe, "cost": kpi.cost_rate_max},
    }
    return render(request, "reports/dashboard.html", context, status=400 if asked.problems else 200)
