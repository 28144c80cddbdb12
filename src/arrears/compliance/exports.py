"""The compliance officers' lists as CSV (`?format=csv`, `arrears.home.export`): the prohibited phrases and the
hits they caught (LANG-1), as the pages show them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm
from arrears.compliance import queries
from arrears.home.export import Column, export_csv

PHRASE_COLUMNS = [
    Column("phrase", _("Phrase"), lambda p: p.text),
    Column("kind", _("Kind"), lambda p: p.get_kind_display()),
    Column("category", _("Category"), lambda p: p.get_category_display()),
    Column("note", _("Note"), lambda p: p.note),
    Column("updated", _("Updated"), lambda p: p.updated_at),
    Column("updated_by", _("Updated by"), lambda p: p.updated_by.get_username() if p.updated_by else ""),
    Column("active", _("Active"), lambda p: p.active),
]


def phrases(request: HttpRequest) -> HttpResponse:
    """Every entry, active first, as on the page."""
    return export_csv(request, "phrases", Perm.MANAGE_PHRASES, PHRASE_COLUMNS, queries.phrases(), {})


HIT_COLUMNS = [
    Column("at", _("When"), lambda h: h.at),
    Column("who", _("Who"), lambda h: h.user.get_username()),
    Column("role", _("Role"), lambda h: h.user.role.name if h.user.role else ""),
    Column("where", _("Where"), lambda h: h.get_where_display()),
    Column("subject", _("Subject"), lambda h: f"{h.subject_type} {h.subject_id}" if h.subject_type else "—"),
    Column("phrase", _("Phrase"), lambda h: h.phrase_text),
    Column("category", _("Category"), lambda h: h.get_category_display()),
    Column("excerpt", _("Excerpt"), lambda h: h.excerpt),
]


def language_hits(request: HttpRequest, username: str) -> HttpResponse:
    """Every hit, newest first, of one user when the page is filtered by one."""
    rows = queries.language_hits(username)
    return export_csv(request, "language-hits", Perm.MANAGE_PHRASES, HIT_COLUMNS, rows, {"user": username})
