"""A web action refused because the audit ledger was changed outside arrears is answered 503 with what to do,
not a server error; nothing is saved (issue 14, items 8 and 18)."""

from __future__ import annotations

import pytest
from django.db import connection

from arrears.compliance import append_only
from arrears.compliance.ledger import HASHED_FIELDS, event_hash
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


def slip_an_event_past_the_head() -> None:
    """As a database owner would: the triggers dropped, a correctly hashed copy of the last event inserted after
    it, the ledger head left as it was."""
    fields = AuditEvent.objects.order_by("-id").values(*HASHED_FIELDS, "hash").first()
    fields.update(id=fields["id"] + 1, prev_hash=fields.pop("hash"), reason="slipped in")
    fields["hash"] = event_hash(fields)
    append_only.remove(connection)
    names = list(fields)
    params = [AuditEvent._meta.get_field(n).get_db_prep_save(fields[n], connection) for n in names]
    columns = ", ".join("actor_id" if n in ("actor", "actor_id") else n for n in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO compliance_auditevent ({columns}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
            params,
        )


def test_an_audited_action_on_a_broken_ledger_gets_503_and_saves_nothing(client):
    """Clause: AUTH-4 — a phrase saved by a compliance officer after an event was slipped past the ledger head:
    503 in the page's language naming Ledger verification; no phrase, no event appended."""
    from arrears.compliance.models import ProhibitedPhrase

    officer = make_user("compliance_officer")
    client.force_login(officer)
    first = client.post(
        "/compliance/phrases/",
        {"text": "上门 找你", "kind": "words", "category": "violence", "active": "on", "note": "", "reason": "新增"},
    )
    assert (first.status_code, AuditEvent.objects.count()) == (302, 1)
    slip_an_event_past_the_head()
    phrases, events = ProhibitedPhrase.objects.count(), AuditEvent.objects.count()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.post(
        "/compliance/phrases/",
        {"text": "半夜 堵门", "kind": "words", "category": "violence", "active": "on", "note": "", "reason": "新增"},
    )
    assert response.status_code == 503
    assert "审计日志已损坏" in response.content.decode()
    assert "审计日志校验" in response.content.decode()
    assert (ProhibitedPhrase.objects.count(), AuditEvent.objects.count()) == (phrases, events)
