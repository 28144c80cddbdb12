"""Approving or rejecting a proposed write-off: maker–checker (Clause: AUTH-3, AUTH-4).

How this works
--------------
A write-off is proposed by a supervisor's escalation decision (`escalation_actions`). Another supervisor holding
`legal.approve_write_off` approves or rejects it:

* never the proposer: the action refuses first, with a message, and the database refuses it too
  (`write_off_checker_not_maker`), so no code path gets round it;
* one conditional UPDATE … WHERE status = 'proposed': of two supervisors deciding at once, one changes the row,
  the other is refused with nothing written;
* approval is refused when payments since the proposal left less overdue than the amount proposed (the
  proposal is rejected and proposed again with today's figures); a rejection needs a note saying why.

Approved on the business date `today` (`decided_on`), the case is written off: it takes no further escalation
decision, and the payments that still post on it after that day are reported apart
(`write_off_queries.recoveries`). Rejected, the case is back in the escalation queue
and a write-off may be proposed again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.finance import format_money, from_fen
from arrears.legal.errors import LegalError
from arrears.legal.escalation import facts_of
from arrears.legal.escalation_actions import clean_text
from arrears.legal.models import WriteOff, WriteOffStatus

__all__ = ["do_decide_write_off", "own_proposal", "was_decided"]


def own_proposal(write_off: WriteOff, actor: Any) -> bool:
    return write_off.proposed_by_id == getattr(actor, "pk", None)


def was_decided(write_off: WriteOff) -> bool:
    """The write-off no longer awaits a decision (as stored now)."""
    return WriteOff.objects.filter(pk=write_off.pk).exclude(status=WriteOffStatus.PROPOSED).exists()


def _already(write_off: WriteOff) -> LegalError:
    status, who = WriteOff.objects.filter(pk=write_off.pk).values_list("status", "decided_by__username").first()
    return LegalError(
        _("Write-off %(id)s was already decided (%(status)s by %(who)s); nothing was changed.")
        % {"id": write_off.pk, "status": WriteOffStatus(status).label, "who": who or "?"}
    )


def do_decide_write_off(
    write_off: WriteOff, *, approve: bool, note: str = "", actor: Any, today: date, at: datetime | None = None
) -> WriteOff:
    """Approve or reject a proposed write-off (maker–checker). Needs Perm.APPROVE_WRITE_OFF; never the
    proposer's own; a rejection needs a note. Refused with a `LegalError` (nothing written) otherwise."""
    require(actor, Perm.APPROVE_WRITE_OFF)
    if own_proposal(write_off, actor):
        raise LegalError(
            _("You proposed write-off %(id)s yourself; another supervisor must approve or reject it (maker–checker).")
            % {"id": write_off.pk}
        )
    if was_decided(write_off):
        raise _already(write_off)
    note = clean_text(note, actor=actor, subject=write_off)
    if not approve and not note:
        raise LegalError(_("Say why the write-off is rejected; the proposer and the ledger need the reason."))
    if approve:
        owed = facts_of(write_off.case, today).overdue_fen
        if owed < write_off.total_fen:
            raise LegalError(
                _(
                    "Since the proposal on %(day)s payments reduced the overdue amount to %(now)s yuan (proposed: "
                    "%(then)s); reject this proposal and propose the write-off again with today's figures."
                )
                % {
                    "day": write_off.as_of.isoformat(),
                    "now": format_money(from_fen(owed), grouping=True),
                    "then": format_money(from_fen(write_off.total_fen), grouping=True),
                }
            )
    at = at or timezone.now()
    code = ActionCode.APPROVE_WRITE_OFF if approve else ActionCode.REJECT_WRITE_OFF
    after = WriteOffStatus.APPROVED if approve else WriteOffStatus.REJECTED
    with audited(actor, code, permission=Perm.APPROVE_WRITE_OFF, subject=write_off, reason=note) as rec:
        try:
            with transaction.atomic():
                changed = WriteOff.objects.filter(pk=write_off.pk, status=WriteOffStatus.PROPOSED).update(
                    status=after, decided_by=actor, decided_at=at, decided_on=today, note=note
                )
        except IntegrityError as exc:  # the database's own maker–checker rule
            raise LegalError(_("The proposer cannot approve or reject their own write-off (maker–checker).")) from exc
        if not changed:
            raise _already(write_off)
        write_off.refresh_from_db()
        rec.change("status", WriteOffStatus.PROPOSED.value, write_off.status)
        rec.change("case", None, write_off.case_id)
        rec.change("proposed_by", None, write_off.proposed_by_id)
        rec.change("total_fen", None, write_off.total_fen)
    return write_off
