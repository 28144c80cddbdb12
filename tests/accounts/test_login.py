"""Signing in and out: audited, session key rotated, rate-limited by django-axes, idle sessions end."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.accounts.sessions import RENEWED, renewal_step
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 123"


def log_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_the_login_page_speaks_chinese_by_default(client):
    """zh-Hans first, English on request."""
    html = client.get("/login/").content.decode()
    assert "<h2>登录</h2>" in html
    assert ">用户名</label>" in html
    assert ">密码</label>" in html
    html = client.get("/login/", headers={"accept-language": "en"}).content.decode()
    assert "<h2>Log in</h2>" in html
    assert ">Password</label>" in html


def test_signing_in_rotates_the_session_key_and_is_audited(client):
    """A session id known before the login (fixation) is not the session after it."""
    user = make_user("junior_collector", username="jun", password=PASSWORD)
    session = client.session  # a session that exists before the login, as a planted one would
    session["visited"] = "login page"
    session.save()
    before = session.session_key
    response = log_in(client, "jun", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies["sessionid"].value != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.basis["permission"]) == ("auth.login", user, "accounts.sign_in")
    assert event.changes == {"remote_addr": [None, "10.1.2.3"]}


def test_next_is_followed_only_within_the_site(client):
    """`next` brings the user back; an outside address is ignored."""
    make_user("supervisor", username="sup", password=PASSWORD)
    assert client.post("/login/?next=/admin/", {"username": "sup", "password": PASSWORD})["Location"] == "/admin/"
    client.logout()
    response = client.post("/login/?next=https://evil.example/", {"username": "sup", "password": PASSWORD})
    assert response["Location"] == "/"


def test_logging_out_is_audited_and_ends_the_session(client):
    """POST /logout/ records auth.logout and the session is gone."""
    user = make_user("analyst", username="ana", password=PASSWORD)
    log_in(client, "ana")
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert list(AuditEvent.objects.values_list("action", "actor")) == [
        ("auth.login", user.pk),
        ("auth.logout", user.pk),
    ]


def test_the_admins_logout_is_the_same_audited_logout(client):
    """The admin's "log out" button posts to /admin/logout/, which is arrears' view."""
    make_user("administrator", username="root", password=PASSWORD)
    log_in(client, "root")
    client.post("/admin/logout/")
    assert AuditEvent.objects.filter(action="auth.logout").count() == 1


def test_a_user_without_a_role_cannot_sign_in(client):
    """Deny by default: no role, no `accounts.sign_in`; the same message as a wrong password, and recorded like
    one (a failed sign-in, no sign-in)."""
    make_user(None, username="nobody", password=PASSWORD)
    response = log_in(client, "nobody")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["auth.login_failed"]


def test_a_session_ends_when_the_users_role_loses_sign_in(client):
    """A revoked grant takes effect on the next request, not at the next login."""
    from arrears.accounts.models import RolePermission

    make_user("administrator", username="root", password=PASSWORD)
    log_in(client, "root")
    assert client.get("/admin/").status_code == 200
    RolePermission.objects.filter(role_id="administrator", code="accounts.sign_in").delete()
    assert client.get("/admin/").status_code == 302


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client):
    """django-axes: the 5th failure answers with the lockout page (429) and the 6th attempt, even with the right
    password, is refused; the same username from another address is not locked (keyed on both)."""
    make_user("supervisor", username="sup", password=PASSWORD)
    statuses = [log_in(client, "sup", "wrong password", REMOTE_ADDR="10.0.0.5").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    locked = log_in(client, "sup", REMOTE_ADDR="10.0.0.5")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["auth.login_failed"] * 6  # no sign-in
    assert log_in(client, "sup", REMOTE_ADDR="10.0.0.6").status_code == 302


def test_an_idle_session_expires(client):
    """Past the idle timeout the session is gone and pages ask for a login again."""
    make_user("administrator", username="root", password=PASSWORD)
    log_in(client, "root")
    assert client.get("/admin/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/admin/").status_code == 302


def _age_session(minutes_left: float, renewed_ago: int) -> None:
    """The one stored session: its expiry `minutes_left` from now, its last renewal `renewed_ago` seconds ago."""
    stored = Session.objects.get()
    data = stored.get_decoded()
    data[RENEWED] = int(time.time()) - renewed_ago
    Session.objects.filter(pk=stored.pk).update(
        session_data=SessionStore().encode(data), expire_date=timezone.now() + timedelta(minutes=minutes_left)
    )


def test_a_request_renews_the_idle_timeout(client, settings):
    """Activity pushes the expiry forward by the idle time, once the last renewal is a thirtieth of it old."""
    make_user("administrator", username="root", password=PASSWORD)
    log_in(client, "root")
    _age_session(minutes_left=1, renewed_ago=renewal_step())
    assert client.get("/admin/").status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert (
        timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        < remaining
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def test_a_request_soon_after_the_last_renewal_writes_nothing(client, settings):
    """Within a thirtieth of the idle time (a minute at 30 minutes) the session is not written back: no UPDATE
    per page view; the expiry stays where the last renewal put it, so the session ends at most that much early."""
    assert renewal_step() == settings.SESSION_COOKIE_AGE // 30 == 60
    make_user("administrator", username="root", password=PASSWORD)
    log_in(client, "root")
    _age_session(minutes_left=29.5, renewed_ago=renewal_step() - 30)
    before = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    assert Session.objects.get().expire_date == before
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
