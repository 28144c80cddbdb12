"""The ledger verification page: compliance officers run `arrears audit verify`'s check from the web and see
the first broken link; each check is recorded in the ledger; other roles get 403 and change nothing."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from arrears.accounts.models import Team
from arrears.accounts.permissions import Perm
from arrears.accounts.roles import ROLE_PERMISSIONS, RoleCode
from arrears.compliance import append_only
from arrears.compliance.actions import audited
from arrears.compliance.codes import ActionCode
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

URL = "/compliance/ledger/"


def four_events() -> None:
    admin = make_user("administrator", username="admin-1")
    for name in ("一组", "二组", "三组", "四组"):
        with audited(admin, ActionCode.SAVE_TEAM, permission=Perm.MANAGE_USERS, subject=None, reason=name) as rec:
            rec.set_subject(Team.objects.create(name=name))


def test_a_compliance_officer_verifies_an_intact_ledger_and_the_check_is_recorded(client):
    """Clause: AUTH-4 — the page runs the check on a POST; the result, then the check itself as event #5."""
    four_events()
    officer = make_user("compliance_officer", username="cco")
    client.force_login(officer)
    page = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "Verify the ledger now" in page
    assert "No check recorded yet." in page
    assert AuditEvent.objects.count() == 4  # showing the page checks nothing and records nothing
    page = client.post(URL, headers={"accept-language": "en"}).content.decode()
    assert "The ledger is intact: 4 events checked, against 0 anchors." in page
    assert "No anchor was found" in page
    event = AuditEvent.objects.get(id=5)
    assert (event.action, event.actor_username, event.basis["permission"], event.basis["clause"]) == (
        "compliance.verify_ledger",
        "cco",
        "compliance.verify_audit",
        "AUTH-4",
    )
    assert event.changes == {
        "ok": [None, True],
        "checked": [None, 4],
        "first_broken": [None, None],
        "anchors": [None, 0],
    }
    again = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "<td>cco</td>" in again
    assert "intact" in again


def test_the_page_shows_the_first_broken_link_in_the_readers_language(client):
    """An edited event #2: the page names it, says what is wrong (in Chinese by default) and who wrote it."""
    four_events()
    append_only.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET reason = 'nothing to see' WHERE id = 2")
    append_only.install(connection)
    client.force_login(make_user("compliance_officer"))
    en = client.post(URL, headers={"accept-language": "en"}).content.decode()
    assert "First broken link: event #2." in en
    assert "event #2&#x27;s hash does not match its contents: it was edited" in en
    assert re.search(r"That event as stored: written \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by admin-1\.", en)
    assert "1 events before it checked and intact." in en
    zh = client.post(URL).content.decode()
    assert "第一个断裂的环节：事件 #2。" in zh
    assert "事件 #2 的哈希与其内容不符：它被修改过" in zh
    checks = AuditEvent.objects.filter(action="compliance.verify_ledger").order_by("id")
    assert [(e.changes["ok"][1], e.changes["first_broken"][1]) for e in checks] == [(False, 2), (False, 2)]
    assert checks[0].reason == "event #2's hash does not match its contents: it was edited"


def test_a_ledger_that_refuses_appends_is_still_verified_on_the_page(client, caplog):
    """The head moved back over event #4 (triggers dropped): #4 lies past the head, so the ledger refuses every
    append and the check cannot be recorded in it; the page shows the result and says the check went to the
    security log."""
    four_events()
    append_only.remove(connection)
    with connection.cursor() as cursor:
        third = AuditEvent.objects.values_list("hash", flat=True).get(id=3)
        cursor.execute("UPDATE compliance_ledgerhead SET last_id = 3, last_hash = %s WHERE id = 1", [third])
    append_only.install(connection)
    client.force_login(make_user("compliance_officer", username="cco"))
    page = client.post(URL, headers={"accept-language": "en"}).content.decode()
    assert "First broken link: event #4." in page
    assert "event #4 lies beyond the ledger head (#3)" in page
    assert "The ledger refused to record this check" in page
    assert AuditEvent.objects.count() == 4
    assert "ledger verified by cco: BROKEN: event #4 lies beyond the ledger head (#3)" in caplog.text


@pytest.mark.parametrize(
    "role", [code for code, perms in ROLE_PERMISSIONS.items() if Perm.VERIFY_AUDIT not in perms and code != "system"]
)
def test_other_roles_get_403_and_nothing_is_checked_or_recorded(client, role):
    """Clause: AUTH-1 — only roles granted VERIFY_AUDIT (compliance officers) see or run the check."""
    four_events()
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert AuditEvent.objects.count() == 4
    assert URL not in client.get("/").content.decode()


def test_compliance_officers_find_the_page_in_the_navigation(client):
    assert Perm.VERIFY_AUDIT in ROLE_PERMISSIONS[RoleCode.COMPLIANCE_OFFICER]
    client.force_login(make_user("compliance_officer"))
    assert f'href="{URL}"' in client.get("/").content.decode()
