"""Reads for the compliance officers' pages: prohibited language (LANG-1), the active list for screening; and the
ledger's recent verifications (AUTH-4)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from arrears.compliance.codes import ActionCode
from arrears.compliance.language import Entry
from arrears.compliance.models import AuditEvent, LanguageHit, ProhibitedPhrase

HITS_PAGE_SIZE = 50
RECENT_CHECKS = 10


def active_entries() -> list[Entry]:
    """The entries in force, as the pure matcher takes them (one query)."""
    rows = ProhibitedPhrase.objects.filter(active=True).order_by("id").values_list("id", "text", "kind", "category")
    return [Entry(pk, text, kind, category) for pk, text, kind, category in rows]


def phrases() -> QuerySet[ProhibitedPhrase]:
    """Every entry, active first, then by category and text, with who last changed it."""
    return ProhibitedPhrase.objects.select_related("updated_by").order_by("-active", "category", "text")


def language_hits(username: str = "") -> QuerySet[LanguageHit]:
    """Hits newest first, optionally of one user; each row carries its user and role (no query per row)."""
    qs = LanguageHit.objects.select_related("user__role").order_by("-at", "-id")
    if username:
        qs = qs.filter(user__username=username)
    return qs


def page_of(qs: QuerySet, number: str | int | None, size: int = HITS_PAGE_SIZE) -> Page:
    return Paginator(qs, size).get_page(number)


def ledger_checks(limit: int = RECENT_CHECKS) -> list[dict]:
    """The newest verifications recorded from the web: when, who, intact or not, events checked, first broken."""
    rows = (
        AuditEvent.objects.filter(action=ActionCode.VERIFY_LEDGER)
        .order_by("-id")
        .values("id", "at", "actor_username", "changes")[:limit]
    )
    return [
        {
            "id": row["id"],
            "at": row["at"],
            "who": row["actor_username"],
            **{name: (row["changes"].get(name) or (None, None))[1] for name in ("ok", "checked", "first_broken")},
        }
        for row in rows
    ]
