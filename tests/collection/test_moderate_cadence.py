"""The moderate stage at a higher frequency (CLS-2) at the desk: a call within 2 days of a connected call is
refused unless the borrower asked, the follow-up falls 2–3 days ahead; CALL-4's 5 days stay up to DPD 60; the
attempts of the case (the bank's calls, not the borrower's) on the case page and in the queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from desk import AS_OF, WORKING_HOURS, open_desk
from test_desk import reached_borrower

from arrears.collection import views
from arrears.collection.calls import CadenceRefused, CallEntry, check_record, do_record_call, propose_follow_up
from arrears.collection.models import Call, Promise, Task
from arrears.compliance.models import AuditEvent
from arrears.policy.model import Calls

CALLS = Calls()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_clock(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)


@pytest.fixture
def desk():
    desk = open_desk(
        [("M70", 70, "12000", "low"), ("B60", 60, "12000", "low")],
        {"junior_collector": 1, "senior_collector": 1},
    )
    desk["junior"] = desk["users"]["junior_collector"][0]
    desk["senior"] = desk["users"]["senior_collector"][0]
    return desk


def record(case, entry, actor, *, days=0, dpd=70):
    """A call `days` after AS_OF, at 10:00 that day, with the case's DPD then."""
    return do_record_call(
        case,
        entry,
        actor=actor,
        today=AS_OF + timedelta(days=days),
        dpd=dpd + days,
        calls=CALLS,
        called_at=WORKING_HOURS + timedelta(days=days),
    )


def no_answer(days=0, **changes) -> CallEntry:
    changes.setdefault("next_follow_up_on", AS_OF + timedelta(days=days + 2))
    return CallEntry(outcome="no_answer", next_action="call", **changes)


def stored() -> tuple[int, int, int, int]:
    return Call.objects.count(), Promise.objects.count(), Task.objects.count(), AuditEvent.objects.count()


def test_a_call_the_day_after_a_connected_call_is_refused_in_the_moderate_stage_unless_the_borrower_asked(desk):
    """Clause: CLS-2 — DPD 70, reached on 03-20 (follow-up 03-22): a call on 03-21 is refused naming CLS-2, the
    2 days and 03-22, and nothing is stored; the borrower asking allows it; on 03-22 a call is allowed."""
    case, senior = desk["cases"]["M70"], desk["senior"]
    record(case, reached_borrower(next_follow_up_on=AS_OF + timedelta(days=2)), senior)
    before = stored()
    with pytest.raises(CadenceRefused) as refused:
        record(case, no_answer(1), senior, days=1)
    refusal = refused.value.refusal
    assert (refusal.clause, refusal.min_interval_days, refusal.last_connected_on, refusal.allowed_from) == (
        "CLS-2",
        2,
        AS_OF,
        AS_OF + timedelta(days=2),
    )
    assert str(refused.value).startswith("CLS-2: in the moderate stage calls to the borrower are at least 2 days")
    assert "2026-03-22" in str(refused.value)
    assert stored() == before
    asked = record(case, no_answer(1, borrower_asked=True), senior, days=1)
    assert asked.borrower_asked is True
    record(case, no_answer(2), senior, days=2)
    assert Call.objects.filter(case=case).count() == 3


def test_up_to_dpd_60_call_4_keeps_its_five_days(desk):
    """Clause: CALL-4 — B60 at DPD 60, reached on 03-20: a call on 03-22 at DPD 60 is refused until 03-25 — CALL-4's
    5 days, not the moderate stage's 2."""
    case, junior = desk["cases"]["B60"], desk["junior"]
    record(case, reached_borrower(), junior, dpd=60)
    with pytest.raises(CadenceRefused) as refused:
        do_record_call(
            case,
            no_answer(2, next_follow_up_on=AS_OF + timedelta(days=7)),
            actor=junior,
            today=AS_OF + timedelta(days=2),
            dpd=60,
            calls=CALLS,
            called_at=WORKING_HOURS + timedelta(days=2),
        )
    assert (refused.value.refusal.clause, refused.value.refusal.allowed_from) == ("CALL-4", AS_OF + timedelta(days=5))


def test_the_follow_up_falls_two_to_three_days_ahead_in_the_moderate_stage():
    """Clause: CLS-2, CALL-4, CALL-3 — at DPD 70 the form proposes 03-22 and accepts 03-22 and 03-23 only (03-21
    if the borrower asked); at DPD 45 it proposes 03-25 (CALL-4's 5 days); at DPD 61 and 90 the moderate window,
    at 60 CALL-4's."""
    assert propose_follow_up(AS_OF, 70, CALLS) == AS_OF + timedelta(days=2)
    assert propose_follow_up(AS_OF, 45, CALLS) == AS_OF + timedelta(days=5)

    def errors(days: int, dpd: int = 70, **changes) -> dict:
        entry = CallEntry(outcome="no_answer", next_action="call", next_follow_up_on=AS_OF + timedelta(days=days))
        for name, value in changes.items():
            setattr(entry, name, value)
        return check_record(entry, today=AS_OF, dpd=dpd, calls=CALLS)

    assert errors(2) == errors(3) == {}
    assert errors(1) == {
        "next_follow_up_on": "the next follow-up falls between 2026-03-22 and 2026-03-23 (CLS-2: every 2–3 days in "
        "the moderate stage, sooner only when the borrower asked)"
    }
    assert set(errors(4)) == {"next_follow_up_on"}
    assert errors(1, borrower_asked=True) == {}
    assert errors(2, dpd=61) == errors(3, dpd=90) == {}
    assert errors(3, dpd=60)["next_follow_up_on"].endswith(
        "(CALL-4: every 5–7 days at this stage, sooner only when the borrower asked)"
    )


def test_the_pages_name_the_moderate_stage_s_rule_in_the_user_s_language(client, desk):
    """Clause: CLS-2 — reached on 03-20 at DPD 70: the case page and the call form say, in Chinese, that calls are
    2 days apart in the moderate stage and the next is allowed from 03-22, under the clause CLS-2."""
    case, senior = desk["cases"]["M70"], desk["senior"]
    record(case, reached_borrower(next_follow_up_on=AS_OF + timedelta(days=2)), senior)
    client.force_login(senior)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/call/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        notice = page.split('id="cadence-refused"')[1].split("</p>")[0]
        assert '<span class="clause">CLS-2</span>' in notice
        assert "CLS-2：中度阶段两次致电借款人至少间隔 2 天" in notice
        assert "下一次电话自 2026-03-22 起方可拨打" in notice


def test_the_attempts_of_the_case_count_the_bank_s_calls_on_the_case_page_and_in_the_queue(client, desk):
    """Clause: CLS-2 — three calls by the bank to M70 (no answer, busy, reached) and one the borrower made to the
    bank: 3 attempts on the case page and in the senior collector's queue; B60 without calls: 0."""
    case, senior = desk["cases"]["M70"], desk["senior"]
    record(case, no_answer(), senior)
    record(case, CallEntry(outcome="busy", next_action="call", next_follow_up_on=AS_OF + timedelta(days=2)), senior)
    record(case, reached_borrower(next_follow_up_on=AS_OF + timedelta(days=2)), senior)
    inbound = reached_borrower(
        outcome="reached_other",
        promise_amount=None,
        promise_due_on=None,
        inbound=True,
        next_follow_up_on=AS_OF + timedelta(days=3),
    )
    record(case, inbound, senior, days=1)
    assert Call.objects.filter(case=case).count() == 4
    client.force_login(senior)
    assert '<dd id="case-attempts">3</dd>' in client.get(f"/cases/{case.pk}/").content.decode()
    queue = client.get("/cases/").content.decode()
    row = re.search(rf'<tr data-case="{case.pk}".*?</tr>', queue, re.S).group()
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[-1] == "3"
    client.force_login(desk["junior"])
    other = desk["cases"]["B60"]
    assert '<dd id="case-attempts">0</dd>' in client.get(f"/cases/{other.pk}/").content.decode()
