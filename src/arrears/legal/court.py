"""The court stages of a lawsuit and its legal costs: the only writers of `StageEvent`, `CourtDocument` and
`LegalCost`, and of a `Litigation`'s court facts (Clause: LIT-2, AUTH-4).

* `do_record_stage` — one stage as the court gave it, with its date, its facts, a note and documents: filed
  (the competent court, the case number 案号 if known, the amount claimed, the court fee — which also becomes a
  `LegalCost`), accepted (the 案号, if not given at filing), a hearing or a mediation (each may repeat; a
  mediation with its result), the judgment (the amount awarded, the day it takes effect), enforcement applied
  for (the enforcement case number), an enforcement result (the amount recovered; may repeat) and closing (the
  reason). Legal officers keep the file (`legal.keep_litigation`); supervisors decide (AUTH-3) and see it only.
* The order is enforced (`NEXT`, one transition table; `refusal` says what must come first): nothing is
  accepted before it is filed, no hearing, mediation or judgment before the court accepted the claim, no
  enforcement before a judgment and not before the judgment took effect, nothing after closing; a date is never
  before the previous stage's (the decision to sue for the filing) nor after `today`. A refusal raises
  `StageOrderError` (the API's 409) or `LegalError` (bad facts, 422) and changes nothing.
* The `Litigation` row follows its events: its `stage` and the facts of each stage, updated under the row's lock
  and only from the stage the check saw.
* `do_record_cost` — a fee, a lawyer's bill, a preservation or enforcement fee (a collection cost, KPI-2).
* `do_open_court_document` — reading a stage's document is an audited read (PRV-1: court papers name the
  borrower).

Money comes in as yuan (a string, or a Decimal or an int) and is kept as integer fen: a float, a number written
with other than ASCII digits, more than two decimals, a negative or an absurdly large amount is refused with a
message saying what to write. Documents are PDF, JPEG or PNG (told by their first bytes, not their names), at
most `MAX_DOCUMENT_BYTES` each, kept with their SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from arrears.accounts.permissions import Perm
from arrears.arrangements.scans import carries_html
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.finance.errors import FinanceError
from arrears.finance.money import fen_amount, to_fen
from arrears.legal.errors import LegalError
from arrears.legal.models import CostKind, CourtDocument, LegalCost, Litigation, Stage, StageEvent

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "NEXT",
    "ClosedReason",
    "Document",
    "MediationResult",
    "StageOrderError",
    "do_open_court_document",
    "do_record_cost",
    "do_record_stage",
    "next_stages",
]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # within the request-size limit (ARREARS_MAX_REQUEST_BYTES, 12 MB)
MAX_NOTE = 2000
LIMITS = {"court": 200, "court_case_no": 64, "enforcement_case_no": 64}


class StageOrderError(LegalError):
    """A stage refused for its place in the order or its date; the message says what must come first."""


class MediationResult(TextChoices):
    AGREED = "agreed", gettext_lazy("agreement reached")
    FAILED = "failed", gettext_lazy("no agreement")
    CONTINUED = "continued", gettext_lazy("to be continued")


class ClosedReason(TextChoices):
    PAID = "paid", gettext_lazy("paid in full")
    SETTLED = "settled", gettext_lazy("settled")
    ENFORCED = "enforced", gettext_lazy("judgment enforced")
    TERMINATED = "terminated", gettext_lazy("enforcement ended without result (终本)")
    WITHDRAWN = "withdrawn", gettext_lazy("claim withdrawn")
    DISMISSED = "dismissed", gettext_lazy("claim dismissed")
    OTHER = "other", pgettext_lazy("reason", "other (see the note)")


S = Stage
# The transition table (LIT-2): from each stage, the stages that may be recorded next. Hearings, mediations and
# enforcement results may repeat; a lawsuit may be closed from any stage (paid, withdrawn, ...).
NEXT: dict[str, tuple[str, ...]] = {
    S.DECIDED: (S.FILED, S.CLOSED),
    S.FILED: (S.ACCEPTED, S.CLOSED),
    S.ACCEPTED: (S.HEARING, S.MEDIATION, S.JUDGMENT, S.CLOSED),
    S.HEARING: (S.HEARING, S.MEDIATION, S.JUDGMENT, S.CLOSED),
    S.MEDIATION: (S.HEARING, S.MEDIATION, S.JUDGMENT, S.CLOSED),
    S.JUDGMENT: (S.ENFORCEMENT_APPLIED, S.CLOSED),
    S.ENFORCEMENT_APPLIED: (S.ENFORCEMENT_RESULT, S.CLOSED),
    S.ENFORCEMENT_RESULT: (S.ENFORCEMENT_RESULT, S.CLOSED),
    S.CLOSED: (),
}
# What must have been recorded before a stage can be.
REQUIRES: dict[str, str] = {
    S.ACCEPTED: S.FILED,
    S.HEARING: S.ACCEPTED,
    S.MEDIATION: S.ACCEPTED,
    S.JUDGMENT: S.ACCEPTED,
    S.ENFORCEMENT_APPLIED: S.JUDGMENT,
    S.ENFORCEMENT_RESULT: S.ENFORCEMENT_APPLIED,
}
RECORDABLE = [s for s in Stage.values if s != S.DECIDED]
# A reason for closing that only fits once the lawsuit got that far (withdrawn: once filed; dismissed: once the
# court took the claim; enforced or ended without result: once enforcement was applied for).
REASON_REQUIRES: dict[str, str] = {
    "withdrawn": S.FILED,
    "dismissed": S.ACCEPTED,
    "enforced": S.ENFORCEMENT_APPLIED,
    "terminated": S.ENFORCEMENT_APPLIED,
}


def next_stages(litigation: Litigation) -> tuple[str, ...]:
    """The stages that may be recorded next on `litigation`, in their order."""
    return NEXT[litigation.stage]


def _label(stage: str) -> str:
    return str(Stage(stage).label)


def refusal(current: str, stage: str) -> str | None:
    """Why `stage` cannot follow `current` (what must come first), or None when it can."""
    if stage in NEXT[current]:
        return None
    if current == S.CLOSED:
        return _("This lawsuit is closed; nothing more can be recorded on it.")
    order = Stage.values
    required = REQUIRES.get(stage)
    if required is not None and order.index(current) < order.index(required):
        # the first stage of the chain not reached yet (a judgment on an unfiled lawsuit: the filing)
        while REQUIRES.get(required) and order.index(current) < order.index(REQUIRES[required]):
            required = REQUIRES[required]
        return _("Record “%(first)s” first: “%(stage)s” can only come after it.") % {
            "first": _label(required),
            "stage": _label(stage),
        }
    return _("The lawsuit is already at “%(current)s”: “%(stage)s” cannot be recorded after it.") % {
        "current": _label(current),
        "stage": _label(stage),
    }


@dataclass(frozen=True)
class Document:
    """An uploaded document: its name as uploaded and its content."""

    filename: str
    content: bytes


KINDS = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def _checked_documents(documents: Iterable[Document]) -> list[tuple[str, str, bytes, str]]:
    """(file name, content type, content, SHA-256) of each document, or a refusal naming the first bad one."""
    checked = []
    for document in documents:
        name = (str(document.filename or "").replace("\x00", "").strip() or "document")[-255:]
        content = bytes(document.content)
        if not content:
            raise LegalError(_("%(name)s is empty; upload the document itself.") % {"name": name})
        if len(content) > MAX_DOCUMENT_BYTES:
            raise LegalError(
                _("%(name)s is %(mb).1f MB; upload documents of at most %(max)s MB each.")
                % {"name": name, "mb": len(content) / 1024 / 1024, "max": MAX_DOCUMENT_BYTES // 1024 // 1024}
            )
        kind = next((kind for magic, kind in KINDS if content.startswith(magic)), None)
        if kind is None or (kind == "application/pdf" and carries_html(content)):
            raise LegalError(
                _("%(name)s is not a PDF, JPEG or PNG file; scan the court's paper and upload the scan.")
                % {"name": name}
            )
        checked.append((name, kind, content, hashlib.sha256(content).hexdigest()))
    return checked


def _text(value: Any, what: str, limit: int, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        raise LegalError(_("%(what)s contains a NUL character; remove it.") % {"what": what})
    if len(value) > limit:
        raise LegalError(
            _("%(what)s is longer than %(limit)s characters; shorten it.") % {"what": what, "limit": limit}
        )
    if required and not value:
        raise LegalError(_("Enter %(what)s.") % {"what": what})
    return value


def yuan_to_fen(value: Any, what: str, *, positive: bool = False) -> int:
    """An amount typed in yuan as integer fen; refused with a message naming `what` and saying what to write."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise LegalError(_("Enter %(what)s in yuan, e.g. 52000.00.") % {"what": what})
    try:
        amount = fen_amount(value.strip() if isinstance(value, str) else value, name="amount", positive=positive)
    except (FinanceError, TypeError):
        if positive:
            message = _(
                "%(what)s must be an amount in yuan above 0, with at most two decimals and the digits 0–9, e.g. "
                "52000.00."
            )
        else:
            message = _(
                "%(what)s must be an amount in yuan, 0 or more, with at most two decimals and the digits 0–9, "
                "e.g. 52000.00."
            )
        raise LegalError(message % {"what": what}) from None
    return to_fen(amount)


def _date(value: Any, what: str) -> date:
    if not isinstance(value, date):
        raise LegalError(_("Enter %(what)s as a date, e.g. 2026-03-20.") % {"what": what})
    return value


def _facts(litigation: Litigation, stage: str, on: date, given: Mapping[str, Any]) -> tuple[dict, dict]:
    """The stage's facts as recorded in its event's `details`, and the litigation's fields they set."""
    if stage == S.FILED:
        court = _text(given.get("court"), _("the competent court"), LIMITS["court"], required=True)
        number = _text(given.get("court_case_no"), _("the case number (案号)"), LIMITS["court_case_no"])
        claimed = yuan_to_fen(given.get("claimed"), _("the amount claimed"), positive=True)
        fee = yuan_to_fen(given.get("court_fee"), _("the court fee"))
        details = {"court": court, "court_case_no": number, "claimed_fen": claimed, "court_fee_fen": fee}
        fields = {"court": court, "filed_on": on, "claimed_fen": claimed, "court_fee_fen": fee}
        if number:
            fields["court_case_no"] = number
        return details, fields
    if stage == S.ACCEPTED:
        number = _text(
            given.get("court_case_no"),
            _("the case number (案号)"),
            LIMITS["court_case_no"],
            required=not litigation.court_case_no,
        )
        return {"court_case_no": number or litigation.court_case_no}, {
            "accepted_on": on,
            "court_case_no": number or litigation.court_case_no,
        }
    if stage == S.HEARING:
        return {}, {}
    if stage == S.MEDIATION:
        result = str(given.get("result") or "")
        if result not in MediationResult.values:
            raise LegalError(
                _("Choose the mediation's result: %(results)s.")
                % {"results": ", ".join(str(label) for label in MediationResult.labels)}
            )
        return {"result": result}, {}
    if stage == S.JUDGMENT:
        awarded = yuan_to_fen(given.get("amount"), _("the amount awarded"))
        effective = _date(given.get("effective_on"), _("the day the judgment takes effect"))
        if effective < on:
            raise LegalError(
                _("A judgment cannot take effect (%(effective)s) before it is given (%(on)s); check the dates.")
                % {"effective": effective.isoformat(), "on": on.isoformat()}
            )
        details = {"judgment_fen": awarded, "effective_on": effective.isoformat()}
        return details, {"judgment_on": on, "judgment_fen": awarded, "judgment_effective_on": effective}
    if stage == S.ENFORCEMENT_APPLIED:
        effective = litigation.judgment_effective_on
        if effective is None or on < effective:
            raise StageOrderError(
                _(
                    "The judgment takes effect on %(effective)s: enforcement can be applied for from that day, "
                    "not on %(on)s."
                )
                % {"effective": effective.isoformat() if effective else "—", "on": on.isoformat()}
            )
        number = _text(
            given.get("enforcement_case_no"),
            _("the enforcement case number"),
            LIMITS["enforcement_case_no"],
            required=True,
        )
        return {"enforcement_case_no": number}, {"enforcement_applied_on": on, "enforcement_case_no": number}
    if stage == S.ENFORCEMENT_RESULT:
        recovered = yuan_to_fen(given.get("amount"), _("the amount recovered"))
        return {"recovered_fen": recovered}, {"recovered_fen": F("recovered_fen") + recovered}
    # closed
    reason = str(given.get("reason") or "")
    if reason not in ClosedReason.values:
        raise LegalError(
            _("Choose why the lawsuit is closed: %(reasons)s.")
            % {"reasons": ", ".join(str(label) for label in ClosedReason.labels)}
        )
    if reason == ClosedReason.OTHER and not str(given.get("note") or "").strip():
        raise LegalError(_("Closed for another reason: say which in the note."))
    needed = REASON_REQUIRES.get(reason)
    if needed is not None and Stage.values.index(litigation.stage) < Stage.values.index(needed):
        raise StageOrderError(
            _("A lawsuit is closed as “%(reason)s” only after “%(stage)s”; record that first or choose another reason.")
            % {"reason": ClosedReason(reason).label, "stage": _label(needed)}
        )
    return {"reason": reason}, {"closed_on": on, "closed_reason": reason}


def _check_date(litigation: Litigation, stage: str, on: date, today: date) -> None:
    """Not in the future; not before the previous stage's date (the decision to sue for the first one)."""
    if on > today:
        raise StageOrderError(
            _("%(on)s is in the future (today is %(today)s): record a stage once it has happened.")
            % {"on": on.isoformat(), "today": today.isoformat()}
        )
    last = StageEvent.objects.filter(litigation=litigation).order_by("-on", "-pk").first()
    if last is None and on < litigation.opened_on:
        raise StageOrderError(
            _("%(on)s is before the decision to sue (%(opened)s); check the date.")
            % {"on": on.isoformat(), "opened": litigation.opened_on.isoformat()}
        )
    if last is not None and on < last.on:
        raise StageOrderError(
            _("%(on)s is before the previous stage, “%(previous)s” on %(previous_on)s; stages are recorded in order.")
            % {"on": on.isoformat(), "previous": _label(last.stage), "previous_on": last.on.isoformat()}
        )


def do_record_stage(
    litigation: Litigation,
    stage: str,
    *,
    on: date,
    today: date,
    actor: Any,
    note: str = "",
    documents: Iterable[Document] = (),
    **given: Any,
) -> StageEvent:
    """Record one court stage of `litigation` on `on` (Clause: LIT-2; see the module's docstring for each
    stage's facts in `given`: court, court_case_no, claimed, court_fee, result, amount, effective_on,
    enforcement_case_no, reason). Needs `legal.keep_litigation`. `today` is the calendar day in Beijing; a
    stage cannot be dated after it. Returns the stage's event; refused with nothing written otherwise."""
    require(actor, Perm.KEEP_LITIGATION)
    if stage not in RECORDABLE:
        raise LegalError(
            _("Unknown stage; record one of: %(stages)s.") % {"stages": ", ".join(_label(s) for s in RECORDABLE)}
        )
    on = _date(on, _("the stage's date"))
    note = _text(note, _("The note"), MAX_NOTE)
    files = _checked_documents(documents)
    with audited(
        actor, ActionCode.RECORD_COURT_STAGE, permission=Perm.KEEP_LITIGATION, subject=litigation, clause="LIT-2"
    ) as record:
        current = Litigation.objects.select_for_update().get(pk=litigation.pk)
        if (why := refusal(current.stage, stage)) is not None:
            raise StageOrderError(why)
        _check_date(current, stage, on, today)
        details, fields = _facts(current, stage, on, {**given, "note": note})
        now = timezone.now()
        event = StageEvent.objects.create(
            litigation=current, stage=stage, on=on, details=details, note=note, recorded_by=actor, recorded_at=now
        )
        CourtDocument.objects.bulk_create(
            CourtDocument(stage_event=event, filename=name, content_type=kind, data=content, sha256=digest)
            for name, kind, content, digest in files
        )
        if not Litigation.objects.filter(pk=current.pk, stage=current.stage).update(stage=stage, **fields):
            raise StageOrderError(_("The lawsuit changed meanwhile; open its page again and check."))
        if stage == S.FILED and details["court_fee_fen"] > 0:
            fee = LegalCost.objects.create(
                litigation=current,
                case_id=current.case_id,
                kind=CostKind.COURT_FEE,
                amount_fen=details["court_fee_fen"],
                incurred_on=on,
                note=details["court"],
                recorded_by=actor,
                recorded_at=now,
            )
            record.change("court_fee_cost", None, fee.pk)
        record.change("stage", current.stage, stage)
        record.change("on", None, on.isoformat())
        record.change("stage_event", None, event.pk)
        for key, value in details.items():
            record.change(key, None, value)
        if files:
            record.change("documents", None, [digest for _n, _k, _c, digest in files])
    litigation.refresh_from_db()
    return event


def do_record_cost(
    litigation: Litigation,
    *,
    kind: str,
    amount: Any,
    incurred_on: date,
    today: date,
    actor: Any,
    note: str = "",
) -> LegalCost:
    """Record a legal cost of the lawsuit (Clause: LIT-2, KPI-2: a collection cost): its kind, the amount in
    yuan (above 0), the day it was incurred — not before the decision to sue nor after `today` — and a note.
    Needs `legal.keep_litigation`."""
    require(actor, Perm.KEEP_LITIGATION)
    if kind not in CostKind.values:
        raise LegalError(
            _("Choose the kind of cost: %(kinds)s.") % {"kinds": ", ".join(str(label) for label in CostKind.labels)}
        )
    fen = yuan_to_fen(amount, _("the amount"), positive=True)
    incurred_on = _date(incurred_on, _("the day the cost was incurred"))
    if incurred_on > today:
        raise LegalError(
            _("%(on)s is in the future (today is %(today)s): record a cost once it is incurred.")
            % {"on": incurred_on.isoformat(), "today": today.isoformat()}
        )
    if incurred_on < litigation.opened_on:
        raise LegalError(
            _("%(on)s is before the decision to sue (%(opened)s): a cost of this lawsuit comes after it.")
            % {"on": incurred_on.isoformat(), "opened": litigation.opened_on.isoformat()}
        )
    note = _text(note, _("The note"), 500)
    with audited(
        actor, ActionCode.RECORD_LEGAL_COST, permission=Perm.KEEP_LITIGATION, subject=litigation, clause="LIT-2"
    ) as record:
        cost = LegalCost.objects.create(
            litigation=litigation,
            case_id=litigation.case_id,
            kind=kind,
            amount_fen=fen,
            incurred_on=incurred_on,
            note=note,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        record.change("cost", None, cost.pk)
        record.change("kind", None, kind)
        record.change("amount_fen", None, fen)
        record.change("incurred_on", None, incurred_on.isoformat())
    return cost


def do_open_court_document(document: CourtDocument, *, actor: Any) -> CourtDocument:
    """Open a court document: an audited read (Clause: LIT-2, PRV-1). Needs `legal.view_litigation`."""
    with audited(
        actor, ActionCode.VIEW_COURT_DOCUMENT, permission=Perm.VIEW_LITIGATION, subject=document, clause="PRV-1"
    ) as record:
        record.change("sha256", None, document.sha256)
    return document
