"""The collector's desk: queue order, the workspace, the call record, contact rules and who may do what."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest
from desk import AS_OF, SHANGHAI, WORKING_HOURS, night, open_desk
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.collection import views
from arrears.collection.calls import (
    CallEntry,
    ContactRefused,
    IncompleteRecord,
    check_record,
    do_record_call,
    propose_follow_up,
)
from arrears.collection.errors import CollectionError
from arrears.collection.models import Call, CollectionCase, Promise, Task
from arrears.collection.queries import QueueFilter, annotated, queue
from arrears.collection.urgency import refresh_urgency
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.daily.read import read_inputs
from arrears.engine.params import Terms
from arrears.policy.model import Calls, Contact
from arrears.portfolio.models import ContactPerson, Hold
from arrears.rules.queries import policy_on
from factories import make_user

CALLS = Calls()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    """The desk's clock: 10:00 in Shanghai on the business date, unless a test moves it."""
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)


def reached_borrower(**changes) -> CallEntry:
    """A complete record of a call that reached the borrower and got a promise."""
    values = {
        "outcome": "promised",
        "duration_seconds": 184,
        "greeted": True,
        "purpose_stated": True,
        "identity_verified": True,
        "facts_stated": True,
        "consequences_stated": True,
        "ability_asked": True,
        "suggestion": "full",
        "attitude": "difficulty",
        "obstacle": "cash_flow",
        "note": "借款人称月底发工资后还款",
        "promise_amount": Decimal("1200.50"),
        "promise_due_on": AS_OF + timedelta(days=5),
        "next_action": "call",
        "next_follow_up_on": AS_OF + timedelta(days=6),
    }
    values.update(changes)
    return CallEntry(**values)


def one_collector_desk():
    desk = open_desk(
        [
            ("P5", 5, "12000", "low"),
            ("F20", 20, "12000", "low"),
            ("B45", 45, "8000", "low"),
            ("R40", 40, "30000", "low"),
            ("R50", 50, "6000", "low"),
        ],
        {"junior_collector": 1},
    )
    return desk, desk["users"]["junior_collector"][0]


def test_the_queue_puts_what_is_due_first_then_dpd_and_amount(client):
    """Clause: CALL-3, CLS-2, TEAM-1 — a promise due today, a follow-up due, a broken promise, then DPD 50
    before DPD 40; the page lists them in that order with the attempts counted."""
    desk, junior = one_collector_desk()
    cases = desk["cases"]
    Task.objects.update(status="done")  # the first calls the nightly run set for the new cases were made
    Promise.objects.create(
        borrower=cases["P5"].borrower, case=cases["P5"], amount_fen=100_00, made_on=AS_OF, due_on=AS_OF
    )
    Task.objects.create(
        key="call:test-f20",
        kind="call",
        borrower=cases["F20"].borrower,
        case=cases["F20"],
        available_from=AS_OF,
        due_on=AS_OF,
        clause="CALL-4",
        created_on=AS_OF,
    )
    Task.objects.create(
        key="broken_promise:test", kind="broken_promise", borrower=cases["B45"].borrower, case=cases["B45"],
        available_from=AS_OF + timedelta(days=3), due_on=AS_OF + timedelta(days=3), clause="CALL-3", created_on=AS_OF,
    )  # fmt: skip
    refresh_urgency(AS_OF)  # the actions and the nightly run store the urgency; these rows were written directly
    # Broken promises count from their creation; this one is not yet available, so B45 ranks with the rest.
    order = [c.borrower.external_id for c in queue(junior, AS_OF)]
    assert order[:2] == ["P5", "F20"]
    assert order[2:] == ["R50", "B45", "R40"]  # DPD 50, 45, 40
    Task.objects.filter(key="broken_promise:test").update(available_from=AS_OF)
    refresh_urgency(AS_OF)
    order = [c.borrower.external_id for c in queue(junior, AS_OF)]
    assert order == ["P5", "F20", "B45", "R50", "R40"]

    client.force_login(junior)
    page = client.get("/cases/").content.decode()
    shown = [int(n) for n in re.findall(r'data-case="(\d+)"', page)]
    assert shown == [cases[e].pk for e in order]
    only_due = client.get("/cases/", {"due": "now"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in only_due  # htmx gets the rows only
    assert [int(n) for n in re.findall(r'data-case="(\d+)"', only_due)] == [cases[e].pk for e in order[:3]]


def test_the_queue_and_the_case_page_make_a_fixed_number_of_queries(client):
    """Clause: CLS-2 — the queue for 3 cases and for 12 cases runs the same number of queries; so does the
    workspace for a case with 1 call and with 6 calls."""
    spec = [(f"A{i}", 10 + i, "9000", "low") for i in range(3)] + [(f"B{i}", 12 + i, "9000", "low") for i in range(9)]
    desk = open_desk(spec, {"junior_collector": 1})
    junior = desk["users"]["junior_collector"][0]
    client.force_login(junior)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/cases/", {"q": "A"}).context["rows"]) == 3
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/cases/").context["rows"]) == 12
    assert len(many) == len(few) > 5, [q["sql"][:80] for q in few.captured_queries]

    case = CollectionCase.objects.filter(owner=junior).first()
    dpd = annotated(CollectionCase.objects.filter(pk=case.pk), AS_OF).get().dpd
    entry = reached_borrower(outcome="no_answer", duration_seconds=0, **dict.fromkeys(views.CallForm.STEPS, False))
    entry.suggestion = entry.attitude = entry.obstacle = ""
    entry.promise_amount = entry.promise_due_on = None
    at = WORKING_HOURS
    record(case, entry, junior, dpd=dpd, at=at)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    for i in range(5):
        record(case, entry, junior, dpd=dpd, at=at + timedelta(minutes=i + 1))
    with CaptureQueriesContext(connection) as six:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert len(six) == len(one)


def test_a_call_with_a_promise_is_recorded_with_its_follow_up(client):
    """Clause: CALL-2, CALL-3, CALL-4, SCR-1, SCR-2, AUTH-4 — the form posts a complete record: the call, the
    promise of 1,200.50 by 03-25, the follow-up on 03-26, the call task it settles, one audit event; the case
    page shows it in the contact history."""
    desk, junior = one_collector_desk()
    case = desk["cases"]["B45"]
    Task.objects.create(
        key="call:test-b45", kind="call", borrower=case.borrower, case=case,
        available_from=AS_OF, due_on=AS_OF, clause="CALL-4", created_on=AS_OF,
    )  # fmt: skip
    client.force_login(junior)
    form = client.get(f"/cases/{case.pk}/call/")
    assert form.status_code == 200
    assert form.context["form"].initial["next_follow_up_on"] == AS_OF + timedelta(days=5)
    posted = {k: v for k, v in vars(reached_borrower()).items() if k != "errors" and v not in (False, None)}
    response = client.post(f"/cases/{case.pk}/call/", {**posted, "party": "borrower"})
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(case=case)
    assert (call.outcome, call.duration_seconds, call.attitude, call.obstacle, call.suggestion) == (
        "promised",
        184,
        "difficulty",
        "cash_flow",
        "full",
    )
    assert call.called_at == WORKING_HOURS
    assert call.number == case.borrower.mobile
    promise = Promise.objects.get(call=call)
    assert (promise.amount_fen, promise.due_on, promise.status) == (120_050, AS_OF + timedelta(days=5), "open")
    follow_up = Task.objects.get(key=f"follow_up:{call.pk}")
    assert (follow_up.kind, follow_up.due_on, follow_up.clause) == ("call", AS_OF + timedelta(days=6), "CALL-3")
    assert Task.objects.get(key="call:test-b45").status == "done"
    event = AuditEvent.objects.get(action="collection.record_call")
    assert event.basis["clause"] == "CALL-3"
    assert event.actor_id == junior.pk
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "借款人称月底发工资后还款" in page
    assert "1,200.50" in page
    assert "罚息年利率 = 合同年利率" in page  # the penalty calculation, line by line (finance core)


def test_an_incomplete_record_is_refused_field_by_field_and_nothing_is_stored():
    """Clause: CALL-2, CALL-4, SCR-2, PRV-1 — identity not verified but facts stated; no attitude; second stage
    without consequences or obstacle; a promise 40 days out; the follow-up after 7 days."""
    day = AS_OF
    errors = check_record(reached_borrower(identity_verified=False, attitude=""), today=day, dpd=10, calls=CALLS)
    assert set(errors) == {"identity_verified", "facts_stated", "consequences_stated"}
    assert "PRV-1" in errors["facts_stated"]
    errors = check_record(
        reached_borrower(consequences_stated=False, obstacle="", attitude=""), today=day, dpd=35, calls=CALLS
    )
    assert set(errors) == {"consequences_stated", "obstacle", "attitude"}
    assert check_record(reached_borrower(consequences_stated=False, obstacle=""), today=day, dpd=20, calls=CALLS) == {}
    errors = check_record(
        reached_borrower(promise_due_on=day + timedelta(days=40), next_follow_up_on=day + timedelta(days=8)),
        today=day,
        dpd=40,
        calls=CALLS,
    )
    assert set(errors) == {"promise_due_on", "next_follow_up_on"}
    assert "CALL-4" in errors["next_follow_up_on"]
    # Sooner than 5 days only when the borrower asked.
    soon = reached_borrower(next_follow_up_on=day + timedelta(days=2))
    assert set(check_record(soon, today=day, dpd=40, calls=CALLS)) == {"next_follow_up_on"}
    soon.borrower_asked = True
    assert check_record(soon, today=day, dpd=40, calls=CALLS) == {}

    desk, junior = one_collector_desk()
    case = desk["cases"]["B45"]
    before = (Call.objects.count(), Promise.objects.count(), Task.objects.count(), AuditEvent.objects.count())
    with pytest.raises(IncompleteRecord) as refused:
        do_record_call(
            case, reached_borrower(attitude=""), actor=junior, today=day, dpd=45, calls=CALLS, called_at=WORKING_HOURS
        )
    assert set(refused.value.errors) == {"attitude"}
    after = (Call.objects.count(), Promise.objects.count(), Task.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_the_follow_up_proposed_by_the_cadence():
    """Clause: CALL-4 — 5 days ahead; after a promise, the day after it falls due, at most 7 days ahead."""
    assert propose_follow_up(AS_OF, 40, CALLS) == AS_OF + timedelta(days=5)
    assert propose_follow_up(AS_OF, 40, CALLS, AS_OF + timedelta(days=2)) == AS_OF + timedelta(days=3)
    assert propose_follow_up(AS_OF, 40, CALLS, AS_OF + timedelta(days=20)) == AS_OF + timedelta(days=7)


def record(case, entry: CallEntry, actor, *, dpd: int, at: datetime = WORKING_HOURS):
    """Record a call on the business date under the default call parameters."""
    return do_record_call(case, entry, actor=actor, today=AS_OF, dpd=dpd, calls=CALLS, called_at=at)


def no_answer() -> CallEntry:
    return CallEntry(outcome="no_answer", next_action="call", next_follow_up_on=AS_OF + timedelta(days=5))


def test_a_contact_person_only_when_the_borrower_is_unreachable_and_never_told_the_debt(client):
    """Clause: PRV-1 — refused while the borrower's last call connected (or none was made); allowed after a
    failed call; stating the debt to the contact is refused; the page for a contact never shows the amount."""
    desk, junior = one_collector_desk()
    case = desk["cases"]["R40"]
    contact = ContactPerson.objects.create(
        borrower=case.borrower, name="李四", relation="friend", phone="17098765432", feed_date=AS_OF
    )
    as_contact = CallEntry(
        outcome="reached_other", party="contact", contact_id=contact.pk, duration_seconds=40, greeted=True,
        purpose_stated=True, next_action="call", next_follow_up_on=AS_OF + timedelta(days=5),
    )  # fmt: skip
    with pytest.raises(CollectionError, match="unreachable"):
        record(case, as_contact, junior, dpd=40)
    record(case, no_answer(), junior, dpd=40)
    telling = CallEntry(**{**vars(as_contact), "facts_stated": True})
    with pytest.raises(IncompleteRecord) as refused:
        record(case, telling, junior, dpd=40)
    assert "PRV-1" in refused.value.errors["facts_stated"]
    call = record(case, as_contact, junior, dpd=40, at=WORKING_HOURS + timedelta(minutes=5))
    assert (call.party, call.contact_id, call.number) == ("contact", contact.pk, "17098765432")
    # The nightly run sees only the call to the borrower: reaching a contact is not contact with the borrower.
    calls = read_inputs(Terms.of(policy_on(AS_OF), AS_OF)).calls.collect()
    assert calls.filter(pl.col("borrower_id") == case.borrower_id)["outcome"].to_list() == ["no_answer"]

    client.force_login(junior)
    page = client.get(f"/cases/{case.pk}/call/", {"party": "contact", "contact": contact.pk}).content.decode()
    overdue = annotated(CollectionCase.objects.filter(pk=case.pk), AS_OF).get().overdue_fen
    assert f"{Decimal(overdue) / 100:,.2f}" not in page  # the overdue total as the pages write it
    assert "facts_stated" not in page
    assert "170****5432" in page


def test_contact_rules_count_what_the_database_holds(client, monkeypatch):
    """Clause: CALL-3 (contact caps of the guideline) — three connected calls, then the fourth is refused until
    08:00 the next day; six unanswered attempts on the number, then the seventh is refused; 22:30 is refused in
    the form with the rule shown; a hold in force refuses every call."""
    desk, junior = one_collector_desk()
    case = desk["cases"]["R40"]
    # The borrower asked for each call back (CALL-4 would otherwise refuse a second call within 5 days).
    connected = reached_borrower(outcome="reached_other", promise_amount=None, promise_due_on=None, borrower_asked=True)
    for minutes in (0, 30, 60):
        record(
            case,
            connected,
            junior,
            dpd=40,
            at=WORKING_HOURS + timedelta(minutes=minutes),
        )
    with pytest.raises(ContactRefused) as fourth:
        record(
            case,
            connected,
            junior,
            dpd=40,
            at=WORKING_HOURS + timedelta(hours=2),
        )
    assert fourth.value.verdict.rule == "connected_calls"
    assert fourth.value.verdict.next_allowed_at == datetime(2026, 3, 21, 8, 0, tzinfo=SHANGHAI)
    assert Call.objects.filter(case=case).count() == 3

    other = desk["cases"]["R50"]
    for minutes in range(6):
        record(
            other,
            no_answer(),
            junior,
            dpd=50,
            at=WORKING_HOURS + timedelta(minutes=minutes),
        )
    with pytest.raises(ContactRefused) as seventh:
        record(
            other,
            no_answer(),
            junior,
            dpd=50,
            at=WORKING_HOURS + timedelta(hours=1),
        )
    assert seventh.value.verdict.rule == "unanswered_attempts"

    client.force_login(junior)
    monkeypatch.setattr(views, "now", lambda: datetime(2026, 3, 20, 22, 30, tzinfo=SHANGHAI))
    third = desk["cases"]["P5"]
    refused = client.get(f"/cases/{third.pk}/call/")
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "quiet_hours" not in text  # the rule in words, never its code (issue 15)
    assert "静默时段（禁止联系）" in text
    assert "2026-03-21 08:00" in text
    posted = client.post(
        f"/cases/{third.pk}/call/", {"outcome": "no_answer", "duration_seconds": 0, "next_action": "none"}
    )
    assert posted.status_code == 409
    assert not Call.objects.filter(case=third).exists()

    Hold.objects.create(
        borrower=third.borrower, kind="complaint", reason="投诉调查中", starts_on=AS_OF, placed_by=junior
    )
    with pytest.raises(ContactRefused) as held:
        record(third, no_answer(), junior, dpd=5)
    assert held.value.verdict.rule == "hold"


def test_a_senior_sees_a_high_risk_case_that_a_junior_does_not(client):
    """Clause: TEAM-3 — the high-risk borrower's case is in the senior pool: the junior's queue does not list it
    and its page is not found for the junior; the senior opens it."""
    desk = open_desk(
        [("H10", 10, "12000", "high"), ("J10", 10, "12000", "low")], {"junior_collector": 1, "senior_collector": 1}
    )
    junior, senior = desk["users"]["junior_collector"][0], desk["users"]["senior_collector"][0]
    high = desk["cases"]["H10"]
    assert high.pool == "senior"
    assert [c.pk for c in queue(junior, AS_OF, QueueFilter())] == [desk["cases"]["J10"].pk]
    client.force_login(junior)
    assert client.get(f"/cases/{high.pk}/").status_code == 404
    assert client.get(f"/cases/{high.pk}/call/").status_code == 404
    client.force_login(senior)
    assert client.get(f"/cases/{high.pk}/").status_code == 200


def test_junior_collectors_call_and_nothing_else(client):
    """Clause: AUTH-1, AUTH-3 — a junior may not reassign or allocate (403, nothing changed); an analyst may not
    open the queue or record a call; a legal officer reads the cases (read-only) but may not record a call."""
    desk = open_desk([("J5", 5, "12000", "low"), ("J40", 40, "30000", "low")], {"junior_collector": 2})
    junior, other = desk["users"]["junior_collector"]
    case = desk["cases"]["J5"]
    owners = dict(CollectionCase.objects.values_list("pk", "owner_id"))
    events = AuditEvent.objects.count()
    client.force_login(junior)
    assert client.post(f"/cases/{case.pk}/reassign/", {"to": other.pk, "reason": "swap"}).status_code == 403
    assert client.post("/cases/reassign/", {"to": junior.pk, "reason": "all mine"}).status_code == 403
    assert client.post("/cases/allocate/").status_code == 403
    assert dict(CollectionCase.objects.values_list("pk", "owner_id")) == owners
    assert AuditEvent.objects.count() == events

    for role in ("analyst", "legal_officer"):
        client.force_login(make_user(role))
        assert client.get("/cases/").status_code == (200 if role == "legal_officer" else 403)
        assert client.post(f"/cases/{case.pk}/call/", {"outcome": "no_answer"}).status_code == 403
        with pytest.raises(ActionDenied):
            record(case, no_answer(), make_user(role), dpd=5)
    assert not Call.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_note_with_prohibited_language_is_refused_and_the_hit_recorded(client):
    """Clause: LANG-1 — the policy's example in traditional characters in a call note: the form shows the
    phrase, no call is stored, the hit is recorded against the collector."""
    from arrears.compliance.models import LanguageHit

    desk, junior = one_collector_desk()
    case = desk["cases"]["B45"]
    client.force_login(junior)
    posted = {
        k: v
        for k, v in vars(reached_borrower(note="他說不還錢就起訴你家人")).items()
        if k != "errors" and v not in (False, None)
    }
    response = client.post(f"/cases/{case.pk}/call/", {**posted, "party": "borrower"})
    assert response.status_code == 200
    assert "LANG-1" in response.context["form"].errors["note"][0]
    assert "不還錢就起訴你家人" in response.content.decode()
    assert not Call.objects.exists()
    assert not Promise.objects.exists()
    hit = LanguageHit.objects.get()
    assert (hit.user_id, hit.where) == (junior.pk, "call_note")


def test_the_nightly_run_keeps_each_case_dpd_and_overdue_total():
    """Clause: CLS-1, TEAM-3 — the queue sorts by the case's own figures, which the nightly run keeps equal to
    its loans' positions: R40 (30,000 over 12 months, nothing paid) at DPD 40 owes 5,142.73; a night later
    DPD 41 and a little more penalty interest."""
    from django.db.models import Max, Sum

    from arrears.portfolio.models import LoanPosition

    desk, _junior = one_collector_desk()
    r40 = CollectionCase.objects.get(pk=desk["cases"]["R40"].pk)
    assert (r40.dpd, r40.overdue_fen) == (40, 514_273)

    night(AS_OF + timedelta(days=1))
    for case in CollectionCase.objects.filter(status="open"):
        positions = LoanPosition.objects.filter(borrower_id=case.borrower_id).aggregate(
            dpd=Max("dpd"),
            fen=Sum("overdue_principal_fen") + Sum("overdue_interest_fen") + Sum("penalty_fen") + Sum("compound_fen"),
        )
        assert (case.dpd, case.overdue_fen) == (positions["dpd"], positions["fen"])
    r40.refresh_from_db()
    assert r40.dpd == 41
    assert 514_273 < r40.overdue_fen < 514_273 + 100


def test_a_refusal_is_worded_in_the_desk_language():
    """Clause: CALL-3 (the guideline's quiet hours) — the rule's name and reason in Simplified Chinese by default
    and in English on request, from the verdict's facts."""
    from django.utils import translation

    from arrears.collection.queries import refusal
    from arrears.compliance.contact import check_contact

    verdict = check_contact(datetime(2026, 3, 20, 22, 30, tzinfo=SHANGHAI), Contact())
    with translation.override("zh-hans"):
        assert refusal(verdict) == {
            "label": "静默时段（禁止联系）",
            "reason": "22:30 处于禁止联系时段 22:00–08:00（Asia/Shanghai）",
        }
    assert refusal(verdict)["reason"] == "22:30 is inside the quiet hours 22:00–08:00 (Asia/Shanghai)"
    assert refusal(check_contact(WORKING_HOURS, Contact())) == {"label": "", "reason": ""}
