"""The agency's contacts: the bank's call form, script and language check; the contact rules counted per borrower
over the bank's and the agency's calls together; frozen placements (AGY-1); actions recorded as the agency's
(the desk of `agency_desk.py`, P1 placed with agency A; the business date 2026-03-20, 10:00 in Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from agency_desk import AS_OF, WORKING_HOURS, agency_desk
from desk import SHANGHAI
from django.apps import apps

from arrears.api import desk as api_desk
from arrears.collection import views
from arrears.collection.calls import CallEntry, ContactRefused, do_record_call
from arrears.collection.models import Call, Letter
from arrears.compliance.language_actions import do_save_phrase
from arrears.compliance.ledger import verify_chain
from arrears.compliance.models import AuditEvent, LanguageHit
from arrears.rules.queries import policy_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

FOLLOW_UP = (AS_OF + timedelta(days=6)).isoformat()  # the severe stage: 5-7 days ahead (CALL-4)
# A complete record of a call that reached the borrower (DPD 95: consequences and obstacle too), the borrower
# having asked to be called back (so CALL-4's interval does not refuse a second call today).
REACHED = {
    "outcome": "reached_other",
    "duration_seconds": "120",
    "greeted": "on",
    "purpose_stated": "on",
    "identity_verified": "on",
    "facts_stated": "on",
    "consequences_stated": "on",
    "ability_asked": "on",
    "suggestion": "short_plan",
    "attitude": "difficulty",
    "obstacle": "cash_flow",
    "note": "借款人称下周筹款",
    "next_action": "call",
    "next_follow_up_on": FOLLOW_UP,
    "borrower_asked": "on",
    "party": "borrower",
}
REACHED_JSON = {
    **{k: v for k, v in REACHED.items() if k not in ("duration_seconds", "party")},
    **{k: True for k, v in REACHED.items() if v == "on"},
    "duration_seconds": 120,
}
NO_ANSWER = {"outcome": "no_answer", "duration_seconds": "0", "next_action": "call", "next_follow_up_on": FOLLOW_UP}


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    monkeypatch.setattr(api_desk, "now", lambda: WORKING_HOURS)
    return agency_desk()


def snapshot() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def bank_call(desk, at: datetime) -> Call:
    """The bank's supervisor records a connected call to P1's borrower at `at` (the borrower asked for it)."""
    entry = CallEntry(
        outcome="reached_other",
        duration_seconds=90,
        greeted=True,
        purpose_stated=True,
        identity_verified=True,
        facts_stated=True,
        consequences_stated=True,
        ability_asked=True,
        suggestion="short_plan",
        attitude="difficulty",
        obstacle="cash_flow",
        next_action="call",
        next_follow_up_on=AS_OF + timedelta(days=6),
        borrower_asked=True,
    )
    case = desk.cases["P1"]
    calls = policy_on(AS_OF).calls
    return do_record_call(case, entry, actor=desk.boss, today=AS_OF, dpd=case.dpd, calls=calls, called_at=at)


def test_an_agency_user_records_a_call_on_the_bank_form_with_the_approved_script(client, desk):
    """Clause: AGY-2, LANG-2, CALL-2, AUTH-4 — the call page shows the approved script, naming the caller and
    their agency, the number masked; the record is stored as agent-a's, and its event is the agency's: the
    basis names AGY-A01 (a bank collector's never names an agency)."""
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    page = client.get(f"/cases/{case.pk}/call/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "agent-a（甲催收服务有限公司）" in html
    assert 'id="call-script"' in html
    assert case.borrower.mobile not in html
    assert client.post(f"/cases/{case.pk}/call/", REACHED).status_code == 302
    call = Call.objects.get(case=case)
    assert (call.collector_id, call.outcome, call.number) == (desk.agent_a.pk, "reached_other", case.borrower.mobile)
    event = AuditEvent.objects.filter(action="collection.record_call").get()
    assert (event.actor_id, event.actor_role, event.subject_id) == (desk.agent_a.pk, "agency_user", str(case.pk))
    assert event.basis == {"permission": "collection.call", "clause": "CALL-3", "approval": None, "agency": "AGY-A01"}
    bank_call(desk, WORKING_HOURS + timedelta(minutes=30))
    bank = AuditEvent.objects.filter(action="collection.record_call", actor=desk.boss).get()
    assert "agency" not in bank.basis
    assert verify_chain().ok  # the agency's basis is hashed like any other


def test_a_note_with_prohibited_language_is_refused_for_an_agency_as_for_the_bank(client, desk):
    """Clause: LANG-1, AGY-2 — the same language check: a note threatening to smash the borrower's door is
    refused, no call stored, the hit recorded against agent-a."""
    do_save_phrase(None, text="砸 家门", kind="words", category="violence", active=True, note="", actor=desk.compliance)
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    response = client.post(f"/cases/{case.pk}/call/", {**REACHED, "note": "再不还就砸你家门"})
    assert response.status_code == 200
    assert not Call.objects.exists()
    assert LanguageHit.objects.filter(user=desk.agent_a).count() == 1


def test_the_daily_cap_counts_the_banks_and_the_agencys_calls_together(client, desk, monkeypatch):
    """Clause: AGY-2, CALL-3 — P1's borrower: the bank's supervisor connects at 10:00 and 10:30, agency A at
    10:45 (the third, allowed); the fourth is refused to both — agency A on the web (409, the cap in words) and
    by the API (409 `contact_refused`), the bank's supervisor by the action — until 08:00 the next day. Three
    calls stored, whoever made them."""
    bank_call(desk, datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
    bank_call(desk, datetime(2026, 3, 20, 10, 30, tzinfo=SHANGHAI))
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    at_10_45 = datetime(2026, 3, 20, 10, 45, tzinfo=SHANGHAI)
    monkeypatch.setattr(views, "now", lambda: at_10_45)
    assert client.post(f"/cases/{case.pk}/call/", REACHED).status_code == 302
    assert Call.objects.filter(case=case, collector=desk.agent_a).count() == 1

    monkeypatch.setattr(views, "now", lambda: at_10_45 + timedelta(minutes=15))
    monkeypatch.setattr(api_desk, "now", lambda: at_10_45 + timedelta(minutes=15))
    fourth = client.post(f"/cases/{case.pk}/call/", REACHED)
    assert fourth.status_code == 409
    assert "今日已接通 3 次；每日最多 3 次" in fourth.content.decode()
    by_api = client.post(f"/api/v1/cases/{case.pk}/calls", REACHED_JSON, content_type="application/json")
    assert by_api.status_code == 409
    assert by_api.json()["error"]["code"] == "contact_refused"
    assert by_api.json()["error"]["details"][0] == {
        "rule": "connected_calls",
        "next_allowed_at": "2026-03-21T08:00:00+08:00",
    }
    with pytest.raises(ContactRefused) as refused:
        bank_call(desk, at_10_45 + timedelta(minutes=30))
    assert refused.value.verdict.rule == "connected_calls"
    assert Call.objects.filter(case=case).count() == 3


def test_quiet_hours_hold_for_an_agency_user(client, desk, monkeypatch):
    """Clause: AGY-2 — 22:30 in Shanghai is inside the quiet hours for the agency as for the bank: the call page
    says so (409) with the next allowed instant, a post stores nothing, the API answers 409."""
    night = datetime(2026, 3, 20, 22, 30, tzinfo=SHANGHAI)
    monkeypatch.setattr(views, "now", lambda: night)
    monkeypatch.setattr(api_desk, "now", lambda: night)
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    page = client.get(f"/cases/{case.pk}/call/")
    assert page.status_code == 409
    assert "静默时段（禁止联系）" in page.content.decode()
    assert "2026-03-21 08:00" in page.content.decode()
    before = snapshot()
    assert client.post(f"/cases/{case.pk}/call/", NO_ANSWER).status_code == 409
    answer = client.post(f"/api/v1/cases/{case.pk}/calls", {**NO_ANSWER, "duration_seconds": 0}, "application/json")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "contact_refused")
    assert snapshot() == before


def expire(agency, on: date) -> None:
    """The agency's collection licence is valid through `on` (AGY-1: it expires at the end of that day)."""
    agency.collection_licence_expires = on
    agency.save(update_fields=["collection_licence_expires"])


def test_a_frozen_agency_sees_its_case_but_makes_no_contact(client, desk):
    """Clause: AGY-1 — agency A's collection licence expired on 2026-03-19: on 2026-03-20 its placement of P1 is
    frozen. The case page and the queue still show P1, with the reason and no call button or letter form; the
    call page answers 409 with the reason; a call posted on the web or the API (409 `placement_frozen`) and a
    letter are refused, and nothing is written."""
    expire(desk.agency_a, AS_OF - timedelta(days=1))
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="placement-frozen"' in html
    assert "贵机构的委托案件已冻结：催收资质已过期" in html
    assert 'id="call-borrower"' not in html
    assert 'id="send-letter"' not in html
    queue = client.get("/cases/").content.decode()
    assert f'data-case="{case.pk}"' in queue
    assert 'id="placement-frozen"' in queue
    call_page = client.get(f"/cases/{case.pk}/call/")
    assert call_page.status_code == 409
    assert 'id="call-form"' not in call_page.content.decode()

    before = snapshot()
    assert client.post(f"/cases/{case.pk}/call/", NO_ANSWER).status_code == 409
    answer = client.post(f"/api/v1/cases/{case.pk}/calls", {**NO_ANSWER, "duration_seconds": 0}, "application/json")
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "placement_frozen")
    assert "AGY-1" in answer.json()["error"]["message"]
    sent = client.post(f"/cases/{case.pk}/letters/", {"channel": "post"}, follow=True)
    assert "贵机构的委托案件已冻结" in sent.content.decode()
    assert snapshot() == before
    assert not Letter.objects.filter(case=case).exists()


def test_a_licence_valid_through_today_does_not_freeze_and_a_renewal_thaws(client, desk):
    """Clause: AGY-1 — the edges: a collection licence expiring on 2026-03-20 is still valid that day (P1's call
    page opens, 200); expired the day before, frozen (409); renewed to 2027-03-19, a call is recorded again."""
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    expire(desk.agency_a, AS_OF)
    assert client.get(f"/cases/{case.pk}/call/").status_code == 200
    expire(desk.agency_a, AS_OF - timedelta(days=1))
    assert client.get(f"/cases/{case.pk}/call/").status_code == 409
    expire(desk.agency_a, date(2027, 3, 19))
    assert client.post(f"/cases/{case.pk}/call/", NO_ANSWER).status_code == 302
    assert Call.objects.filter(case=case, collector=desk.agent_a).count() == 1


def test_a_frozen_agency_does_not_stop_another(client, desk):
    """Clause: AGY-1 — agency A frozen does not freeze agency B: B records a call on P2."""
    expire(desk.agency_a, AS_OF - timedelta(days=1))
    client.force_login(desk.agent_b)
    case = desk.cases["P2"]
    assert client.post(f"/cases/{case.pk}/call/", NO_ANSWER).status_code == 302
    assert Call.objects.filter(case=case, collector=desk.agent_b).count() == 1


def test_the_start_page_of_an_agency_user_counts_the_placed_cases(client, desk):
    """Clause: LGL-2 — agency A's start page: one open case placed with it (P1), a link to the queue; no
    collector's work, pools or reminders."""
    client.force_login(desk.agent_a)
    html = client.get("/").content.decode()
    assert '<section id="placed">' in html
    assert '<section id="today">' not in html
    assert '<section id="pools">' not in html
    start = html.index('data-placed="all"')
    assert 'href="/cases/"' in html[start : start + 200]
    assert '<td class="num">1</td>' in html[start : start + 300]
    assert 'id="placement-frozen"' not in html
