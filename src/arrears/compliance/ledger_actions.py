"""`do_verify_ledger`: a compliance officer's check of the audit ledger from the web — the same check as
`arrears audit verify` (the chain, the head, the anchors) — recorded in the ledger it checked (AUTH-4)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import LedgerBroken, audited, require
from arrears.compliance.anchors import verify_ledger
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import VerifyResult
from arrears.compliance.models import AuditEvent

security_log = logging.getLogger("arrears.security")


@dataclass(frozen=True)
class LedgerCheck:
    result: VerifyResult
    recorded: bool  # False: the ledger refused the event recording this check (it is broken); logged instead
    broken_event: dict[str, Any] | None  # the first broken event's time and actor, when it exists


def do_verify_ledger(*, actor: Any) -> LedgerCheck:
    """Verify the ledger (permission VERIFY_AUDIT, checked first), then record who checked and what was found:
    a `compliance.verify_ledger` event, after the events it verified. A ledger broken at its head refuses any
    event: then the check is logged on the security log instead, and the result is still returned."""
    require(actor, Perm.VERIFY_AUDIT)
    result = verify_ledger()
    with translation.override("en"):  # the ledger records facts in one language, as the command line prints
        reason = result.reason
    try:
        with audited(
            actor, ActionCode.VERIFY_LEDGER, permission=Perm.VERIFY_AUDIT, subject=None, clause="AUTH-4", reason=reason
        ) as record:
            record.change("ok", None, result.ok)
            record.change("checked", None, result.checked)
            record.change("first_broken", None, result.first_broken)
            record.change("anchors", None, result.anchors)
        recorded = True
    except LedgerBroken:
        recorded = False
    security_log.log(
        logging.INFO if result.ok else logging.ERROR,
        "ledger verified by %s: %s (%s events checked, first broken %s)%s",
        actor.get_username(),
        "intact" if result.ok else f"BROKEN: {reason}",
        result.checked,
        result.first_broken,
        "" if recorded else "; the ledger refused to record this check",
    )
    broken_event = None
    if result.first_broken is not None:
        broken_event = AuditEvent.objects.filter(id=result.first_broken).values("at", "actor_username").first()
    return LedgerCheck(result, recorded, broken_event)
