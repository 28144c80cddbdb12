"""The month's scorecards page (Clause: QA-2, KPI-1): the collectors' and the agencies' cards with each part, the
weights used and the score, the policy's weights, and each table as CSV (`?format=csv&table=collectors|agencies`,
`arrears.home.export`: an audited read).

For those who read reports (`reports.view`: supervisors, compliance officers, analysts). The cards name staff
and agencies, never a borrower. A month written otherwise than YYYY-MM is answered 400 with what to write; a
month without opening figures says why (`kpi.KpiUnavailable`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.collection.queries import today as business_today
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.home.export import Column, export_csv, wanted, yuan
from arrears.reports import xlsx
from arrears.reports.kpi import KpiUnavailable
from arrears.reports.scorecards import Card
from arrears.reports.scorecards import scorecards as month_scorecards
from arrears.reports.scoring import PARTS, NoScore

TABLES = ("collectors", "agencies")
PART_LABELS = {
    "recovery": gettext_lazy("Recovery rate"),
    "promises_kept": gettext_lazy("Promises kept"),
    "contact": gettext_lazy("Right-party contact"),
    "quality": gettext_lazy("Call quality"),
    "complaints": gettext_lazy("Substantiated complaints"),
    "violations": gettext_lazy("Violations"),
}


def no_score_reason(reason: NoScore | None) -> str:
    if reason == NoScore.NO_WORK:
        return _(
            "No score: nothing of the month's work to appraise (no loans at the opening, no promise due, no "
            "outbound call, no inspected call)."
        )
    if reason == NoScore.RECOVERY_ALONE:
        return _(
            "No score: with the parts this month has, the amount recovered would weigh as much as all the others, "
            "and no one is appraised on the amount recovered alone (QA-2)."
        )
    return ""


def _detail(card: Card, part: str) -> str:
    """The raw figures behind a part, in words."""
    if part == "recovery":
        if not card.loans:
            return _("no loans at the opening")
        return _("%(recovered)s of %(opening)s yuan") % {
            "recovered": yuan(card.recovered_fen),
            "opening": yuan(card.opening_overdue_fen),
        }
    if part == "promises_kept":
        if not card.promises_decided:
            return _("no promise due")
        return _("%(kept)s of %(decided)s due") % {"kept": card.promises_kept, "decided": card.promises_decided}
    if part == "contact":
        if not card.calls_outbound:
            return _("no outbound call")
        return _("%(reached)s of %(outbound)s outbound calls") % {
            "reached": card.calls_reached,
            "outbound": card.calls_outbound,
        }
    if part == "quality":
        if not card.calls_inspected:
            return _("no call inspected")
        if card.quality_score is None:
            return ngettext(
                "%(n)s call inspected, waiting for review",
                "%(n)s calls inspected, waiting for review",
                card.calls_inspected,
            ) % {"n": card.calls_inspected}
        return ngettext(
            "score %(score)s, %(n)s call inspected", "score %(score)s, %(n)s calls inspected", card.calls_inspected
        ) % {"score": card.quality_score, "n": card.calls_inspected}
    count = card.complaints if part == "complaints" else card.violations
    return _("%(n)s in the month") % {"n": count}


def _rows(cards: list[Card]) -> list[dict[str, Any]]:
    return [
        {
            "card": card,
            "cells": [
                {"figure": card.parts[part], "weight": card.weights[part], "detail": _detail(card, part)}
                for part in PARTS
            ],
            "reason": no_score_reason(card.no_score),
        }
        for card in cards
    ]


def _figure(part: str):
    return lambda card: card.parts[part]


def _weight(part: str):
    return lambda card: card.weights[part]


COLUMNS = [
    Column("id", gettext_lazy("Id"), lambda c: c.key),
    Column("name", gettext_lazy("Name"), lambda c: c.name),
    Column("loans", gettext_lazy("Loans at the opening"), lambda c: c.loans),
    Column("opening_overdue", gettext_lazy("Opening overdue (yuan)"), lambda c: yuan(c.opening_overdue_fen)),
    Column("recovered", gettext_lazy("Recovered (yuan)"), lambda c: yuan(c.recovered_fen)),
    Column("recovery", gettext_lazy("Recovery rate"), _figure("recovery")),
    Column("weight_recovery", gettext_lazy("Weight: recovery rate"), _weight("recovery")),
    Column("promises_kept", gettext_lazy("Promises kept"), lambda c: c.promises_kept),
    Column("promises_decided", gettext_lazy("Promises due and decided"), lambda c: c.promises_decided),
    Column("promises_part", gettext_lazy("Share of promises kept"), _figure("promises_kept")),
    Column("weight_promises_kept", gettext_lazy("Weight: promises kept"), _weight("promises_kept")),
    Column("calls_reached", gettext_lazy("Calls that reached the borrower"), lambda c: c.calls_reached),
    Column("calls_outbound", gettext_lazy("Outbound calls"), lambda c: c.calls_outbound),
    Column("contact", gettext_lazy("Right-party contact rate"), _figure("contact")),
    Column("weight_contact", gettext_lazy("Weight: right-party contact"), _weight("contact")),
    Column("quality_score", gettext_lazy("Quality score"), lambda c: c.quality_score),
    Column("calls_inspected", gettext_lazy("Calls inspected"), lambda c: c.calls_inspected),
    Column("quality", gettext_lazy("Quality part"), _figure("quality")),
    Column("weight_quality", gettext_lazy("Weight: call quality"), _weight("quality")),
    Column("complaints", gettext_lazy("Substantiated complaints"), lambda c: c.complaints),
    Column("complaints_part", gettext_lazy("Complaints part"), _figure("complaints")),
    Column("weight_complaints", gettext_lazy("Weight: substantiated complaints"), _weight("complaints")),
    Column("violations", gettext_lazy("Violations"), lambda c: c.violations),
    Column("violations_part", gettext_lazy("Violations part"), _figure("violations")),
    Column("weight_violations", gettext_lazy("Weight: violations"), _weight("violations")),
    Column("score", gettext_lazy("Score"), lambda c: c.score),
    Column("no_score", gettext_lazy("Why no score"), lambda c: no_score_reason(c.no_score)),
]


# In the XLSX the amounts stay numbers in yuan and the figures and weights fractions shown as percentages.
_RAW = {"opening_overdue": lambda c: c.opening_overdue_fen, "recovered": lambda c: c.recovered_fen}
_RATES = {
    "recovery", "weight_recovery", "promises_part", "weight_promises_kept", "contact", "weight_contact", "quality",
    "weight_quality", "complaints_part", "weight_complaints", "violations_part", "weight_violations",
}  # fmt: skip


def _sheet(title: str, cards: list) -> xlsx.Sheet:
    """A table of cards as a spreadsheet: the CSV's columns, typed."""
    cells = [_RAW.get(column.key, column.cell) for column in COLUMNS]
    return xlsx.Sheet(
        title,
        [str(column.header) for column in COLUMNS],
        [[cell(card) for cell in cells] for card in cards],
        money_columns=frozenset(i for i, column in enumerate(COLUMNS) if column.key in _RAW),
        rate_columns=frozenset(i for i, column in enumerate(COLUMNS) if column.key in _RATES),
    )


def _workbook(request: HttpRequest, month: Month, found: dict) -> HttpResponse:
    """Both tables as one XLSX workbook, one audited read (Clause: QA-2, AUTH-4)."""
    with audited(
        request.user,
        ActionCode.EXPORT_LIST,
        permission=Perm.VIEW_REPORTS,
        subject=("list", f"scorecards-{month}"),
        clause="QA-2",
    ) as record:
        content = xlsx.workbook(
            [_sheet(_("Collectors"), found["collectors"]), _sheet(_("Agencies"), found["agencies"])]
        )
        record.change("month", None, str(month))
        record.change("rows", None, len(found["collectors"]) + len(found["agencies"]))
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scorecards-{month}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def _default_month() -> Month:
    return Month.of(business_today())


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "reports/scorecards.html", context, status=status)


@login_required
@require_GET
def scorecards(request: HttpRequest) -> HttpResponse:
    """Clause: QA-2 — the month's scorecards of the collectors and the agencies (module docstring)."""
    require(request.user, Perm.VIEW_REPORTS)
    month = _default_month()
    asked = request.GET.get("month", "").strip()
    context: dict[str, Any] = {"month": month, "error": "", "unavailable": ""}
    if asked:
        try:
            month = context["month"] = Month.parse(asked)
        except BadMonth as exc:
            context["error"] = str(exc)
            context["month"] = asked
            return _page(request, context, 400)
    table = request.GET.get("table", "collectors")
    if wanted(request) and table not in TABLES:
        context["error"] = _("Choose the table to download: collectors or agencies.")
        return _page(request, context, 400)
    try:
        found = month_scorecards(month)
    except KpiUnavailable as exc:
        context["unavailable"] = str(exc)
        return _page(request, context)
    if request.GET.get("format") == "xlsx":
        return _workbook(request, month, found)
    if wanted(request):
        return export_csv(
            request,
            f"scorecards-{table}-{month}",
            Perm.VIEW_REPORTS,
            COLUMNS,
            found[table],
            {"month": str(month), "table": table},
        )
    policy = found["policy"]
    context.update(
        {
            "found": found,
            "collectors": _rows(found["collectors"]),
            "agencies": _rows(found["agencies"]),
            "parts": [PART_LABELS[part] for part in PARTS],
            "weights": [(PART_LABELS[part], weight) for part, weight in policy.weights().items()],
            "complaints_to_zero": policy.complaints_to_zero,
            "violations_to_zero": policy.violations_to_zero,
        }
    )
    return _page(request, context)
