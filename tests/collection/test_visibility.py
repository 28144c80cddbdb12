"""Who sees which borrowers, loans, notices and reminders: the cases' rule everywhere (Issue 14, item 16); legal
and compliance officers read every case, read-only.

The desk on 2026-03-20: J20 (DPD 20, low risk: the junior pool), S70 (DPD 70: the senior pool), H10 (DPD 10 but
high risk: the senior pool); CUR and CURH have no case (low and high risk).
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from desk import SHANGHAI, WORKING_HOURS, night, open_desk

from arrears.arrangements.models import Plan
from arrears.collection import views
from arrears.collection.models import Call, Letter, Task
from arrears.compliance.models import AuditEvent
from factories import make_borrower, make_loan, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    opened = open_desk(
        [("J20", 20, "12000", "low"), ("S70", 70, "12000", "low"), ("H10", 10, "12000", "high")],
        {"junior_collector": 1, "senior_collector": 1, "supervisor": 1},
    )
    make_borrower(external_id="CUR", risk_level="low")
    make_borrower(external_id="CURH", risk_level="high")
    users = opened["users"]
    return SimpleNamespace(
        cases=opened["cases"],
        junior=users["junior_collector"][0],
        senior=users["senior_collector"][0],
        boss=users["supervisor"][0],
    )


def listed(client, user) -> set[str]:
    client.force_login(user)
    html = client.get("/borrowers/").content.decode()
    return {ext for ext in ("J20", "S70", "H10", "CUR", "CURH") if f">{ext}</a>" in html}


def test_the_pools_are_as_the_desk_says(desk):
    assert {ext: case.pool for ext, case in desk.cases.items()} == {"J20": "junior", "S70": "senior", "H10": "senior"}


def test_each_collector_lists_the_borrowers_of_their_own_pools(client, desk):
    """Clause: TEAM-3 — a junior: the junior pool's case and the low-risk borrower without a case; a senior also
    the senior pool's; a supervisor every borrower."""
    assert listed(client, desk.junior) == {"J20", "CUR"}
    assert listed(client, desk.senior) == {"J20", "S70", "H10", "CUR", "CURH"}
    assert listed(client, desk.boss) == {"J20", "S70", "H10", "CUR", "CURH"}


@pytest.mark.parametrize("ext", ["S70", "H10", "CURH"])
def test_a_junior_asking_for_another_pools_borrower_loan_or_notices_gets_404(client, desk, ext):
    """Clause: TEAM-3 — object swaps: the borrower page, each loan page and the delivery history answer 404,
    like a case outside one's reach; the junior's own pool answers 200."""
    from arrears.portfolio.models import Borrower

    client.force_login(desk.junior)
    other = Borrower.objects.get(external_id=ext)
    if not other.loans.exists():
        make_loan(other)
    assert client.get(f"/borrowers/{ext}/").status_code == 404
    for loan in other.loans.all():
        assert client.get(f"/loans/{loan.external_id}/").status_code == 404
    assert client.get(f"/notices/borrowers/{other.pk}/").status_code == 404
    own = Borrower.objects.get(external_id="J20")
    assert client.get("/borrowers/J20/").status_code == 200
    assert client.get(f"/loans/{own.loans.get().external_id}/").status_code == 200
    assert client.get(f"/notices/borrowers/{own.pk}/").status_code == 200


def test_a_juniors_exact_search_does_not_find_another_pools_borrower(client, desk):
    """Clause: TEAM-3, PRV-1 — the search is audited with what it found: nothing outside the junior's pools."""
    from arrears.portfolio.models import Borrower

    client.force_login(desk.junior)
    senior_mobile = Borrower.objects.get(external_id="S70").mobile
    html = client.post("/borrowers/", {"number": senior_mobile}).content.decode()
    assert ">S70</a>" not in html
    assert AuditEvent.objects.filter(action="portfolio.search_exact").latest("pk").changes["matches"] == [None, []]
    own_mobile = Borrower.objects.get(external_id="J20").mobile
    assert ">J20</a>" in client.post("/borrowers/", {"number": own_mobile}).content.decode()


@pytest.mark.parametrize("role", ["legal_officer", "compliance_officer"])
def test_legal_and_compliance_read_any_case_but_cannot_act_on_it(client, desk, role):
    """Legal and compliance officers investigate complaints and prepare litigation: the case list and a senior
    pool's case page open, without the call, letter or plan actions; POSTs to them are 403 and nothing is
    written."""
    client.force_login(make_user(role))
    case = desk.cases["S70"]
    queue = client.get("/cases/").content.decode()
    assert all(f"/cases/{c.pk}/" in queue for c in desk.cases.values())
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for offered in (
        'id="call-borrower"',
        'id="record-inbound"',
        f"/cases/{case.pk}/letters/",
        f"/cases/{case.pk}/plan/",
    ):
        assert offered not in html
    events = AuditEvent.objects.count()
    assert client.post(f"/cases/{case.pk}/call/", {"outcome": "no_answer", "next_action": "call"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/letters/", {"channel": "post"}).status_code == 403
    plan = {"income": "10000", "expenses": "3000", "debts": "500", "instalments": "4"}
    assert client.post(f"/cases/{case.pk}/plan/", plan).status_code == 403
    assert (Call.objects.count(), Letter.objects.count(), Plan.objects.count()) == (0, 0, 0)
    assert AuditEvent.objects.count() == events


EVE = date(2026, 3, 19)
MORNING = datetime(2026, 3, 19, 10, 0, tzinfo=SHANGHAI)


def test_a_junior_sees_and_records_only_their_pools_reminders(client, monkeypatch):
    """Clause: REM-1, TEAM-3 — two reminders for 20 March: the low-risk borrower's is the junior's, the
    high-risk one's the senior pool's. The junior's queue lists only the first; posting the second's id answers
    404 and writes nothing. A senior collector lists both."""
    monkeypatch.setattr(views, "now", lambda: MORNING)
    low = make_borrower(external_id="C-LOW", consent_phone=True, risk_level="low")
    high = make_borrower(external_id="C-HIGH", consent_phone=True, risk_level="high")
    for borrower in (low, high):
        make_loan(borrower, principal="12000", start=date(2026, 2, 20))
    night(EVE)
    mine, theirs = (Task.objects.get(kind="phone_reminder", borrower=b) for b in (low, high))
    client.force_login(make_user("junior_collector"))
    page = client.get("/reminders/").content.decode()
    assert f'id="reminder-{mine.pk}"' in page
    assert f'id="reminder-{theirs.pk}"' not in page
    events = AuditEvent.objects.count()
    response = client.post("/reminders/", {"task": theirs.pk, "outcome": "reached_other", "duration_seconds": "60"})
    assert response.status_code == 404
    assert (Call.objects.count(), Task.objects.get(pk=theirs.pk).status, AuditEvent.objects.count()) == (
        0,
        "open",
        events,
    )
    client.force_login(make_user("senior_collector"))
    page = client.get("/reminders/").content.decode()
    assert f'id="reminder-{mine.pk}"' in page
    assert f'id="reminder-{theirs.pk}"' in page
