"""The monthly review's actions (Clause: REV-1) — the only writers of `ReviewPack`, `ReviewCase` and `ActionItem`.
Each checks its permission and writes its audit event in the same transaction (`compliance.actions.audited`).

* `do_prepare_review(month)` (`reports.prepare_review`: the worker on the month's first working day, supervisors
  on request) — a closed month only: the figures (`review.month_figures`) and the typical cases
  (`review.proposals`). Idempotent: a prepared pack is refreshed (figures replaced; the cases the rules still
  propose keep the supervisor's choice and note, new ones are added, those no longer proposed and not chosen are
  removed); an approved pack never changes (returned as it is, nothing written).
* `do_edit_review` — the commentary, and which of the proposed cases the pack shows with a note on each.
* `do_add_action_item` / `do_update_action_item` — the meeting's action items with an owner and a due date; an
  item is followed up (done, dropped, or still open, with a note) in its own pack while that is prepared, or in
  the follow-up of a later prepared pack while it is open or was closed there.
* `do_approve_review` — renders the PDF and the XLSX, keeps them through Django's storage with their SHA-256,
  freezes the follow-up as it stands and marks the pack approved. It never changes again.

The edits and approval need `reports.review` (supervisors). A refusal writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import Month
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.reports.models import MonthClose
from arrears.reports.models_review import ActionItem, ItemStatus, ReviewCase, ReviewPack, ReviewStatus
from arrears.reports.queries_review import follow_up_items, follow_up_snapshot, owners
from arrears.reports.review import month_figures, proposals

__all__ = [
    "MAX_COMMENTARY",
    "MAX_ITEM",
    "MAX_NOTE",
    "CaseChoice",
    "ReviewConflict",
    "ReviewError",
    "do_add_action_item",
    "do_approve_review",
    "do_edit_review",
    "do_prepare_review",
    "do_update_action_item",
]

MAX_COMMENTARY = 10_000
MAX_NOTE = 1_000
MAX_ITEM = 500


class ReviewError(ValueError):
    """Input that is never right; the message says what to do."""

    status = 400


class ReviewConflict(ReviewError):
    """The pack's state refuses it now (approved, or not the pack that follows the item up)."""

    status = 409


class _Unchanged(Exception):  # a signal inside do_prepare_review, never raised out of it
    def __init__(self, pack: ReviewPack) -> None:
        self.pack = pack


@dataclass(frozen=True)
class CaseChoice:
    chosen: bool
    note: str = ""


def _subject(month: Month) -> tuple[str, str]:
    return ("reports.reviewpack", str(month))


def _text(value: Any, what: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ReviewError(_("%(what)s contains a character that cannot be stored; retype it.") % {"what": what})
    if required and not text:
        raise ReviewError(_("%(what)s is empty; write it.") % {"what": what})
    if len(text) > limit:
        raise ReviewError(
            _("%(what)s is %(n)s characters long; shorten it to %(limit)s.")
            % {"what": what, "n": len(text), "limit": limit}
        )
    return text


def _approved_refusal(pack: ReviewPack) -> ReviewConflict:
    return ReviewConflict(
        _("The review of %(month)s is approved and no longer changes; add what is new to the next month's pack.")
        % {"month": pack.label}
    )


def _locked(pack: ReviewPack) -> ReviewPack:
    current = ReviewPack.objects.select_for_update().get(pk=pack.pk)
    if current.status != ReviewStatus.PREPARED:
        raise _approved_refusal(current)
    return current


# -- preparing ---------------------------------------------------------------------------------------------------


def _refresh_cases(pack: ReviewPack, month: Month) -> dict[str, int]:
    found = proposals(month)
    existing = {(c.rule, c.subject_type, c.subject_id): c for c in pack.cases.all()}
    added = kept = 0
    for proposal in found:
        key = (proposal.rule, proposal.subject_type, proposal.subject_id)
        fields = {
            "kind": proposal.kind,
            "case_id": proposal.case_id,
            "reference": proposal.reference,
            "occurred_on": proposal.occurred_on,
            "amount_fen": proposal.amount_fen,
            "detail": proposal.detail,
        }
        row = existing.pop(key, None)
        if row is None:
            ReviewCase.objects.create(
                pack=pack,
                rule=proposal.rule,
                subject_type=proposal.subject_type,
                subject_id=proposal.subject_id,
                **fields,
            )
            added += 1
        else:
            ReviewCase.objects.filter(pk=row.pk).update(**fields)
            kept += 1
    gone = [row.pk for row in existing.values() if not row.chosen]
    ReviewCase.objects.filter(pk__in=gone).delete()
    return {"added": added, "kept": kept + len(existing) - len(gone), "removed": len(gone)}


def do_prepare_review(month: Month, *, actor: Any, today: date) -> ReviewPack:
    """Clause: REV-1 — prepare (or refresh) the review pack of `month` (module docstring). `today` is the business
    date it is prepared on. Raises ReviewError for a month not closed yet."""
    require(actor, Perm.PREPARE_REVIEW)
    if not MonthClose.objects.filter(month=month.first).exists():
        raise ReviewError(
            _(
                "%(month)s is not closed yet: the nightly run of its last day (%(last)s) closes it, and the review "
                "pack is prepared after that."
            )
            % {"month": month, "last": month.last.isoformat()}
        )
    existing = ReviewPack.objects.filter(month=month.first).first()
    if existing is not None and existing.approved:
        return existing
    figures = month_figures(month)  # the long reads before the transaction
    try:
        with audited(
            actor, ActionCode.PREPARE_REVIEW, permission=Perm.PREPARE_REVIEW, subject=_subject(month), clause="REV-1"
        ) as record:
            now = timezone.now()
            pack = ReviewPack.objects.select_for_update().filter(month=month.first).first()
            if pack is not None and pack.approved:
                raise _Unchanged(pack)
            if pack is None:
                pack = ReviewPack.objects.create(
                    month=month.first, figures=figures, prepared_on=today, prepared_at=now, prepared_by=actor
                )
                record.change("status", None, ReviewStatus.PREPARED)
            else:
                pack.figures, pack.prepared_on, pack.prepared_at, pack.prepared_by = figures, today, now, actor
                pack.save(update_fields=["figures", "prepared_on", "prepared_at", "prepared_by"])
                record.change("refreshed", None, True)
            record.change("prepared_on", None, today)
            for name, n in _refresh_cases(pack, month).items():
                record.change(f"cases_{name}", None, n)
    except _Unchanged as unchanged:
        return unchanged.pack
    return pack


# -- editing -----------------------------------------------------------------------------------------------------


def do_edit_review(
    pack: ReviewPack, *, commentary: str, cases: Mapping[int, CaseChoice] | None = None, actor: Any
) -> ReviewPack:
    """Clause: REV-1 — the pack's commentary, and for each proposed case (by id) whether the pack shows it and the
    supervisor's note. A case not of this pack is refused; nothing is written then."""
    require(actor, Perm.REVIEW_MONTH)
    commentary = _text(commentary, _("The commentary"), MAX_COMMENTARY)
    chosen = {
        int(case_id): CaseChoice(bool(choice.chosen), _text(choice.note, _("A case's note"), MAX_NOTE))
        for case_id, choice in (cases or {}).items()
    }
    with audited(
        actor,
        ActionCode.EDIT_REVIEW,
        permission=Perm.REVIEW_MONTH,
        subject=_subject(Month.of(pack.month)),
        clause="REV-1",
    ) as record:
        current = _locked(pack)
        rows = {row.pk: row for row in ReviewCase.objects.filter(pack=current, pk__in=list(chosen))}
        if set(rows) != set(chosen):
            raise ReviewError(_("A case chosen is not one of this pack's proposed cases; reload the page."))
        if current.commentary != commentary:
            record.change("commentary", current.commentary, commentary)
            current.commentary = commentary
            current.save(update_fields=["commentary"])
        for case_id, choice in sorted(chosen.items()):
            row = rows[case_id]
            if (row.chosen, row.note) != (choice.chosen, choice.note):
                record.change(f"case_{case_id}", [row.chosen, row.note], [choice.chosen, choice.note])
                ReviewCase.objects.filter(pk=case_id).update(chosen=choice.chosen, note=choice.note)
    pack.refresh_from_db()
    return pack


# -- action items ------------------------------------------------------------------------------------------------


def _owner(owner: Any) -> Any:
    key = getattr(owner, "pk", owner)
    user = None if isinstance(key, bool) or not isinstance(key, int) else owners().filter(pk=key).first()
    if user is None:
        raise ReviewError(_("Choose the owner among the bank's people who sign in to arrears."))
    return user


def do_add_action_item(pack: ReviewPack, *, text: str, owner: Any, due_on: date, actor: Any, today: date) -> ActionItem:
    """Clause: REV-1 — an action item of the meeting: what, who (a person who signs in), by when (not before
    `today`, the business date)."""
    require(actor, Perm.REVIEW_MONTH)
    text = _text(text, _("The action"), MAX_ITEM, required=True)
    person = _owner(owner)
    if not isinstance(due_on, date):
        raise ReviewError(_("Enter the due date as a date, e.g. 2026-03-31."))
    if due_on < today:
        raise ReviewError(
            _("The due date %(due)s is before today (%(today)s); choose a later day.")
            % {"due": due_on.isoformat(), "today": today.isoformat()}
        )
    with audited(
        actor,
        ActionCode.ADD_ACTION_ITEM,
        permission=Perm.REVIEW_MONTH,
        subject=_subject(Month.of(pack.month)),
        clause="REV-1",
    ) as record:
        current = _locked(pack)
        item = ActionItem.objects.create(
            pack=current, text=text, owner=person, due_on=due_on, added_by=actor, added_at=timezone.now()
        )
        record.change("action_item", None, item.pk)
        record.change("text", None, text)
        record.change("owner", None, person.get_username())
        record.change("due_on", None, due_on)
    return item


def do_update_action_item(item: ActionItem, *, pack: ReviewPack, status: str, note: str, actor: Any) -> ActionItem:
    """Clause: REV-1 — follow up `item` in `pack` (prepared): its own pack, or a later pack whose follow-up lists
    it (open, or closed in that pack). Done or dropped closes it in `pack`; open again reopens it."""
    require(actor, Perm.REVIEW_MONTH)
    if status not in ItemStatus.values:
        raise ReviewError(
            _("Choose the item's status: %(choices)s.") % {"choices": ", ".join(str(x) for x in ItemStatus.labels)}
        )
    note = _text(note, _("The follow-up note"), MAX_NOTE)
    with audited(
        actor,
        ActionCode.UPDATE_ACTION_ITEM,
        permission=Perm.REVIEW_MONTH,
        subject=_subject(Month.of(pack.month)),
        clause="REV-1",
    ) as record:
        current = _locked(pack)
        row = ActionItem.objects.select_for_update().get(pk=item.pk)
        if row.pack_id != current.pk and row.pk not in {i.pk for i in follow_up_items(current)}:
            raise ReviewConflict(
                _("This action item is followed up in another month's pack; open that one.")
                if row.status != ItemStatus.OPEN
                else _("This action item comes up in the follow-up of a later month's pack, not this one.")
            )
        closed_in = None if status == ItemStatus.OPEN else current
        record.change("action_item", None, row.pk)
        if row.status != status:
            record.change("status", row.status, status)
        if row.follow_up_note != note:
            record.change("note", row.follow_up_note, note)
        row.status, row.follow_up_note, row.closed_in = status, note, closed_in
        row.save(update_fields=["status", "follow_up_note", "closed_in"])
    item.refresh_from_db()
    return item


# -- approving ---------------------------------------------------------------------------------------------------


def _store(pack: ReviewPack, content: bytes, extension: str) -> tuple[str, str]:
    digest = hashlib.sha256(content).hexdigest()
    name = f"reviews/{pack.label}/review-{pack.label}-{digest[:16]}.{extension}"
    return default_storage.save(name, ContentFile(content, name=name)), digest


def do_approve_review(pack: ReviewPack, *, actor: Any) -> ReviewPack:
    """Clause: REV-1 — approve the pack: PDF and XLSX rendered and kept (with their SHA-256), the follow-up frozen,
    nothing of it changes again. The commentary must be written first."""
    from arrears.reports.review_pdf import render_review_pdf, render_review_xlsx

    require(actor, Perm.REVIEW_MONTH)
    stored: list[str] = []
    try:
        with audited(
            actor,
            ActionCode.APPROVE_REVIEW,
            permission=Perm.REVIEW_MONTH,
            subject=_subject(Month.of(pack.month)),
            clause="REV-1",
        ) as record:
            current = _locked(pack)
            if not current.commentary.strip():
                raise ReviewError(_("Write the commentary before approving the pack."))
            now = timezone.now()
            current.status, current.approved_by, current.approved_at = ReviewStatus.APPROVED, actor, now
            current.follow_up = follow_up_snapshot(current)
            pdf_path, pdf_sha = _store(current, render_review_pdf(current), "pdf")
            stored.append(pdf_path)
            xlsx_path, xlsx_sha = _store(current, render_review_xlsx(current), "xlsx")
            stored.append(xlsx_path)
            current.pdf_path, current.pdf_sha256, current.xlsx_path, current.xlsx_sha256 = (
                pdf_path,
                pdf_sha,
                xlsx_path,
                xlsx_sha,
            )
            current.save(
                update_fields=[
                    "status",
                    "approved_by",
                    "approved_at",
                    "follow_up",
                    "pdf_path",
                    "pdf_sha256",
                    "xlsx_path",
                    "xlsx_sha256",
                ]
            )
            record.change("status", ReviewStatus.PREPARED, ReviewStatus.APPROVED)
            record.change("pdf_sha256", None, pdf_sha)
            record.change("xlsx_sha256", None, xlsx_sha)
            record.change("cases_chosen", None, current.cases.filter(chosen=True).count())
            record.change("action_items", None, current.items.count())
    except BaseException:
        for path in stored:
            default_storage.delete(path)
        raise
    pack.refresh_from_db()
    return pack
