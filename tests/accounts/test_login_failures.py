"""Failed sign-ins are audit events, recorded by the system user; the lockout still works.

Clause: AUTH-4 — every action, and every attempt at one, is on record: who tried which username from where.
"""

from __future__ import annotations

import pytest

from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.compliance.ledger import verify_chain
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 123"
WRONG = "wrong password 456"


def log_in(client, username: str, password: str, address: str):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_wrong_password_writes_one_event_with_the_username_and_address_and_no_password(client):
    """Clause: AUTH-4 — one `auth.login_failed` event by the system user: the username as typed, the source
    address, the account as subject; the password appears nowhere in the ledger."""
    user = make_user("supervisor", username="sup", password=PASSWORD)
    response = log_in(client, "sup", WRONG, "10.0.0.7")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_username, event.actor_role) == ("auth.login_failed", SYSTEM_USERNAME, "system")
    assert (event.subject_type, event.subject_id) == ("accounts.user", str(user.pk))
    assert event.changes == {
        "username": [None, "sup"],
        "remote_addr": [None, "10.0.0.7"],
        "locked_out": [None, False],
    }
    assert event.basis == {"permission": "accounts.sign_in", "clause": "AUTH-4", "approval": None}
    assert event.reason == ""
    row = str(list(AuditEvent.objects.values_list()))
    assert WRONG not in row
    assert PASSWORD not in row
    assert verify_chain().ok


def test_an_unknown_username_is_recorded_as_given_without_a_subject_id(client):
    """Clause: AUTH-4 — someone trying names that do not exist is visible too."""
    log_in(client, "Administrator ", WRONG, "192.0.2.9")
    event = AuditEvent.objects.get()
    assert (event.subject_type, event.subject_id) == ("accounts.user", "")
    assert event.changes["username"] == [None, "Administrator"]  # as the form passes it on: trimmed
    assert event.changes["remote_addr"] == [None, "192.0.2.9"]


def test_the_lockout_still_works_and_each_attempt_is_one_event(client):
    """Clause: AUTH-4 — five wrong passwords lock the pair (429), the right password is refused while locked;
    six attempts, six events, the last ones saying locked out; another address signs in (one `auth.login`)."""
    make_user("supervisor", username="sup", password=PASSWORD)
    statuses = [log_in(client, "sup", WRONG, "10.0.0.5").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert log_in(client, "sup", PASSWORD, "10.0.0.5").status_code == 429
    events = list(AuditEvent.objects.order_by("id").values_list("action", "changes"))
    assert [action for action, _changes in events] == ["auth.login_failed"] * 6
    assert [changes["locked_out"][1] for _action, changes in events] == [False] * 4 + [True] * 2
    assert log_in(client, "sup", PASSWORD, "10.0.0.6").status_code == 302
    assert AuditEvent.objects.filter(action="auth.login").count() == 1
