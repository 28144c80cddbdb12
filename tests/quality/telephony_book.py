"""The book of call quality's tests: the collection desk on 2026-03-20 (P20 at DPD 20, M45 at DPD 45, a junior
collector), the call platform's service account with its token, and the bodies and records the tests send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from apicalls import bearer, post
from desk import AS_OF, WORKING_HOURS, open_desk

from arrears.accounts.tokens import do_create_token
from arrears.collection.calls import CallEntry, do_record_call
from arrears.rules.queries import policy_on
from factories import make_user

EVENTS = "/api/v1/telephony/events"


@dataclass
class Book:
    cases: dict
    junior: object
    platform: object  # the call platform's service account
    token: str

    def send(self, **body):
        """POST one event with the platform's token; English answers."""
        return post(bearer(self.token), EVENTS, body)

    def upload(self, call_id, content: bytes, name: str = "call.wav", token: str | None = None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = bearer(token or self.token)
        return client.post(f"/api/v1/calls/{call_id}/recording", {"file": SimpleUploadedFile(name, content)})


def open_book() -> Book:
    opened = open_desk([("P20", 20, "12000", "low"), ("M45", 45, "12000", "low")], {"junior_collector": 1})
    admin = make_user("administrator", username="admin-1")
    row, token = do_create_token("cti", "telephony", actor=admin)
    return Book(opened["cases"], opened["users"]["junior_collector"][0], row.account, token)


def event(kind: str, at: str, *, number: str, agent: str, platform_call_id: str = "CTI-0001", **more) -> dict:
    return {"event": kind, "platform_call_id": platform_call_id, "at": at, "agent": agent, "number": number, **more}


def reached(duration: int = 60, **more) -> CallEntry:
    """A complete first-stage record of a call that reached the borrower (P20, DPD 20)."""
    values = {
        "outcome": "reached_other",
        "duration_seconds": duration,
        "greeted": True,
        "purpose_stated": True,
        "identity_verified": True,
        "facts_stated": True,
        "ability_asked": True,
        "suggestion": "full",
        "attitude": "cooperative",
        "next_action": "call",
        "next_follow_up_on": AS_OF + timedelta(days=3),
        **more,
    }
    return CallEntry(**values)


def record(case, collector, entry: CallEntry | None = None, *, at=WORKING_HOURS):
    """The collector's call record on `case`, saved at `at` (10:00 by default) on the business date."""
    return do_record_call(
        case, entry or reached(), actor=collector, today=AS_OF, dpd=case.dpd, calls=policy_on(AS_OF).calls, called_at=at
    )
