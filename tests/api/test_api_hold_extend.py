"""Extending a hold through the API (Issue 17 item 1): `POST /api/v1/holds/{id}/extend` with the new end and a
reason — the borrower and case pages' action, audited with the old and the new end under the service account's
name; a bad end, a lifted hold or a caller without `portfolio.manage_holds` changes nothing.

The desk on 2026-03-20 (the business date): P20's first instalment is 20 days overdue.
"""

from __future__ import annotations

from datetime import date

import pytest
from apicalls import bearer, events, post, state
from desk import open_desk

from arrears.accounts.tokens import do_create_token
from arrears.portfolio.actions import do_lift_hold, do_place_hold
from arrears.portfolio.models import Hold
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """P20 under a fraud-claim hold from 03-20 to 04-30; tokens of a supervisor and a junior collector."""
    borrower = open_desk([("P20", 20, "12000", "low")], {})["cases"]["P20"].borrower
    admin = make_user("administrator")
    boss = make_user("supervisor")
    hold = do_place_hold(
        borrower,
        "fraud_claim",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 4, 30),
        actor=boss,
        reason="客户称贷款系冒名",
    )
    tokens = {role: do_create_token(f"svc-{role}", role, actor=admin)[1] for role in ("supervisor", "junior_collector")}
    return hold, tokens, boss


def test_a_supervisor_token_extends_a_hold(held):
    """Clause: AUTH-4 — 04-30 → 05-31: the hold as the API shows it, and the `portfolio.extend_hold` event with
    the reason and the old and new end, under the service account's name."""
    hold, tokens, _boss = held
    response = post(
        bearer(tokens["supervisor"]),
        f"/api/v1/holds/{hold.pk}/extend",
        {"until": "2026-05-31", "reason": "公安立案调查中"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": hold.pk,
        "kind": "fraud_claim",
        "loan": None,
        "starts_on": "2026-03-20",
        "ends_on": "2026-05-31",
        "released_on": None,
        "in_force": True,
        "reason": "客户称贷款系冒名",
    }
    (event,) = events("portfolio.extend_hold")
    assert (event.actor.username, event.reason, event.subject_id, event.changes) == (
        "svc-supervisor",
        "公安立案调查中",
        str(hold.pk),
        {"ends_on": ["2026-04-30", "2026-05-31"]},
    )


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"until": "2026-03-19", "reason": "延长调查"}, 422, "is in the past (the business date is 2026-03-20)"),
        ({"until": "2026-04-15", "reason": "延长调查"}, 422, "must be later than the current end (2026-04-30)"),
        ({"until": "2026-05-31", "reason": "no"}, 422, "at least 4 characters"),
        ({"until": "not-a-date", "reason": "延长调查"}, 422, "does not match the schema"),
        ({"until": "2026-02-30", "reason": "延长调查"}, 422, "does not match the schema"),
        ({"reason": "延长调查"}, 422, "does not match the schema"),
        ({"until": "2026-05-31\u0000", "reason": "延长调查"}, 400, "NUL"),
    ],
)
def test_a_bad_extension_says_why_and_stores_nothing(held, body, status, words):
    hold, tokens, _boss = held
    before = state()
    response = post(bearer(tokens["supervisor"]), f"/api/v1/holds/{hold.pk}/extend", body)
    assert response.status_code == status, response.content
    assert words in response.json()["error"]["message"]
    assert state() == before


def test_a_lifted_hold_is_409_and_a_junior_token_is_403_and_nothing_changes(held):
    """Clause: AUTH-1 — a junior collector's token is refused naming `portfolio.manage_holds`; a hold already
    lifted is 409 `conflict`."""
    hold, tokens, boss = held
    before = state()
    refused = post(
        bearer(tokens["junior_collector"]),
        f"/api/v1/holds/{hold.pk}/extend",
        {"until": "2026-05-31", "reason": "延长调查"},
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert "portfolio.manage_holds" in refused.json()["error"]["message"]
    assert state() == before
    do_lift_hold(hold, on=date(2026, 3, 20), actor=boss, reason="调查结束，确属本人")
    before = state()
    lifted = post(
        bearer(tokens["supervisor"]), f"/api/v1/holds/{hold.pk}/extend", {"until": "2026-05-31", "reason": "延长调查"}
    )
    assert (lifted.status_code, lifted.json()["error"]["code"]) == (409, "conflict")
    assert state() == before
    assert Hold.objects.get().ends_on == date(2026, 4, 30)
