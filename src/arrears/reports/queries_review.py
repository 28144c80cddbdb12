"""Reads of the monthly review (Clause: REV-1): which packs a person sees, a pack's cases as they may see them, the
action items it follows up.

Supervisors (`reports.review`) see every pack, prepared or approved; readers of reports (`reports.view`:
compliance officers, analysts) the approved ones. A case shows its number, rule and figure; its borrower's name,
masked, only to those who may see the portfolio (`portfolio.view`) — analysts see no borrower at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from arrears.accounts.permissions import Perm, has_perm
from arrears.compliance.masking import mask_name
from arrears.reports.models_review import ActionItem, ItemStatus, ReviewCase, ReviewPack, ReviewStatus
from arrears.reports.review_compare import Row, bucket_rows, class_label, indicator_rows

__all__ = [
    "CaseRow",
    "ClassRow",
    "FollowUp",
    "can_read",
    "case_rows",
    "follow_up",
    "follow_up_items",
    "follow_up_snapshot",
    "owners",
    "pack_context",
    "person",
    "visible_packs",
]


def owners() -> QuerySet:
    """Who may own an action item: the bank's people who sign in (active, not a service account, not an agency's
    user), by name."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True, is_service_account=False, agency__isnull=True, role__grants__code=Perm.SIGN_IN.value
        )
        .order_by("first_name", "last_name", "username")
    )


def person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def visible_packs(user: Any) -> QuerySet[ReviewPack]:
    """The packs `user` may open, newest first (none without either permission)."""
    packs = ReviewPack.objects.order_by("-month")
    if has_perm(user, Perm.REVIEW_MONTH):
        return packs
    if has_perm(user, Perm.VIEW_REPORTS):
        return packs.filter(status=ReviewStatus.APPROVED)
    return packs.none()


def can_read(user: Any) -> bool:
    return has_perm(user, Perm.REVIEW_MONTH) or has_perm(user, Perm.VIEW_REPORTS)


@dataclass(frozen=True)
class CaseRow:
    row: ReviewCase
    borrower: str  # masked, or "" for a reader without portfolio access

    @property
    def rule_label(self) -> str:
        return self.row.get_rule_display()

    @property
    def kind_label(self) -> str:
        return self.row.get_kind_display()


def case_rows(pack: ReviewPack, user: Any | None, *, chosen_only: bool = False) -> list[CaseRow]:
    """The pack's cases (the chosen ones only, for readers and the documents), each with the borrower's masked
    name where `user` may see the portfolio (None: the documents, which name no borrower)."""
    rows = pack.cases.select_related("case__borrower")
    if chosen_only:
        rows = rows.filter(chosen=True)
    names = user is not None and has_perm(user, Perm.VIEW_PORTFOLIO)
    return [CaseRow(row, mask_name(row.case.borrower.name) if names and row.case else "") for row in rows]


def follow_up_items(pack: ReviewPack) -> list[ActionItem]:
    """The action items a prepared pack follows up: those agreed in earlier packs still open, and those closed in
    this pack."""
    return list(
        ActionItem.objects.filter(pack__month__lt=pack.month)
        .filter(Q(status=ItemStatus.OPEN) | Q(closed_in=pack))
        .select_related("owner", "pack")
        .order_by("pack__month", "due_on", "pk")
    )


@dataclass(frozen=True)
class FollowUp:
    """An action item as a pack's follow-up shows it (live while prepared, frozen at approval)."""

    id: int
    text: str
    owner: str
    due_on: date
    status: str
    note: str
    agreed_in: str  # YYYY-MM

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label) if self.status in ItemStatus.values else self.status

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "owner": self.owner,
            "due_on": self.due_on.isoformat(),
            "status": self.status,
            "note": self.note,
            "agreed_in": self.agreed_in,
        }


def _shown(item: ActionItem) -> FollowUp:
    return FollowUp(
        item.pk,
        item.text,
        person(item.owner),
        item.due_on,
        item.status,
        item.follow_up_note,
        f"{item.pack.month:%Y-%m}",
    )


def follow_up_snapshot(pack: ReviewPack) -> list[dict[str, Any]]:
    """The follow-up as it stands, as the approved pack keeps it."""
    return [_shown(item).as_json() for item in follow_up_items(pack)]


def follow_up(pack: ReviewPack) -> list[FollowUp]:
    """The pack's follow-up section: as frozen at approval, or live while prepared."""
    if pack.status == ReviewStatus.APPROVED:
        return [
            FollowUp(
                row["id"],
                row["text"],
                row["owner"],
                date.fromisoformat(row["due_on"]),
                row["status"],
                row["note"],
                row["agreed_in"],
            )
            for row in pack.follow_up
        ]
    return [_shown(item) for item in follow_up_items(pack)]


@dataclass(frozen=True)
class ClassRow:
    """A class's recovery this month (KPI-1), and last month's rate."""

    code: str
    label: str
    loans: int | None
    opening_overdue_fen: int | None
    recovered_fen: int | None
    rate: Row
    target: str | None


def class_rows(figures: dict) -> list[ClassRow]:
    by_key = {row.key: row for row in indicator_rows(figures)}
    this = figures.get("this") or {}
    found = []
    for code in figures.get("classes", ()):
        mine = (this.get("recovery") or {}).get(code) or {}
        rate_row = by_key[f"recovery.{code}"]
        found.append(
            ClassRow(
                code,
                class_label(code),
                mine.get("loans"),
                mine.get("opening_overdue_fen"),
                mine.get("recovered_fen"),
                rate_row,
                rate_row.target,
            )
        )
    return found


def pack_context(pack: ReviewPack, user: Any | None) -> dict[str, Any]:
    """What the pack's page and its documents show (`user` None: the documents — the chosen cases, no borrower)."""
    figures = pack.figures or {}
    documents = user is None
    chosen_only = documents or pack.status == ReviewStatus.APPROVED or not has_perm(user, Perm.REVIEW_MONTH)
    cases = case_rows(pack, user, chosen_only=chosen_only)
    items = list(pack.items.select_related("owner", "closed_in").order_by("due_on", "pk"))
    return {
        "pack": pack,
        "figures": figures,
        "this": figures.get("this"),
        "last": figures.get("last"),
        "rows": indicator_rows(figures),
        "classes": class_rows(figures),
        "buckets": bucket_rows(figures),
        "successes": [c for c in cases if c.row.kind == "success"],
        "failures": [c for c in cases if c.row.kind == "failure"],
        "items": items,
        "follow_up": follow_up(pack),
    }
