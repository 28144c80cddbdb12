"""The hash's canonical form is fixed and documented, so an auditor can recompute any event by hand."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode
from arrears.compliance.ledger import canonical_bytes, event_hash
from arrears.compliance.models import AuditEvent
from factories import make_user

EXAMPLE = {
    "id": 1,
    "at": datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=UTC),
    "actor_id": 7,
    "actor_username": "li",
    "actor_role": "supervisor",
    "action": "portfolio.unmask_field",
    "subject_type": "portfolio.borrower",
    "subject_id": "42",
    "basis": {"permission": "portfolio.unmask", "clause": "PRV-1", "approval": None},
    "changes": {"mobile": ["masked", "shown"]},
    "reason": "借款人来电核实",
    "prev_hash": "0" * 64,
}
CANONICAL = (
    '{"action":"portfolio.unmask_field","actor_id":7,"actor_role":"supervisor","actor_username":"li",'
    '"at":"2026-03-01T01:02:03.456789+00:00","basis":{"approval":null,"clause":"PRV-1","permission":"portfolio.unmask"},'
    '"changes":{"mobile":["masked","shown"]},"id":1,"prev_hash":"' + "0" * 64 + '","reason":"借款人来电核实",'
    '"subject_id":"42","subject_type":"portfolio.borrower"}'
)


def test_the_canonical_form_of_a_worked_example():
    """Clause: AUTH-4 — sorted keys, no spaces, UTF-8 as is, UTC instant with microseconds; SHA-256 hex.
    A change to this form would break every existing chain, so it is pinned literally."""
    assert canonical_bytes(EXAMPLE).decode("utf-8") == CANONICAL
    assert event_hash(EXAMPLE) == hashlib.sha256(CANONICAL.encode("utf-8")).hexdigest()
    assert event_hash(EXAMPLE) == "a0c0daeed4e0a0ff5b0edd80f25cfe2a6bca64c4ce53c3852c91e1a5c142f960"


@pytest.mark.django_db
def test_an_auditor_recomputes_a_stored_event_with_json_and_hashlib_alone():
    """From the row's columns and the documented rules only (no arrears code), the stored hash comes out."""
    actor = make_user("supervisor")
    for reason in ("first", "第二"):
        with audited(
            actor,
            ActionCode.UNMASK_FIELD,
            permission=Perm.UNMASK,
            subject=("portfolio.borrower", "42"),
            reason=reason,
            clause="PRV-1",
        ) as record:
            record.change("mobile", "masked", "shown")
    first, second = AuditEvent.objects.order_by("id").values()
    for row in (first, second):
        payload = {key: row[key] for key in EXAMPLE}
        payload["at"] = row["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == row["hash"]
    assert (first["prev_hash"], second["prev_hash"]) == ("0" * 64, first["hash"])
