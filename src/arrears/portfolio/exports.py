"""The borrower list as CSV (`?format=csv`, `arrears.home.export`): the browse list with its search text, every
page of it; name, mobile and ID number masked as on the page (PRV-1). The exact search by a full number is a
POST and is not exported."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm
from arrears.compliance.masking import masked
from arrears.home.export import Column, export_csv

BORROWER_COLUMNS = [
    Column("customer", _("Customer number"), lambda b: b.external_id),
    Column("name", _("Name"), lambda b: masked("name", b.name)),
    Column("mobile", _("Mobile"), lambda b: masked("mobile", b.mobile)),
    Column("id_number", _("ID number"), lambda b: masked("id_number", b.id_number)),
    Column("risk", _("Risk"), lambda b: b.get_risk_level_display()),
    Column("loans", _("Loans"), lambda b: b.loan_count),
]


def borrowers(request: HttpRequest, rows: QuerySet, text: str) -> HttpResponse:
    return export_csv(request, "borrowers", Perm.VIEW_PORTFOLIO, BORROWER_COLUMNS, rows, {"q": text})
