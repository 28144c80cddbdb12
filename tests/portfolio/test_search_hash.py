"""The exact search's audit event holds a keyed hash of the number searched, never the number; compliance asks
"was this number searched?" by hashing it again.

Clause: PRV-1, AUTH-4 — a search by full number proves the searcher knew it: recorded, without putting the
borrower's number into the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.conf import settings

from arrears.cli import main
from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions import do_search_exact, searched_number_hash
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db

MOBILE = "17012345678"
ID_NUMBER = "11010119900307123X"


def expected_hmac(number: str) -> str:
    """HMAC-SHA256 with the key SHA-256(salt + SECRET_KEY), computed here from the definition."""
    key = hashlib.sha256((settings.ARREARS_SEARCH_HASH_SALT + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def ledger_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


def test_the_search_event_holds_the_hmac_and_the_number_is_nowhere_in_the_ledger(client):
    """Clause: PRV-1 — a supervisor searches by full mobile on the page: the event's number_hmac is the HMAC of
    17012345678 and neither that number nor any 8-digit stretch of it is in any column of the audit table."""
    borrower = make_borrower(external_id="C-HASH", mobile=MOBILE, id_number=ID_NUMBER)
    client.force_login(make_user("supervisor"))
    assert borrower.external_id in client.post("/borrowers/", {"number": f" {MOBILE} "}).content.decode()
    event = AuditEvent.objects.get(action="portfolio.search_exact")
    assert event.changes == {"number_hmac": [None, expected_hmac(MOBILE)], "matches": [None, ["C-HASH"]]}
    assert len(event.changes["number_hmac"][1]) == 64
    text = ledger_text()
    assert all(MOBILE[i : i + 8] not in text for i in range(len(MOBILE) - 7))
    assert ID_NUMBER not in text.upper()


def test_an_id_number_hashes_as_searched_upper_case_and_a_miss_is_recorded_too():
    """Clause: PRV-1 — 11010119900307123x and …123X are one search term; a number matching no one is still
    recorded (by its hash) with no matches."""
    make_borrower(external_id="C-ID", id_number=ID_NUMBER)
    officer = make_user("compliance_officer")
    do_search_exact(ID_NUMBER.lower(), actor=officer)
    do_search_exact("13900000000", actor=officer)
    first, second = AuditEvent.objects.filter(action="portfolio.search_exact").order_by("id")
    assert first.changes["number_hmac"][1] == searched_number_hash(ID_NUMBER) == expected_hmac(ID_NUMBER)
    assert second.changes == {"number_hmac": [None, expected_hmac("13900000000")], "matches": [None, []]}
    assert "13900000000" not in ledger_text()


def test_the_key_depends_on_the_salt_setting(settings):
    """Clause: PRV-1 — the hash is keyed: the same number under another salt (or SECRET_KEY) differs."""
    before = searched_number_hash(MOBILE)
    settings.ARREARS_SEARCH_HASH_SALT = "another installation"
    assert searched_number_hash(MOBILE) != before
    assert searched_number_hash(MOBILE) == expected_hmac(MOBILE)


def test_compliance_asks_whether_a_number_was_searched(capsys):
    """Clause: PRV-1 — `arrears audit searched NUMBER` lists the searches of that number (exit 0) and says
    never for another (exit 1)."""
    make_borrower(external_id="C-CLI", mobile=MOBILE)
    searcher = make_user("junior_collector", username="jun-search")
    do_search_exact(MOBILE, actor=searcher)
    event = AuditEvent.objects.get(action="portfolio.search_exact")
    assert main(["audit", "searched", MOBILE, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["hmac"] == expected_hmac(MOBILE)
    assert [(s["id"], s["actor"]) for s in body["searches"]] == [(event.pk, "jun-search")]
    assert main(["audit", "searched", "13900000000"]) == 1
    assert capsys.readouterr().out == "never searched (with this installation's key)\n"
