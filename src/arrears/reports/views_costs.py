"""The month's collection cost on the workstation (Clause: KPI-2). Thin: check, read, call one action, answer.

* `costs` — GET /reports/costs/?month=YYYY-MM: the month's cost by source (what arrears knows and what was
  entered), the live entries per team and kind with who entered them, and the entries corrections replaced. For
  readers of reports (`reports.view`: supervisors, compliance officers, analysts) and for those who enter costs
  (`reports.enter_costs`: administrators), who also get the forms.
* `enter_cost` — POST one cost (month, team, kind, amount in yuan, note): entered, or replacing the month's
  figure for that team and kind.
* `import_costs` — POST a CSV file of costs: all of it or nothing, each bad line listed with what is wrong.

A refusal answers the page again with its message (400, 409 for a conflict), nothing stored.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.collection.queries import today as business_today
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.home.inputs import parse_id
from arrears.reports import xlsx
from arrears.reports.actions import CostError, CostFileRefused, do_enter_cost, do_import_costs
from arrears.reports.cost_input import MAX_FILE_BYTES, MAX_NOTE, Problem, month_of, yuan_to_fen
from arrears.reports.models import CostKind
from arrears.reports.queries_costs import month_costs


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file of costs"))


def _today() -> date:
    return business_today()


def _may_read(user) -> bool:
    return has_perm(user, Perm.VIEW_REPORTS) or has_perm(user, Perm.ENTER_COSTS)


def _page(
    request: HttpRequest,
    month: Month,
    *,
    error: str = "",
    problems: list[Problem] | None = None,
    values: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    latest = Month.of(_today())
    context = {
        "month": month,
        "found": month_costs(month),
        "may_enter": has_perm(request.user, Perm.ENTER_COSTS),
        "teams": list(Team.objects.order_by("name")),
        "kinds": CostKind.choices,
        "latest": latest,
        "previous": month.previous() if month > Month(1, 1) else None,
        "next": month.next() if month < latest else None,
        "error": error,
        "problems": problems or [],
        "values": values or {},
        "max_note": MAX_NOTE,
        "max_mb": MAX_FILE_BYTES // 1024 // 1024,
    }
    return render(request, "reports/costs.html", context, status=status)


@login_required
@require_GET
def costs(request: HttpRequest) -> HttpResponse:
    """Clause: KPI-2 — the month's collection cost by source and its entered figures."""
    if not _may_read(request.user):
        require(request.user, Perm.VIEW_REPORTS)  # refused and logged
    month, error = Month.of(_today()), ""
    asked = request.GET.get("month", "").strip()
    if asked:
        try:
            month = Month.parse(asked)
        except BadMonth as exc:
            error = str(exc)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx") and not error:
        return _download(request, month, fmt, request.GET.get("table", "sources"))
    return _page(request, month, error=error, status=400 if error else 200)


def _sheets(month: Month) -> dict[str, xlsx.Sheet]:
    """The page's two tables, typed: the month's cost by source, and the figures entered."""
    found = month_costs(month)
    sources = xlsx.Sheet(
        _("cost by source"),
        [_("source"), _("amount (yuan)")],
        [[row["label"], row["fen"]] for row in found.sources] + [[_("total"), found.costs.total_fen]],
        money_columns=frozenset({1}),
    )
    entries = xlsx.Sheet(
        _("costs entered"),
        [_("team"), _("kind"), _("amount (yuan)"), _("note"), _("entered by"), _("entered at")],
        [
            [
                entry.team.name if entry.team_id else _("whole department"),
                CostKind(entry.kind).label,
                entry.amount_fen,
                entry.note,
                entry.entered_by.get_full_name() or entry.entered_by.username,
                entry.entered_at,
            ]
            for entry in found.entries
        ],
        money_columns=frozenset({2}),
    )
    return {"sources": sources, "entries": entries}


def _download(request: HttpRequest, month: Month, fmt: str, table: str) -> HttpResponse:
    """A table as CSV, or both as XLSX: one audited read (Clause: KPI-2, AUTH-4)."""
    # readers of reports, and administrators who enter the costs (the page's own readers)
    permission = Perm.VIEW_REPORTS if has_perm(request.user, Perm.VIEW_REPORTS) else Perm.ENTER_COSTS
    require(request.user, permission)
    if fmt == "csv" and table not in ("sources", "entries"):
        return _page(request, month, error=_("Choose the table to download: by source or entered."), status=400)
    with audited(
        request.user,
        ActionCode.EXPORT_LIST,
        permission=permission,
        subject=("list", f"costs-{month}"),
        clause="KPI-2",
    ) as record:
        sheets = _sheets(month)
        if fmt == "csv":
            sheet = sheets[table]
            content = xlsx.csv_bytes(sheet.headers, sheet.rows, money_columns=sheet.money_columns)
        else:
            content = xlsx.workbook(list(sheets.values()))
        record.change("month", None, str(month))
        record.change("tables", None, [table] if fmt == "csv" else list(sheets))
    name = f"costs-{month}-{table}.csv" if fmt == "csv" else f"costs-{month}.xlsx"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _back(month: Month | str) -> HttpResponse:
    return redirect(f"{reverse('reports:costs')}?month={month}")


@login_required
@require_POST
def enter_cost(request: HttpRequest) -> HttpResponse:
    """Clause: KPI-2 — enter one cost, or replace the month's figure for that team and kind."""
    require(request.user, Perm.ENTER_COSTS)
    today = _today()
    values = {name: request.POST.get(name, "") for name in ("month", "team", "kind", "amount", "note")}
    shown = _month_shown(values["month"], today)
    team = None
    try:
        month = month_of(values["month"], Month.of(today))
        if values["team"].strip():
            team = Team.objects.filter(pk=parse_id(values["team"]) or 0).first()
            if team is None:
                raise CostError(_("Choose a team from the list, or the whole department."))
        if values["kind"] not in CostKind.values:
            raise CostError(
                _("Choose the kind of cost: %(kinds)s.") % {"kinds": ", ".join(str(k) for k in CostKind.labels)}
            )
        done = do_enter_cost(
            month=month,
            team=team,
            kind=values["kind"],
            amount_fen=yuan_to_fen(values["amount"]),
            note=values["note"],
            actor=request.user,
            today=today,
        )
    except CostError as exc:
        return _page(request, shown, error=str(exc), values=values, status=exc.status if exc.status == 409 else 400)
    if not done.changed:
        messages.info(request, _("This figure was entered already; nothing changed."))
    elif done.replaced is not None:
        messages.success(request, _("The cost is entered; it replaces the figure entered before."))
    else:
        messages.success(request, _("The cost is entered."))
    return _back(month)


@login_required
@require_POST
def import_costs(request: HttpRequest) -> HttpResponse:
    """Clause: KPI-2 — import a CSV file of costs: all of it, or nothing and each bad line with what is wrong."""
    require(request.user, Perm.ENTER_COSTS)
    today = _today()
    shown = _month_shown(request.POST.get("month", ""), today)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, shown, error=_("Choose the CSV file of costs to import."), status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_FILE_BYTES:
        message = _("The file is larger than %(mb)s MB: split it.") % {"mb": MAX_FILE_BYTES // 1024 // 1024}
        return _page(request, shown, error=message, status=400)
    try:
        done = do_import_costs(upload.read(), actor=request.user, today=today)
    except CostFileRefused as exc:
        message = _("The file is refused and nothing was stored. Correct these lines and import it again:")
        return _page(request, shown, error=message, problems=exc.problems, status=400)
    except CostError as exc:
        return _page(request, shown, error=str(exc), status=exc.status if exc.status == 409 else 400)
    if done.created or done.replaced:
        messages.success(
            request,
            _(
                "Imported %(rows)s lines: %(created)s new figures, %(replaced)s replacing earlier ones, %(same)s unchanged."
            )
            % {"rows": done.rows, "created": done.created, "replaced": done.replaced, "same": done.unchanged},
        )
    else:
        messages.info(request, _("Every figure of the file was entered already; nothing changed."))
    return _back(shown)


def _month_shown(text: str, today: date) -> Month:
    """The month the form was sent from, to show again; the business date's month when it is not one."""
    try:
        return Month.parse(text.strip())
    except (BadMonth, AttributeError):
        return Month.of(today)
