"""No one sets another user's password and so acts as them; deactivation signs a user out at once; separation of
duties between managing users and touching the portfolio (Issue 14, item 13)."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError

from arrears.accounts.actions import do_create_user, do_reset_password, do_save_user, do_update_role
from arrears.accounts.models import Agency, Role, RolePermission, User
from arrears.accounts.permissions import USER_ADMIN_INCOMPATIBLE, Perm
from arrears.accounts.roles import ROLE_PERMISSIONS, RoleCode
from arrears.cli import main
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from factories import make_user

pytestmark = pytest.mark.django_db


def grants(role: str) -> set[str]:
    return set(RolePermission.objects.filter(role_id=role).values_list("code", flat=True))


# -- separation of duties -------------------------------------------------------------------------------------


def test_the_incompatible_set_is_exactly_the_portfolio_collection_and_contact_permissions():
    """The set named in permissions.py, spelled out: what opens borrowers' data or acts on their debts
    (complaints: filing one places a hold and names the borrower; call recordings: a borrower's voice)."""
    assert sorted(USER_ADMIN_INCOMPATIBLE) == [
        "agencies.audit",
        "arrangements.approve",
        "arrangements.propose_plan",
        "arrangements.propose_waiver",
        "collection.call",
        "collection.read_all_cases",
        "collection.reassign",
        "collection.send_letter",
        "complaints.file",
        "complaints.handle",
        "legal.approve_write_off",
        "legal.decide_escalation",
        "legal.keep_litigation",
        "legal.view_litigation",
        "notices.dispatch",
        "notices.manage_outbox",
        "portfolio.manage_holds",
        "portfolio.search_exact",
        "portfolio.unmask",
        "portfolio.view",
        "portfolio.view_agency_cases",
        "quality.listen",
        "quality.review",
        "quality.telephony",
    ]
    assert not ROLE_PERMISSIONS[RoleCode.ADMINISTRATOR] & USER_ADMIN_INCOMPATIBLE


@pytest.mark.parametrize("perm", sorted(USER_ADMIN_INCOMPATIBLE))
def test_the_administrator_role_cannot_be_granted_portfolio_or_collection_permissions(perm):
    """Refused by the action itself (not only the seeds): the grants and the ledger unchanged."""
    admin = make_user("administrator")
    before = grants("administrator")
    role = Role.objects.get(pk="administrator")
    with pytest.raises(ValidationError, match="Separation of duties: a role that manages users cannot also"):
        do_update_role(role, permissions=sorted(before | {perm}), actor=admin)
    assert grants("administrator") == before
    assert not AuditEvent.objects.exists()


def test_another_role_that_would_manage_users_is_held_to_the_same_rule():
    """Giving the supervisor role `accounts.manage_users` while it can call and unmask is refused too."""
    admin = make_user("administrator")
    before = grants("supervisor")
    with pytest.raises(ValidationError, match=r"portfolio\.unmask"):
        do_update_role(Role.objects.get(pk="supervisor"), permissions=sorted(before | {Perm.MANAGE_USERS}), actor=admin)
    assert grants("supervisor") == before
    assert not AuditEvent.objects.exists()


def test_the_role_editor_in_the_admin_shows_the_refusal(client):
    client.force_login(make_user("administrator"))
    before = grants("administrator")
    response = client.post(
        "/admin/accounts/role/administrator/change/",
        {"name": "系统管理员", "description": "", "permissions": sorted(before | {"portfolio.unmask"})},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Separation of duties" in response.content.decode()
    assert grants("administrator") == before


def test_nobody_changes_their_own_role():
    """An administrator cannot make themselves a supervisor (and so reach the portfolio); nothing changes."""
    admin = make_user("administrator")
    make_user("administrator")  # another one, so the "someone can still manage users" rule is not what refuses
    itself = User.objects.get(pk=admin.pk)  # as the admin's form loads it, apart from the signed-in user
    itself.role_id = RoleCode.SUPERVISOR
    with pytest.raises(ValidationError, match="No one changes their own role"):
        do_save_user(itself, actor=admin)
    assert User.objects.get(pk=admin.pk).role_id == "administrator"
    assert not AuditEvent.objects.exists()


# -- one-time passwords -----------------------------------------------------------------------------------------


def test_setting_a_password_for_someone_else_through_save_user_is_refused():
    """The generic save cannot carry a password chosen by the administrator, on creation or on change."""
    admin, user = make_user("administrator"), make_user("analyst")
    user.set_password("chosen by the admin 1")
    with pytest.raises(ValidationError, match="No one sets another user's password"):
        do_save_user(user, actor=admin)
    assert User.objects.get(pk=user.pk).check_password("a long passphrase 123")
    new = User(username="sun", role_id=RoleCode.ANALYST)
    new.set_password("chosen by the admin 1")
    with pytest.raises(ValidationError, match="No one sets another user's password"):
        do_save_user(new, actor=admin)
    assert not User.objects.filter(username="sun").exists()
    assert not AuditEvent.objects.exists()


def test_a_reset_by_someone_without_the_permission_changes_nothing():
    supervisor, user = make_user("supervisor"), make_user("analyst")
    with pytest.raises(ActionDenied, match=r"accounts\.manage_users"):
        do_reset_password(user, actor=supervisor)
    stored = User.objects.get(pk=user.pk)
    assert (stored.check_password("a long passphrase 123"), stored.must_change_password) == (True, False)
    assert not AuditEvent.objects.exists()


def test_the_cli_creates_a_user_and_prints_the_one_time_password_once(capsys):
    """`arrears user create`: the password printed once, stored hashed, the user must change it; the event
    names the administrator and never the password."""
    admin = make_user("administrator")
    assert main(["user", "create", "--username", "zhou", "--role", "junior_collector"]) == 0
    out = capsys.readouterr().out
    password = re.search(r"^one-time password: (\S+)$", out, re.MULTILINE).group(1)
    assert out.count(password) == 1
    assert f"created user zhou (junior_collector), recorded as created by {admin.username}" in out
    user = User.objects.get(username="zhou")
    assert (user.role_id, user.must_change_password, user.check_password(password)) == ("junior_collector", True, True)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.reason) == (
        "accounts.save_user",
        admin,
        "created with `arrears user create`",
    )
    assert password not in str(event.changes)


def test_the_cli_creates_an_agency_user_with_their_agency_and_refuses_one_without(capsys):
    make_user("administrator")
    agency = Agency.objects.create(name="示例催收服务有限公司")
    assert main(["user", "create", "--username", "ext", "--role", "agency_user"]) == 1
    assert "An agency user needs an agency" in capsys.readouterr().err
    assert not User.objects.filter(username="ext").exists()
    assert main(["user", "create", "--username", "ext", "--role", "agency_user", "--agency", str(agency.pk)]) == 0
    assert User.objects.get(username="ext").agency == agency
    assert main(["user", "create", "--username", "x2", "--role", "agency_user", "--agency", "999999"]) == 1
    assert "--agency 999999: no agency with that id or code" in capsys.readouterr().err
    # By its code as well (any case), e.g. as GET /api/v1/agencies lists it.
    assert main(["user", "create", "--username", "x3", "--role", "agency_user", "--agency", agency.code.lower()]) == 0
    assert User.objects.get(username="x3").agency == agency
    for bad in ("AGY-NOPE", "-1", "1" * 40, "١"):
        assert main(["user", "create", "--username", "x4", "--role", "agency_user", "--agency", bad]) == 1
        assert "no agency with that id or code" in capsys.readouterr().err
    assert not User.objects.filter(username="x4").exists()


def test_the_cli_needs_to_know_which_administrator_acts_when_there_are_several(capsys):
    first, _second = make_user("administrator"), make_user("administrator")
    assert main(["user", "create", "--username", "wu", "--role", "analyst"]) == 1
    assert "name the administrator who creates the user with --by USERNAME" in capsys.readouterr().err
    assert main(["user", "create", "--username", "wu", "--role", "analyst", "--by", first.username]) == 0
    assert AuditEvent.objects.get().actor == first


def test_first_sign_in_with_a_one_time_password_allows_nothing_but_choosing_ones_own(client):
    """Signed in with the one-time password, every page sends the user to /password/ and every POST is 403
    (nothing done); the wrong current password or the same one again is refused; then the new password works,
    the flag is cleared, the change is audited, and the pages open."""
    admin = make_user("administrator")
    user, one_time = do_create_user(User(username="zheng", role_id=RoleCode.JUNIOR_COLLECTOR), actor=admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login/", {"username": "zheng", "password": one_time})["Location"] == "/"
    response = client.get("/borrowers/")
    assert (response.status_code, response["Location"]) == (302, "/password/?next=/borrowers/")
    assert client.get("/").status_code == 302
    assert client.post("/cases/allocate/", {}).status_code == 403
    assert client.post("/api/v1/cases/1/plans/quote", {}, content_type="application/json").status_code == 403
    page = client.get("/password/?next=/borrowers/").content.decode()
    assert "You signed in with a one-time password" in page
    wrong = client.post("/password/", {"old_password": "nope", "new_password1": "x", "new_password2": "x"})
    assert wrong.status_code == 200
    same = client.post("/password/", {"old_password": one_time, "new_password1": one_time, "new_password2": one_time})
    assert "Choose a password different from the one you were given" in same.content.decode()
    assert User.objects.get(pk=user.pk).must_change_password
    mine = "my own long passphrase 77"
    done = client.post(
        "/password/",
        {"old_password": one_time, "new_password1": mine, "new_password2": mine, "next": "/borrowers/"},
    )
    assert (done.status_code, done["Location"]) == (302, "/borrowers/")
    stored = User.objects.get(pk=user.pk)
    assert (stored.must_change_password, stored.check_password(mine)) == (False, True)
    assert client.get("/borrowers/").status_code == 200  # still signed in: the session hash was updated
    event = AuditEvent.objects.get(action="accounts.change_password")
    assert (event.actor, event.changes) == (
        user,
        {"password": ["(hidden)", "(set)"], "must_change_password": [True, False]},
    )


# -- deactivation -----------------------------------------------------------------------------------------------


def test_deactivating_a_user_deletes_their_sessions_at_once(client):
    """A live session cookie: after the deactivation its session row is gone and the next request goes to the
    login page; the event records how many sessions ended."""
    admin, user = make_user("administrator"), make_user("junior_collector", username="chen")
    assert client.post("/login/", {"username": "chen", "password": "a long passphrase 123"}).status_code == 302
    key = client.cookies["sessionid"].value
    assert client.get("/borrowers/").status_code == 200
    user.is_active = False
    do_save_user(user, actor=admin, reason="left the bank")
    assert not Session.objects.filter(session_key=key).exists()
    response = client.get("/borrowers/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/borrowers/")
    event = AuditEvent.objects.filter(action="accounts.save_user").get()
    assert event.changes == {"is_active": [True, False], "sessions_ended": [None, 1]}
