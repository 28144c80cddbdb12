"""The Django admin: who may open what, and every save there goes on the ledger."""

from __future__ import annotations

import json
import re

import pytest

from arrears.accounts.models import Role, RolePermission, User
from arrears.accounts.permissions import BACKOFFICE_PERMS, Perm
from arrears.accounts.roles import ROLE_PERMISSIONS, RoleCode
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


def signed_in(client, role: str | None) -> User:
    user = make_user(role)
    client.force_login(user)
    return user


def test_an_administrator_opens_the_user_list(client):
    """Administrators manage users in the admin."""
    signed_in(client, "administrator")
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/role/supervisor/change/").status_code == 200


NO_ADMIN_ACCESS = [code for code in RoleCode if not ROLE_PERMISSIONS[code] & BACKOFFICE_PERMS and code != "system"]


def test_the_roles_without_admin_access_are_the_expected_ones():
    """The parametrised test below covers every seeded human role but the two with back-office grants."""
    assert sorted(NO_ADMIN_ACCESS) == [
        "agency_user",
        "analyst",
        "junior_collector",
        "legal_officer",
        "qa_reviewer",
        "senior_collector",
        "supervisor",
        "telephony",
    ]


@pytest.mark.parametrize("role", NO_ADMIN_ACCESS)
def test_a_signed_in_user_without_admin_access_gets_403_not_a_login_loop(client, role):
    """Issue 14 item 7: the admin answered with its login page, which sent a signed-in user back to the admin
    for ever. Now: 403 at once, on the index and on a model page, and the login page's `next` ends in 403."""
    signed_in(client, role)
    assert client.get("/admin/").status_code == 403
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 403
    assert "张" not in response.content.decode()
    back = client.get("/login/?next=/admin/")
    assert (back.status_code, back["Location"]) == (302, "/admin/")
    assert client.get(back["Location"]).status_code == 403


@pytest.mark.parametrize("role", ["administrator", "compliance_officer"])
def test_the_roles_with_admin_access_open_the_admin_index(client, role):
    signed_in(client, role)
    assert client.get("/admin/").status_code == 200


def test_an_anonymous_visitor_goes_to_the_sites_login_once(client):
    """Straight to /login/ with `next`, and the login page itself answers 200: one redirect, no loop."""
    response = client.get("/admin/accounts/user/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/admin/accounts/user/")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", ["system", None])
def test_a_user_who_cannot_sign_in_is_sent_to_login(client, role):
    """The nightly run's role and no role at all lack `accounts.sign_in`: such a session does not
    authenticate, so the visitor is anonymous here and goes to the login page once."""
    user = User.objects.get(username="nightly-run") if role == "system" else make_user(role)
    client.force_login(user)
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/admin/")


def test_a_compliance_officer_reads_the_ledger_but_not_the_users(client):
    """View-only audit access; user management is the administrator's."""
    signed_in(client, "compliance_officer")
    assert client.get("/admin/compliance/auditevent/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


def test_the_ledger_in_the_admin_cannot_be_changed(client):
    """No add, change or delete of audit events, even for those who may read them."""
    admin = signed_in(client, "administrator")
    client.post("/admin/accounts/team/add/", {"name": "一组"})
    event = AuditEvent.objects.get()
    assert client.get(f"/admin/compliance/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/compliance/auditevent/{event.pk}/change/", {"reason": "x"}).status_code == 403
    assert client.post(f"/admin/compliance/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/compliance/auditevent/add/").status_code == 403
    assert AuditEvent.objects.get().reason == ""
    assert event.actor == admin


def test_editing_a_roles_permissions_in_the_admin_is_audited(client):
    """Clause: AUTH-4 — the admin form goes through `do_update_role`: grants changed and recorded."""
    admin = signed_in(client, "administrator")
    wanted = sorted({*ROLE_PERMISSIONS[RoleCode.JUNIOR_COLLECTOR], Perm.PROPOSE_PLAN} - {Perm.SEARCH_EXACT})
    response = client.post(
        "/admin/accounts/role/junior_collector/change/",
        {"name": "初级催收专员", "description": "", "permissions": wanted},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(RolePermission.objects.filter(role_id="junior_collector").values_list("code", flat=True)) == set(wanted)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject_id) == ("accounts.update_role", admin, "junior_collector")
    assert event.changes["permissions"][1] == wanted
    assert event.changes["description"][1] == ""


def test_a_user_created_in_the_admin_gets_a_one_time_password_shown_once(client):
    """Issue 14 item 13 — the add form has no password field: the new user gets a random one-time password,
    shown on that response only (no-store), saved by `do_create_user` and audited without the password."""
    signed_in(client, "administrator")
    form = client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="password1"' not in form
    assert 'name="password2"' not in form
    response = client.post("/admin/accounts/user/add/", {"username": "zhao", "role": "senior_collector"})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"].split(", ")
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    user = User.objects.get(username="zhao")
    assert (user.role_id, user.must_change_password, user.check_password(password)) == ("senior_collector", True, True)
    assert len(password) == 20
    changes = AuditEvent.objects.get(action="accounts.save_user").changes
    assert changes["role"] == [None, "senior_collector"]
    assert changes["password"] == [None, "(one-time)"]
    assert password not in json.dumps(changes)


def test_typing_a_password_for_someone_else_in_the_add_form_sets_nothing(client):
    """A crafted POST with Django's password fields: they are ignored, the password is still a random one."""
    signed_in(client, "administrator")
    client.post(
        "/admin/accounts/user/add/",
        {"username": "qian", "role": "analyst", "password1": "chosen by admin 123", "password2": "chosen by admin 123"},
    )
    user = User.objects.get(username="qian")
    assert not user.check_password("chosen by admin 123")
    assert user.must_change_password


def test_an_agency_user_without_an_agency_is_a_form_error(client):
    """The agency rule shows on the form, in words; nothing is saved."""
    signed_in(client, "administrator")
    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "ext", "usable_password": "false", "role": "agency_user"},
    )
    assert response.status_code == 200
    # The admin speaks the interface's default language, zh-Hans.
    assert "委外机构用户必须关联所属委外机构，其他用户不得关联委外机构。" in response.content.decode()
    assert not User.objects.filter(username="ext").exists()
    assert AuditEvent.objects.count() == 0


def test_the_admins_password_page_resets_and_never_takes_a_typed_password(client):
    """Issue 14 item 13 — the password page offers "reset" only: a POST with a typed password does not set it;
    the user gets a one-time password (shown once), must change it, and is signed out; audited without it."""
    signed_in(client, "administrator")
    user = make_user("analyst")
    victim = type(client)()
    victim.force_login(user)
    assert victim.get("/password/").status_code == 200
    page = client.get(f"/admin/accounts/user/{user.pk}/password/").content.decode()
    assert 'name="password1"' not in page
    assert 'id="reset-password"' in page
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "brand new passphrase 1", "password2": "brand new passphrase 1", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    stored = User.objects.get(pk=user.pk)
    assert not stored.check_password("brand new passphrase 1")
    assert (stored.check_password(password), stored.must_change_password) == (True, True)
    event = AuditEvent.objects.get()
    assert (event.action, event.subject_id, event.changes) == (
        "accounts.reset_password",
        str(user.pk),
        {"password": ["(hidden)", "(one-time)"], "must_change_password": [False, True], "sessions_ended": [None, 1]},
    )
    assert victim.get("/password/")["Location"].startswith("/login/")


def test_users_and_roles_cannot_be_deleted_in_the_admin(client):
    """Deactivate instead; the role set is fixed."""
    signed_in(client, "administrator")
    user = make_user("analyst")
    assert client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/accounts/role/add/").status_code == 403
    assert User.objects.filter(pk=user.pk).exists()
    assert Role.objects.count() == len(RoleCode)
