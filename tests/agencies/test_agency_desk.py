"""The agency's desk: an agency's user sees exactly the cases placed with their agency while the placement is in
force — pages, API, documents — and nothing else of the book (the desk of `agency_desk.py`).

Not visible is answered as everywhere else in the site: a case (page, call form, letter, the API's case) outside
one's reach is 404, like one that does not exist; a page the role may not open at all (borrowers, loans, search,
the outbox, task lists) is 403. Either way nothing is written.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from agency_desk import AS_OF, WORKING_HOURS, agency_desk
from desk import mark_feed
from django.apps import apps
from placing import recall

from arrears.api import desk as api_desk
from arrears.collection import views
from arrears.collection.models import Call, Letter
from arrears.collection.queries import visible_borrowers, visible_cases, visible_loans
from arrears.compliance.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

NO_ANSWER = {"outcome": "no_answer", "duration_seconds": "0", "next_action": "call", "next_follow_up_on": "2026-03-26"}
NO_ANSWER_JSON = {
    "outcome": "no_answer",
    "duration_seconds": 0,
    "next_action": "call",
    "next_follow_up_on": "2026-03-26",
}


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    monkeypatch.setattr(api_desk, "now", lambda: WORKING_HOURS)
    return agency_desk()


def snapshot() -> dict[str, int]:
    """Row counts of every table (sessions aside): what a refused request must leave as it was."""
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def case_ids(desk, *names: str) -> set[int]:
    return {desk.cases[name].pk for name in names}


def test_an_agency_user_sees_exactly_the_placements_of_their_agency_in_force(desk):
    """Clause: LGL-2, PRV-1 — agency A: P1 only (E1's period ended on 03-18, R1 was recalled on 03-19, P2 is
    agency B's, U1 is not placed); agency B: P2. Neither sees any borrower or loan as such."""
    assert set(visible_cases(desk.agent_a).values_list("pk", flat=True)) == case_ids(desk, "P1")
    assert set(visible_cases(desk.agent_b).values_list("pk", flat=True)) == case_ids(desk, "P2")
    assert not visible_borrowers(desk.agent_a).exists()
    assert not visible_loans(desk.agent_a).exists()
    # The bank's supervisor still sees all five.
    assert visible_cases(desk.boss).count() == 5


def test_the_api_lists_exactly_the_placed_cases(client, desk):
    """Clause: LGL-2, PRV-1 — `GET /api/v1/cases` as agency A: {"items": [P1], "count": 1}; as agency B: P2;
    the borrower's name masked."""
    client.force_login(desk.agent_a)
    body = client.get("/api/v1/cases").json()
    assert (body["count"], [item["id"] for item in body["items"]]) == (1, [desk.cases["P1"].pk])
    assert body["items"][0]["borrower"] == {"id": desk.cases["P1"].borrower_id, "customer": "P1", "name": "张**"}
    assert body["items"][0]["overdue"] == "20000.00"
    client.force_login(desk.agent_b)
    body = client.get("/api/v1/cases").json()
    assert (body["count"], [item["id"] for item in body["items"]]) == (1, [desk.cases["P2"].pk])


def test_the_queue_is_the_agencys_placed_cases(client, desk):
    """Clause: LGL-2 — the web queue lists P1 and nothing else, under the agency's name; the navigation offers
    the placed cases, not the bank's reminder calls or borrowers."""
    client.force_login(desk.agent_a)
    html = client.get("/cases/").content.decode()
    listed = {pk for pk in case_ids(desk, "P1", "P2", "U1", "E1", "R1") if f'data-case="{pk}"' in html}
    assert listed == case_ids(desk, "P1")
    assert "委托给甲催收服务有限公司的案件" in html
    assert 'href="/reminders/"' not in html
    assert 'href="/borrowers/"' not in html
    # Searching the queue by customer number finds nothing outside the placement.
    assert f'data-case="{desk.cases["P2"].pk}"' not in client.get("/cases/", {"q": "P2"}).content.decode()


@pytest.mark.parametrize("other", ["P2", "U1", "E1", "R1"])
def test_swapping_in_another_case_id_finds_nothing_and_writes_nothing(client, desk, other):
    """Clause: LGL-2, PRV-1 — agency A with the id of another agency's case (P2), an unplaced one (U1), one whose
    placement ended (E1) or was recalled (R1), in every URL of a case: the case page, the call form (GET and
    POST), the letter form, the API's case, call and promise, and the PDF of a letter of it: 404 each time, and
    no table changes."""
    client.force_login(desk.agent_a)
    pk = desk.cases[other].pk
    before = snapshot()
    answers = {
        "page": client.get(f"/cases/{pk}/"),
        "call form": client.get(f"/cases/{pk}/call/"),
        "call": client.post(f"/cases/{pk}/call/", NO_ANSWER),
        "letter": client.post(f"/cases/{pk}/letters/", {"channel": "post"}),
        "api case": client.get(f"/api/v1/cases/{pk}"),
        "api call": client.post(f"/api/v1/cases/{pk}/calls", NO_ANSWER_JSON, content_type="application/json"),
        "api promise": client.post(
            f"/api/v1/cases/{pk}/promises",
            {**NO_ANSWER_JSON, "amount": "100.00", "due_on": "2026-03-25"},
            content_type="application/json",
        ),
    }
    if other in desk.letters:
        answers["letter pdf"] = client.get(f"/letters/{desk.letters[other].pk}.pdf")
    assert {name: response.status_code for name, response in answers.items()} == dict.fromkeys(answers, 404)
    assert snapshot() == before


def test_the_pages_of_the_book_stay_closed_to_an_agency_user(client, desk):
    """Clause: PRV-1, AUTH-1 — not even their own placed borrower's page, loan or delivery history; no search, no
    unmasking, no outbox, no task list, no reminder calls, no late-stage queue, no agencies list: 403, nothing
    written."""
    client.force_login(desk.agent_a)
    borrower = desk.cases["P1"].borrower
    loan = borrower.loans.get()
    before = snapshot()
    gets = [
        "/borrowers/",
        "/borrowers/?q=P1",
        "/borrowers/P1/",
        f"/loans/{loan.external_id}/",
        f"/notices/borrowers/{borrower.pk}/",
        "/notices/",
        "/reminders/",
        "/legal/escalations/",
        "/agencies/",
        "/api/v1/borrowers",
        f"/api/v1/borrowers/{borrower.pk}",
        f"/api/v1/loans/{loan.pk}",
        "/api/v1/tasks",
        "/api/v1/agencies",
    ]
    answered = {url: client.get(url).status_code for url in gets}
    answered["search by number"] = client.post("/borrowers/", {"number": borrower.mobile, "name": ""}).status_code
    answered["unmask"] = client.post("/borrowers/P1/unmask/", {"field": "mobile", "reason": "核实"}).status_code
    assert answered == dict.fromkeys(answered, 403)
    assert snapshot() == before


def test_the_placed_case_page_shows_the_minimum_masked(client, desk):
    """Clause: PRV-1, LGL-2 — P1's page for agency A: the overdue figures, the call button and the letter form;
    the borrower's name, mobile, ID number, address, employer and email nowhere in full; no link to the
    borrower's, loans' or delivery history pages, no other loans, plans, holds form, reassignment or late-stage
    decisions. The API's case likewise masked."""
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    borrower = case.borrower
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="agency-placement"' in html
    assert 'id="call-borrower"' in html
    assert 'id="send-letter"' in html
    assert "20,000.00" in html
    for value in (borrower.name, borrower.mobile, borrower.id_number, borrower.address, borrower.employer):
        assert value not in html
    assert borrower.email not in html
    assert "张**" in html
    for hidden in ("/borrowers/", "/loans/", "/notices/borrowers/", 'id="other-loans"', "/plan/", "/reassign/",
                   'id="place-hold"', "/legal/cases/"):  # fmt: skip
        assert hidden not in html, hidden
    detail = client.get(f"/api/v1/cases/{case.pk}")
    assert detail.status_code == 200
    text = detail.content.decode()
    for value in (borrower.name, borrower.mobile, borrower.id_number, borrower.address, borrower.employer):
        assert value not in text


def test_the_letters_of_a_placed_case_open_and_each_opening_is_the_agencys_audited_read(client, desk):
    """Clause: LTR-1, PRV-1, AUTH-4 — agency A sends the notice on P1 by post and opens its PDF (it carries the
    name and address by design): one `collection.view_letter` event by agent-a whose basis is the agency case
    permission and names agency A."""
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    assert client.post(f"/cases/{case.pk}/letters/", {"channel": "post"}).status_code == 302
    letter = Letter.objects.get(case=case)
    response = client.get(f"/letters/{letter.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_id) == ("collection.view_letter", desk.agent_a.pk)
    assert event.basis == {
        "permission": "portfolio.view_agency_cases",
        "clause": "PRV-1",
        "approval": None,
        "agency": "AGY-A01",
    }


def test_a_recall_ends_access_on_the_next_request(client, desk):
    """Clause: LGL-2, PRV-1 — agency A opens P1, its letter and its API entry; the supervisor recalls the
    placement; the same session's next requests find nothing (404), the list is empty, a call is refused and
    nothing is written."""
    client.force_login(desk.agent_a)
    case = desk.cases["P1"]
    client.post(f"/cases/{case.pk}/letters/", {"channel": "post"})
    letter = Letter.objects.get(case=case)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 200
    assert client.get("/api/v1/cases").json()["count"] == 1

    recall(desk.placements["P1"], by=desk.boss, on=AS_OF)

    before = snapshot()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/call/").status_code == 404
    assert client.post(f"/cases/{case.pk}/call/", NO_ANSWER).status_code == 404
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert client.get("/api/v1/cases").json() == {"items": [], "count": 0}
    assert f'data-case="{case.pk}"' not in client.get("/cases/").content.decode()
    assert snapshot() == before


def test_a_placement_is_seen_through_its_last_day_and_not_the_day_after(client, desk):
    """Clause: LGL-2 — a placement of U1 with agency A from 2026-02-20 for 29 days ends on 2026-03-20 (the
    business date): seen that day; once the next day's feed makes 2026-03-21 the business date, no longer
    (404), whether or not anyone recorded the end."""
    from placing import place

    case = desk.cases["U1"]
    placement = place(case, desk.agency_a, by=desk.boss, placed_on=AS_OF - timedelta(days=28), days=29)
    assert placement.last_day == AS_OF
    client.force_login(desk.agent_a)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    mark_feed(AS_OF + timedelta(days=1))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert case.pk not in [item["id"] for item in client.get("/api/v1/cases").json()["items"]]


def test_an_agency_user_without_the_placement_records_no_call_through_the_action(desk):
    """Clause: LGL-2 — the action itself refuses an agency's user a case not placed with their agency (a second
    line behind the pages' 404): nothing stored."""
    from arrears.collection.calls import CallEntry, do_record_call
    from arrears.collection.errors import CollectionError
    from arrears.rules.queries import policy_on

    entry = CallEntry(outcome="no_answer", next_action="call", next_follow_up_on=AS_OF + timedelta(days=6))
    with pytest.raises(CollectionError, match="not placed with your agency"):
        do_record_call(
            desk.cases["P2"],
            entry,
            actor=desk.agent_a,
            today=AS_OF,
            dpd=95,
            calls=policy_on(AS_OF).calls,
            called_at=WORKING_HOURS,
        )
    assert not Call.objects.exists()
