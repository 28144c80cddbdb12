"""The collector's lists as CSV (`?format=csv`, `arrears.home.export`): the case queue with every filter, and
the reminder calls due. Cells as the pages show them: names and mobiles masked (PRV-1), money in yuan, labels."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.accounts.permissions import Perm, has_perm
from arrears.collection import queries
from arrears.collection.reminder_calls import reminder_calls_due
from arrears.compliance.masking import masked
from arrears.home.export import Column, export_csv, yuan

CASE_COLUMNS = [
    Column("case", _("Case"), lambda case: f"#{case.pk}"),
    Column("customer", _("Customer number"), lambda case: case.borrower.external_id),
    Column("name", _("Name"), lambda case: masked("name", case.borrower.name)),
    Column("risk", _("Risk"), lambda case: case.borrower.get_risk_level_display()),
    Column("due_now", _("Due now"), lambda case: queries.PRIORITY_LABELS[case.priority]),
    Column("dpd", "DPD", lambda case: case.dpd),
    Column("overdue", _("Overdue (yuan)"), lambda case: yuan(case.overdue_fen)),
    Column("class", _("Class"), lambda case: case.get_delinquency_class_display()),
    Column("pool", _("Pool"), lambda case: case.get_pool_display()),
    Column("late_stage", pgettext_lazy("case", "Late stage"), queries.late_stage_words),
    Column("attempts", _("Attempts"), lambda case: case.attempts),
    Column("next_due", _("Next due"), lambda case: case.next_due),
]
COLLECTOR = Column("collector", _("Collector"), lambda case: case.owner.username if case.owner else "—")


def cases(request: HttpRequest, rows: QuerySet, filters: queries.QueueFilter) -> HttpResponse:
    """The queue the page lists (every page of it, in its order); the collector column for supervisors, as on
    the page. An agency's user exports their placed cases, masked, by `portfolio.view_agency_cases`."""
    columns = CASE_COLUMNS + ([COLLECTOR] if has_perm(request.user, Perm.REASSIGN) else [])
    shown = {
        "owner": filters.owner,
        "q": filters.text,
        "class": filters.delinquency_class,
        "pool": filters.pool,
        "due": filters.due,
        "work": filters.work,
    }
    return export_csv(request, "cases", queries.case_permission(request.user), columns, rows, shown)


REMINDER_COLUMNS = [
    Column("due", _("Due"), lambda call: call.due_date),
    Column("customer", _("Customer"), lambda call: call.task.borrower.external_id),
    Column("name", _("Name"), lambda call: masked("name", call.task.borrower.name)),
    Column("mobile", _("Mobile"), lambda call: masked("mobile", call.task.borrower.mobile)),
    Column("loan", _("Loan"), lambda call: f"{call.task.loan.external_id} #{call.instalment}"),
    Column("amount_due", _("Amount due (yuan)"), lambda call: yuan(call.amount_fen)),
]


def reminders(request: HttpRequest) -> HttpResponse:
    """Every reminder call due (the page shows the first 200), earliest first."""
    on = queries.today()
    visible = queries.visible_borrowers(request.user)
    return export_csv(
        request,
        "reminders",
        Perm.CALL,
        REMINDER_COLUMNS,
        lambda: reminder_calls_due(on, limit=None, borrowers=visible),
        {"on": on},
    )
