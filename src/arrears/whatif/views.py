"""The policy what-if on the workstation (issue 23), for supervisors and analysts (`reports.whatif`). Thin: check,
read, call one action, answer.

* `whatifs` — GET /reports/whatif/: the form (a candidate policy version as TOML, the first and last night) and
  the what-ifs asked for, newest first, with their state.
* `ask` — POST: the request is checked and kept (`requests.do_request_whatif`); the worker replays it. A refusal
  answers the page again with what is wrong (400), nothing stored.
* `report` — GET /reports/whatif/<id>/: waiting, failed (and why, asked again in the reader's language), or the
  figures: the totals side by side with the change, charts of the nights, a table of the nights.
* `report_csv` — GET /reports/whatif/<id>.csv: the nights, both sides, one row each (an audited export).
* `report_pdf` — GET /reports/whatif/<id>.pdf: the page as an A4 document in Chinese (`document`; an audited export).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.home.inputs import parse_id
from arrears.reports import charts, xlsx
from arrears.whatif.actions import WhatIfRefused, check_period
from arrears.whatif.errors import WhatIfError
from arrears.whatif.figures import COMPARED, figure_at
from arrears.whatif.models import WhatIfReport, WhatIfStatus
from arrears.whatif.requests import MAX_POLICY_TEXT, candidate_of, do_request_whatif

EXAMPLE = 'effective_from = 2027-01-01\nname = "reminders five days ahead"\n[reminders]\nadvance_days = 5\n'
SIDES = ("baseline", "candidate")


def _list(request: HttpRequest, *, error: str = "", problems: tuple[str, ...] = (), values=None, status=200):
    context = {
        "reports": WhatIfReport.objects.select_related("requested_by")[:50],
        "example": EXAMPLE,
        "values": values or {},
        "error": error,
        "problems": problems,
        "max_policy": MAX_POLICY_TEXT,
    }
    return render(request, "whatif/list.html", context, status=status)


@login_required
@require_GET
def whatifs(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RUN_WHATIF)
    return _list(request)


def parse_date(text: str, what: str, refusal: type[WhatIfError] = WhatIfRefused) -> date:
    """A date typed in a form, or `refusal` saying how to write one."""
    text = text.strip()
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise refusal(_("%(what)s: write a date as YYYY-MM-DD, e.g. 2026-03-01.") % {"what": what}) from None


@login_required
@require_POST
def ask(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.RUN_WHATIF)
    values = {name: request.POST.get(name, "") for name in ("policy", "first", "last")}
    try:
        first = parse_date(values["first"], _("First night"))
        last = parse_date(values["last"], _("Last night"))
        report = do_request_whatif(values["policy"], first, last, actor=request.user)
    except WhatIfRefused as refused:
        return _list(request, error=refused.message, problems=refused.problems, values=values, status=400)
    return redirect("whatif:report", report_id=report.pk)


def _report_of(report_id: str) -> WhatIfReport:
    pk = parse_id(report_id)
    report = WhatIfReport.objects.select_related("requested_by").filter(pk=pk or 0).first()
    if report is None:
        raise Http404(_("No such what-if."))
    return report


def _charts(result: dict[str, Any]) -> dict[str, str]:
    days = result["days"]
    labels = [day["date"][5:] for day in days]
    names = {"baseline": _("policy in force"), "candidate": _("candidate")}

    def lines(path: tuple[str, ...]) -> list[charts.Series]:
        return [charts.Series(names[side], [figure_at(day[side], path) for day in days]) for side in SIDES]

    drawn = {
        "reminders": charts.line_chart(_("Written reminders per night"), labels, lines(("reminders", "written"))),
        "calls": charts.line_chart(_("Collection calls due per night"), labels, lines(("calls_due",))),
    }
    pools = {"junior": _("Junior pool: open cases"), "senior": _("Senior pool: open cases")}
    pools["supervisor"] = _("Supervisors' pool: open cases")
    for pool, title in pools.items():
        drawn[f"pool-{pool}"] = charts.line_chart(title, labels, lines(("cases_by_pool", pool)))
    return drawn


def figures_context(result: dict[str, Any]) -> dict[str, Any]:
    """What the page and the PDF show of a done what-if: the totals compared, the charts, the nights."""
    total = result["total"]
    rows = []
    for words, path in COMPARED:
        before, after = figure_at(total["baseline"], path), figure_at(total["candidate"], path)
        rows.append(
            {
                "words": words,
                "before": before,
                "after": after,
                "change": after - before,
                "fen": path[-1].endswith("_fen"),
            }
        )
    return {
        "rows": rows,
        "days": result["days"],
        "charts": _charts(result),
        "overrides": result["policy"]["overrides"],
        "in_force": result["policy"]["baseline"],
        "nights": total["baseline"]["nights"],
    }


@login_required
@require_GET
def report(request: HttpRequest, report_id: str) -> HttpResponse:
    require(request.user, Perm.RUN_WHATIF)
    found = _report_of(report_id)
    context: dict[str, Any] = {"report": found, "reason": ""}
    if found.status == WhatIfStatus.FAILED:
        try:  # asked again, in the reader's language; a passing fault (the worker stopped) has no words but these
            check_period(found.first, found.last)
            candidate_of(found.policy_text)
            context["reason"] = _("The replay did not finish; administrators find why on the worker's page.")
        except WhatIfRefused as refused:
            context["reason"], context["problems"] = refused.message, refused.problems
    if found.status == WhatIfStatus.DONE:
        context.update(figures_context(found.result))
    return render(request, "whatif/report.html", context)


def _csv_rows(result: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    headers = [_("night")]
    for side in (_("policy in force"), _("candidate")):
        headers += [f"{side}: {words}" for words, _path in COMPARED]
    rows = [
        [day["date"]] + [figure_at(day[side], path) for side in SIDES for _words, path in COMPARED]
        for day in result["days"]
    ]
    return headers, rows


def _download(request: HttpRequest, report_id: str, kind: str) -> HttpResponse:
    """The what-if's nights as CSV, or the what-if as PDF: one audited read (AUTH-4)."""
    require(request.user, Perm.RUN_WHATIF)
    found = _report_of(report_id)
    if found.status != WhatIfStatus.DONE:
        raise Http404(_("This what-if has no figures yet."))
    with audited(
        request.user, ActionCode.EXPORT_LIST, permission=Perm.RUN_WHATIF, subject=("list", f"whatif-{found.pk}")
    ) as record:
        if kind == "csv":
            headers, rows = _csv_rows(found.result)
            content, content_type = xlsx.csv_bytes(headers, rows), "text/csv; charset=utf-8"
        else:
            from arrears.whatif.document import render_whatif_pdf

            with translation.override("zh-hans"):  # the document's words, in Chinese like the bank's other documents
                content, content_type = render_whatif_pdf(found, figures_context(found.result)), "application/pdf"
        record.change("document", None, kind)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="whatif-{found.pk}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_csv(request: HttpRequest, report_id: str) -> HttpResponse:
    return _download(request, report_id, "csv")


@login_required
@require_GET
def report_pdf(request: HttpRequest, report_id: str) -> HttpResponse:
    return _download(request, report_id, "pdf")
