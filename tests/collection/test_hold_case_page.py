"""Holds as a working tool on the case page and in the queue (Issue 17 item 1): supervisors, legal and compliance
officers place, extend and lift a hold from the case page, always with a reason, each change audited; a bad new
end is refused with a message and nothing stored; the queue shows a hold in force with its end, with the same
number of queries however many rows are held.

The desk on 2026-03-20 (the business date): J20, J25 and J30 have open cases in the junior pool, all the junior
collector's.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from desk import WORKING_HOURS, open_desk
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.collection import views
from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions import do_lift_hold, do_place_hold
from arrears.portfolio.models import Hold
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setattr(views, "now", lambda: WORKING_HOURS)
    opened = open_desk(
        [("J20", 20, "12000", "low"), ("J25", 25, "12000", "low"), ("J30", 30, "12000", "low")],
        {"junior_collector": 1, "supervisor": 1},
    )
    case = opened["cases"]["J20"]
    return SimpleNamespace(
        cases=opened["cases"],
        case=case,
        borrower=case.borrower,
        junior=opened["users"]["junior_collector"][0],
        boss=opened["users"]["supervisor"][0],
    )


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def ledger() -> list[tuple]:
    """The holds' events."""
    found = AuditEvent.objects.filter(action__endswith="_hold").order_by("pk")
    return list(found.values_list("action", "reason", "changes"))


def state() -> tuple:
    return list(Hold.objects.order_by("pk").values()), AuditEvent.objects.count()


def test_a_supervisor_places_extends_and_lifts_a_deceased_hold_from_the_case_page(client, desk):
    """Each form goes back to the case page, which shows the hold in words with its end; three events with
    their reasons, the extension's with the old and the new end."""
    client.force_login(desk.boss)
    page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    assert 'id="case-holds"' in page
    assert 'id="place-hold"' in page
    placed = client.post(
        f"/borrowers/{desk.borrower.external_id}/holds/",
        {
            "kind": "deceased",
            "loan": "",
            "starts_on": "2026-03-20",
            "ends_on": "2026-04-30",
            "reason": "家属来电告知身故",
            "case": desk.case.pk,
        },
        follow=True,
    )
    assert placed.redirect_chain == [(f"/cases/{desk.case.pk}/", 302)]
    hold = Hold.objects.get()
    shown = placed.content.decode()
    assert "The hold is placed" in shown
    held = shown[shown.index('id="holds-in-force"') :][:400]
    assert "borrower deceased" in held
    assert "until 2026-04-30" in held
    assert f'id="case-hold-{hold.pk}"' in shown

    extended = client.post(
        f"/holds/{hold.pk}/extend/",
        {"until": "2026-06-30", "reason": "等待死亡证明", "case": desk.case.pk},
        follow=True,
    )
    assert extended.redirect_chain[-1][0] == f"/cases/{desk.case.pk}/"
    shown = extended.content.decode()
    assert "The hold is extended until 2026-06-30." in shown
    assert "until 2026-06-30" in shown[shown.index('id="holds-in-force"') :][:400]

    lifted = client.post(f"/holds/{hold.pk}/lift/", {"reason": "继承人已还款", "case": desk.case.pk}, follow=True)
    assert lifted.redirect_chain[-1][0] == f"/cases/{desk.case.pk}/"
    assert "The hold is lifted." in lifted.content.decode()
    hold.refresh_from_db()
    assert (hold.kind, hold.ends_on, hold.released_on, hold.released_by) == (
        "deceased",
        date(2026, 6, 30),
        date(2026, 3, 20),
        desk.boss,
    )
    assert ledger() == [
        (
            "portfolio.place_hold",
            "家属来电告知身故",
            {
                "borrower": [None, "J20"],
                "kind": [None, "deceased"],
                "period": [None, ["2026-03-20", "2026-04-30"]],
            },
        ),
        ("portfolio.extend_hold", "等待死亡证明", {"ends_on": ["2026-04-30", "2026-06-30"]}),
        ("portfolio.release_hold", "继承人已还款", {"released_on": [None, "2026-03-20"]}),
    ]


def test_the_borrower_page_offers_the_extension_and_goes_back_there(client, desk):
    client.force_login(make_user("compliance_officer"))
    hold = do_place_hold(
        desk.borrower,
        "fraud_claim",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 4, 30),
        actor=desk.boss,
        reason="客户称未申请此贷款",
    )
    page = client.get(f"/borrowers/{desk.borrower.external_id}/").content.decode()
    assert f'action="/holds/{hold.pk}/extend/"' in page
    response = client.post(
        f"/holds/{hold.pk}/extend/", {"until": "2026-05-31", "reason": "公安立案调查中"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/borrowers/{desk.borrower.external_id}/"
    assert Hold.objects.get().ends_on == date(2026, 5, 31)


@pytest.mark.parametrize(
    ("until", "message"),
    [
        ("2026-03-19", "the new end (2026-03-19) is in the past (the business date is 2026-03-20)"),
        ("2026-04-01", "the new end (2026-04-01) must be later than the current end (2026-04-30)"),
        ("not-a-date", "Enter a valid date"),
        ("2026-02-30", "Enter a valid date"),
        ("", "This field is required"),
    ],
)
def test_a_bad_new_end_is_refused_with_a_message_and_nothing_stored(client, desk, until, message):
    hold = do_place_hold(
        desk.borrower,
        "bankruptcy",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 4, 30),
        actor=desk.boss,
        reason="破产申请已受理",
    )
    before = state()
    client.force_login(desk.boss)
    response = client.post(
        f"/holds/{hold.pk}/extend/", {"until": until, "reason": "破产程序延长", "case": desk.case.pk}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state() == before


def test_a_new_end_with_a_nul_is_refused_and_nothing_stored(client, desk):
    """400 with what to do (the site's guard against NUL characters), nothing stored."""
    hold = do_place_hold(
        desk.borrower,
        "deceased",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 4, 30),
        actor=desk.boss,
        reason="家属来电告知身故",
    )
    before = state()
    client.force_login(desk.boss)
    response = client.post(f"/holds/{hold.pk}/extend/", {"until": "2026-05-01\x00", "reason": "等待死亡证明"})
    assert response.status_code == 400
    assert "contains a NUL character" in response.content.decode()
    assert state() == before


def test_a_lifted_hold_is_not_extended(client, desk):
    hold = do_place_hold(
        desk.borrower,
        "dispute",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 4, 30),
        actor=desk.boss,
        reason="金额有异议",
    )
    do_lift_hold(hold, on=date(2026, 3, 20), actor=desk.boss, reason="异议已解决")
    before = state()
    client.force_login(desk.boss)
    response = client.post(
        f"/holds/{hold.pk}/extend/", {"until": "2026-05-31", "reason": "异议再起，延长"}, follow=True
    )
    assert "this hold was lifted on 2026-03-20; place a new hold instead" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector"])
def test_a_collector_sees_the_hold_but_can_neither_place_nor_extend_nor_lift(client, desk, role):
    """The case page shows the hold in force, with no form; each POST is 403 and nothing changes."""
    hold = do_place_hold(
        desk.borrower,
        "legal",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 4, 30),
        actor=desk.boss,
        reason="诉讼准备中",
    )
    before = state()
    client.force_login(desk.junior if role == "junior_collector" else make_user(role))
    page = client.get(f"/cases/{desk.case.pk}/").content.decode()
    if role == "junior_collector":  # the senior collector's pool is not the junior pool: the case is not theirs
        assert "legal hold" in page[page.index('id="holds-in-force"') :][:400]
        assert 'id="case-holds"' not in page
        assert "extend-hold" not in page
        assert "lift-hold" not in page
    for url, form in [
        (
            f"/borrowers/{desk.borrower.external_id}/holds/",
            {"kind": "deceased", "starts_on": "2026-03-20", "reason": "家属来电告知"},
        ),
        (f"/holds/{hold.pk}/extend/", {"until": "2026-06-30", "reason": "继续暂停"}),
        (f"/holds/{hold.pk}/lift/", {"reason": "已经还款了"}),
    ]:
        assert client.post(url, {**form, "case": desk.case.pk}).status_code == 403, url
    assert state() == before


def queue_page(client) -> tuple[str, int, int]:
    """The queue page, its number of queries, and how many of them read holds."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cases/").content.decode()
    return page, len(queries), sum('"portfolio_hold"' in q["sql"] for q in queries.captured_queries)


def row(page: str, case) -> str:
    start = page.index(f'data-case="{case.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_queue_shows_a_hold_in_force_and_its_end_in_a_bounded_number_of_queries(client, desk):
    """J20 under a bankruptcy hold until 30 April, then J25 under a fraud claim on its loan until lifted and J30
    under a dispute that ended on 19 March (not in force): the rows say so; the holds of the page's three rows are
    read in one query, and the page takes as many queries with one held row as with two."""
    client.force_login(desk.junior)
    do_place_hold(
        desk.borrower,
        "bankruptcy",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 30),
        actor=desk.boss,
        reason="破产申请已受理",
    )
    page, one_held, hold_reads = queue_page(client)
    assert hold_reads == 1
    assert "bankruptcy" in row(page, desk.case)
    assert "until 2026-04-30" in row(page, desk.case)
    j25, j30 = desk.cases["J25"], desk.cases["J30"]
    assert "—" in row(page, j25)
    do_place_hold(
        j25.borrower,
        "fraud_claim",
        starts_on=date(2026, 3, 10),
        ends_on=None,
        loan=j25.borrower.loans.get(),
        actor=desk.boss,
        reason="客户称贷款系冒名",
    )
    do_place_hold(
        j30.borrower,
        "dispute",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 19),
        actor=desk.boss,
        reason="金额有异议",
    )
    page, two_held, hold_reads = queue_page(client)
    assert hold_reads == 1
    assert "fraud claim" in row(page, j25)
    assert "until lifted" in row(page, j25)
    assert "dispute" not in row(page, j30)
    assert two_held == one_held
