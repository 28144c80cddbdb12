"""The call record's rules beyond completeness: CALL-4's interval between calls, inbound calls, one promise and
one follow-up per plan, numbers the form refuses, and the policy parameters the desk reads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from test_desk import reached_borrower

from arrears.collection import views
from arrears.collection.calls import CadenceRefused, CallEntry, check_record, do_record_call
from arrears.collection.letters import repayment_deadline
from arrears.collection.models import Call, CollectionCase, Promise, Task
from arrears.collection.queries import annotated
from arrears.compliance.models import AuditEvent
from arrears.policy import Policy
from arrears.policy.model import Calls, Letters
from arrears.portfolio.models import ContactPerson

CALLS = Calls()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)


@pytest.fixture
def desk():
    desk = open_desk(
        [("B45", 45, "8000", "low"), ("F20", 20, "12000", "low"), ("S95", 95, "12000", "low")],
        {"junior_collector": 1, "supervisor": 1},
    )
    desk["junior"] = desk["users"]["junior_collector"][0]
    return desk


def stored() -> tuple[int, int, int, int]:
    return Call.objects.count(), Promise.objects.count(), Task.objects.count(), AuditEvent.objects.count()


def record(case, entry, actor, *, today=AS_OF, dpd=45, calls=CALLS):
    return do_record_call(case, entry, actor=actor, today=today, dpd=dpd, calls=calls, called_at=WORKING_HOURS)


def posted(entry: CallEntry) -> dict:
    return {k: v for k, v in vars(entry).items() if k not in ("errors", "party") and v not in (False, None, "")}


# -- CALL-4: the interval between calls, and inbound calls ------------------------------------------------------


def test_a_call_within_five_days_of_a_connected_call_is_refused_unless_the_borrower_asked(desk):
    """Clause: CALL-4 — DPD 45, reached on 03-20: another call on 03-20 (or 03-24) is refused naming the rule and
    03-25, and nothing is stored; the borrower asking allows it; on 03-25 it is allowed; a no-answer call does not
    start the interval; in the first stage (DPD 20) no interval."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    record(case, reached_borrower(), junior)
    before = stored()

    def again(today=AS_OF, **changes):
        return CallEntry(
            outcome="no_answer", next_action="call", next_follow_up_on=today + timedelta(days=5), **changes
        )

    for today in (AS_OF, AS_OF + timedelta(days=4)):
        with pytest.raises(CadenceRefused) as refused:
            record(case, again(today), junior, today=today)
        assert (refused.value.refusal.last_connected_on, refused.value.refusal.allowed_from) == (
            date(2026, 3, 20),
            date(2026, 3, 25),
        )
        assert "CALL-4" in str(refused.value)
        assert "2026-03-25" in str(refused.value)
    assert stored() == before
    asked = record(case, again(borrower_asked=True), junior)
    assert asked.borrower_asked is True
    event = AuditEvent.objects.filter(action="collection.record_call").latest("pk")
    assert event.changes["borrower_asked"] == [None, True]
    record(case, again(AS_OF + timedelta(days=5)), junior, today=AS_OF + timedelta(days=5), dpd=50)
    assert Call.objects.filter(case=case).count() == 3

    first_stage = desk["cases"]["F20"]
    record(first_stage, reached_borrower(), junior, dpd=20)
    record(first_stage, again(), junior, dpd=20)  # CALL-4's interval is the second stage's (DPD 31–60)
    assert Call.objects.filter(case=first_stage).count() == 2


def test_the_call_form_refuses_with_the_rule_in_the_users_language_and_the_inbound_call_is_never_refused(client, desk):
    """Clause: CALL-4, CLS-2 — the form shows the rule before the call, a post without 'the borrower asked' is
    refused in Chinese with the date the next call is allowed and nothing stored; the borrower's own call the same
    day is recorded; the attempts of the case count the bank's calls only."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    record(case, reached_borrower(), junior)
    client.force_login(junior)
    workspace = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="cadence-refused"' in workspace
    assert "下一次电话自 2026-03-25 起方可拨打" in workspace
    form = client.get(f"/cases/{case.pk}/call/").content.decode()
    assert 'id="cadence-refused"' in form
    assert "2026-03-25" in form
    before = stored()
    entry = reached_borrower(outcome="reached_other", promise_amount=None, promise_due_on=None)
    response = client.post(f"/cases/{case.pk}/call/", {**posted(entry), "party": "borrower"})
    assert response.status_code == 200
    assert "下一次电话自 2026-03-25 起方可拨打" in response.context["form"].errors["borrower_asked"][0]
    page = response.content.decode()
    assert "CALL-4：本阶段两次致电借款人至少间隔 5 天" in page
    assert "下一次电话自 2026-03-25 起方可拨打" in page
    assert stored() == before

    inbound = client.post(f"/cases/{case.pk}/call/?inbound=1", {**posted(entry), "party": "borrower", "inbound": "on"})
    assert inbound.status_code == 302
    assert Call.objects.filter(case=case, inbound=True).count() == 1
    assert annotated(CollectionCase.objects.filter(pk=case.pk), AS_OF).get().attempts == 1
    assert '<dd id="case-attempts">1</dd>' in client.get(f"/cases/{case.pk}/").content.decode()


# -- one promise, one follow-up -------------------------------------------------------------------------------


def test_a_second_call_the_same_day_leaves_one_promise_and_one_follow_up(desk):
    """Clause: CALL-3 — two calls on 03-20, promises of 1,200.50 by 03-25 and then 800.00 by 03-27: one open
    promise (800.00 by 03-27, the second call's) and one open follow-up (the second call's, 03-26)."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    first = record(case, reached_borrower(), junior)
    second = record(
        case,
        reached_borrower(promise_amount=Decimal("800"), promise_due_on=AS_OF + timedelta(days=7), borrower_asked=True),
        junior,
    )
    (promise,) = Promise.objects.filter(borrower=case.borrower)
    assert (promise.amount_fen, promise.due_on, promise.call_id, promise.status) == (
        80_000,
        date(2026, 3, 27),
        second.pk,
        "open",
    )
    follow_ups = Task.objects.filter(borrower=case.borrower, key__startswith="follow_up:")
    assert set(follow_ups.values_list("key", "status")) == {  # a set: "follow_up:10" sorts before "follow_up:9"
        (f"follow_up:{first.pk}", "cancelled"),
        (f"follow_up:{second.pk}", "open"),
    }
    event = AuditEvent.objects.filter(action="collection.record_call").latest("pk")
    assert event.changes["follow_ups_replaced"][1] == [Task.objects.get(key=f"follow_up:{first.pk}").pk]


def test_the_day_a_case_opens_its_cadence_call_is_not_overdue_and_a_severe_case_has_a_next_action(client, desk):
    """Clause: CALL-4, CLS-2 — B45's case opened on 03-20 at DPD 45: its call is due 03-20, not overdue; S95
    (DPD 95, never reached, no legal grounds yet) has the supervisor's decision task."""
    case = desk["cases"]["B45"]
    (task,) = Task.objects.filter(borrower=case.borrower, status="open")
    assert (task.kind, task.available_from, task.due_on, task.clause) == ("call", AS_OF, AS_OF, "CALL-4")
    client.force_login(desk["junior"])
    assert "overdue" not in client.get(f"/cases/{case.pk}/").content.decode().split('id="tasks"')[1]
    severe = desk["cases"]["S95"]
    kinds = sorted(Task.objects.filter(borrower=severe.borrower, status="open").values_list("kind", flat=True))
    assert kinds == ["severe_review"]


# -- numbers the form refuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("promise_amount", "999999999999999999999"),
        ("promise_amount", "1000000000000"),
        ("duration_seconds", str(10**14)),
        ("duration_seconds", "86401"),
        ("duration_seconds", "20000"),  # above the policy's 4 hours
        ("promise_due_on", "99999-01-01"),
        ("next_follow_up_on", "0001-01-01"),
    ],
)
def test_huge_numbers_get_the_forms_message_and_nothing_is_stored(client, desk, field, value):
    """Clause: CALL-3 — a promise of 999999999999999999999, a duration of 10^14 s, dates out of range: the form's
    message on the field, status 200, nothing stored (SQLite and PostgreSQL alike)."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    client.force_login(junior)
    before = stored()
    response = client.post(f"/cases/{case.pk}/call/", {**posted(reached_borrower()), "party": "borrower", field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert stored() == before


@pytest.mark.parametrize("contact", ["²", "abc", str(10**30), "999999"])
def test_a_contact_who_is_not_the_cases_is_not_found(client, desk, contact):
    """Clause: PRV-1 — a contact id that is no contact of this borrower (another borrower's, none, not a number):
    404, for the form and for a post, and nothing is stored."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    other = ContactPerson.objects.create(
        borrower=desk["cases"]["F20"].borrower, name="李四", relation="friend", phone="17098765432", feed_date=AS_OF
    )
    client.force_login(junior)
    before = stored()
    for named in (contact, str(other.pk)):
        assert client.get(f"/cases/{case.pk}/call/", {"party": "contact", "contact": named}).status_code == 404
        assert client.post(f"/cases/{case.pk}/call/", {"party": "contact", "contact": named}).status_code == 404
    assert client.get(f"/cases/{case.pk}/call/", {"party": "contact"}).status_code == 404
    assert stored() == before


def test_odd_ids_in_the_queue_and_reassignment_get_a_message(client, desk):
    """A non-ASCII digit or a huge number as the queue's owner or the collector to reassign to: no 500."""
    case = desk["cases"]["B45"]
    owner_id, before = case.owner_id, AuditEvent.objects.count()
    client.force_login(desk["users"]["supervisor"][0])
    for owner in ("²", str(10**30)):
        assert client.get("/cases/", {"owner": owner}).status_code == 200
        assert client.post(f"/cases/{case.pk}/reassign/", {"to": owner}).status_code == 302
    case.refresh_from_db()
    assert (case.owner_id, AuditEvent.objects.count()) == (owner_id, before)
    huge = 10**30
    for path in (f"/cases/{huge}/", f"/cases/{huge}/call/", f"/letters/{huge}.pdf"):
        assert client.get(path).status_code == 404


def test_the_inbound_form_reads_as_inbound(client, desk):
    """Clause: WVR-1 — the borrower is calling: the title and the opening say so, the labels are the answering
    collector's, and the approved script starts at the identity check; the outbound form does not."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    client.force_login(junior)
    page = client.get(f"/cases/{case.pk}/call/?inbound=1").content.decode()
    assert "来电记录：借款人来电" in page
    assert "借款人致电本行" in page
    assert "已接听、问候借款人并说明接听人身份" in page
    assert "致电借款人" not in page.split("<h2>")[1].split("</h2>")[0]
    outbound = client.get(f"/cases/{case.pk}/call/").content.decode()
    assert "来电记录" not in outbound
    assert "借款人致电本行" not in outbound


# -- the policy's numbers -------------------------------------------------------------------------------------


def test_a_changed_parameter_changes_the_rule():
    """Clause: CALL-3, LTR-1 — promise horizon 10 days: 15 days ahead refused (accepted at 30); follow-up horizon
    10 days outside the cadence: 20 days ahead refused; calls of at most 600 s: 601 refused; the deadline 10 days
    after 2026-03-20 is 2026-03-30 (a Monday), 7 days 2026-03-27 (a Friday)."""
    far = reached_borrower(promise_due_on=AS_OF + timedelta(days=15), next_follow_up_on=AS_OF + timedelta(days=20))
    assert check_record(far, today=AS_OF, dpd=20, calls=CALLS) == {}
    errors = check_record(far, today=AS_OF, dpd=20, calls=Calls(promise_max_days=10, follow_up_max_days=10))
    assert set(errors) == {"promise_due_on", "next_follow_up_on"}
    long_call = reached_borrower(duration_seconds=601)
    assert check_record(long_call, today=AS_OF, dpd=20, calls=CALLS) == {}
    assert set(check_record(long_call, today=AS_OF, dpd=20, calls=Calls(max_duration_seconds=600))) == {
        "duration_seconds"
    }
    assert repayment_deadline(AS_OF, Policy()) == date(2026, 3, 27)
    assert repayment_deadline(AS_OF, Policy(letters=Letters(repay_within_days=10))) == date(2026, 3, 30)


def test_the_record_s_messages_are_in_the_users_language(client, desk):
    """Clause: CALL-3, CALL-4 — a promise 40 days ahead and a follow-up after 8 days at DPD 45: the page says why in
    Chinese, with the policy's numbers and the dates."""
    case, junior = desk["cases"]["B45"], desk["junior"]
    client.force_login(junior)
    entry = reached_borrower(promise_due_on=AS_OF + timedelta(days=40), next_follow_up_on=AS_OF + timedelta(days=8))
    page = client.post(f"/cases/{case.pk}/call/", {**posted(entry), "party": "borrower"}).content.decode()
    assert "承诺还款日须在今天至 30 天之内（2026-03-20 – 2026-04-19）" in page
    assert "下次跟进日期须在 2026-03-25 至 2026-03-27 之间（CALL-4：本阶段每 5–7 天一次" in page
    assert not Call.objects.filter(case=case).exists()
